// `lvsdeck --version`: the version, then what lvsdeck supports of keepalived and LVS, read from the
// profile schema and the keyword table (so it cannot claim more than the code knows).
import {profileFeatures} from '../../profile/schema.js';
import {KEEPALIVED_VERSIONS_KNOWN} from '../../keepalived-conf/keyword-versions.js';

export function versionText(version: string): string {
	const f = profileFeatures;
	return [
		`lvsdeck ${version}`,
		`keepalived: ${KEEPALIVED_VERSIONS_KNOWN.oldest} to ${KEEPALIVED_VERSIONS_KNOWN.newest} (configs rendered with the keywords each version knows; state dumps as text, or JSON where keepalived was built with it)`,
		`forwarding: ${f.forwarding.join(', ')}; protocols: ${f.protocols.join(', ')}; addresses: IPv4, IPv6`,
		`schedulers: ${f.schedulers.join(', ')}`,
		`health checks: ${f.healthChecks.filter((c) => c !== 'none').join(', ')} (others kept as keepalived text)`,
		`VRRP: v2 and v3, unicast and multicast, sync groups, track scripts and interfaces`,
	].join('\n');
}

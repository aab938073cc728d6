// What a real server needs for LVS-DR (and TUN): each VIP as /32 on lo, and ARP sysctls that keep it
// from answering ARP for those VIPs, persisted in /etc/sysctl.d so a reboot keeps them.
import type {Profile} from '../profile/model.js';

export const ARP_SYSCTL_FILE = '/etc/sysctl.d/90-lvsdeck-lvs-dr.conf';

/** The VIPs this real server must carry on lo (NAT services need none). */
export function realServerVips(profile: Profile, host: string): string[] {
	const vips = profile.virtualServers.filter((vs) => vs.forwarding !== 'NAT' && vs.realServers.some((rs) => rs.host === host)).map((vs) => vs.vip);
	return [...new Set(vips)];
}

export function renderArpSysctlConf(profileName: string): string {
	return [
		`# Rendered by lvsdeck (profile "${profileName}"): LVS-DR real server. The VIPs live on lo;`,
		'# only the real address may answer ARP, and only with the real address as source.',
		'net.ipv4.conf.all.arp_ignore = 1',
		'net.ipv4.conf.lo.arp_ignore = 1',
		'net.ipv4.conf.all.arp_announce = 2',
		'net.ipv4.conf.lo.arp_announce = 2',
		'',
	].join('\n');
}

// Real servers, from the cluster poll's own findings (cluster/findings.ts decides; doctor only words
// them as checks with a fix): each real server per its forwarding modes (VIP on lo/dummy or tunl0, ARP
// sysctls, rp_filter, NAT route), and health checks keepalived failed, with keepalived's own reason
// from its log and the real server's own reason when the poll has one (service down, port refused). Pure.
import type {ClusterState, Finding, FindingKind} from '../../../cluster/types.js';
import {servedModes} from '../../../cluster/rs-expectations.js';
import type {Profile} from '../../../profile/model.js';
import {checkerVerdict, type CheckerEvent} from '../../../probes/keepalived-checker-log.js';
import {check, type DoctorCheck} from '../check.js';

const SETUP_FIX: Partial<Record<FindingKind, string>> = {
	'rs-vip-not-on-lo': 'add the VIP as /32 on lo (or the profile\'s vip_device) on the real server',
	'rs-arp-sysctls': 'set net.ipv4.conf.all.arp_ignore=1 and arp_announce=2 on the real server (sysctl.d)',
	'rs-nat-route': 'route the real server\'s default via the directors\' internal VIP',
	'rs-tun-not-ready': 'bring tunl0 up with the VIP on it and rp_filter 0 or 2',
};

const serious = (f: Finding) => f.severity !== 'info';

/** One check per real server: is it set up for the forwarding modes it serves? */
export function realServerChecks(profile: Profile, state: ClusterState): DoctorCheck[] {
	return profile.hosts
		.filter((h) => h.role === 'realserver')
		.map((h) => {
			const where = {host: h.name, view: 'realservers' as const};
			const modes = servedModes(profile, h.name);
			const hostState = state.hosts.find((x) => x.name === h.name);
			if (!hostState?.reachable || !hostState.realServer) return check('lvs.realserver', 'skip', h.name, `not read: ${hostState?.error ?? 'no answer'}`, '', where);
			const found = state.findings.filter((f) => f.subject === h.name && serious(f) && Object.hasOwn(SETUP_FIX, f.kind));
			if (found.length === 0) return check('lvs.realserver', 'ok', h.name, `set up for ${modes.join(', ') || 'no service'}`, '', where);
			return check('lvs.realserver', 'fail', h.name, found.map((f) => f.message).join('; '), SETUP_FIX[found[0]!.kind]!, where);
		});
}

/** One director's checker lines (keepalived's log, parsed), or why there are none. */
export type CheckerLog = {readonly director: string; readonly events: readonly CheckerEvent[]} | {readonly director: string; readonly error: string};

/**
 * keepalived's own account of why a real server is out of the services the poll found it missing from
 * (their label as cluster/findings.ts writes it): its checker's reasons and the removal, from the
 * first director whose log has them.
 */
function logReasons(profile: Profile, host: string, found: readonly Finding[], logs: readonly CheckerLog[]): {text: string; checker?: string} | undefined {
	const services = profile.virtualServers
		.filter((vs) => found.some((f) => f.message.includes(` ${vs.protocol} ${vs.vip}:${vs.port} on `)))
		.flatMap((vs) => vs.realServers.filter((rs) => rs.host === host).map((rs) => ({vs, rs})));
	for (const log of logs) {
		if (!('events' in log)) continue;
		for (const {vs, rs} of services) {
			const v = checkerVerdict(log.events, rs.address, rs.port, vs.protocol);
			if (!v.down) continue;
			const lines = [...v.reasons.filter((r) => r !== v.down).map((r) => r.message), v.down.message];
			const checker = [v.down, ...v.reasons].find((e) => e.checker)?.checker;
			return {text: `${log.director}'s keepalived log${v.down.stamp ? ` at ${v.down.stamp}` : ''}: ${lines.join(' | ')}`, ...(checker ? {checker} : {})};
		}
	}
	return undefined;
}

/**
 * One check per real server that keepalived's checker took out of a table, with keepalived's own
 * reason from its log (the checker's failure lines and the removal) and the real server's own reason
 * when the poll has one (service down, port refused).
 */
export function healthChecks(profile: Profile, state: ClusterState, logs: readonly CheckerLog[] = []): DoctorCheck[] {
	const out: DoctorCheck[] = [];
	for (const h of profile.hosts.filter((x) => x.role === 'realserver')) {
		const where = {host: h.name, view: 'ipvs' as const};
		const out_ = state.findings.filter((f) => f.subject === h.name && (f.kind === 'rs-missing' || f.kind === 'rs-weight-zero'));
		if (out_.length === 0) {
			out.push(check('lvs.health', 'ok', h.name, 'in every IPVS table it belongs to, with its weight', '', where));
			continue;
		}
		const reason = state.findings.find((f) => f.subject === h.name && f.kind === 'rs-service-down')?.message;
		const logged = logReasons(profile, h.name, out_, logs);
		const unread = logs.filter((l): l is {director: string; error: string} => 'error' in l).map((l) => `${l.director}: ${l.error}`);
		const parts = [
			out_.map((f) => f.message).join('; '),
			logged ? logged.text : `keepalived's log names no checker failure for it${unread.length > 0 ? ` (not read on ${unread.join(', ')})` : ''}`,
			reason ? `the real server: ${reason.replace(`${h.name}: `, '')}` : 'its service answers the station',
		];
		const fix = reason
			? `start the service on ${h.name} (or fix what stops it answering)`
			: logged?.checker
				? `make ${h.name} pass keepalived's ${logged.checker} (what it says above), or fix the check's settings`
				: `compare the checker's settings with what ${h.name} serves`;
		out.push(check('lvs.health', 'fail', h.name, parts.join('; '), fix, where));
	}
	return out;
}

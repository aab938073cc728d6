// The director's kernel side of LVS, from one `sysctl -e` read: ip_vs loaded (its sysctls exist),
// ip_forward for NAT, expire_nodest_conn and expire_quiescent_template (without them a removed or
// weight-0 real server keeps its clients: the drills showed it), and conntrack's table. Pure.
import type {Profile} from '../../../profile/model.js';
import {check, type DoctorCheck} from '../check.js';
import type {Read} from '../reads.js';

/** `key = value` lines (sysctl's default output) into a map. */
export function parseSysctls(stdout: string): Map<string, string> {
	const out = new Map<string, string>();
	for (const line of stdout.split('\n')) {
		const m = /^([a-z0-9_./-]+)\s*=\s*(.*)$/.exec(line.trim());
		if (m) out.set(m[1]!, m[2]!.trim());
	}
	return out;
}

function hasNat(profile: Profile): boolean {
	return profile.virtualServers.some((vs) => vs.forwarding === 'NAT');
}

function hasPersistence(profile: Profile): boolean {
	return profile.virtualServers.some((vs) => vs.persistenceTimeout !== undefined && vs.persistenceTimeout > 0);
}

export function lvsChecks(profile: Profile, director: string, sysctl: Read): DoctorCheck[] {
	const where = {host: director, view: 'ipvs' as const};
	if (!sysctl.ok) return [check('lvs.sysctls', 'skip', director, `sysctls not read: ${sysctl.error}`, '', where)];
	const s = parseSysctls(sysctl.stdout);
	const out: DoctorCheck[] = [];
	const loaded = [...s.keys()].some((k) => k.startsWith('net.ipv4.vs.'));
	out.push(
		loaded
			? check('lvs.ip-vs', 'ok', director, 'ip_vs is loaded (net.ipv4.vs.* present)', '', where)
			: check('lvs.ip-vs', 'fail', director, 'no net.ipv4.vs.* sysctl: ip_vs is not loaded', 'modprobe ip_vs (and list it in /etc/modules-load.d/)', where),
	);
	const forward = s.get('net.ipv4.ip_forward');
	if (!hasNat(profile)) out.push(check('lvs.ip-forward', 'skip', director, `no NAT service (ip_forward = ${forward ?? 'unread'})`, '', where));
	else if (forward === '1') out.push(check('lvs.ip-forward', 'ok', director, 'net.ipv4.ip_forward = 1 for the NAT services', '', where));
	else out.push(check('lvs.ip-forward', 'fail', director, `net.ipv4.ip_forward = ${forward ?? 'unread'}: NAT replies are not forwarded`, 'sysctl -w net.ipv4.ip_forward=1 (and set it in /etc/sysctl.d/)', where));
	if (loaded) {
		const nodest = s.get('net.ipv4.vs.expire_nodest_conn');
		out.push(
			nodest === '1'
				? check('lvs.expire-nodest-conn', 'ok', director, 'net.ipv4.vs.expire_nodest_conn = 1', '', where)
				: check('lvs.expire-nodest-conn', 'warn', director, `net.ipv4.vs.expire_nodest_conn = ${nodest ?? 'unread'}: connections to a removed real server hang until they time out`, 'sysctl -w net.ipv4.vs.expire_nodest_conn=1 (and set it in /etc/sysctl.d/)', where),
		);
		const quiescent = s.get('net.ipv4.vs.expire_quiescent_template');
		if (quiescent === '1') out.push(check('lvs.expire-quiescent-template', 'ok', director, 'net.ipv4.vs.expire_quiescent_template = 1', '', where));
		else if (!hasPersistence(profile)) out.push(check('lvs.expire-quiescent-template', 'ok', director, `= ${quiescent ?? 'unread'}; no persistent service needs it`, '', where));
		else out.push(check('lvs.expire-quiescent-template', 'warn', director, `net.ipv4.vs.expire_quiescent_template = ${quiescent ?? 'unread'}: persistent clients stay on a weight-0 real server`, 'sysctl -w net.ipv4.vs.expire_quiescent_template=1 (and set it in /etc/sysctl.d/)', where));
	}
	out.push(conntrackCheck(director, s));
	return out;
}

/** conntrack's table: loaded or not, and how full (a full table drops new connections). */
function conntrackCheck(director: string, s: Map<string, string>): DoctorCheck {
	const where = {host: director, view: 'ipvs' as const};
	const count = Number(s.get('net.netfilter.nf_conntrack_count'));
	const max = Number(s.get('net.netfilter.nf_conntrack_max'));
	const vs = s.get('net.ipv4.vs.conntrack');
	if (!s.has('net.netfilter.nf_conntrack_max')) return check('lvs.conntrack', 'ok', director, `nf_conntrack is not loaded (net.ipv4.vs.conntrack = ${vs ?? 'unread'})`, '', where);
	const used = max > 0 ? count / max : 0;
	const evidence = `nf_conntrack ${count} of ${max} entries (${Math.round(used * 100)}%), net.ipv4.vs.conntrack = ${vs ?? 'unread'}`;
	if (used >= 0.9) return check('lvs.conntrack', 'warn', director, evidence, 'raise net.netfilter.nf_conntrack_max, or keep IPVS traffic out of conntrack (net.ipv4.vs.conntrack=0 with no NAT rules on it)', where);
	return check('lvs.conntrack', 'ok', director, evidence, '', where);
}

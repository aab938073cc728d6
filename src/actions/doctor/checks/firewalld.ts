// firewalld on a director: when it runs, the zone holding each VRRP instance's interface must let IP
// protocol 112 in. firewalld's zones reject what they do not list, with a rule that names no protocol,
// so the nft check (firewall.ts) cannot see it: this one reads `firewall-cmd --list-all-zones` (the
// format of firewalld's command.py print_zone_policy_info) and `--direct --get-all-rules`. VRRP is let
// in by a zone target of ACCEPT, `protocols: vrrp` (or 112), a rich rule accepting protocol vrrp, a
// direct rule accepting it, or the `vrrp` service, which only covers the multicast group 224.0.0.18 (so
// not unicast_peer instances). Pure.
import {check, type DoctorCheck} from '../check.js';
import type {FirewalldReads} from '../reads.js';

export interface FirewalldZone {
	readonly name: string;
	readonly isDefault: boolean;
	readonly active: boolean;
	readonly target: string;
	readonly interfaces: readonly string[];
	readonly sources: readonly string[];
	readonly services: readonly string[];
	readonly protocols: readonly string[];
	readonly richRules: readonly string[];
}

/** `firewall-cmd --list-all-zones` (or `--list-all`): one block per zone, `  key: values` lines, rich rules on tab-indented lines. */
export function parseFirewalldZones(text: string): FirewalldZone[] {
	const zones: FirewalldZone[] = [];
	let cur: {name: string; isDefault: boolean; active: boolean; fields: Map<string, string[]>; rich: string[]; lastKey: string} | undefined;
	const close = () => {
		if (!cur) return;
		const f = (k: string) => cur!.fields.get(k) ?? [];
		zones.push({
			name: cur.name,
			isDefault: cur.isDefault,
			active: cur.active,
			target: f('target')[0] ?? 'default',
			interfaces: f('interfaces'),
			sources: f('sources'),
			services: f('services'),
			protocols: f('protocols'),
			richRules: cur.rich,
		});
		cur = undefined;
	};
	for (const raw of text.split('\n')) {
		const line = raw.replace(/\s+$/, '');
		if (line === '') continue;
		const head = /^(\S+)(?: \(([^)]*)\))?$/.exec(line);
		if (head) {
			close();
			const attrs = (head[2] ?? '').split(',').map((a) => a.trim());
			cur = {name: head[1]!, isDefault: attrs.includes('default'), active: attrs.includes('active'), fields: new Map(), rich: [], lastKey: ''};
			continue;
		}
		if (!cur) continue;
		const field = /^\s+([a-z][a-z-]*( rules)?):\s?(.*)$/.exec(line);
		if (field && !line.startsWith('\t')) {
			cur.lastKey = field[1]!;
			cur.fields.set(field[1]!, field[3]!.split(/\s+/).filter((w) => w !== ''));
			continue;
		}
		if (cur.lastKey === 'rich rules' && /^\s+rule\b/.test(line)) cur.rich.push(line.trim());
	}
	close();
	return zones;
}

const VRRP_PROTOCOL = /^(?:vrrp|112)$/i;
const RICH_ACCEPTS_VRRP = /\bprotocol value="?(?:vrrp|112)"?.*\baccept\b/i;
const DIRECT_ACCEPTS_VRRP = /^ipv[46] filter INPUT -?\d+(?: .*)? -p (?:vrrp|112)(?: .*)? -j ACCEPT\b/;

/** How a zone lets VRRP in, or undefined. `unicast`: the instance sends to unicast peers (the vrrp service does not cover it). */
export function zoneAllowsVrrp(zone: FirewalldZone, unicast: boolean): string | undefined {
	if (/^ACCEPT$/i.test(zone.target)) return `zone ${zone.name} accepts everything (target ACCEPT)`;
	if (zone.protocols.some((p) => VRRP_PROTOCOL.test(p))) return `zone ${zone.name} lists protocol ${zone.protocols.find((p) => VRRP_PROTOCOL.test(p))}`;
	const rich = zone.richRules.find((r) => RICH_ACCEPTS_VRRP.test(r) && !/\b(?:drop|reject)\b/.test(r));
	if (rich) return `zone ${zone.name}: ${rich}`;
	if (zone.services.includes('vrrp') && !unicast) return `zone ${zone.name} has the vrrp service`;
	return undefined;
}

/** The zone an interface is in: the one that lists it, else the default zone (firewalld's rule). */
export function zoneOf(zones: readonly FirewalldZone[], iface: string): FirewalldZone | undefined {
	return zones.find((z) => z.interfaces.includes(iface)) ?? zones.find((z) => z.isDefault);
}

/** What the director runs VRRP on: each instance's interface and whether it is unicast. */
export interface VrrpUse {
	readonly instance: string;
	readonly iface: string;
	readonly unicast: boolean;
}

function why(r: {ok: true; code: number | null; stderr: string} | {ok: false; error: string}): string {
	if (!r.ok) return r.error;
	return `exit ${r.code ?? 'signal'}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''}`;
}

/** One check per director: skip when firewalld is not running, fail when a VRRP interface's zone does not let VRRP in. */
export function firewalldCheck(director: string, reads: FirewalldReads, uses: readonly VrrpUse[]): DoctorCheck {
	const where = {host: director, view: 'vrrp' as const};
	const st = reads.state;
	if (!st.ok) return check('vrrp.firewalld', 'skip', director, `firewalld's state not read: ${st.error}`, '', where);
	if (st.code !== 0) return check('vrrp.firewalld', 'skip', director, `firewalld is not running (systemctl is-active: ${st.stdout.trim() || why(st)})`, '', where);
	if (!reads.zones || !reads.zones.ok || reads.zones.code !== 0) return check('vrrp.firewalld', 'skip', director, `firewalld runs but its zones were not read (${reads.zones ? why(reads.zones) : 'not read'})`, '', where);
	const zones = parseFirewalldZones(reads.zones.stdout);
	const direct = reads.direct?.ok && reads.direct.code === 0 ? reads.direct.stdout.split('\n').map((l) => l.trim()).find((l) => DIRECT_ACCEPTS_VRRP.test(l)) : undefined;
	if (uses.length === 0) return check('vrrp.firewalld', 'skip', director, 'firewalld runs; the installed config has no VRRP instance', '', where);
	const blocked: string[] = [];
	const allowed: string[] = [];
	const unknown: string[] = [];
	for (const u of uses) {
		const zone = zoneOf(zones, u.iface);
		const how = direct ? `direct rule ${direct}` : zone ? zoneAllowsVrrp(zone, u.unicast) : undefined;
		if (how) allowed.push(`${u.instance} on ${u.iface}: ${how}`);
		// An older firewall-cmd marks no default zone: the interface's zone cannot be told, so no verdict.
		else if (!zone) unknown.push(`${u.instance} on ${u.iface}`);
		else blocked.push(`${u.instance} on ${u.iface}: zone ${zone.name} (target ${zone.target}) does not let VRRP in${zone.services.includes('vrrp') && u.unicast ? ' (its vrrp service covers multicast 224.0.0.18 only, the instance is unicast)' : ''}`);
	}
	if (blocked.length === 0 && unknown.length > 0)
		return check('vrrp.firewalld', 'warn', director, `firewalld runs; no zone lists ${unknown.join(', ')} and none is marked default, so its rules for VRRP are unknown`, `firewall-cmd --get-zone-of-interface=IFACE, then let protocol 112 into that zone`, where);
	if (blocked.length === 0) return check('vrrp.firewalld', 'ok', director, `firewalld runs and lets VRRP in (${allowed.join('; ')})`, '', where);
	const zone = zoneOf(zones, uses[0]!.iface)?.name ?? 'public';
	return check('vrrp.firewalld', 'fail', director, `firewalld runs and ${blocked.join('; ')}`, `firewall-cmd --permanent --zone=${zone} --add-protocol=vrrp && firewall-cmd --reload`, where);
}

// VRRP on the wire, from keepalived's own counters read twice (SIGUSR2's keepalived.stats): each backup
// receiving its master's adverts, adverts refused for their password, and adverts from a router that
// is not a member of the instance (another cluster on the same VRID), named by its address where
// keepalived's log names the sender (probes/keepalived-advert-log.ts). Pure.
import type {Profile} from '../../../profile/model.js';
import {parseKeepalivedStats, type VrrpStats} from '../../../probes/vrrp.js';
import type {ClusterState} from '../../../cluster/types.js';
import type {AdvertSender} from '../../../probes/keepalived-advert-log.js';
import {check, type DoctorCheck} from '../check.js';
import type {Read} from '../reads.js';

/** One director's counters for one instance at the two reads. */
interface Delta {
	readonly director: string;
	readonly state: string | undefined;
	readonly before: VrrpStats;
	readonly after: VrrpStats;
}

export interface StatsReads {
	readonly director: string;
	/** The two reads of keepalived.stats, in order. */
	readonly reads: readonly Read[];
}

/** The senders keepalived logged on one director, with that director's clock at the read (epoch ms). */
export interface SenderLog {
	readonly director: string;
	readonly senders: readonly AdvertSender[];
	/** The director's time when the log was read: only lines this recent count. */
	readonly readAt: number;
}

/** How far back a logged sender still counts as on the segment now. */
export const RECENT_SENDER_MS = 120_000;

/** Who else sends: the logged senders of this instance (or its VRID) that are no member's address, by address. */
export function foreignSenders(log: SenderLog | undefined, instance: string, vrid: number, known: ReadonlySet<string>): string[] {
	if (!log) return [];
	const by = new Map<string, {count: number; priority: number | undefined; last: string | undefined}>();
	for (const s of log.senders) {
		if (s.instance !== instance && s.vrid !== vrid) continue;
		if (known.has(s.from.toLowerCase())) continue;
		if (s.at !== undefined && s.at < log.readAt - RECENT_SENDER_MS) continue;
		const e = by.get(s.from);
		by.set(s.from, {count: (e?.count ?? 0) + 1, priority: s.priority ?? e?.priority, last: s.stamp ?? e?.last});
	}
	return [...by].map(([from, e]) => `${from}${e.priority !== undefined ? ` (priority ${e.priority})` : ''}: ${e.count} log line${e.count === 1 ? '' : 's'}${e.last ? `, last at ${e.last}` : ''}`);
}

const n = (v: number | undefined) => v ?? 0;
const moved = (d: Delta, k: keyof VrrpStats) => n(d.after[k]) - n(d.before[k]);
const authErrors = (s: VrrpStats) => n(s.credFailure) + n(s.credTypeMismatch) + n(s.credTypeInvalid);

/** Each read parsed, or why not (one reason per director). */
export function parseStatsReads(reads: readonly Read[]): {dumps: Array<Record<string, VrrpStats>>} | {error: string} {
	const dumps: Array<Record<string, VrrpStats>> = [];
	for (const r of reads) {
		if (!r.ok) return {error: r.error};
		if (r.code !== 0) return {error: `the stats dump failed (exit ${r.code ?? 'signal'}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''})`};
		dumps.push(parseKeepalivedStats(r.stdout).instances);
	}
	return {dumps};
}

function stateOf(state: ClusterState, director: string, instance: string): string | undefined {
	return state.hosts.find((h) => h.name === director)?.director?.vrrp?.find((v) => v.name === instance)?.state;
}

/** Per instance: every member's deltas, and the members whose counters could not be read. */
function deltasOf(profile: Profile, state: ClusterState, stats: readonly StatsReads[], instance: string): {deltas: Delta[]; unread: string[]} {
	const deltas: Delta[] = [];
	const unread: string[] = [];
	const members = profile.instances.find((i) => i.name === instance)?.members ?? [];
	for (const m of members) {
		const reads = stats.find((s) => s.director === m.director);
		const parsed = reads ? parseStatsReads(reads.reads) : {error: 'not read'};
		const [first, last] = 'dumps' in parsed ? [parsed.dumps[0]?.[instance], parsed.dumps.at(-1)?.[instance]] : [undefined, undefined];
		if (!first || !last || !('dumps' in parsed) || parsed.dumps.length < 2) {
			unread.push(`${m.director}: ${'error' in parsed ? parsed.error : `no counters for ${instance}`}`);
			continue;
		}
		deltas.push({director: m.director, state: stateOf(state, m.director, instance), before: first, after: last});
	}
	return {deltas, unread};
}

/** Each BACKUP must see its master's adverts: its received counter moves. */
function advertChecks(instance: string, deltas: readonly Delta[], windowS: string): DoctorCheck[] {
	const masters = deltas.filter((d) => d.state === 'MASTER');
	const out: DoctorCheck[] = [];
	for (const d of deltas.filter((x) => x.state === 'BACKUP')) {
		const got = moved(d, 'advertRcvd');
		const subject = `${d.director} ${instance}`;
		const where = {host: d.director, view: 'vrrp' as const};
		if (masters.length === 0) out.push(check('vrrp.adverts', 'skip', subject, 'no member is MASTER, so no adverts are expected', '', where));
		else if (got > 0) out.push(check('vrrp.adverts', 'ok', subject, `received ${got} adverts in ${windowS} s`, '', where));
		else
			out.push(
				check(
					'vrrp.adverts',
					'fail',
					subject,
					`received no adverts in ${windowS} s while ${masters.map((m) => m.director).join(', ')} is MASTER (sent ${masters.map((m) => moved(m, 'advertSent')).join(', ')})`,
					`let IP protocol 112 through between the directors (firewall, unicast_peer addresses, multicast on the switch)`,
					where,
				),
			);
	}
	return out;
}

/** Adverts refused for their authentication: the members' auth_pass (or auth_type) differ. */
function authChecks(instance: string, deltas: readonly Delta[]): DoctorCheck[] {
	return deltas.map((d) => {
		const failed = authErrors(d.after) - authErrors(d.before);
		const subject = `${d.director} ${instance}`;
		const where = {host: d.director, view: 'vrrp' as const};
		if (failed <= 0) return check('vrrp.auth', 'ok', subject, `no authentication errors (total ${authErrors(d.after)})`, '', where);
		const parts = [`password ${moved(d, 'credFailure')}`, `type mismatch ${moved(d, 'credTypeMismatch')}`, `invalid type ${moved(d, 'credTypeInvalid')}`];
		return check(
			'vrrp.auth',
			'fail',
			subject,
			`${failed} adverts refused for their authentication since the first read (${parts.join(', ')})`,
			`give every member of ${instance} the same authentication (auth_type and auth_pass) and reload keepalived`,
			where,
		);
	});
}

/**
 * Adverts no member sent: a MASTER receiving adverts while no other member is MASTER, a member
 * receiving more than the other members sent (2 adverts of slack for the reads' timing), or adverts
 * whose address list differs from ours.
 */
function foreignChecks(instance: string, vrid: number, deltas: readonly Delta[], logs: readonly SenderLog[], known: ReadonlySet<string>): DoctorCheck[] {
	return deltas.map((d) => {
		const subject = `${d.director} ${instance}`;
		const where = {host: d.director, view: 'vrrp' as const};
		const others = deltas.filter((o) => o.director !== d.director);
		const received = moved(d, 'advertRcvd');
		const sentByMembers = others.reduce((sum, o) => sum + moved(o, 'advertSent'), 0);
		const addrList = moved(d, 'addrListErr');
		const otherMaster = others.some((o) => o.state === 'MASTER');
		const why: string[] = [];
		if (d.state === 'MASTER' && received > 0 && !otherMaster) why.push(`as MASTER it received ${received} adverts while no other member is MASTER`);
		else if (received > sentByMembers + 2) why.push(`received ${received} adverts, the other members sent ${sentByMembers}`);
		if (addrList > 0) why.push(`${addrList} adverts with another address list`);
		const senders = foreignSenders(logs.find((l) => l.director === d.director), instance, vrid, known);
		if (senders.length > 0) why.push(`keepalived logged adverts from ${senders.join('; ')}`);
		if (why.length === 0) return check('vrrp.foreign-router', 'ok', subject, `every advert came from a member (received ${received}, members sent ${sentByMembers})`, '', where);
		return check(
			'vrrp.foreign-router',
			'fail',
			subject,
			`another router advertises VRID ${vrid}: ${why.join('; ')}`,
			senders.length > 0
				? `stop ${senders.map((x) => x.split(/[ :]/)[0]).join(', ')} sending on VRID ${vrid}, or give one of the clusters another virtual_router_id`
				: `find the other router on VRID ${vrid} (tcpdump -n vrrp on the instance's interface) and give one of the clusters another virtual_router_id`,
			where,
		);
	});
}

/**
 * All VRRP traffic checks, per instance. `logs` holds the senders keepalived logged per director and
 * `known` every address of the members (lower case): a logged sender outside it is another router.
 */
export function vrrpTrafficChecks(profile: Profile, state: ClusterState, stats: readonly StatsReads[], windowMs: number, logs: readonly SenderLog[] = [], known: ReadonlySet<string> = new Set()): DoctorCheck[] {
	const windowS = (windowMs / 1000).toFixed(1);
	const out: DoctorCheck[] = [];
	for (const inst of profile.instances) {
		const {deltas, unread} = deltasOf(profile, state, stats, inst.name);
		for (const u of unread) out.push(check('vrrp.counters', 'skip', `${u.split(':')[0]} ${inst.name}`, `keepalived's counters not read: ${u.slice(u.indexOf(':') + 2)}`, '', {host: u.split(':')[0]!, view: 'vrrp'}));
		out.push(...advertChecks(inst.name, deltas, windowS), ...authChecks(inst.name, deltas), ...foreignChecks(inst.name, inst.vrid, deltas, logs, known));
	}
	return out;
}

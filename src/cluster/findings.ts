// Pure derivations from host states: where each VIP lives, and what is wrong (findings).
import {hostByName, type InstanceMember, type Profile, type VirtualServer, type VrrpInstance} from '../profile/model.js';
import type {VrrpInstanceState} from '../probes/vrrp.js';
import {byElection, tieBreakNote} from '../profile/election.js';
import {findService, realServerKey, serviceKey, type IpvsTable} from '../probes/ipvs.js';
import {driftFinding} from './drift.js';
import type {ArpSysctl, DirectorData, Finding, HostState, RealServerData, VipPlacement} from './types.js';
import type {TunCheck} from '../probes/realserver.js';

function holdsVip(host: HostState, vip: string): boolean {
	return host.director?.addresses.some((a) => a.address === vip) ?? false;
}

/** Hosts whose last poll succeeded (stale data is shown, but not trusted for findings). */
function live(host: HostState | undefined): host is HostState {
	return host !== undefined && host.reachable;
}

/** An instance member's VRRP state as its director's last dump gives it (undefined: unknown). */
function memberState(hosts: ReadonlyMap<string, HostState>, director: string, instance: string): VrrpInstanceState | undefined {
	return hosts.get(director)?.director?.vrrp?.find((v) => v.name === instance);
}

/** The priority keepalived elects with: the dump's effective priority (track scripts and interfaces applied), else the profile's. */
function electionPriority(member: InstanceMember, state: VrrpInstanceState | undefined): number {
	return state?.effectivePriority ?? state?.priority ?? member.priority;
}

/** Members that can win an election now: reachable, keepalived running, not in FAULT. */
function contenders(inst: VrrpInstance, hosts: ReadonlyMap<string, HostState>): Array<{director: string; priority: number}> {
	return inst.members
		.filter((m) => {
			const h = hosts.get(m.director);
			return live(h) && h.director?.keepalivedActive !== false && memberState(hosts, m.director, inst.name)?.state !== 'FAULT';
		})
		.map((m) => ({director: m.director, priority: electionPriority(m, memberState(hosts, m.director, inst.name))}));
}

export function deriveVips(profile: Profile, hosts: ReadonlyMap<string, HostState>): VipPlacement[] {
	const placements: VipPlacement[] = [];
	for (const inst of profile.instances) {
		// The preferred holder: the VRRP election winner (highest effective priority, as keepalived
		// reports it, then highest address) among members that are up, running keepalived and not in FAULT.
		const addressOf = (director: string) => hostByName(profile, director).address;
		const candidates = contenders(inst, hosts).sort(byElection(addressOf));
		const expected = candidates[0]?.director;
		const expectedWhy = tieBreakNote(candidates, addressOf);
		const members = inst.members.map((m) => memberPlacement(profile, inst, m, hosts.get(m.director)?.director));
		for (const vip of inst.vips) {
			const holders = profile.hosts
				.filter((h) => h.role === 'director')
				.map((h) => hosts.get(h.name))
				.filter((h): h is HostState => live(h) && holdsVip(h, vip.address))
				.map((h) => h.name);
			placements.push({vip: vip.address, instance: inst.name, holders, ...(expected ? {expected} : {}), ...(expectedWhy ? {expectedWhy} : {}), members});
		}
	}
	return placements;
}

function memberPlacement(profile: Profile, inst: VrrpInstance, m: InstanceMember, director: DirectorData | undefined): VipPlacement['members'][number] {
	const state = director?.vrrp?.find((v) => v.name === inst.name);
	const down = director?.downLinks ?? [];
	const lowered = state ? loweredWhy(profile, m, state, down) : undefined;
	return {
		director: m.director,
		configuredPriority: m.priority,
		...(state ? {state: state.state} : {}),
		...(state?.priority !== undefined ? {priority: state.priority} : {}),
		...(state?.effectivePriority !== undefined ? {effectivePriority: state.effectivePriority} : {}),
		...(lowered ? {lowered} : {}),
		...(state?.state === 'FAULT' ? {faultWhy: faultWhy(profile, state, director!)} : {}),
	};
}

/** A tracked script's name from the profile when the dump gives its command (the JSON dump does). */
function scriptName(profile: Profile, script: string): string {
	return profile.trackScripts.find((t) => t.script.join(' ') === script || t.name === script)?.name ?? script;
}

/**
 * Why a member is in FAULT, as far as the dump says: its own interface down or failing tracks; else,
 * in a sync group, the other members in FAULT that pull it along (keepalived faults the whole group).
 */
function faultWhy(profile: Profile, state: VrrpInstanceState, director: DirectorData): string {
	const down = director.downLinks ?? [];
	const own = trackWhy(profile, state, down);
	if (own !== undefined) return own;
	// The text dump names the group; the JSON dump does not, the profile does.
	const group = state.syncGroup ?? profile.syncGroups?.find((g) => g.instances.includes(state.name))?.name;
	const inGroup = (s: VrrpInstanceState) => (s.syncGroup ?? profile.syncGroups?.find((g) => g.instances.includes(s.name))?.name) === group;
	const faulted = group === undefined ? [] : (director.vrrp ?? []).filter((s) => s.name !== state.name && s.state === 'FAULT' && inGroup(s));
	if (faulted.length === 0) return 'keepalived does not say why';
	const pulling = faulted.flatMap((s) => {
		const why = trackWhy(profile, s, down);
		return why === undefined ? [] : [`${s.name} is in FAULT: ${why}`];
	});
	// Members that only pull each other along: the group is in FAULT, nobody says which one failed.
	if (pulling.length === 0) return `sync group ${group} in FAULT with ${faulted.map((s) => s.name).join(', ')}; keepalived does not say why`;
	return `sync group ${group}: ${pulling.join('; ')}`;
}

/** What keepalived's dump says lowers this member or holds it in FAULT: the failing tracks, else what it tracks. */
function trackWhy(profile: Profile, state: VrrpInstanceState, downLinks: readonly string[]): string | undefined {
	const own = state.interface !== undefined && (state.interfaceDown || downLinks.includes(state.interface)) ? state.interface : undefined;
	const trackedDown = new Set([...(state.downInterfaces ?? []), ...(state.trackedInterfaces ?? []).filter((i) => downLinks.includes(i))]);
	const failing = [
		...(own !== undefined ? [`interface ${own} down`] : []),
		...(state.failedScripts ?? []).map((s) => `track script ${scriptName(profile, s)} failing`),
		...[...trackedDown].filter((i) => i !== own).map((i) => `tracked interface ${i} down`),
	];
	if (failing.length > 0) return failing.join(', ');
	const tracked = [...(state.trackedScripts ?? []).map((s) => `script ${scriptName(profile, s)}`), ...(state.trackedInterfaces ?? []).map((i) => `interface ${i}`)];
	return tracked.length > 0 ? `keepalived tracks ${tracked.join(', ')}` : undefined;
}

/** Set when the member runs below its configured priority: by how much and why, when the dump says. */
function loweredWhy(profile: Profile, m: InstanceMember, state: VrrpInstanceState, downLinks: readonly string[]): string | undefined {
	const base = state.priority ?? m.priority;
	if (state.effectivePriority === undefined || state.effectivePriority >= base) return undefined;
	const why = trackWhy(profile, state, downLinks);
	return `effective priority ${state.effectivePriority}, below the configured ${base}${why ? `: ${why}` : ''}`;
}

/**
 * Per instance member: FAULT (a warning; critical when no other member could take the VIP) and a
 * priority lowered by keepalived's tracking (said, as info: the election follows it, nothing is wrong).
 */
function vrrpMemberFindings(profile: Profile, hosts: ReadonlyMap<string, HostState>, vips: readonly VipPlacement[]): Finding[] {
	const out: Finding[] = [];
	for (const inst of profile.instances) {
		const placement = vips.find((p) => p.instance === inst.name);
		if (!placement) continue;
		const able = contenders(inst, hosts).map((c) => c.director);
		for (const m of placement.members.filter((x) => live(hosts.get(x.director)))) {
			if (m.state === 'FAULT') {
				const others = able.filter((d) => d !== m.director);
				const consequence = others.length === 0 ? 'no member can take the VIP over' : others.length === 1 ? `${others[0]} has no working backup` : `${others.join(', ')} remain`;
				out.push({kind: 'vrrp-fault', severity: others.length === 0 ? 'critical' : 'warning', subject: m.director, message: `${m.director} is in FAULT for ${inst.name} (${m.faultWhy}): ${consequence}`});
			} else if (m.lowered) {
				out.push({kind: 'vrrp-priority-reduced', severity: 'info', subject: m.director, message: `${m.director} runs ${inst.name} at ${m.lowered}`});
			}
		}
	}
	return out;
}

/** A comparable description of a table: services and their real servers with weights. */
function tableShape(table: IpvsTable): Set<string> {
	const shape = new Set<string>();
	for (const s of table.services) {
		shape.add(`${serviceKey(s)} ${s.scheduler}`);
		for (const rs of s.realServers) shape.add(`${serviceKey(s)} -> ${realServerKey(rs)} w${rs.weight}`);
	}
	return shape;
}

export interface FindingInputs {
	readonly profile: Profile;
	readonly hosts: ReadonlyMap<string, HostState>;
	readonly vips: readonly VipPlacement[];
	/** sha256 of what the profile renders for each director. */
	readonly renderedSha256: ReadonlyMap<string, string>;
}

/** Where a finding goes once made. */
type Add = (f: Finding) => void;

/** Hosts that were polled and did not answer. */
function unreachableFindings({profile, hosts}: FindingInputs, add: Add): void {
	for (const h of profile.hosts) {
		const state = hosts.get(h.name);
		if (state && !state.reachable && state.lastPollAt !== undefined) {
			add({kind: 'host-unreachable', severity: 'critical', subject: h.name, message: `${h.name} is unreachable: ${state.error ?? 'no answer'}`});
		}
	}
}

/** One VIP: split brain, no master, on a director outside its instance, not on the preferred one. */
function vipFindings(p: VipPlacement, {profile, hosts}: FindingInputs, add: Add): void {
	const inst = profile.instances.find((i) => i.name === p.instance)!;
	// Stale data from an unreachable director is not evidence of anything.
	const masters = p.members.filter((m) => m.state === 'MASTER' && live(hosts.get(m.director))).map((m) => m.director);
	// "No master" needs every member answering: the one we cannot reach may still hold the VIP.
	const allLive = inst.members.every((m) => live(hosts.get(m.director)));
	if (p.holders.length > 1) {
		add({kind: 'split-brain', severity: 'critical', subject: p.vip, message: `split brain: ${p.vip} (${p.instance}) is on ${p.holders.join(' and ')}`});
	} else if (masters.length > 1) {
		add({kind: 'split-brain', severity: 'critical', subject: p.vip, message: `split brain: ${masters.join(' and ')} are both MASTER of ${p.instance}`});
	}
	if (allLive && p.holders.length === 0 && masters.length === 0) {
		add({kind: 'no-master', severity: 'critical', subject: p.vip, message: `no master: ${p.vip} (${p.instance}) is on no director`});
	}
	for (const holder of p.holders) {
		if (!inst.members.some((m) => m.director === holder)) {
			add({kind: 'vip-misplaced', severity: 'critical', subject: p.vip, message: `${p.vip} is on ${holder}, which is not in instance ${p.instance}`});
		}
	}
	if (p.holders.length === 1 && p.expected && p.holders[0] !== p.expected && inst.preempt.mode === 'preempt') {
		add({
			kind: 'vip-not-on-preferred',
			severity: 'warning',
			subject: p.vip,
			message: `${p.vip} is on ${p.holders[0]}, but ${p.expected} ${p.expectedWhy ? `wins the election (${p.expectedWhy})` : 'has the higher priority'} and is up`,
		});
	}
}

/** One live director: keepalived down, config drift, its IPVS table against the profile's services. */
function directorFindings(d: HostState, {profile, renderedSha256}: FindingInputs, add: Add): void {
	const data = d.director;
	if (!data) return;
	if (data.keepalivedActive === false) {
		add({kind: 'keepalived-down', severity: 'critical', subject: d.name, message: `keepalived is not running on ${d.name}`});
		return;
	}
	const rendered = renderedSha256.get(d.name);
	if (rendered && data.configSha256 !== undefined && data.configSha256 !== rendered) {
		const drift = driftFinding(d.name, data, profile.keepalived.configPath);
		if (drift) add(drift);
	}
	const myVips = new Set(profile.instances.filter((i) => i.members.some((m) => m.director === d.name)).flatMap((i) => i.vips.map((v) => v.address)));
	for (const vs of profile.virtualServers.filter((v) => myVips.has(v.vip))) {
		const service = findService(data.ipvs, vs);
		const label = `${vs.protocol} ${vs.vip}:${vs.port}`;
		if (!service) {
			add({kind: 'service-missing', severity: 'critical', subject: d.name, message: `${label} is missing from ${d.name}'s IPVS table`});
			continue;
		}
		for (const rs of vs.realServers) {
			const entry = service.realServers.find((r) => r.address === rs.address && r.port === rs.port);
			if (!entry) {
				add({kind: 'rs-missing', severity: 'critical', subject: rs.host, message: `${rs.host} (${rs.address}:${rs.port}) is missing from ${label} on ${d.name}`});
			} else if (entry.weight === 0 && rs.weight > 0) {
				add({kind: 'rs-weight-zero', severity: 'warning', subject: rs.host, message: `${rs.host} has weight 0 in ${label} on ${d.name} (profile: ${rs.weight})`});
			}
		}
	}
}

/** Live directors whose IPVS tables differ from the first one's. */
function ipvsDiffFindings(liveDirectors: readonly HostState[], add: Add): void {
	const withTables = liveDirectors.filter((d) => d.director && d.director.keepalivedActive !== false);
	for (let i = 1; i < withTables.length; i++) {
		const a = withTables[0]!;
		const b = withTables[i]!;
		const sa = tableShape(a.director!.ipvs);
		const sb = tableShape(b.director!.ipvs);
		const onlyA = [...sa].filter((x) => !sb.has(x));
		const onlyB = [...sb].filter((x) => !sa.has(x));
		if (onlyA.length + onlyB.length > 0) {
			const first = onlyA[0] ? `${a.name} has "${onlyA[0]}"` : `${b.name} has "${onlyB[0]}"`;
			add({kind: 'ipvs-differs', severity: 'warning', subject: `${a.name}/${b.name}`, message: `IPVS tables of ${a.name} and ${b.name} differ: ${first}`});
		}
	}
}

export function deriveFindings(inputs: FindingInputs): Finding[] {
	const {profile, hosts, vips} = inputs;
	const findings: Finding[] = [];
	const add = (f: Finding) => findings.push(f);
	unreachableFindings(inputs, add);
	for (const p of vips) vipFindings(p, inputs, add);
	for (const f of vrrpMemberFindings(profile, hosts, vips)) add(f);
	const liveDirectors = profile.hosts.filter((h) => h.role === 'director').map((h) => hosts.get(h.name)).filter(live);
	for (const d of liveDirectors) directorFindings(d, inputs, add);
	ipvsDiffFindings(liveDirectors, add);
	for (const h of profile.hosts.filter((x) => x.role === 'realserver')) {
		const state = hosts.get(h.name);
		if (live(state) && state.realServer) for (const f of realServerFindings(h.name, h.service?.name, state.realServer)) add(f);
	}
	return findings;
}
const hostBits = (vip: string) => (vip.includes(':') ? 128 : 32);

function arpMessage(name: string, rs: RealServerData): string {
	const where = rs.arpInterface ?? 'all';
	const value = (v: ArpSysctl) => `${v.effective ?? '?'} (all ${v.all ?? '?'}${rs.arpInterface ? `, ${rs.arpInterface} ${v.interface ?? '?'}` : ''}, lo ${v.lo ?? '?'})`;
	return `${name}: arp_ignore=${value(rs.arpIgnore)} arp_announce=${value(rs.arpAnnounce)} on ${where}, where the kernel uses max(all, ${where}); DR needs arp_ignore=1, arp_announce=2`;
}

function tunMessage(name: string, tun: TunCheck): string {
	const parts = [
		...tun.down.map((d) => `${d} is not up`),
		...(tun.missingVips.length > 0 ? [`${tun.missingVips.join(', ')} not on ${tun.devices.join('/')}`] : []),
		...(tun.rpFilterOk ? [] : [`rp_filter is ${tun.rpFilter.effective} (max of all ${tun.rpFilter.all ?? '?'} and tunl0 ${tun.rpFilter.tunnel ?? '?'}); TUN needs 0 or 2`]),
	];
	return `${name} is not ready for TUN: ${parts.join('; ')}`;
}

/** A real server checked by the forwarding modes of the services it serves. */
function realServerFindings(name: string, serviceName: string | undefined, rs: RealServerData): Finding[] {
	const out: Finding[] = [];
	if (rs.missingVips.length > 0) {
		const device = rs.vipDevice ?? 'lo';
		out.push({kind: 'rs-vip-not-on-lo', severity: 'critical', subject: name, message: `${name} lacks ${rs.missingVips.map((v) => `${v.split('/')[0]}/${hostBits(v)}`).join(', ')} on ${device}`});
	}
	if (!rs.arpOk) out.push({kind: 'rs-arp-sysctls', severity: 'critical', subject: name, message: arpMessage(name, rs)});
	if (rs.nat && !rs.nat.ok) out.push({kind: 'rs-nat-route', severity: 'critical', subject: name, message: `${name}: ${rs.nat.note ?? 'no default route via the directors'}`});
	// Judged by the subnet only (the profile names no gateway VIP there): said, but not an alarm.
	else if (rs.nat?.note) out.push({kind: 'rs-nat-route', severity: 'info', subject: name, message: `${name}: ${rs.nat.note}`});
	if (rs.tun && !rs.tun.ok) out.push({kind: 'rs-tun-not-ready', severity: 'critical', subject: name, message: tunMessage(name, rs.tun)});
	if (rs.serviceActive === false || rs.portAnswering === false) {
		const refused = (rs.ports ?? []).filter((p) => p.answering === false).map((p) => `${p.protocol} ${p.port}`);
		const what = rs.serviceActive === false ? `${serviceName ?? 'service'} is not active` : refused.length > 0 ? `${refused.join(', ')} refused` : 'service port does not answer';
		out.push({kind: 'rs-service-down', severity: 'critical', subject: name, message: `${name}: ${what}`});
	}
	return out;
}

/** Healthy means no critical or warning finding. */
export function isHealthy(findings: readonly Finding[]): boolean {
	return !findings.some((f) => f.severity !== 'info');
}

// Pure derivations from host states: where each VIP lives, and what is wrong (findings).
import {hostByName, type Profile, type VirtualServer} from '../profile/model.js';
import {byElection, tieBreakNote} from '../profile/election.js';
import {findService, realServerKey, serviceKey, type IpvsTable} from '../probes/ipvs.js';
import {driftFinding} from './drift.js';
import type {ArpSysctl, Finding, HostState, RealServerData, VipPlacement} from './types.js';
import type {TunCheck} from '../probes/realserver.js';

function holdsVip(host: HostState, vip: string): boolean {
	return host.director?.addresses.some((a) => a.address === vip) ?? false;
}

/** Hosts whose last poll succeeded (stale data is shown, but not trusted for findings). */
function live(host: HostState | undefined): host is HostState {
	return host !== undefined && host.reachable;
}

export function deriveVips(profile: Profile, hosts: ReadonlyMap<string, HostState>): VipPlacement[] {
	const placements: VipPlacement[] = [];
	for (const inst of profile.instances) {
		// The preferred holder: the VRRP election winner (highest configured priority, then highest
		// address) among members that are up and running keepalived.
		const addressOf = (director: string) => hostByName(profile, director).address;
		const candidates = inst.members
			.filter((m) => {
				const h = hosts.get(m.director);
				return live(h) && h.director?.keepalivedActive !== false;
			})
			.sort(byElection(addressOf));
		const expected = candidates[0]?.director;
		const expectedWhy = tieBreakNote(candidates, addressOf);
		for (const vip of inst.vips) {
			const holders = profile.hosts
				.filter((h) => h.role === 'director')
				.map((h) => hosts.get(h.name))
				.filter((h): h is HostState => live(h) && holdsVip(h, vip.address))
				.map((h) => h.name);
			placements.push({
				vip: vip.address,
				instance: inst.name,
				holders,
				...(expected ? {expected} : {}),
				...(expectedWhy ? {expectedWhy} : {}),
				members: inst.members.map((m) => {
					const state = hosts.get(m.director)?.director?.vrrp?.find((v) => v.name === inst.name);
					return {
						director: m.director,
						configuredPriority: m.priority,
						...(state ? {state: state.state} : {}),
						...(state?.priority !== undefined ? {priority: state.priority} : {}),
						...(state?.effectivePriority !== undefined ? {effectivePriority: state.effectivePriority} : {}),
					};
				}),
			});
		}
	}
	return placements;
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

export function deriveFindings({profile, hosts, vips, renderedSha256}: FindingInputs): Finding[] {
	const findings: Finding[] = [];
	const add = (f: Finding) => findings.push(f);

	for (const h of profile.hosts) {
		const state = hosts.get(h.name);
		if (state && !state.reachable && state.lastPollAt !== undefined) {
			add({kind: 'host-unreachable', severity: 'critical', subject: h.name, message: `${h.name} is unreachable: ${state.error ?? 'no answer'}`});
		}
	}

	for (const p of vips) {
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

	const liveDirectors = profile.hosts.filter((h) => h.role === 'director').map((h) => hosts.get(h.name)).filter(live);
	for (const d of liveDirectors) {
		const data = d.director;
		if (!data) continue;
		if (data.keepalivedActive === false) {
			add({kind: 'keepalived-down', severity: 'critical', subject: d.name, message: `keepalived is not running on ${d.name}`});
			continue;
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

	for (const h of profile.hosts.filter((x) => x.role === 'realserver')) {
		const state = hosts.get(h.name);
		if (live(state) && state.realServer) findings.push(...realServerFindings(h.name, h.service?.name, state.realServer));
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

// What a running drill shows above its timeline: where the VIP is, each director's VRRP state, and
// for real-server drills the real server's place in the active director's IPVS table.
import type {ClusterState} from '../../cluster/types.js';
import type {Profile, VirtualServer} from '../../profile/model.js';
import {realServerOn, serviceOn} from '../../cluster/queries.js';
import {profileWeights} from '../../actions/traffic.js';
import {fit} from '../format.js';
import {sanitizeLine} from '../../text/sanitize.js';
import type {WatchLine} from './watch.js';

export interface DrillFocus {
	readonly vip: string;
	readonly instance?: string;
	/** Real-server drills: the real server (host name) and its virtual service. */
	readonly rs?: string;
	readonly vs?: VirtualServer;
}

export function drillLiveLines(state: ClusterState, profile: Profile, focus: DrillFocus, width: number): WatchLine[] {
	const lines: WatchLine[] = [];
	const placement = state.vips.find((v) => v.vip === focus.vip);
	const holders = placement?.holders ?? [];
	const where = holders.length === 0 ? 'NO DIRECTOR' : holders.length > 1 ? `${holders.join(' AND ')} (split brain)` : holders[0]!;
	lines.push([{text: fit(`VIP ${focus.vip} on ${where}`, width), tone: holders.length === 1 ? 'ok' : 'bad'}]);
	const instance = focus.instance ?? placement?.instance;
	if (instance) {
		const members = profile.instances.find((i) => i.name === instance)?.members ?? [];
		const states = members.map((m) => {
			const h = state.hosts.find((x) => x.name === m.director);
			const vrrp = h?.director?.vrrp?.find((v) => v.name === instance)?.state;
			const text = !h?.reachable ? 'unreachable' : h.director?.keepalivedActive === false ? 'keepalived stopped' : (vrrp ?? '?');
			return `${m.director} ${text}`;
		});
		lines.push([{text: fit(`VRRP ${sanitizeLine(instance)}: ${states.join(' · ')}`, width), tone: 'normal'}]);
	}
	if (focus.rs && focus.vs) {
		const vs = focus.vs;
		const rs = vs.realServers.find((r) => r.host === focus.rs);
		const active = holders.length === 1 ? holders[0]! : undefined;
		const entry = rs ? realServerOn(state, active, vs, rs) : undefined;
		const text = !active ? 'no active director' : !entry ? `not in the table on ${active}` : `in the table on ${active} with weight ${entry.weight}`;
		lines.push([{text: fit(`${focus.rs}: ${text}`, width), tone: entry && entry.weight > 0 ? 'ok' : 'warn'}]);
	}
	return lines;
}

/** The weights the active director's IPVS uses now (by real-server host name), else the profile's. */
export function liveWeights(state: ClusterState, vs: VirtualServer): Record<string, number> {
	const holder = state.vips.find((v) => v.vip === vs.vip)?.holders;
	const active = holder?.length === 1 ? holder[0] : undefined;
	const svc = serviceOn(state, active, vs);
	if (!svc) return profileWeights(vs);
	// a real server the checks removed has no entry: its expected share is 0
	return Object.fromEntries(vs.realServers.map((r) => [r.host, svc.realServers.find((e) => e.address === r.address && e.port === r.port)?.weight ?? 0]));
}

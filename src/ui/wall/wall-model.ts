// What the wall shows, derived purely from the cluster state: per VIP its holder, per service the
// number of healthy real servers, and one alarm.
import type {Profile} from '../../profile/model.js';
import type {ClusterState} from '../../cluster/types.js';
import {serviceOn} from '../../cluster/queries.js';
import {banner} from '../presenters/presenters.js';
import type {Tone} from '../presenters/types.js';
import {sanitizeLine} from '../../text/sanitize.js';

export interface WallVip {
	readonly vip: string;
	readonly instance: string;
	readonly holder: string;
	readonly tone: Tone;
}

export interface WallService {
	readonly label: string;
	readonly healthy: number;
	readonly total: number;
	readonly tone: Tone;
}

export interface WallModel {
	readonly vips: readonly WallVip[];
	readonly services: readonly WallService[];
	readonly alarm: {readonly text: string; readonly tone: Tone};
	readonly staleHosts: readonly string[];
}

export function wallModel(state: ClusterState, profile: Profile): WallModel {
	const vips = state.vips.map((v): WallVip => {
		const holder = v.holders.length === 0 ? 'NONE' : v.holders.join('+');
		const tone: Tone = v.holders.length === 1 ? (v.expected === undefined || v.holders[0] === v.expected ? 'ok' : 'warn') : 'bad';
		return {vip: v.vip, instance: v.instance, holder: sanitizeLine(holder), tone};
	});
	const services = profile.virtualServers.map((vs): WallService => {
		const placement = state.vips.find((v) => v.vip === vs.vip);
		const table = serviceOn(state, placement?.holders[0], vs);
		// Healthy: in the active director's table with a non-zero weight (keepalived's checks removed the rest).
		const healthy = vs.realServers.filter((rs) => table?.realServers.some((r) => r.address === rs.address && r.port === rs.port && r.weight > 0)).length;
		const total = vs.realServers.length;
		return {label: `${vs.protocol} ${vs.vip}:${vs.port}`, healthy, total, tone: healthy === total ? 'ok' : healthy === 0 ? 'bad' : 'warn'};
	});
	return {
		vips,
		services,
		alarm: banner(state),
		staleHosts: state.hosts.filter((h) => !h.reachable && h.lastPollAt !== undefined).map((h) => sanitizeLine(h.name)),
	};
}

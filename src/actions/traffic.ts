// One way to make watcher traffic, from the station or from a client host over SSH, so drills, the
// `watch` command and the console don't care where the requests start.
import type {Profile, VirtualServer} from '../profile/model.js';
import type {Transport} from '../transport/types.js';
import {RemoteWatcher} from './remote-watcher.js';
import {RoundRobinWatcher, type TrafficWatcher, type WatcherOptions} from './watcher.js';

export type {TrafficWatcher} from './watcher.js';

export interface TrafficSpec extends Omit<WatcherOptions, 'localAddress'> {
	/** Run the requests on this profile host over SSH instead of from the station. */
	readonly from?: {readonly transport: Transport; readonly host: string};
}

export function createTrafficWatcher(spec: TrafficSpec): TrafficWatcher {
	const {from, ...options} = spec;
	return from ? new RemoteWatcher({...options, transport: from.transport, host: from.host}) : new RoundRobinWatcher(options);
}

export class TrafficTargetError extends Error {}

/** The virtual service to send traffic to: `VIP:PORT` from the operator, or the profile's first TCP one. */
export function pickVirtualService(profile: Profile, service?: string): VirtualServer {
	const tcp = profile.virtualServers.filter((v) => v.protocol === 'TCP');
	if (service === undefined) {
		const first = tcp[0];
		if (!first) throw new TrafficTargetError(`${profile.file}: the profile has no TCP virtual service to send requests to`);
		return first;
	}
	const found = tcp.find((v) => `${v.vip}:${v.port}` === service);
	if (!found) throw new TrafficTargetError(`--service ${service}: not a TCP virtual service of ${profile.file} (${tcp.map((v) => `${v.vip}:${v.port}`).join(', ') || 'none'})`);
	return found;
}

/**
 * A client host for traffic must be a profile host that is not part of the path under test: a
 * director would answer its own VIP, and a DR real server carries the VIP on lo and answers itself.
 */
export function checkClientHost(profile: Profile, host: string): void {
	const h = profile.hosts.find((x) => x.name === host);
	if (!h) throw new TrafficTargetError(`--from ${host}: no such host in ${profile.file} (${profile.hosts.map((x) => x.name).join(', ')})`);
	if (h.role === 'director' || h.role === 'realserver') {
		throw new TrafficTargetError(`--from ${host}: a ${h.role === 'director' ? 'director' : 'real server'} answers the VIP itself, so its requests never go through IPVS; use a client host`);
	}
}

/** The weights IPVS is configured with, by the name the real servers answer with (their host names). */
export function profileWeights(vs: VirtualServer): Record<string, number> {
	return Object.fromEntries(vs.realServers.map((r) => [r.host, r.weight]));
}

// One way to make watcher traffic, from the station or from a client host over SSH, so drills, the
// `watch` command and the console don't care where the requests start.
import type {Profile, VirtualServer} from '../profile/model.js';
import type {Transport} from '../transport/types.js';
import {RemoteWatcher} from './remote-watcher.js';
import {RemoteSocketWatcher} from './remote-socket-watcher.js';
import {SocketWatcher} from './socket-watcher.js';
import {attributionFor, TableAttributedWatcher, type TableAttribution} from './table-attribution.js';
import {backendSourceFor, checkSendText, socketTarget, urlHost, watchModeFor, watchUrl, type BackendSource, type WatchMode} from './watch-mode.js';
import {RoundRobinWatcher, type TrafficWatcher, type WatcherOptions} from './watcher.js';

export type {TrafficWatcher} from './watcher.js';

export interface TrafficSpec extends Omit<WatcherOptions, 'localAddress'> {
	/** Run the requests on this profile host over SSH instead of from the station. */
	readonly from?: {readonly transport: Transport; readonly host: string};
	/** Name each request's backend from the directors' connection tables, not from the answer. */
	readonly table?: TableAttribution;
}

/** The watcher the target's scheme (http, tcp, udp) and origin (station, client host) call for. */
export function createTrafficWatcher(spec: TrafficSpec): TrafficWatcher {
	const {from, table, ...options} = spec;
	// With the table naming backends, the wrapper keeps the records the drills read.
	const inner = table ? {...options, keepRecords: false} : options;
	const socket = socketTarget(options.url) !== undefined;
	let watcher: TrafficWatcher;
	if (from) watcher = socket ? new RemoteSocketWatcher({...inner, ...from}) : new RemoteWatcher({...inner, ...from});
	else watcher = socket ? new SocketWatcher(inner) : new RoundRobinWatcher(inner);
	return table ? new TableAttributedWatcher(watcher, table, options.keepRecords !== false) : watcher;
}

export class TrafficTargetError extends Error {}

const serviceName = (v: VirtualServer) => `${urlHost(v.vip)}:${v.port}`;

/**
 * The virtual service to send traffic to: `VIP:PORT` from the operator (a TCP service wins over a UDP
 * one on the same port; `udp:VIP:PORT` or `tcp:VIP:PORT` picks), or the profile's first TCP one.
 */
export function pickVirtualService(profile: Profile, service?: string): VirtualServer {
	const all = profile.virtualServers;
	if (service === undefined) {
		const first = all.find((v) => v.protocol === 'TCP') ?? all[0];
		if (!first) throw new TrafficTargetError(`${profile.file}: the profile has no virtual service to send requests to`);
		return first;
	}
	const m = /^(?:(tcp|udp):)?(.+)$/i.exec(service)!;
	const protocol = m[1]?.toUpperCase();
	const matches = all.filter((v) => (serviceName(v) === m[2] || `${v.vip}:${v.port}` === m[2]) && (protocol === undefined || v.protocol === protocol));
	const found = matches.find((v) => v.protocol === 'TCP') ?? matches[0];
	if (!found) throw new TrafficTargetError(`--service ${service}: not a virtual service of ${profile.file} (${all.map((v) => `${v.protocol === 'UDP' ? 'udp:' : ''}${serviceName(v)}`).join(', ') || 'none'})`);
	return found;
}

/** How to watch one service: its target (the mode is the scheme), what to send, where backends come from. */
export interface ServiceWatch {
	readonly vs: VirtualServer;
	readonly mode: WatchMode;
	readonly url: string;
	readonly send?: string;
	readonly backendSource: BackendSource;
	readonly pattern?: RegExp;
}

export interface ServiceWatchChoice {
	readonly mode?: string | undefined;
	readonly send?: string | undefined;
	readonly backend?: string | undefined;
	readonly pattern?: RegExp | undefined;
	readonly path?: string | undefined;
}

/** The operator's choices for a service, checked (a WatchModeError says what is wrong), defaults filled in. */
export function serviceWatch(vs: VirtualServer, choice: ServiceWatchChoice = {}): ServiceWatch {
	const mode = watchModeFor(vs, choice.mode);
	if (choice.send !== undefined) {
		checkSendText(choice.send);
		if (mode === 'http') throw new TrafficTargetError('--send: only for --mode tcp or udp (http sends a GET)');
	}
	return {
		vs,
		mode,
		url: watchUrl(vs, mode, choice.path ?? '/'),
		...(choice.send !== undefined ? {send: choice.send} : {}),
		backendSource: backendSourceFor(mode, choice.backend, choice.pattern !== undefined),
		...(choice.pattern ? {pattern: choice.pattern} : {}),
	};
}

/** The traffic spec's service part: target, payload, and the connection tables when they name backends. */
export function serviceTraffic(profile: Profile, w: ServiceWatch, transport: Transport): Pick<TrafficSpec, 'url' | 'send' | 'table' | 'backendPattern'> {
	return {
		url: w.url,
		...(w.send !== undefined ? {send: w.send} : {}),
		...(w.pattern ? {backendPattern: w.pattern} : {}),
		...(w.backendSource === 'table' ? {table: attributionFor(profile, w.vs, transport)} : {}),
	};
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

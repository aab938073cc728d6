// The round-robin watcher as a session, the same for the `watch` command and the console's watcher
// flow: plan (which service, from where, at what rate), start the traffic, progress events with the
// tally, and the report once the caller's AbortSignal fires. The callers are sinks: a live screen or a
// progress line, the console's live block; neither creates traffic of its own.
import type {Profile, VirtualServer} from '../../profile/model.js';
import type {Transport} from '../../transport/types.js';
import {checkClientHost, createTrafficWatcher, pickVirtualService, profileWeights, serviceTraffic, serviceWatch, type ServiceWatch, type TrafficSpec, type TrafficWatcher} from '../traffic.js';
import type {BackendSource, WatchMode} from '../watch-mode.js';
import {WatchTally, type TallySnapshot} from '../watch-tally.js';

/** What the operator asked to watch; everything but the target has a default. */
export interface WatchRequest {
	/** `VIP:PORT` of a TCP virtual service (the CLI's --service). */
	readonly service?: string;
	/** Without a service: a TCP service on this VIP if there is one (the console's selected row). */
	readonly vip?: string;
	/** The URL path (default /). */
	readonly path?: string;
	/** A client host to send the requests from over SSH (default: this station). */
	readonly from?: string;
	/** Requests per second (default 20). */
	readonly rate?: number;
	readonly concurrency?: number;
	/** Per request, connect included (default 1000 ms). */
	readonly timeoutMs?: number;
	/** Backend name from the body (default: the first word). */
	readonly pattern?: RegExp;
	/** http, tcp or udp (default: by the service, watch-mode.ts). */
	readonly mode?: string;
	/** What tcp or udp sends (default: nothing on tcp, a short datagram on udp). */
	readonly send?: string;
	/** Where backends are read: `answer` or the directors' connection `table` (default by mode). */
	readonly backend?: string;
}

/** The watch as it will run: checked against the profile, before any traffic. */
export interface WatchPlan {
	readonly profile: Profile;
	readonly vs: VirtualServer;
	/** The service's target, mode, payload and backend source, checked. */
	readonly watch: ServiceWatch;
	readonly url: string;
	/** Where the requests start, for people: a host name or "this station". */
	readonly from: string;
	readonly rate: number;
	/** IPVS's configured weights by real-server name, for the shares the traffic should show. */
	readonly weights: Record<string, number>;
	readonly request: WatchRequest;
}

export type WatchEvent =
	/** The traffic runs: the live tally (a screen redraws from it) and the traffic source's error, if it died. */
	| {readonly kind: 'started'; readonly tally: WatchTally; readonly error: () => string | undefined}
	/** Every `progressMs`: the tally so far, and the error that ended the traffic source, if any. */
	| {readonly kind: 'progress'; readonly snapshot: TallySnapshot; readonly error: string | undefined};

/** The JSON report of a watch (README: "lvsdeck watch"); the key order is the report's. */
export interface WatchReport {
	readonly url: string;
	readonly mode: WatchMode;
	readonly backendSource: BackendSource;
	readonly from: string;
	readonly rate: number;
	readonly durationMs: number;
	readonly requests: {readonly total: number; readonly ok: number; readonly failed: number; readonly timeouts: number; readonly perBackend: Record<string, number>};
	readonly weights: Record<string, number>;
	/** With persistence a client sticks to one real server: shares follow the clients, not the weights. */
	readonly sharesPerClient: boolean;
	readonly latencyP50Ms: number | null;
	readonly latencyP99Ms: number | null;
	readonly longestGapMs: number;
	readonly requestsPerSecond: number;
	readonly error: string | null;
}

export interface WatchResult {
	readonly report: WatchReport;
	/** The tally when the traffic had stopped (requests in flight included), and when that was. */
	readonly final: TallySnapshot;
	readonly endedAt: number;
}

export interface WatchSession {
	readonly plan: WatchPlan;
	/** Runs the traffic until `signal` aborts; resolves once the requests in flight have finished. */
	run(signal: AbortSignal, onEvent?: (e: WatchEvent) => void): Promise<WatchResult>;
}

/** Watch sessions over one cluster: what the console holds instead of a transport. */
export type WatchSessions = (request: WatchRequest) => WatchSession;

/** Makes the traffic (tests pass their own). */
export type TrafficFactory = (spec: TrafficSpec) => TrafficWatcher;

/** Time between two progress events. */
const PROGRESS_MS = 1000;

/** The service, the client host and the URL; a TrafficTargetError names what is wrong. */
export function planWatch(profile: Profile, request: WatchRequest): WatchPlan {
	const onVip = request.service === undefined && request.vip !== undefined ? profile.virtualServers.find((v) => v.vip === request.vip && v.protocol === 'TCP') : undefined;
	const vs = onVip ?? pickVirtualService(profile, request.service);
	if (request.from) checkClientHost(profile, request.from);
	const watch = serviceWatch(vs, {mode: request.mode, send: request.send, backend: request.backend, pattern: request.pattern, path: request.path});
	return {profile, vs, watch, url: watch.url, from: request.from ?? 'this station', rate: request.rate ?? 20, weights: profileWeights(vs), request};
}

/** The traffic the plan describes, not started. */
function trafficSpec(plan: WatchPlan, transport: Transport): TrafficSpec {
	const {concurrency, from, timeoutMs} = plan.request;
	return {
		...serviceTraffic(plan.profile, plan.watch, transport),
		rate: plan.rate,
		timeoutMs: timeoutMs ?? 1000,
		keepRecords: false,
		...(concurrency !== undefined ? {concurrency} : {}),
		...(from ? {from: {transport, host: from}} : {}),
	};
}

/** The report from the final tally. */
function watchReport(plan: WatchPlan, s: TallySnapshot, error: string | undefined): WatchReport {
	return {
		url: plan.url,
		mode: plan.watch.mode,
		backendSource: plan.watch.backendSource,
		from: plan.from,
		rate: plan.rate,
		durationMs: s.elapsedMs,
		requests: {total: s.total, ok: s.ok, failed: s.failed, timeouts: s.timeouts, perBackend: Object.fromEntries(s.perBackend)},
		weights: plan.weights,
		sharesPerClient: plan.vs.persistenceTimeout !== undefined,
		latencyP50Ms: s.latencyP50Ms,
		latencyP99Ms: s.latencyP99Ms,
		longestGapMs: s.longestGapMs,
		requestsPerSecond: +((s.total * 1000) / Math.max(1, s.elapsedMs)).toFixed(1),
		error: error ?? null,
	};
}

/** Resolves when `signal` aborts (at once if it already has). */
function aborted(signal: AbortSignal): Promise<void> {
	if (signal.aborted) return Promise.resolve();
	return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), {once: true}));
}

/** A session that runs `plan` over `transport` (a client host's requests go through it). */
export function watchSession(plan: WatchPlan, transport: Transport, traffic: TrafficFactory = createTrafficWatcher): WatchSession {
	return {
		plan,
		async run(signal, onEvent = () => {}) {
			const watcher = traffic(trafficSpec(plan, transport));
			const tally = WatchTally.of(watcher);
			watcher.start();
			onEvent({kind: 'started', tally, error: () => watcher.error});
			const ticker = setInterval(() => onEvent({kind: 'progress', snapshot: tally.snapshot(Date.now()), error: watcher.error}), PROGRESS_MS);
			try {
				await aborted(signal);
			} finally {
				clearInterval(ticker);
			}
			await watcher.stop();
			const endedAt = Date.now();
			const final = tally.snapshot(endedAt);
			return {report: watchReport(plan, final, watcher.error), final, endedAt};
		},
	};
}

/** Watch sessions over `transport`: each request is planned against the profile (and may throw). */
export function watchSessions(profile: Profile, transport: Transport, traffic?: TrafficFactory): WatchSessions {
	return (request) => watchSession(planWatch(profile, request), transport, traffic);
}

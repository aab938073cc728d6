// Pieces every drill shares: waiting for a condition, the timeline, and the clean-traffic preflight.
import type {Transport} from '../../transport/types.js';
import type {Profile, VirtualServer, VrrpInstance} from '../../profile/model.js';
import type {ClusterState} from '../../cluster/types.js';
import {hostOn, vipHolders, vrrpStateOn} from '../../cluster/queries.js';
import {ownClusterWatch, pollAll, type ClusterWatch} from '../../cluster/watch.js';
import {createTrafficWatcher, serviceTraffic, serviceWatch, TrafficTargetError, type ServiceWatch, type TrafficSpec, type TrafficWatcher} from '../traffic.js';
import {WatchModeError} from '../watch-mode.js';
import type {WatcherSummary} from '../watcher.js';
import {firstRefusal, type PreflightCheck} from '../preflight.js';
import {writeJournal, type RestoreStep} from './journal.js';

/** A drill that must not run; the reason says why (exit 2). */
export class DrillRefused extends Error {}

/** Polls `check` every `stepMs` until it holds (true), the time is up or the drill is aborted (false). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, signal?: AbortSignal, stepMs = 20): Promise<boolean> {
	const end = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > end || signal?.aborted) return false;
		await new Promise((r) => setTimeout(r, stepMs));
	}
	return true;
}

/** The drill's timeline: each event with its time, also sent to the progress output. */
export function timelineRecorder(progress: (line: string) => void) {
	const events: Array<{at: number; event: string}> = [];
	return {
		events,
		mark(event: string, at = Date.now()): void {
			events.push({at, event});
			progress(event);
		},
		/** Events as the report has them: ms since `zero` (the fault), ISO time, text. */
		report(zero: number) {
			// in time order: some events are found afterwards in the watcher's records
			return [...events].sort((a, b) => a.at - b.at).map((e) => ({t: e.at - zero, at: new Date(e.at).toISOString(), event: e.event}));
		},
	};
}

/** How a drill's traffic speaks to the service (the watcher's --mode, --send, --timeout-ms). */
export interface DrillTrafficChoice {
	/** http, tcp or udp (default: by the service, as `watch` picks it: watch-mode.ts). */
	readonly mode?: string;
	/** What tcp or udp sends (the `--send` escapes of watch-mode.ts). */
	readonly send?: string;
	/** Per request, connect included (default 1000 ms). */
	readonly timeoutMs?: number;
}

/** The default per-request timeout of a drill's traffic. */
export const DRILL_TIMEOUT_MS = 1000;

/** The limits of a drill's per-request timeout (the same as `watch --timeout-ms`). */
export const DRILL_TIMEOUT_RANGE = {min: 50, max: 60_000} as const;

/**
 * How the drill watches `vs`: the operator's choice checked against the service (a UDP mode for a TCP
 * service, --send with http), defaults as `watch` has them. A wrong choice is the message of a
 * WatchModeError or TrafficTargetError, which the caller turns into its own error.
 */
export function drillServiceWatch(vs: VirtualServer, choice: DrillTrafficChoice = {}): ServiceWatch {
	return serviceWatch(vs, {mode: choice.mode, send: choice.send});
}

/** drillServiceWatch for a drill already running: a wrong choice refuses the drill (nothing changed). */
function watchOrRefuse(vs: VirtualServer, choice: DrillTrafficChoice | undefined): ServiceWatch {
	try {
		return drillServiceWatch(vs, choice);
	} catch (error) {
		if (error instanceof WatchModeError || error instanceof TrafficTargetError) throw new DrillRefused(error.message);
		throw error;
	}
}

/** Options every drill takes, from the CLI and from the console. */
export interface DrillCommonOptions {
	/** How the drill's traffic speaks to the service (default: as `watch` would for it). */
	readonly traffic?: DrillTrafficChoice;
	/** Watcher requests per second (default 20). */
	readonly rate?: number;
	/** Send the watcher's requests from this client host over SSH instead of the station. */
	readonly from?: string;
	readonly signal?: AbortSignal;
	readonly onProgress?: (line: string) => void;
	/** Called once the drill's watcher runs (the console shows it live). */
	readonly onWatcher?: (watcher: TrafficWatcher) => void;
	/** Asked after the preflight passed and before anything changes; false cancels (nothing changed). */
	readonly confirm?: (plan: string) => Promise<boolean>;
	/** A store and poller already watching the cluster (the console's), so the hosts are not polled twice. */
	readonly cluster?: ClusterWatch;
	/** Checks of the hosts the drill will change, run after the cluster preflight; a refusal refuses the drill. */
	readonly preflight?: readonly PreflightCheck[];
}

/** Runs the caller's preflight checks on the hosts the drill changes; the first refusal refuses the drill. */
export async function runPreflightChecks(profile: Profile, transport: Transport, options: DrillCommonOptions, drill: string, hosts: readonly string[]): Promise<void> {
	const refusal = await firstRefusal(options.preflight, {profile, transport, hosts, operation: `${drill} drill`});
	if (refusal !== undefined) throw new DrillRefused(`preflight: ${refusal}`);
}

/** The drill's view of the cluster: the caller's, or its own store with a poller (no timers, no events). */
export function drillCluster(profile: Profile, transport: Transport, options: DrillCommonOptions): ClusterWatch & {pollAll(): Promise<void>} {
	const watch = options.cluster ?? ownClusterWatch(profile, transport);
	return {store: watch.store, pollHost: (h) => watch.pollHost(h), pollAll: () => pollAll(profile, watch)};
}

/**
 * The drill's traffic to the service in the chosen mode (default: the service's, as `watch` picks it;
 * http, tcp or udp; backends from the answer or the directors' connection tables), at the chosen rate,
 * from the station or the chosen client host.
 */
export function drillTraffic(profile: Profile, vs: VirtualServer, transport: Transport, options: DrillCommonOptions, rate = options.rate ?? 20): TrafficSpec {
	const watch = watchOrRefuse(vs, options.traffic);
	const timeoutMs = options.traffic?.timeoutMs ?? DRILL_TIMEOUT_MS;
	return {...serviceTraffic(profile, watch, transport), rate, timeoutMs, ...(options.from ? {from: {transport, host: options.from}} : {})};
}

/** The drill's traffic target for people and the report: `tcp://VIP:PORT`, and where backends are read. */
export function drillTrafficLabel(vs: VirtualServer, options: DrillCommonOptions): string {
	const w = watchOrRefuse(vs, options.traffic);
	return `${w.url}${w.send !== undefined ? ` (sending ${w.send})` : ''}, backends from the ${w.backendSource === 'table' ? 'connection table' : 'answers'}`;
}

/** The drill's watcher, shown to whoever asked (the console), not started yet. */
export function drillWatcher(profile: Profile, vs: VirtualServer, transport: Transport, options: DrillCommonOptions): TrafficWatcher {
	const watcher = createTrafficWatcher(drillTraffic(profile, vs, transport, options));
	options.onWatcher?.(watcher);
	return watcher;
}

/** Writes what the drill is about to change down before it changes it; returns the journal's id. */
export function openJournal(profile: Profile, drill: string, startedAt: number, restore: readonly RestoreStep[]): string {
	const id = `${profile.name}-${drill}-${startedAt}`;
	writeJournal({id, drill, profileFile: profile.file, startedAt: new Date(startedAt).toISOString(), pid: process.pid, restore});
	return id;
}

export interface DrillThresholds {
	readonly maxFailoverMs?: number;
	readonly maxFailedRequests?: number;
	/** What the operator called each limit (a plan's field names); the CLI's options when absent. */
	readonly names?: {readonly maxFailoverMs: string; readonly maxFailedRequests: string};
}

const CLI_NAMES = {maxFailoverMs: '--max-failover-ms', maxFailedRequests: '--max-failed-requests'} as const;

/** Reasons the operator's expectations were broken: the measured time (`what` took ms) and failed requests. */
export function expectationReasons(t: DrillThresholds = {}, what: string, ms: number | null, summary: WatcherSummary): string[] {
	const reasons: string[] = [];
	const names = t.names ?? CLI_NAMES;
	if (t.maxFailoverMs !== undefined && (ms === null || ms > t.maxFailoverMs)) reasons.push(`${what} took ${ms ?? 'forever'} ms, more than ${names.maxFailoverMs} ${t.maxFailoverMs}`);
	const failed = summary.failed + summary.timeouts;
	if (t.maxFailedRequests !== undefined && failed > t.maxFailedRequests) reasons.push(`${failed} requests failed, more than ${names.maxFailedRequests} ${t.maxFailedRequests}`);
	return reasons;
}

/** The report's request counts. */
export function requestCounts(s: WatcherSummary): {total: number; failed: number; timeouts: number; perBackend: Record<string, number>} {
	return {total: s.total, failed: s.failed, timeouts: s.timeouts, perBackend: s.perBackend};
}

/** Asks the confirm hook, if any; a no is a refusal with nothing changed. */
export async function confirmDrill(options: DrillCommonOptions, plan: string): Promise<void> {
	if (options.confirm && !(await options.confirm(plan))) throw new DrillRefused('cancelled at the confirmation; nothing was changed');
}

/** Preflight: 1.5 s of traffic through the VIP must all succeed. Returns the baseline watcher. */
export async function cleanBaseline(spec: TrafficSpec): Promise<TrafficWatcher> {
	// Only answers count here: no connection tables to read.
	const {table: _, ...plain} = spec;
	const baseline = createTrafficWatcher({...plain, rate: spec.rate ?? 20});
	baseline.start();
	await new Promise((r) => setTimeout(r, spec.from ? 2500 : 1500));
	const base = await baseline.stop();
	if (baseline.error) throw new DrillRefused(`preflight: ${baseline.error}`);
	if (base.failed + base.timeouts > 0 || base.ok === 0) {
		throw new DrillRefused(`preflight: the VIP is not clean before the drill (${base.ok} ok, ${base.failed + base.timeouts} failed of ${base.total})`);
	}
	return baseline;
}

/**
 * Preflight for every drill: each director of the instance reachable and running keepalived, the VIP on
 * exactly one of them, and every other one a ready BACKUP. Returns who holds the VIP and the backups.
 */
export function preflightDirectors(state: ClusterState, inst: VrrpInstance): {target: string; backups: string[]} {
	for (const m of inst.members) {
		const h = hostOn(state, m.director);
		if (!h?.reachable) throw new DrillRefused(`preflight: ${m.director} is unreachable (${h?.error ?? 'no answer'})`);
		if (h.director?.keepalivedActive !== true) throw new DrillRefused(`preflight: keepalived is not running on ${m.director}`);
	}
	const vip = inst.vips[0]!.address;
	const holders = vipHolders(state, vip);
	if (holders.length !== 1) throw new DrillRefused(`preflight: ${vip} is on ${holders.length === 0 ? 'no director' : holders.join(' and ')}`);
	const target = holders[0]!;
	const backups = inst.members.map((m) => m.director).filter((d) => d !== target);
	const notBackup = backups.find((d) => vrrpStateOn(state, d, inst.name) !== 'BACKUP');
	if (notBackup) throw new DrillRefused(`preflight: ${notBackup} is not a ready BACKUP of ${inst.name}`);
	return {target, backups};
}

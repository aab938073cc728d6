// The one drill skeleton: preflight, baseline, confirm, journal, inject, observe, restore, return,
// report. A drill kind is a strategy (failover-strategy.ts, realserver-strategy.ts) that prepares its
// fault on the cluster as it is and fills in the steps; everything around the fault (the cluster
// preflight, the caller's checks, clean traffic before, the confirmation, the journal, restoring on
// success, error, abort or a dropped connection, the verdict) happens here, once.
import type {Profile, VirtualServer} from '../../profile/model.js';
import type {Transport} from '../../transport/types.js';
import type {ClusterWatch} from '../../cluster/watch.js';
import type {TrafficWatcher, WatcherSummary} from '../watcher.js';
import {restoreAndClose, type RestoreStep} from './journal.js';
import {
	cleanBaseline,
	confirmDrill,
	drillCluster,
	drillTraffic,
	drillTrafficLabel,
	drillWatcher,
	expectationReasons,
	openJournal,
	requestCounts,
	runPreflightChecks,
	timelineRecorder,
	type DrillCommonOptions,
	type DrillThresholds,
} from './common.js';
import type {DrillReportCommon} from './drill-report.js';

/** What a strategy gets to look at the cluster and report progress. */
export interface DrillContext {
	readonly profile: Profile;
	readonly transport: Transport;
	readonly options: DrillCommonOptions;
	readonly cluster: ClusterWatch & {pollAll(): Promise<void>};
	/** Adds an event to the timeline (and the progress output). */
	readonly mark: (event: string, at?: number) => void;
	readonly progress: (line: string) => void;
}

/** A fault prepared on the cluster as it is now: what it changes, and the steps the engine calls in order. */
export interface PreparedFault<R> {
	/** The virtual service whose traffic is watched during the drill (in the mode the drill options choose, else its default). */
	readonly service: VirtualServer;
	/** The hosts the fault changes (the caller's preflight checks look at these). */
	readonly changes: readonly string[];
	/** The preflight line's first part: what holds what before the drill. */
	readonly ready: string;
	/** The confirmation's text. */
	readonly plan: string;
	readonly restore: readonly RestoreStep[];
	/** Checks of the fault itself after the baseline; a DrillRefused refuses with nothing changed. */
	check?(): Promise<void>;
	/** After the confirmation, before the journal. */
	beforeJournal?(): Promise<void>;
	/** Starts observing the cluster (before the traffic starts). */
	observe?(): Promise<void>;
	/** Makes the fault at `injectedAt` and watches what it does; problems go to `reasons`. */
	inject(injectedAt: number, reasons: string[]): Promise<void>;
	/** The restore starts at `restoredAt` (the return is measured from here, also while it runs). */
	restoring(restoredAt: number): void;
	/** After the restore: waits for the cluster to return to normal; problems go to `reasons`. */
	awaitReturn(reasons: string[]): Promise<void>;
	/** How long the traffic keeps running after the return, to see the aftermath. */
	readonly tailMs: number;
	/** After the traffic stopped: stops observing, judges the traffic; problems go to `reasons`. */
	finish(watcher: TrafficWatcher, reasons: string[]): Promise<void> | void;
	/** The time the thresholds judge: `what` took `ms` (null: it never happened). */
	measured(): {readonly what: string; readonly ms: number | null};
	/** The kind's report from the figures every drill has. */
	report(common: DrillOutcome): R;
}

export interface DrillStrategy<R> {
	/** The drill's kind, for the journal. */
	readonly kind: string;
	/** Looks at the polled cluster, refuses (DrillRefused) or prepares the fault. */
	prepare(context: DrillContext): Promise<PreparedFault<R>>;
}

/** Figures every drill has, for its strategy to place in its report. */
export type DrillOutcome = DrillReportCommon;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Preflight and baseline up to the confirmation: nothing has changed when this throws. */
async function preflight<R>(context: DrillContext, strategy: DrillStrategy<R>): Promise<PreparedFault<R>> {
	const {profile, transport, options, cluster, mark} = context;
	await cluster.pollAll();
	const fault = await strategy.prepare(context);
	await runPreflightChecks(profile, transport, options, strategy.kind, fault.changes);
	const traffic = drillTraffic(profile, fault.service, transport, options);
	const baseline = await cleanBaseline(traffic);
	mark(`preflight ok: ${fault.ready}; ${baseline.summary().ok} baseline requests ok${options.from ? ` from ${options.from}` : ''}; traffic ${drillTrafficLabel(fault.service, options)}`);
	await fault.check?.();
	await confirmDrill(options, fault.plan);
	await fault.beforeJournal?.();
	return fault;
}

export async function runDrillEngine<R>(profile: Profile, transport: Transport, options: DrillCommonOptions, thresholds: DrillThresholds | undefined, strategy: DrillStrategy<R>): Promise<R> {
	const progress = options.onProgress ?? (() => {});
	const startedAt = Date.now();
	const timeline = timelineRecorder(progress);
	const context: DrillContext = {profile, transport, options, cluster: drillCluster(profile, transport, options), mark: timeline.mark, progress};
	const fault = await preflight(context, strategy);
	const journalId = openJournal(profile, strategy.kind, startedAt, fault.restore);
	await fault.observe?.();
	const watcher = drillWatcher(profile, fault.service, transport, options);
	const reasons: string[] = [];
	let injectedAt: number | undefined;
	let restored = false;
	try {
		watcher.start();
		await sleep(1000);
		if (options.signal?.aborted) throw new Error('aborted before the fault');
		injectedAt = Date.now();
		await fault.inject(injectedAt, reasons);
	} finally {
		// Restore whatever happened above (also on abort or a dropped connection).
		const restoredAt = Date.now();
		fault.restoring(restoredAt);
		timeline.mark(`restoring: ${fault.restore.map((r) => r.description).join('; ')}`, restoredAt);
		restored = await restoreAndClose(transport, fault.restore, journalId, progress);
	}
	await fault.awaitReturn(reasons);
	await sleep(fault.tailMs);
	const summary: WatcherSummary = await watcher.stop();
	if (watcher.error) reasons.push(watcher.error);
	await fault.finish(watcher, reasons);
	if (!restored) reasons.push('RESTORE FAILED: run lvsdeck drill --recover');
	const {what, ms} = fault.measured();
	reasons.push(...expectationReasons(thresholds, what, ms, summary));
	const endedAt = Date.now();
	return fault.report({
		profile: profile.name,
		traffic: drillTrafficLabel(fault.service, options),
		verdict: reasons.length === 0 ? 'pass' : 'fail',
		reasons,
		requests: requestCounts(summary),
		longestGapMs: summary.longestGapMs,
		latencyP50Ms: summary.latencyP50Ms,
		latencyP99Ms: summary.latencyP99Ms,
		restored,
		startedAt: new Date(startedAt).toISOString(),
		endedAt: new Date(endedAt).toISOString(),
		durationMs: endedAt - startedAt,
		timeline: timeline.report(injectedAt ?? startedAt),
	});
}

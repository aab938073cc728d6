// Failover drills: stop (graceful) or freeze (hard) keepalived on the current master of an instance,
// measure the takeover against real traffic, restore, and measure the return. Everything changed is
// journaled first and restored on success, error, abort (Ctrl-C) or a dropped connection.
import type {Profile, VrrpInstance} from '../../profile/model.js';
import type {Transport} from '../../transport/types.js';
import type {WatcherSummary} from '../watcher.js';
import {restoreAndClose} from './journal.js';
import {VipTracker} from './vip-tracker.js';
import {faultFor, faultRefusal, type FailoverKind, type HardMethod} from './faults.js';
import {
	cleanBaseline,
	confirmDrill,
	DrillRefused,
	drillCluster,
	drillTraffic,
	drillWatcher,
	expectationReasons,
	openJournal,
	preflightDirectors,
	requestCounts,
	runPreflightChecks,
	timelineRecorder,
	until,
	type DrillCommonOptions,
	type DrillThresholds,
} from './common.js';

export type {FailoverKind} from './faults.js';


export interface TimelineEvent {
	/** Milliseconds since the fault was injected (negative before). */
	readonly t: number;
	readonly at: string;
	readonly event: string;
}

export interface DrillReport {
	/** For rs-health and drain: instance is the virtual service, target the real server, takeover the active director, failoverMs the time until it left the table. */
	readonly drill: FailoverKind | 'rs-health' | 'drain';
	readonly profile: string;
	readonly instance: string;
	readonly vip: string;
	readonly target: string;
	readonly takeover: string | null;
	readonly verdict: 'pass' | 'fail';
	readonly reasons: readonly string[];
	/** Fault injected → the new master holds the VIP. */
	readonly failoverMs: number | null;
	/** Fault injected → the VIP left the old master. */
	readonly vipLeftMs: number | null;
	readonly expectedBoundMs: number;
	/** Both directors held the VIP for this long (hard failures). */
	readonly splitBrainMs: number;
	/** Restore → the VIP back where the preempt mode says it should be. */
	readonly returnMs: number | null;
	readonly preempt: string;
	/** hard-failover: how the failure was made (freeze or cut). */
	readonly method?: string;
	/** keepalived's own transition time on the new master, and our measurement minus it. */
	readonly keepalivedTransitionAt: string | null;
	readonly measuredMinusKeepalivedMs: number | null;
	readonly requests: {total: number; failed: number; timeouts: number; perBackend: Record<string, number>};
	/** rs-health: requests that failed after the real server left the table. */
	readonly failedAfterRemoval?: number;
	/** drain: new connections the drained real server still answered. */
	readonly toTargetAfterRemoval?: number;
	readonly longestGapMs: number;
	readonly latencyP50Ms: number | null;
	readonly latencyP99Ms: number | null;
	readonly restored: boolean;
	readonly startedAt: string;
	readonly endedAt: string;
	readonly durationMs: number;
	readonly timeline: readonly TimelineEvent[];
}

export {DrillRefused} from './common.js';

export interface FailoverOptions extends DrillCommonOptions {
	readonly kind: FailoverKind;
	/** hard-failover only: freeze keepalived (default) or cut VRRP on the master's interface. */
	readonly method?: HardMethod;
	readonly instance?: string;
	readonly thresholds?: DrillThresholds;
}

/** VRRPv2 skew time: (256 - priority) / 256 advert intervals. */
export function skewMs(inst: VrrpInstance, priority: number): number {
	return ((256 - priority) / 256) * inst.advertInt * 1000;
}

/** Graceful: the old master sends priority 0, the backup waits the skew. Hard: 3 adverts + skew. */
export function expectedBoundMs(inst: VrrpInstance, kind: FailoverKind): number {
	const backup = inst.members[1] ?? inst.members[0]!;
	const skew = skewMs(inst, backup.priority);
	return Math.round(kind === 'failover' ? skew : 3 * inst.advertInt * 1000 + skew);
}




export async function runFailoverDrill(profile: Profile, transport: Transport, options: FailoverOptions): Promise<DrillReport> {
	const progress = options.onProgress ?? (() => {});
	const inst = options.instance ? profile.instances.find((i) => i.name === options.instance) : profile.instances[0];
	if (!inst) throw new DrillRefused(`no VRRP instance ${options.instance} in profile ${profile.name}`);
	if (inst.members.length < 2) throw new DrillRefused(`${inst.name} has one director: nothing to fail over to`);
	const vip = inst.vips[0]!.address;
	const vs = profile.virtualServers.find((v) => v.vip === vip && v.protocol === 'TCP');
	if (!vs) throw new DrillRefused(`no TCP virtual service on ${vip} to send traffic to`);
	const startedAt = Date.now();
	const timeline = timelineRecorder(progress);
	const mark = timeline.mark;

	// Preflight: every member up and running keepalived, exactly one holder, which is the preferred one.
	const cluster = drillCluster(profile, transport, options);
	const store = cluster.store;
	await cluster.pollAll();
	const {target, backups} = preflightDirectors(store.getState(), inst);
	await runPreflightChecks(profile, transport, options, options.kind, [target]);
	const url = `http://${vip}:${vs.port}/`;
	const baseline = await cleanBaseline(drillTraffic(url, transport, options));
	const base = baseline.summary();
	mark(`preflight ok: ${target} holds ${vip}; ${backups.join(', ')} BACKUP; ${base.ok} baseline requests ok${options.from ? ` from ${options.from}` : ''}`);
	const fault = faultFor(profile, inst, target, backups, options.kind, options.method);
	if (fault.check) {
		const checked = await transport.exec(target, fault.check, {timeoutMs: fault.injectTimeoutMs});
		if (checked.code !== 0) throw new DrillRefused(`preflight: ${target}: ${faultRefusal(checked) ?? (checked.stderr.trim() || `check exited ${checked.code}`)}`);
	}
	await confirmDrill(options, fault.plan);

	const restore = fault.restore;
	const journalId = openJournal(profile, options.kind, startedAt, restore);

	// Watch: VIP holders from the event-driven poller, traffic from the watcher.
	let vipLeftAt: number | undefined;
	let newMasterAt: number | undefined;
	let newMaster: string | undefined;
	let splitStart: number | undefined;
	let splitBrainMs = 0;
	let backAt: number | undefined;
	let restoredAt: number | undefined;
	const onHolders = (h: string[], now: number) => {
		if (injectedAt !== undefined && vipLeftAt === undefined && !h.includes(target)) {
			vipLeftAt = now;
			mark(`${vip} left ${target}`, now);
		}
		if (injectedAt !== undefined && newMasterAt === undefined && h.some((x) => x !== target)) {
			newMasterAt = now;
			newMaster = h.find((x) => x !== target);
			mark(`${newMaster} holds ${vip}`, now);
		}
		if (h.length > 1 && splitStart === undefined) {
			splitStart = now;
			mark(`split brain: ${vip} on ${h.join(' and ')}`, now);
		} else if (h.length <= 1 && splitStart !== undefined) {
			splitBrainMs += now - splitStart;
			splitStart = undefined;
			mark(`split brain over (${h.join('') || 'no holder'})`, now);
		}
		if (restoredAt !== undefined && backAt === undefined && h.length === 1 && h[0] === target) {
			backAt = now;
			mark(`${vip} back on ${target}`, now);
		}
	};
	let injectedAt: number | undefined;
	let keepalivedAt: number | undefined;
	const tracker = new VipTracker(transport, vip, inst.members.map((m) => m.director), (h, at) => onHolders(h, at));
	await tracker.start();
	const watcher = drillWatcher(url, transport, options);
	let restored = false;
	const reasons: string[] = [];
	try {
		watcher.start();
		await new Promise((r) => setTimeout(r, 1000));
		if (options.signal?.aborted) throw new Error('aborted before the fault');
		injectedAt = Date.now();
		mark(fault.injected, injectedAt);
		// A fault that failed or refused (its checks run again where the signal is sent) ends the wait.
		let injectFailed = false;
		const inject = transport.exec(target, fault.inject, {timeoutMs: fault.injectTimeoutMs}).then((r) => ((injectFailed = r.code !== 0), r));
		const bound = expectedBoundMs(inst, options.kind);
		const tookOver = await until(() => newMasterAt !== undefined || injectFailed, bound * 3 + 10_000, options.signal);
		const injected = await inject;
		if (injected.code !== 0) reasons.push(`fault injection ${faultRefusal(injected) ? 'refused' : 'failed'} on ${target}: ${faultRefusal(injected) ?? (injected.stderr.trim() || `exit ${injected.code}`)}`);
		if (!tookOver && !injectFailed && !options.signal?.aborted) reasons.push(`no director took ${vip} over within ${bound * 3 + 10_000} ms`);
		// Let the new master settle and the watcher see the aftermath.
		await until(() => false, 2000, options.signal);
		// keepalived's own record of the takeover, read while the new master still holds the VIP.
		const nm = newMaster ? profile.hosts.find((h) => h.name === newMaster) : undefined;
		if (nm) {
			await cluster.pollHost(nm);
			const lt = store.getState().hosts.find((h) => h.name === nm.name)?.director?.vrrp?.find((v) => v.name === inst.name)?.lastTransition;
			if (lt !== undefined && injectedAt !== undefined && lt * 1000 >= injectedAt - 1000) keepalivedAt = lt * 1000;
		}
	} finally {
		// Restore whatever happened above (also on abort or a dropped connection).
		restoredAt = Date.now();
		mark(`restoring: ${restore.map((r) => r.description).join('; ')}`, restoredAt);
		restored = await restoreAndClose(transport, restore, journalId, progress);
	}
	// Return: preempt brings the VIP back; nopreempt keeps it; preempt_delay brings it back after the delay.
	const p = inst.preempt;
	const preempt = p.mode === 'delay' ? `preempt_delay ${p.delaySec}s` : p.mode;
	if (vipLeftAt === undefined && tracker.holders().join() === target) {
		// Stopped before the VIP left (an abort): there is no return to wait for.
		mark(`${vip} never left ${target}`);
	} else if (p.mode !== 'nopreempt') {
		const wait = (p.mode === 'delay' ? p.delaySec * 1000 : 0) + 3 * inst.advertInt * 1000 + 10_000;
		if (!(await until(() => backAt !== undefined, wait))) reasons.push(`${vip} did not return to ${target} within ${wait} ms (${preempt})`);
	} else {
		await until(() => false, 3 * inst.advertInt * 1000 + 1000);
		if (tracker.holders().join() !== newMaster) reasons.push(`with nopreempt ${vip} should stay on ${newMaster}, but is on ${tracker.holders().join(' and ') || 'no director'}`);
	}
	await new Promise((r) => setTimeout(r, 1000));
	const summary: WatcherSummary = await watcher.stop();
	if (watcher.error) reasons.push(watcher.error);
	await tracker.stop();
	if (splitStart !== undefined) splitBrainMs += Date.now() - splitStart;

	if (!restored) reasons.push('RESTORE FAILED: run lvsdeck drill --recover');
	const failoverMs = newMasterAt !== undefined && injectedAt !== undefined ? newMasterAt - injectedAt : null;
	reasons.push(...expectationReasons(options.thresholds, 'failover', failoverMs, summary));
	const endedAt = Date.now();
	const zero = injectedAt ?? startedAt;
	return {
		drill: options.kind,
		profile: profile.name,
		instance: inst.name,
		vip,
		target,
		takeover: newMaster ?? null,
		verdict: reasons.length === 0 ? 'pass' : 'fail',
		reasons,
		failoverMs,
		vipLeftMs: vipLeftAt !== undefined && injectedAt !== undefined ? vipLeftAt - injectedAt : null,
		expectedBoundMs: expectedBoundMs(inst, options.kind),
		splitBrainMs,
		returnMs: backAt !== undefined && restoredAt !== undefined ? backAt - restoredAt : null,
		preempt,
		...(options.kind === 'hard-failover' ? {method: options.method ?? 'freeze'} : {}),
		keepalivedTransitionAt: keepalivedAt !== undefined ? new Date(keepalivedAt).toISOString() : null,
		measuredMinusKeepalivedMs: keepalivedAt !== undefined && newMasterAt !== undefined ? Math.round(newMasterAt - keepalivedAt) : null,
		requests: requestCounts(summary),
		longestGapMs: summary.longestGapMs,
		latencyP50Ms: summary.latencyP50Ms,
		latencyP99Ms: summary.latencyP99Ms,
		restored,
		startedAt: new Date(startedAt).toISOString(),
		endedAt: new Date(endedAt).toISOString(),
		durationMs: endedAt - startedAt,
		timeline: timeline.report(zero),
	};
}

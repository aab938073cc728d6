// Failover drills: stop (graceful) or freeze (hard) keepalived on the current master of an instance,
// measure the takeover against real traffic, restore, and measure the return. Everything changed is
// journaled first and restored on success, error, abort (Ctrl-C) or a dropped connection.
import type {Profile, VrrpInstance} from '../../profile/model.js';
import type {Transport} from '../../transport/types.js';
import {hostOn} from '../../cluster/queries.js';
import {VipTracker} from './vip-tracker.js';
import {runDrillEngine, type DrillContext, type DrillOutcome, type DrillStrategy} from './engine.js';
import type {FailoverDrillReport} from './drill-report.js';
import {faultFor, faultRefusal, type FailoverKind, type HardMethod} from './faults.js';
import {DrillRefused, preflightDirectors, until, type DrillCommonOptions, type DrillThresholds} from './common.js';
import {urlHost} from '../../profile/subnet.js';

export type {FailoverKind} from './faults.js';


export type {DrillReport, FailoverDrillReport, TimelineEvent} from './drill-report.js';

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




export function runFailoverDrill(profile: Profile, transport: Transport, options: FailoverOptions): Promise<FailoverDrillReport> {
	return runDrillEngine(profile, transport, options, options.thresholds, failoverStrategy(options.kind, options.method, options.instance));
}

/** The instance, its VIP and the TCP service on it, or a refusal. */
function drillTarget(profile: Profile, instance: string | undefined): {inst: VrrpInstance; vip: string; port: number} {
	const inst = instance ? profile.instances.find((i) => i.name === instance) : profile.instances[0];
	if (!inst) throw new DrillRefused(`no VRRP instance ${instance} in profile ${profile.name}`);
	if (inst.members.length < 2) throw new DrillRefused(`${inst.name} has one director: nothing to fail over to`);
	const vip = inst.vips[0]!.address;
	const vs = profile.virtualServers.find((v) => v.vip === vip && v.protocol === 'TCP');
	if (!vs) throw new DrillRefused(`no TCP virtual service on ${vip} to send traffic to`);
	return {inst, vip, port: vs.port};
}

/** Where the VIP goes, from the VIP tracker's events: left the target, new master, split brain, back. */
class VipMoves {
	injectedAt: number | undefined;
	vipLeftAt: number | undefined;
	newMasterAt: number | undefined;
	newMaster: string | undefined;
	restoredAt: number | undefined;
	backAt: number | undefined;
	splitBrainMs = 0;
	private splitStart: number | undefined;

	constructor(
		readonly vip: string,
		private readonly target: string,
		private readonly mark: (event: string, at?: number) => void,
	) {}

	onHolders(h: readonly string[], now: number): void {
		const {vip, target, mark} = this;
		if (this.injectedAt !== undefined && this.vipLeftAt === undefined && !h.includes(target)) {
			this.vipLeftAt = now;
			mark(`${vip} left ${target}`, now);
		}
		if (this.injectedAt !== undefined && this.newMasterAt === undefined && h.some((x) => x !== target)) {
			this.newMasterAt = now;
			this.newMaster = h.find((x) => x !== target);
			mark(`${this.newMaster} holds ${vip}`, now);
		}
		if (h.length > 1 && this.splitStart === undefined) {
			this.splitStart = now;
			mark(`split brain: ${vip} on ${h.join(' and ')}`, now);
		} else if (h.length <= 1 && this.splitStart !== undefined) {
			this.splitBrainMs += now - this.splitStart;
			this.splitStart = undefined;
			mark(`split brain over (${h.join('') || 'no holder'})`, now);
		}
		if (this.restoredAt !== undefined && this.backAt === undefined && h.length === 1 && h[0] === target) {
			this.backAt = now;
			mark(`${vip} back on ${target}`, now);
		}
	}

	/** Closes a split brain still going on when the drill ends. */
	end(now: number): void {
		if (this.splitStart !== undefined) this.splitBrainMs += now - this.splitStart;
	}

	since(at: number | undefined, from: number | undefined): number | null {
		return at !== undefined && from !== undefined ? at - from : null;
	}
}

/** Stop (graceful) or freeze/cut (hard) keepalived's VRRP on the master; measure the takeover and the return. */
export function failoverStrategy(kind: FailoverKind, method: HardMethod | undefined, instance: string | undefined): DrillStrategy<FailoverDrillReport> {
	return {
		kind,
		async prepare({profile, transport, cluster, mark, options}) {
			const {inst, vip, port} = drillTarget(profile, instance);
			// Every member up and running keepalived, exactly one holder, the others ready backups.
			const {target, backups} = preflightDirectors(cluster.store.getState(), inst);
			const fault = faultFor(profile, inst, target, backups, kind, method);
			const moves = new VipMoves(vip, target, mark);
			const tracker = new VipTracker(transport, vip, inst.members.map((m) => m.director), (h, at) => moves.onHolders(h, at));
			const bound = expectedBoundMs(inst, kind);
			let keepalivedAt: number | undefined;
			const p = inst.preempt;
			const preempt = p.mode === 'delay' ? `preempt_delay ${p.delaySec}s` : p.mode;
			return {
				url: `http://${urlHost(vip)}:${port}/`,
				changes: [target],
				ready: `${target} holds ${vip}; ${backups.join(', ')} BACKUP`,
				plan: fault.plan,
				restore: fault.restore,
				async check() {
					if (!fault.check) return;
					const checked = await transport.exec(target, fault.check, {timeoutMs: fault.injectTimeoutMs});
					if (checked.code !== 0) throw new DrillRefused(`preflight: ${target}: ${faultRefusal(checked) ?? (checked.stderr.trim() || `check exited ${checked.code}`)}`);
				},
				observe: () => tracker.start(),
				async inject(injectedAt, reasons) {
					moves.injectedAt = injectedAt;
					mark(fault.injected, injectedAt);
					// A fault that failed or refused (its checks run again where the signal is sent) ends the wait.
					let injectFailed = false;
					const inject = transport.exec(target, fault.inject, {timeoutMs: fault.injectTimeoutMs}).then((r) => ((injectFailed = r.code !== 0), r));
					const tookOver = await until(() => moves.newMasterAt !== undefined || injectFailed, bound * 3 + 10_000, options.signal);
					const injected = await inject;
					if (injected.code !== 0) reasons.push(`fault injection ${faultRefusal(injected) ? 'refused' : 'failed'} on ${target}: ${faultRefusal(injected) ?? (injected.stderr.trim() || `exit ${injected.code}`)}`);
					if (!tookOver && !injectFailed && !options.signal?.aborted) reasons.push(`no director took ${vip} over within ${bound * 3 + 10_000} ms`);
					// Let the new master settle and the watcher see the aftermath.
					await until(() => false, 2000, options.signal);
					keepalivedAt = await keepalivedTransition(profile, cluster, inst, moves);
				},
				restoring: (at) => void (moves.restoredAt = at),
				async awaitReturn(reasons) {
					reasons.push(...(await returnReasons(inst, preempt, tracker, moves, target, vip, mark)));
				},
				tailMs: 1000,
				async finish() {
					await tracker.stop();
					moves.end(Date.now());
				},
				measured: () => ({what: 'failover', ms: moves.since(moves.newMasterAt, moves.injectedAt)}),
				report: (c) => failoverReport(kind, method, inst.name, target, bound, preempt, moves, keepalivedAt, c),
			};
		},
	};
}

/** keepalived's own record of the takeover, read while the new master still holds the VIP. */
async function keepalivedTransition(profile: Profile, cluster: DrillContext['cluster'], inst: VrrpInstance, moves: VipMoves): Promise<number | undefined> {
	const nm = moves.newMaster ? profile.hosts.find((h) => h.name === moves.newMaster) : undefined;
	if (!nm) return undefined;
	await cluster.pollHost(nm);
	const lt = hostOn(cluster.store.getState(), nm.name)?.director?.vrrp?.find((v) => v.name === inst.name)?.lastTransition;
	return lt !== undefined && moves.injectedAt !== undefined && lt * 1000 >= moves.injectedAt - 1000 ? lt * 1000 : undefined;
}

/** The return: preempt brings the VIP back; nopreempt keeps it; preempt_delay brings it back after the delay. */
async function returnReasons(inst: VrrpInstance, preempt: string, tracker: VipTracker, moves: VipMoves, target: string, vip: string, mark: (e: string) => void): Promise<string[]> {
	const p = inst.preempt;
	if (moves.vipLeftAt === undefined && tracker.holders().join() === target) {
		// Stopped before the VIP left (an abort): there is no return to wait for.
		mark(`${vip} never left ${target}`);
		return [];
	}
	if (p.mode !== 'nopreempt') {
		const wait = (p.mode === 'delay' ? p.delaySec * 1000 : 0) + 3 * inst.advertInt * 1000 + 10_000;
		return (await until(() => moves.backAt !== undefined, wait)) ? [] : [`${vip} did not return to ${target} within ${wait} ms (${preempt})`];
	}
	await until(() => false, 3 * inst.advertInt * 1000 + 1000);
	return tracker.holders().join() !== moves.newMaster ? [`with nopreempt ${vip} should stay on ${moves.newMaster}, but is on ${tracker.holders().join(' and ') || 'no director'}`] : [];
}

/** The failover report: the VIP's movement measured by `moves`, around the figures every drill has. */
function failoverReport(kind: FailoverKind, method: HardMethod | undefined, instance: string, target: string, bound: number, preempt: string, moves: VipMoves, keepalivedAt: number | undefined, c: DrillOutcome): FailoverDrillReport {
	return {
		drill: kind,
		profile: c.profile,
		instance,
		vip: moves.vip,
		target,
		takeover: moves.newMaster ?? null,
		verdict: c.verdict,
		reasons: c.reasons,
		failoverMs: moves.since(moves.newMasterAt, moves.injectedAt),
		vipLeftMs: moves.since(moves.vipLeftAt, moves.injectedAt),
		expectedBoundMs: bound,
		splitBrainMs: moves.splitBrainMs,
		returnMs: moves.since(moves.backAt, moves.restoredAt),
		preempt,
		...(kind === 'hard-failover' ? {method: method ?? 'freeze'} : {}),
		keepalivedTransitionAt: keepalivedAt !== undefined ? new Date(keepalivedAt).toISOString() : null,
		measuredMinusKeepalivedMs: keepalivedAt !== undefined && moves.newMasterAt !== undefined ? Math.round(moves.newMasterAt - keepalivedAt) : null,
		requests: c.requests,
		longestGapMs: c.longestGapMs,
		latencyP50Ms: c.latencyP50Ms,
		latencyP99Ms: c.latencyP99Ms,
		restored: c.restored,
		startedAt: c.startedAt,
		endedAt: c.endedAt,
		durationMs: c.durationMs,
		timeline: c.timeline,
	};
}

// Failover drills: stop (graceful) or freeze (hard) keepalived on the current master of an instance,
// measure the takeover against real traffic, restore, and measure the return. Everything changed is
// journaled first and restored on success, error, abort (Ctrl-C) or a dropped connection.
import type {Profile, VrrpInstance} from '../../profile/model.js';
import type {Transport} from '../../transport/types.js';
import {hostOn} from '../../cluster/queries.js';
import {VipFollower} from '../../cluster/vip-follower.js';
import type {ClusterState} from '../../cluster/types.js';
import {runDrillEngine, type DrillContext, type DrillOutcome, type DrillStrategy} from './engine.js';
import {drillReport, type FailoverDrillReport} from './drill-report.js';
import {faultFor, faultRefusal, type FailoverKind, type HardMethod} from './faults.js';
import {DrillRefused, preflightDirectors, until, type DrillCommonOptions, type DrillThresholds} from './common.js';
import {failoverTarget} from './targets.js';

export type {FailoverKind} from './faults.js';


export type {DrillReport, FailoverDrillReport, TimelineEvent} from './drill-report.js';

export {DrillRefused} from './common.js';

export interface FailoverOptions extends DrillCommonOptions {
	readonly kind: FailoverKind;
	/** hard-failover only: freeze keepalived (default) or cut VRRP on the master's interface. */
	readonly method?: HardMethod;
	readonly instance?: string;
	/** The service to watch (`VIP:PORT`); its VIP picks the instance when none is named. */
	readonly service?: string;
	readonly thresholds?: DrillThresholds;
}

/** VRRPv2 skew time: (256 - priority) / 256 advert intervals. */
export function skewMs(inst: VrrpInstance, priority: number): number {
	return ((256 - priority) / 256) * inst.advertInt * 1000;
}

/**
 * Graceful: the old master sends priority 0, the backup waits the skew. Hard: 3 adverts + skew. The
 * skew is the taking-over backup's (its effective priority, see takeoverPriority); without one, the
 * profile's second member.
 */
export function expectedBoundMs(inst: VrrpInstance, kind: FailoverKind, backupPriority?: number): number {
	const skew = skewMs(inst, backupPriority ?? (inst.members[1] ?? inst.members[0]!).priority);
	return Math.round(kind === 'failover' ? skew : 3 * inst.advertInt * 1000 + skew);
}

/**
 * The priority of the backup that will take over: the highest among the actual backups (the members
 * other than the current holder), each at the effective priority its keepalived reports (track scripts
 * and interfaces applied), else its configured one. keepalived times the master-down skew with it.
 */
export function takeoverPriority(state: ClusterState, inst: VrrpInstance, backups: readonly string[]): number | undefined {
	const priorities = inst.members
		.filter((m) => backups.includes(m.director))
		.map((m) => {
			const v = hostOn(state, m.director)?.director?.vrrp?.find((x) => x.name === inst.name);
			return v?.effectivePriority ?? v?.priority ?? m.priority;
		});
	return priorities.length > 0 ? Math.max(...priorities) : undefined;
}




export function runFailoverDrill(profile: Profile, transport: Transport, options: FailoverOptions): Promise<FailoverDrillReport> {
	return runDrillEngine(profile, transport, options, options.thresholds, failoverStrategy(options.kind, options.method, options.instance, options.service));
}


/** Where the VIP goes, from the VIP follower's events: left the target, new master, split brain, back. */
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
export function failoverStrategy(kind: FailoverKind, method: HardMethod | undefined, instance: string | undefined, service?: string): DrillStrategy<FailoverDrillReport> {
	return {
		kind,
		async prepare({profile, transport, cluster, mark, options}) {
			const {inst, vs} = failoverTarget(profile, instance, service);
			const vip = vs.vip;
			// Every member up and running keepalived, exactly one holder, the others ready backups.
			const {target, backups} = preflightDirectors(cluster.store.getState(), inst);
			const fault = faultFor(profile, inst, target, backups, kind, method);
			const moves = new VipMoves(vip, target, mark);
			const follower = new VipFollower(transport, vip, inst.members.map((m) => m.director), (h, at) => moves.onHolders(h, at));
			const bound = expectedBoundMs(inst, kind, takeoverPriority(cluster.store.getState(), inst, backups));
			let keepalivedAt: number | undefined;
			const p = inst.preempt;
			const preempt = p.mode === 'delay' ? `preempt_delay ${p.delaySec}s` : p.mode;
			return {
				service: vs,
				changes: [target],
				ready: `${target} holds ${vip}; ${backups.join(', ')} BACKUP`,
				plan: fault.plan,
				restore: fault.restore,
				async check() {
					if (!fault.check) return;
					const checked = await transport.exec(target, fault.check, {timeoutMs: fault.injectTimeoutMs});
					if (checked.code !== 0) throw new DrillRefused(`preflight: ${target}: ${faultRefusal(checked) ?? (checked.stderr.trim() || `check exited ${checked.code}`)}`);
				},
				observe: () => follower.start(),
				async inject(injectedAt, reasons) {
					moves.injectedAt = injectedAt;
					mark(fault.injected, injectedAt);
					// A fault that failed or refused (its checks run again where the signal is sent) ends the wait.
					let injectFailed = false;
					// Its return is a line of its own: a graceful stop can still be running when the VIP has moved.
					const inject = transport.exec(target, fault.inject, {timeoutMs: fault.injectTimeoutMs}).then((r) => {
						injectFailed = r.code !== 0;
						if (!injectFailed) mark(`fault in place on ${target}`);
						return r;
					});
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
					reasons.push(...(await returnReasons(inst, preempt, follower, moves, target, vip, mark)));
				},
				tailMs: 1000,
				async finish() {
					await follower.stop();
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
async function returnReasons(inst: VrrpInstance, preempt: string, follower: VipFollower, moves: VipMoves, target: string, vip: string, mark: (e: string) => void): Promise<string[]> {
	const p = inst.preempt;
	if (moves.vipLeftAt === undefined && follower.holders().join() === target) {
		// Stopped before the VIP left (an abort): there is no return to wait for.
		mark(`${vip} never left ${target}`);
		return [];
	}
	if (p.mode !== 'nopreempt') {
		const wait = (p.mode === 'delay' ? p.delaySec * 1000 : 0) + 3 * inst.advertInt * 1000 + 10_000;
		return (await until(() => moves.backAt !== undefined, wait)) ? [] : [`${vip} did not return to ${target} within ${wait} ms (${preempt})`];
	}
	await until(() => false, 3 * inst.advertInt * 1000 + 1000);
	return follower.holders().join() !== moves.newMaster ? [`with nopreempt ${vip} should stay on ${moves.newMaster}, but is on ${follower.holders().join(' and ') || 'no director'}`] : [];
}

/** The failover report: the VIP's movement measured by `moves`, around the figures every drill has. */
function failoverReport(kind: FailoverKind, method: HardMethod | undefined, instance: string, target: string, bound: number, preempt: string, moves: VipMoves, keepalivedAt: number | undefined, c: DrillOutcome): FailoverDrillReport {
	const measured = {
		failoverMs: moves.since(moves.newMasterAt, moves.injectedAt),
		vipLeftMs: moves.since(moves.vipLeftAt, moves.injectedAt),
		expectedBoundMs: bound,
		splitBrainMs: moves.splitBrainMs,
		returnMs: moves.since(moves.backAt, moves.restoredAt),
		preempt,
		...(kind === 'hard-failover' ? {method: method ?? 'freeze'} : {}),
		keepalivedTransitionAt: keepalivedAt !== undefined ? new Date(keepalivedAt).toISOString() : null,
		measuredMinusKeepalivedMs: keepalivedAt !== undefined && moves.newMasterAt !== undefined ? Math.round(moves.newMasterAt - keepalivedAt) : null,
	};
	return drillReport(kind, c, {instance, vip: moves.vip, target, takeover: moves.newMaster ?? null}, measured, {});
}

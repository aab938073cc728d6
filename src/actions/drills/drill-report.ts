// What a drill reports, per kind: a discriminated union on `drill`. The fields every drill has come
// first; failover drills add the VIP's movement, real-server drills what happened after the removal.
// The JSON report is this object as it is (README: "Drill reports").
import type {FailoverKind} from './faults.js';

export interface TimelineEvent {
	/** Milliseconds since the fault was injected (negative before). */
	readonly t: number;
	readonly at: string;
	readonly event: string;
}

export interface RequestCounts {
	readonly total: number;
	readonly failed: number;
	readonly timeouts: number;
	readonly perBackend: Record<string, number>;
}

/** What the engine measures for every drill, whatever its kind (the strategy places them in its report). */
export interface DrillReportCommon {
	readonly profile: string;
	/** The drill's traffic: its target (the mode is the scheme) and where backends were read. */
	readonly traffic?: string;
	readonly verdict: 'pass' | 'fail';
	readonly reasons: readonly string[];
	readonly requests: RequestCounts;
	readonly longestGapMs: number;
	readonly latencyP50Ms: number | null;
	readonly latencyP99Ms: number | null;
	readonly restored: boolean;
	readonly startedAt: string;
	readonly endedAt: string;
	readonly durationMs: number;
	readonly timeline: readonly TimelineEvent[];
}

/** Every drill's figures: the common ones, what it targeted and the return. */
interface DrillReportBase extends DrillReportCommon {
	readonly vip: string;
	/** Restore → back to normal (the VIP on the old master; the real server in the table again). */
	readonly returnMs: number | null;
}

export interface FailoverDrillReport extends DrillReportBase {
	readonly drill: FailoverKind;
	readonly instance: string;
	/** The master the fault was made on. */
	readonly target: string;
	/** The director that took the VIP over. */
	readonly takeover: string | null;
	/** Fault injected → the new master holds the VIP. */
	readonly failoverMs: number | null;
	/** Fault injected → the VIP left the old master. */
	readonly vipLeftMs: number | null;
	readonly expectedBoundMs: number;
	/** Both directors held the VIP for this long (hard failures). */
	readonly splitBrainMs: number;
	readonly preempt: string;
	/** hard-failover: how the failure was made (freeze or cut). */
	readonly method?: string;
	/** keepalived's own transition time on the new master, and our measurement minus it. */
	readonly keepalivedTransitionAt: string | null;
	readonly measuredMinusKeepalivedMs: number | null;
}

/**
 * rs-health and drain: `service` is the virtual service, `target` the real server, `takeover` the
 * active director, `removalMs` the time until the real server left the table. The VIP fields are fixed
 * (null, 0, '-'), and `instance` and `failoverMs` repeat `service` and `removalMs` for the reports
 * from before the union.
 */
export interface RealServerDrillReport extends DrillReportBase {
	readonly drill: 'rs-health' | 'drain';
	/** @deprecated the virtual service under its old name: read `service`. */
	readonly instance: string;
	/** The virtual service, `PROTOCOL VIP:PORT`. */
	readonly service: string;
	readonly target: string;
	readonly takeover: string;
	/** @deprecated the removal time under its old name: read `removalMs`. */
	readonly failoverMs: number | null;
	/** Fault injected → the real server left the active director's table (null: it never did). */
	readonly removalMs: number | null;
	readonly vipLeftMs: null;
	readonly expectedBoundMs: number;
	readonly splitBrainMs: 0;
	readonly preempt: '-';
	readonly keepalivedTransitionAt: null;
	readonly measuredMinusKeepalivedMs: null;
	/** rs-health: requests that failed after the real server left the table. */
	readonly failedAfterRemoval: number;
	/** drain: new connections the drained real server still got (rs-health: answers it gave). */
	readonly toTargetAfterRemoval: number;
}

export type DrillReport = FailoverDrillReport | RealServerDrillReport;

export function isRealServerReport(r: DrillReport): r is RealServerDrillReport {
	return r.drill === 'rs-health' || r.drill === 'drain';
}

/**
 * A report in the JSON order every kind shares: the kind, the profile, what it targeted, the verdict,
 * what it measured, the requests, the kind's own request counts, then the rest of the common figures.
 */
export function drillReport<D extends DrillReport['drill'], T extends object, M extends object, C extends object>(drill: D, c: DrillReportCommon, target: T, measured: M, counts: C) {
	return {
		drill,
		profile: c.profile,
		...target,
		verdict: c.verdict,
		reasons: c.reasons,
		...measured,
		...(c.traffic !== undefined ? {traffic: c.traffic} : {}),
		requests: c.requests,
		...counts,
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

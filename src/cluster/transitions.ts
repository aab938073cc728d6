// VRRP transitions (an instance on a director entering a state), from wherever they were seen: keepalived's
// log (with keepalived's own timestamp), its notify FIFO (stamped on arrival) or the poller's dumps. One
// pure merge puts them in time order, drops what two sources both saw, fills in the state each came from,
// and keeps the newest few thousand.
import type {KeepalivedLogLine} from '../probes/keepalived-log.js';
import type {VrrpInstanceState} from '../probes/vrrp.js';
import {byCodeUnits} from '../text/order.js';

export type TransitionSource = 'log' | 'fifo' | 'poll';

export interface VrrpTransition {
	readonly director: string;
	readonly instance: string;
	/** The state before (absent: not known, e.g. the first one seen). */
	readonly from?: string;
	readonly to: string;
	readonly priority?: number;
	/** Epoch ms: keepalived's own timestamp for the log, arrival for the FIFO, the dump's time for a poll. */
	readonly at: number;
	/** The timestamp as keepalived's log wrote it (log only). */
	readonly stamp?: string;
	readonly source: TransitionSource;
	/** Epoch ms lvsdeck received it (live sources only). */
	readonly receivedAt?: number;
}

/** How many transitions a history keeps (the newest). */
export const HISTORY_MAX = 2000;

/** Two sources seeing one transition are this far apart at most (the log's stamps have whole seconds). */
const SAME_EVENT_MS = 2000;

/** Which source's record of one transition is kept: keepalived's own log first. */
const RANK: Record<TransitionSource, number> = {log: 0, fifo: 1, poll: 2};

/**
 * The transitions in one director's log lines, in order. `known` gives the instances a stop applies to
 * (keepalived logs its stop once, not per instance): each instance seen so far, plus those given.
 */
export function transitionsFromLog(director: string, lines: readonly KeepalivedLogLine[], known: readonly string[] = []): VrrpTransition[] {
	const out: VrrpTransition[] = [];
	const instances = new Set(known);
	for (const line of lines) {
		if (line.at === undefined) continue;
		const stamp = line.stamp !== undefined ? {stamp: line.stamp} : {};
		if (line.kind === 'transition' && line.instance && line.state) {
			instances.add(line.instance);
			out.push({director, instance: line.instance, to: line.state, at: line.at, ...stamp, source: 'log', ...(line.priority !== undefined ? {priority: line.priority} : {})});
		} else if (line.kind === 'stopped' && /^Stopp(ed|ing)/.test(line.message)) {
			for (const instance of instances) out.push({director, instance, to: 'STOP', at: line.at, ...stamp, source: 'log'});
		}
	}
	return out;
}

function key(t: VrrpTransition): string {
	return `${t.director}\u0000${t.instance}`;
}

/** Same director, instance and state, close in time: one transition seen twice (or by two sources). */
function sameEvent(a: VrrpTransition, b: VrrpTransition): boolean {
	return key(a) === key(b) && a.to === b.to && Math.abs(a.at - b.at) <= (a.source === b.source && a.source === 'log' ? 0 : SAME_EVENT_MS);
}

/** Where `kept` (in time order) already holds `t`, looking back only as far as one event can spread. */
function twinIndex(kept: readonly VrrpTransition[], t: VrrpTransition): number {
	for (let i = kept.length - 1; i >= 0 && t.at - kept[i]!.at <= SAME_EVENT_MS; i--) if (sameEvent(kept[i]!, t)) return i;
	return -1;
}

/**
 * All transitions given, merged: time order, duplicates dropped (the log's record kept, with a priority
 * another source knew), `from` filled in from the one before, repeats of the state already held
 * dropped (keepalived logs "Transition to" and "Entering" for one change in 1.x), the newest `max` kept.
 */
export function mergeTransitions(lists: ReadonlyArray<readonly VrrpTransition[]>, max = HISTORY_MAX): VrrpTransition[] {
	// A total order, so the merge does not depend on the order the lists came in.
	const all = lists.flat().sort((a, b) => a.at - b.at || RANK[a.source] - RANK[b.source] || byCodeUnits(key(a), key(b)) || byCodeUnits(a.to, b.to));
	const kept: VrrpTransition[] = [];
	for (const t of all) {
		const i = twinIndex(kept, t);
		if (i < 0) {
			kept.push(t);
			continue;
		}
		// Keep the better-ranked record, with the priority and the state before that either knew.
		const twin = kept[i]!;
		const best = RANK[t.source] < RANK[twin.source] ? t : twin;
		const priority = best.priority ?? t.priority ?? twin.priority;
		const from = best.from ?? t.from ?? twin.from;
		kept[i] = {...best, ...(priority !== undefined ? {priority} : {}), ...(from !== undefined ? {from} : {})};
	}
	const held = new Map<string, string>();
	const chained: VrrpTransition[] = [];
	for (const t of kept) {
		const before = held.get(key(t));
		held.set(key(t), t.to);
		if (before === t.to) continue;
		const {from: _given, ...rest} = t;
		chained.push(before !== undefined ? {...rest, from: before} : t.from !== undefined ? t : rest);
	}
	return chained.slice(-max);
}

/** Transitions at or after `sinceMs`. */
export function transitionsSince(all: readonly VrrpTransition[], sinceMs: number): VrrpTransition[] {
	return all.filter((t) => t.at >= sinceMs);
}

/**
 * What two polls of one director say changed: each instance whose state differs, at keepalived's own
 * `Last transition` time when the dump has it (else `now`). Nothing for a first poll (no state before).
 */
export function transitionsFromPoll(director: string, before: readonly VrrpInstanceState[] | undefined, after: readonly VrrpInstanceState[] | undefined, now: number): VrrpTransition[] {
	if (!before || !after) return [];
	const out: VrrpTransition[] = [];
	for (const inst of after) {
		const prev = before.find((b) => b.name === inst.name);
		if (!prev || prev.state === inst.state) continue;
		const at = inst.lastTransition !== undefined ? Math.round(inst.lastTransition * 1000) : now;
		const priority = inst.effectivePriority ?? inst.priority;
		out.push({director, instance: inst.name, from: prev.state, to: inst.state, at, source: 'poll', receivedAt: now, ...(priority !== undefined ? {priority} : {})});
	}
	return out;
}

/** The ones in `merged` that `before` did not hold (not even as another source's record of the same change). */
export function newTransitions(before: readonly VrrpTransition[], merged: readonly VrrpTransition[]): VrrpTransition[] {
	const known = new Map<string, VrrpTransition[]>();
	for (const b of before) known.set(`${key(b)}\u0000${b.to}`, [...(known.get(`${key(b)}\u0000${b.to}`) ?? []), b]);
	return merged.filter((m) => !(known.get(`${key(m)}\u0000${m.to}`) ?? []).some((b) => Math.abs(b.at - m.at) <= SAME_EVENT_MS));
}

/** One line for an event list: `dir2 VI_1 BACKUP -> MASTER (prio 80, log)`. */
export function describeTransition(t: VrrpTransition): string {
	const detail = [t.priority !== undefined ? `prio ${t.priority}` : undefined, t.source].filter((x) => x !== undefined).join(', ');
	return `${t.director} ${t.instance} ${t.from ?? '?'} -> ${t.to} (${detail})`;
}

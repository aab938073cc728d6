// The cluster store: per-host states in, derived snapshots (VIP placement, findings) out. Lives
// outside any UI; views subscribe and read immutable snapshots.
import {statedKeepalivedVersion, type Profile} from '../profile/model.js';
import {renderKeepalivedConf} from '../render/keepalived-conf.js';
import {sha256Hex} from '../probes/config-hash.js';
import {deriveFindings, deriveVips} from './findings.js';
import type {KeepalivedLogLine} from '../probes/keepalived-log.js';
import {sanitizeLine} from '../text/sanitize.js';
import {describeTransition, HISTORY_MAX, mergeTransitions, newTransitions, transitionsFromPoll, type VrrpTransition} from './transitions.js';
import type {ClusterEvent, ClusterState, HostState, ReceivedLogLine} from './types.js';

const MAX_EVENTS = 200;

/** keepalived log lines kept per director for the log view. */
const MAX_LOG_LINES = 300;

export class ClusterStore {
	private readonly hosts = new Map<string, HostState>();
	private readonly events: ClusterEvent[] = [];
	private transitions: VrrpTransition[] = [];
	private readonly logLines = new Map<string, ReceivedLogLine[]>();
	private readonly listeners = new Set<(s: ClusterState) => void>();
	/** Listeners that also hear polls that moved only the hosts' times (`subscribe`'s `times`). */
	private readonly timesListeners = new Set<(s: ClusterState) => void>();
	private readonly renderedSha256 = new Map<string, string>();
	private readonly renderedText = new Map<string, string>();
	private snapshot: ClusterState;
	private generation = 0;
	/** Counts changes to events, transitions and log lines; `derived` is the count the snapshot has. */
	private changes = 0;
	private derived = 0;
	/** When the hosts' times last moved with nothing else, if the snapshot does not show it yet (built when asked). */
	private timesMovedAt: number | undefined;

	constructor(
		readonly profile: Profile,
		private readonly now: () => number = Date.now,
	) {
		for (const h of profile.hosts) {
			this.hosts.set(h.name, {
				name: h.name,
				address: h.address,
				role: h.role,
				reachable: false,
				conn: {host: h.name, state: 'idle', since: now()},
			});
			if (h.role === 'director') {
				const version = statedKeepalivedVersion(profile, h.name);
				const text = renderKeepalivedConf(profile, h.name, version ? {keepalivedVersion: version} : {});
				this.renderedText.set(h.name, text);
				this.renderedSha256.set(h.name, sha256Hex(text));
			}
		}
		this.snapshot = this.derive();
	}

	getState(): ClusterState {
		if (this.timesMovedAt !== undefined) {
			this.snapshot = {...this.snapshot, at: this.timesMovedAt, generation: this.generation, hosts: this.profile.hosts.map((h) => this.hosts.get(h.name)!)};
			this.timesMovedAt = undefined;
		}
		return this.snapshot;
	}

	/** What the profile renders for a director (the drift check compares the installed config with it). */
	rendered(director: string): {text: string; sha256: string} | undefined {
		const text = this.renderedText.get(director);
		const sha256 = this.renderedSha256.get(director);
		return text === undefined || sha256 === undefined ? undefined : {text, sha256};
	}

	host(name: string): HostState | undefined {
		return this.hosts.get(name);
	}

	/**
	 * `listener` hears each new snapshot; with `times: false`, not those of polls that moved only the
	 * hosts' times (most polls of a quiet cluster). When no listener wants those, no snapshot is built
	 * for them until one is asked for: a fleet's thousands of polls a second then build none.
	 */
	subscribe(listener: (s: ClusterState) => void, {times = true}: {times?: boolean} = {}): () => void {
		this.listeners.add(listener);
		if (times) this.timesListeners.add(listener);
		return () => {
			this.listeners.delete(listener);
			this.timesListeners.delete(listener);
		};
	}

	/** Replace one host's state (the updater gets the previous state) and publish a new snapshot. */
	updateHost(name: string, update: (prev: HostState) => HostState): void {
		const prev = this.hosts.get(name);
		if (!prev) return;
		const next = update(prev);
		if (next === prev) return;
		const polled = transitionsFromPoll(name, prev.director?.vrrp, next.director?.vrrp, this.now());
		if (polled.length > 0) this.addTransitions(polled);
		if (prev.reachable !== next.reachable && next.lastPollAt !== undefined) {
			this.pushEvent({at: this.now(), host: name, kind: next.reachable ? 'host-up' : 'host-down', message: next.reachable ? `${name} is reachable` : `${name} is unreachable: ${next.error ?? ''}`});
		}
		this.hosts.set(name, next);
		// A poll that changed nothing but the host's times (most polls of a quiet cluster) keeps the
		// derived parts: at a fleet's thousands of polls a second, deriving findings each time was the
		// store's whole cost.
		if (polled.length === 0 && onlyTimesDiffer(prev, next)) this.publishTimes();
		else this.publish();
	}

	pushEvent(event: ClusterEvent): void {
		this.changes++;
		this.events.push(event);
		if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
	}

	/**
	 * Transitions from any source (the history loaded at start, the log or FIFO channel, polls): merged
	 * into the store's list, each new one also an event. Does not publish (the caller does).
	 */
	private addTransitions(list: readonly VrrpTransition[], asEvents = true): VrrpTransition[] {
		this.changes++;
		const merged = mergeTransitions([this.transitions, list], HISTORY_MAX);
		const fresh = newTransitions(this.transitions, merged);
		this.transitions = merged;
		if (asEvents) for (const t of fresh) this.pushEvent({at: t.at, host: t.director, kind: 'vrrp-state', message: describeTransition(t)});
		return fresh;
	}

	/**
	 * Transitions seen by a channel or loaded from history (`asEvents` false: not into the events list);
	 * returns the ones the store did not know.
	 */
	recordTransitions(list: readonly VrrpTransition[], options: {asEvents?: boolean} = {}): VrrpTransition[] {
		const fresh = this.addTransitions(list, options.asEvents ?? true);
		this.publish();
		return fresh;
	}

	/** keepalived log lines of one director as they arrived (sanitized here: they are remote text). */
	recordLogLines(director: string, lines: readonly KeepalivedLogLine[], receivedAt: number): void {
		if (lines.length === 0) return;
		this.changes++;
		const kept = this.logLines.get(director) ?? [];
		for (const l of lines) kept.push({...l, message: sanitizeLine(l.message), ...(l.stamp !== undefined ? {stamp: sanitizeLine(l.stamp)} : {}), ...(l.instance !== undefined ? {instance: sanitizeLine(l.instance)} : {}), receivedAt});
		if (kept.length > MAX_LOG_LINES) kept.splice(0, kept.length - MAX_LOG_LINES);
		this.logLines.set(director, kept);
		this.publish();
	}

	private derive(): ClusterState {
		this.derived = this.changes;
		const vips = deriveVips(this.profile, this.hosts);
		return {
			profileName: this.profile.name,
			at: this.now(),
			generation: this.generation,
			hosts: this.profile.hosts.map((h) => this.hosts.get(h.name)!),
			vips,
			findings: deriveFindings({profile: this.profile, hosts: this.hosts, vips, renderedSha256: this.renderedSha256}),
			events: [...this.events],
			transitions: this.transitions,
			keepalivedLog: Object.fromEntries([...this.logLines].map(([d, lines]) => [d, [...lines]])),
		};
	}

	publish(): void {
		this.generation++;
		this.timesMovedAt = undefined;
		this.snapshot = this.derive();
		for (const l of this.listeners) l(this.snapshot);
	}

	/** A new snapshot with the hosts' new times (VIPs, findings, events and logs as derived last), for those who want it. */
	private publishTimes(): void {
		if (this.changes !== this.derived) return this.publish();
		this.generation++;
		this.timesMovedAt = this.now();
		if (this.timesListeners.size === 0) return;
		const snapshot = this.getState();
		for (const l of this.timesListeners) l(snapshot);
	}
}

/** Fields of a host's state that say when, not what: findings and VIP placement never read them. */
const TIME_FIELDS: ReadonlySet<string> = new Set(['lastOkAt', 'lastPollAt', 'conn']);

/** True when `a` and `b` hold the same data (by identity) and at most their times and an equal connection state differ. */
export function onlyTimesDiffer(a: HostState, b: HostState): boolean {
	// Key by key without building key lists: this runs on every poll of every host.
	for (const k in a) if (!TIME_FIELDS.has(k) && a[k as keyof HostState] !== b[k as keyof HostState]) return false;
	for (const k in b) if (!TIME_FIELDS.has(k) && !(k in a) && b[k as keyof HostState] !== undefined) return false;
	if ((a.lastPollAt === undefined) !== (b.lastPollAt === undefined)) return false;
	return a.conn === b.conn || (a.conn.state === b.conn.state && a.conn.lastError === b.conn.lastError && a.conn.since === b.conn.since && a.conn.nextAttemptAt === b.conn.nextAttemptAt);
}

// Hooks that connect views to the outside-React stores and the terminal.
import {isDeepStrictEqual} from 'node:util';
import {useEffect, useRef, useState, useSyncExternalStore} from 'react';
import {useStdout} from 'ink';
import type {ClusterStore} from '../../cluster/store.js';
import type {ClusterState, HostState} from '../../cluster/types.js';
import type {ActionLog, LogEntry} from '../action-log.js';

/** What an operator must see at once: who holds each VIP, the alarms, and keepalived's transitions as they are read. */
export function urgentSignature(s: ClusterState): string {
	const last = s.transitions?.at(-1);
	const transitions = `${s.transitions?.length ?? 0}:${last ? `${last.director}/${last.instance}/${last.to}/${last.at}/${last.source}` : ''}`;
	return `${s.vips.map((v) => `${v.vip}=${v.holders.join('+')}`).join(' ')}|${s.findings.map((f) => `${f.kind}:${f.subject}`).join(' ')}|${transitions}`;
}

/** Whether two snapshots differ only in when they were taken and when each host was polled. */
export function onlyPollTimesDiffer(a: ClusterState, b: ClusterState): boolean {
	return sameBut(a, b, (h) => h);
}

/**
 * Whether two snapshots differ only in poll times and the VRRP instances' counters (adverts sent and
 * received, which move with every dump of a healthy cluster; only the VRRP view's details show them).
 */
export function onlyPollTimesAndVrrpCountersDiffer(a: ClusterState, b: ClusterState): boolean {
	return sameBut(a, b, withoutVrrpCounters);
}

function withoutVrrpCounters(h: HostState): HostState {
	const vrrp = h.director?.vrrp;
	if (!vrrp || !vrrp.some((v) => v.stats !== undefined)) return h;
	return {...h, director: {...h.director!, vrrp: vrrp.map(({stats: _counters, ...v}) => v)}};
}

/** Equal but for when the snapshot was taken and each host polled, each host seen through `view`. */
function sameBut(a: ClusterState, b: ClusterState, view: (h: HostState) => HostState): boolean {
	if (a === b) return true;
	if (a.hosts.length !== b.hosts.length) return false;
	for (let i = 0; i < a.hosts.length; i++) {
		if (a.hosts[i] === b.hosts[i]) continue;
		const {lastOkAt: _aOk, lastPollAt: _aPoll, ...x} = view(a.hosts[i]!);
		const {lastOkAt: _bOk, lastPollAt: _bPoll, ...y} = view(b.hosts[i]!);
		if (!isDeepStrictEqual(x, y)) return false;
	}
	const {at: _aAt, generation: _aGen, hosts: _aHosts, ...restA} = a;
	const {at: _bAt, generation: _bGen, hosts: _bHosts, ...restB} = b;
	return isDeepStrictEqual(restA, restB);
}

/**
 * Follow `store` for a screen: `show` gets the snapshot to draw, urgent ones at once, others at most
 * once per `throttleMs`. With `defer`, a snapshot it says nothing on screen depends on (only the poll
 * times moved, say) is not drawn on its own: it is marked pending (see `takePending`) for the screen's next clock tick, which
 * redraws anyway (ages are computed from the clock, so the times show correctly only with it).
 */
function followStore(store: ClusterStore, throttleMs: number, show: (s: ClusterState) => void, defer?: (shown: ClusterState, next: ClusterState) => boolean) {
	let last = 0;
	let shown = store.getState();
	let shownUrgent = urgentSignature(shown);
	let pending = false;
	let timer: NodeJS.Timeout | undefined;
	const take = (): ClusterState => {
		if (timer) clearTimeout(timer);
		timer = undefined;
		pending = false;
		shown = store.getState();
		shownUrgent = urgentSignature(shown);
		return shown;
	};
	const flush = () => {
		last = Date.now();
		show(take());
	};
	const unsubscribe = store.subscribe((next) => {
		if (urgentSignature(next) !== shownUrgent) return flush();
		if (defer && !timer && defer(shown, next)) {
			pending = true;
			return;
		}
		if (timer) return;
		const wait = last + throttleMs - Date.now();
		if (wait <= 0) flush();
		else timer = setTimeout(flush, wait);
	});
	return {
		/** Show the store as it is now, without opening a throttle window (the first frame). */
		showNow: () => show(take()),
		/** The newest snapshot if one is pending (it then counts as shown), else undefined. */
		takePending: (): ClusterState | undefined => (pending ? take() : undefined),
		stop: () => {
			unsubscribe();
			if (timer) clearTimeout(timer);
		},
	};
}

/**
 * The latest cluster snapshot, re-rendering at most once per `throttleMs`: four hosts polled every
 * second publish many snapshots, and a screen needs only a few frames a second. A change of VIP holder
 * or of the findings renders at once; the last update is never dropped.
 */
export function useClusterState(store: ClusterStore, throttleMs = 500): ClusterState {
	const [state, setState] = useState(() => store.getState());
	useEffect(() => {
		const follow = followStore(store, throttleMs, setState);
		follow.showNow();
		return follow.stop;
	}, [store, throttleMs]);
	return state;
}

/**
 * The cluster snapshot and the clock together (as useClusterState and useNow), in one state so that a
 * clock tick and the snapshot it brings draw one frame. A poll that changed nothing but its times (an
 * idle cluster: every poll) draws no frame of its own; the next tick, at most `everyMs` later, shows it
 * with the new time. With `visible` (what of the screen depends on the clock, as text), a tick draws
 * only when that text changed: every frame is a full Ink render (tens of milliseconds of CPU), so an
 * idle console that drew every second cost about 3% of a core for a clock. A fixed clock (tests) ticks
 * never, so then every update draws as useClusterState. `shows.vrrpCounters` false (no view on screen
 * shows VRRP advert counters): a snapshot in which only those moved (every dump) is deferred likewise.
 */
export function useClusterClock(
	store: ClusterStore,
	throttleMs = 500,
	everyMs = 1000,
	fixedNow?: number,
	visible?: (state: ClusterState, now: number) => string,
	shows: {vrrpCounters?: boolean} = {},
): {state: ClusterState; now: number} {
	const [view, setView] = useState(() => ({state: store.getState(), now: fixedNow ?? Date.now()}));
	const visibleRef = useRef(visible);
	visibleRef.current = visible;
	// Read at each update (through the ref): whether the screen shows VRRP counters (the VRRP view) may change any time.
	const countersNow = shows.vrrpCounters ?? true;
	const countersShown = useRef(countersNow);
	countersShown.current = countersNow;
	// A view that starts showing the counters gets the newest snapshot at once, not at their next change.
	useEffect(() => {
		if (countersNow) setView((v) => (v.state === store.getState() ? v : {...v, state: store.getState()}));
	}, [countersNow, store]);
	useEffect(() => {
		const ticking = fixedNow === undefined;
		let shown = {state: store.getState(), now: fixedNow ?? Date.now()};
		let shownText: string | undefined;
		const draw = (next: {state: ClusterState; now: number}) => {
			shown = next;
			shownText = visibleRef.current?.(next.state, next.now);
			setView(next);
		};
		// A snapshot that must show is drawn with the time it is drawn at.
		const defer = (a: ClusterState, b: ClusterState) => (countersShown.current ? onlyPollTimesDiffer(a, b) : onlyPollTimesAndVrrpCountersDiffer(a, b));
		const follow = followStore(store, throttleMs, (state) => draw({state, now: ticking ? Date.now() : shown.now}), ticking ? defer : undefined);
		follow.showNow();
		const clock = ticking
			? setInterval(() => {
					const next = {state: follow.takePending() ?? shown.state, now: Date.now()};
					const text = visibleRef.current?.(next.state, next.now);
					// Nothing on screen would change: keep the newer snapshot for the next frame, draw none.
					if (text !== undefined && text === shownText) {
						shown = {state: next.state, now: shown.now};
						return;
					}
					draw(next);
				}, everyMs)
			: undefined;
		return () => {
			follow.stop();
			if (clock) clearInterval(clock);
		};
	}, [store, throttleMs, everyMs, fixedNow]);
	return fixedNow === undefined ? view : {...view, now: fixedNow};
}

export function useActionLog(log: ActionLog): readonly LogEntry[] {
	return useSyncExternalStore(
		(l) => log.subscribe(l),
		() => log.list(),
	);
}

export interface TerminalSize {
	readonly columns: number;
	readonly rows: number;
}

/** The terminal size, following resizes. `fixed` (tests) overrides it. */
export function useTerminalSize(fixed?: TerminalSize): TerminalSize {
	const {stdout} = useStdout();
	const read = (): TerminalSize => ({columns: stdout.columns || 80, rows: stdout.rows || 24});
	const [size, setSize] = useState(read);
	useEffect(() => {
		if (fixed) return;
		const onResize = () => setSize(read());
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [stdout, fixed]);
	return fixed ?? size;
}

/** The current time, re-read every `everyMs` (the header clock and data ages), changed when its `shownPerMs` step changed. */
export function useNow(everyMs: number, fixed?: number, shownPerMs = everyMs): number {
	const [now, setNow] = useState(() => fixed ?? Date.now());
	useEffect(() => {
		if (fixed !== undefined) return;
		// Only a new value of what is shown (e.g. the minute, with shownPerMs 60000) re-renders: a frame
		// is a full Ink render.
		const timer = setInterval(() => {
			const t = Date.now();
			setNow((prev) => (Math.floor(prev / shownPerMs) === Math.floor(t / shownPerMs) ? prev : t));
		}, everyMs);
		return () => clearInterval(timer);
	}, [everyMs, fixed, shownPerMs]);
	return fixed ?? now;
}

/**
 * The latest snapshot of each of several clusters (the fleet overview, the fleet wall), throttled as
 * `useClusterState` is: a change of a VIP holder or of the findings in any cluster renders at once.
 * `stores` must keep its identity across renders (memoize it).
 */
export function useClusterStates(stores: readonly ClusterStore[], throttleMs = 500): readonly ClusterState[] {
	const [states, setStates] = useState(() => stores.map((s) => s.getState()));
	useEffect(() => {
		// What is on screen, per cluster: an update compares only its own cluster's signature (not every
		// cluster's each time). Polls that moved only a host's times (thousands a second in a fleet) are
		// not heard at all: no cluster's row shows those.
		const shown = stores.map((s) => urgentSignature(s.getState()));
		const examined = stores.map((s) => s.getState());
		let last = 0;
		let timer: NodeJS.Timeout | undefined;
		const flush = () => {
			if (timer) clearTimeout(timer);
			timer = undefined;
			last = Date.now();
			const next = stores.map((s) => s.getState());
			next.forEach((state, i) => (shown[i] = urgentSignature(state)));
			setStates(next);
		};
		const onUpdate = (i: number) => {
			const state = stores[i]!.getState();
			const before = examined[i]!;
			examined[i] = state;
			// Findings, VIPs and transitions kept by identity: only poll times moved since (the store derives
			// anew on any other change), and no cluster's row shows those. Most updates of a fleet are these.
			if (state.findings === before.findings && state.vips === before.vips && state.transitions === before.transitions) return;
			if (urgentSignature(state) !== shown[i]) return flush();
			if (timer) return;
			const wait = last + throttleMs - Date.now();
			if (wait <= 0) flush();
			else timer = setTimeout(flush, wait);
		};
		const unsubscribe = stores.map((s, i) => s.subscribe(() => onUpdate(i), {times: false}));
		setStates(stores.map((s) => s.getState()));
		return () => {
			for (const u of unsubscribe) u();
			if (timer) clearTimeout(timer);
		};
	}, [stores, throttleMs]);
	return states;
}

// Hooks that connect views to the outside-React stores and the terminal.
import {useEffect, useState, useSyncExternalStore} from 'react';
import {useStdout} from 'ink';
import type {ClusterStore} from '../../cluster/store.js';
import type {ClusterState} from '../../cluster/types.js';
import type {ActionLog, LogEntry} from '../action-log.js';

/** What an operator must see at once: who holds each VIP, the alarms, and keepalived's transitions as they are read. */
export function urgentSignature(s: ClusterState): string {
	const last = s.transitions?.at(-1);
	const transitions = `${s.transitions?.length ?? 0}:${last ? `${last.director}/${last.instance}/${last.to}/${last.at}/${last.source}` : ''}`;
	return `${s.vips.map((v) => `${v.vip}=${v.holders.join('+')}`).join(' ')}|${s.findings.map((f) => `${f.kind}:${f.subject}`).join(' ')}|${transitions}`;
}

/**
 * The latest cluster snapshot, re-rendering at most once per `throttleMs`: four hosts polled every
 * second publish many snapshots, and a screen needs only a few frames a second. A change of VIP holder
 * or of the findings renders at once; the last update is never dropped.
 */
export function useClusterState(store: ClusterStore, throttleMs = 500): ClusterState {
	const [state, setState] = useState(() => store.getState());
	useEffect(() => {
		let last = 0;
		let shown = urgentSignature(store.getState());
		let timer: NodeJS.Timeout | undefined;
		const flush = () => {
			if (timer) clearTimeout(timer);
			timer = undefined;
			last = Date.now();
			const next = store.getState();
			shown = urgentSignature(next);
			setState(next);
		};
		const unsubscribe = store.subscribe((next) => {
			if (urgentSignature(next) !== shown) return flush();
			if (timer) return;
			const wait = last + throttleMs - Date.now();
			if (wait <= 0) flush();
			else timer = setTimeout(flush, wait);
		});
		setState(store.getState());
		return () => {
			unsubscribe();
			if (timer) clearTimeout(timer);
		};
	}, [store, throttleMs]);
	return state;
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

/** The current time, re-read every `everyMs` (the header clock and data ages). */
export function useNow(everyMs: number, fixed?: number): number {
	const [now, setNow] = useState(() => fixed ?? Date.now());
	useEffect(() => {
		if (fixed !== undefined) return;
		const timer = setInterval(() => setNow(Date.now()), everyMs);
		return () => clearInterval(timer);
	}, [everyMs, fixed]);
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
		const signature = () => stores.map((s) => urgentSignature(s.getState())).join('\n');
		let last = 0;
		let shown = signature();
		let timer: NodeJS.Timeout | undefined;
		const flush = () => {
			if (timer) clearTimeout(timer);
			timer = undefined;
			last = Date.now();
			shown = signature();
			setStates(stores.map((s) => s.getState()));
		};
		const onUpdate = () => {
			if (signature() !== shown) return flush();
			if (timer) return;
			const wait = last + throttleMs - Date.now();
			if (wait <= 0) flush();
			else timer = setTimeout(flush, wait);
		};
		const unsubscribe = stores.map((s) => s.subscribe(onUpdate));
		setStates(stores.map((s) => s.getState()));
		return () => {
			for (const u of unsubscribe) u();
			if (timer) clearTimeout(timer);
		};
	}, [stores, throttleMs]);
	return states;
}

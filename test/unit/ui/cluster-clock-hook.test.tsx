// useClusterClock: the console's snapshot and clock in one state. A poll that changed nothing but its
// times draws no frame of its own (it waits for the clock's next tick, which draws anyway); anything
// else draws as useClusterState does.
import path from 'node:path';
import React from 'react';
import {Text} from 'ink';
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {ClusterStore} from '../../../src/cluster/store.js';
import type {ClusterState} from '../../../src/cluster/types.js';
import {consoleClockText, lastOkText} from '../../../src/ui/presenters/presenters.js';
import {loadProfile} from '../../../src/profile/load.js';
import {onlyPollTimesAndVrrpCountersDiffer, onlyPollTimesDiffer, useClusterClock} from '../../../src/ui/console/hooks.js';
import type {VrrpInstanceState} from '../../../src/probes/vrrp.js';
import {waitFor} from '../../helpers/wait-for.js';

const profile = loadProfile(path.resolve(import.meta.dirname, '../../../profiles/lab.yaml'), {env: {HOME: '/nonexistent-home'}});
const unmounts: Array<() => void> = [];
afterEach(() => unmounts.splice(0).forEach((u) => u()));

function Polled({store, everyMs, visible, onRender, counters}: {store: ClusterStore; everyMs: number; visible?: (state: ClusterState, now: number) => string; onRender?: () => void; counters?: boolean}) {
	const {state, now} = useClusterClock(store, 0, everyMs, undefined, visible, counters === undefined ? {} : {vrrpCounters: counters});
	onRender?.();
	const dir1 = state.hosts.find((h) => h.name === 'dir1')!;
	return <Text>{`polled=${dir1.lastPollAt ?? '-'} reachable=${dir1.reachable} now=${now}`}</Text>;
}

const field = (frame: string, name: string) => new RegExp(`${name}=(\\S+)`).exec(frame)?.[1];

describe('onlyPollTimesDiffer', () => {
	it('is true when only the poll times and the snapshot time moved, false when data changed', () => {
		const store = new ClusterStore(profile);
		store.updateHost('dir1', (h) => ({...h, reachable: true, lastPollAt: 1000, lastOkAt: 1000}));
		const before = store.getState();
		store.updateHost('dir1', (h) => ({...h, lastPollAt: 2000, lastOkAt: 2000}));
		expect(onlyPollTimesDiffer(before, store.getState())).toBe(true);
		const polled = store.getState();
		store.updateHost('dir1', (h) => ({...h, reachable: false, error: 'timeout', lastPollAt: 3000}));
		expect(onlyPollTimesDiffer(polled, store.getState())).toBe(false);
	});
});

/** dir1 with one VRRP instance whose counters say `sent` adverts, in `state`. */
function withVrrp(store: ClusterStore, sent: number, state: VrrpInstanceState['state'] = 'MASTER', at = 1000): void {
	const vrrp = [{name: 'VI_1', state, stats: {advertSent: sent, advertRcvd: 0}} as unknown as VrrpInstanceState];
	store.updateHost('dir1', (h) => ({...h, reachable: true, lastPollAt: at, lastOkAt: at, director: {ipvs: {services: [], problems: []}, addresses: [], vrrp}}));
}

describe('onlyPollTimesAndVrrpCountersDiffer', () => {
	it('is true when only the advert counters (and times) moved, false when an instance state changed', () => {
		const store = new ClusterStore(profile);
		withVrrp(store, 10);
		const before = store.getState();
		withVrrp(store, 13, 'MASTER', 2000);
		expect(onlyPollTimesDiffer(before, store.getState())).toBe(false);
		expect(onlyPollTimesAndVrrpCountersDiffer(before, store.getState())).toBe(true);
		withVrrp(store, 16, 'BACKUP', 3000);
		expect(onlyPollTimesAndVrrpCountersDiffer(before, store.getState())).toBe(false);
	});
});

describe('useClusterClock', () => {
	it('a screen that shows no VRRP counters draws nothing for a dump that moved only them; one that shows them draws it', async () => {
		for (const counters of [false, true]) {
			const store = new ClusterStore(profile);
			withVrrp(store, 10);
			// Every draw asks for the clock-dependent text first, at once (no throttle here): a count of draws.
			let draws = 0;
			const visible = () => (draws++, 'same');
			// a clock far later than the test waits: only the snapshot itself could draw
			const app = render(<Polled store={store} everyMs={60_000} visible={visible} counters={counters} />);
			unmounts.push(app.unmount);
			await waitFor(async () => draws, (n) => n >= 1, {timeoutMs: 3000, what: 'the first draw'});
			const before = draws;
			withVrrp(store, 13, 'MASTER', 2000);
			expect(draws).toBe(counters ? before + 1 : before);
			if (counters) {
				await waitFor(async () => app.lastFrame() ?? '', (f) => f.includes('polled=2000'), {timeoutMs: 3000, what: 'the counters drawn'});
			} else {
				// a later real change draws at once, with the newest snapshot
				store.updateHost('dir1', (h) => ({...h, reachable: false, error: 'timeout', lastPollAt: 3000}));
				expect(draws).toBe(before + 1);
				await waitFor(async () => app.lastFrame() ?? '', (f) => f.includes('polled=3000 reachable=false'), {timeoutMs: 3000, what: 'the real change'});
			}
		}
	});

	it('draws a poll that changed only its times with the next clock tick, not on its own', async () => {
		const store = new ClusterStore(profile);
		store.updateHost('dir1', (h) => ({...h, reachable: true, lastPollAt: 1000, lastOkAt: 1000}));
		const app = render(<Polled store={store} everyMs={300} />);
		unmounts.push(app.unmount);
		const {value: first} = await waitFor(async () => app.lastFrame() ?? '', (f) => f.includes('polled=1000'), {timeoutMs: 3000, what: 'the first snapshot'});
		store.updateHost('dir1', (h) => ({...h, lastPollAt: 2000, lastOkAt: 2000}));
		const {value: shown} = await waitFor(async () => app.lastFrame() ?? '', (f) => f.includes('polled=2000'), {timeoutMs: 3000, what: 'the new poll time'});
		// Drawn by a tick: the clock moved in the same frame (drawn on its own, the old time would show).
		expect(Number(field(shown, 'now'))).toBeGreaterThan(Number(field(first, 'now')));
	});

	it('draws a poll that changed data at once, without waiting for a tick', async () => {
		const store = new ClusterStore(profile);
		store.updateHost('dir1', (h) => ({...h, reachable: true, lastPollAt: 1000, lastOkAt: 1000}));
		// A tick far later than the test waits: only the snapshot itself can reach the frame.
		const app = render(<Polled store={store} everyMs={60_000} />);
		unmounts.push(app.unmount);
		await waitFor(async () => app.lastFrame() ?? '', (f) => f.includes('reachable=true'), {timeoutMs: 3000, what: 'the first snapshot'});
		store.updateHost('dir1', (h) => ({...h, reachable: false, error: 'timeout', lastPollAt: 2000}));
		await waitFor(async () => app.lastFrame() ?? '', (f) => f.includes('polled=2000 reachable=false'), {timeoutMs: 3000, what: 'the unreachable host'});
	});

	it('with `visible`, a tick draws only when the clock-dependent text changed, then with the newest snapshot', async () => {
		const store = new ClusterStore(profile);
		store.updateHost('dir1', (h) => ({...h, reachable: true, lastPollAt: 1000, lastOkAt: 1000}));
		let text = 'same';
		let ticks = 0;
		let renders = 0;
		const visible = () => (ticks++, text);
		const app = render(<Polled store={store} everyMs={50} visible={visible} onRender={() => renders++} />);
		unmounts.push(app.unmount);
		await waitFor(async () => app.lastFrame() ?? '', (f) => f.includes('polled=1000'), {timeoutMs: 3000, what: 'the first snapshot'});
		await waitFor(async () => ticks, (n) => n >= 2, {timeoutMs: 3000, what: 'the clock running'});
		const before = renders;
		store.updateHost('dir1', (h) => ({...h, lastPollAt: 2000, lastOkAt: 2000}));
		const seen = ticks;
		await waitFor(async () => ticks, (n) => n >= seen + 4, {timeoutMs: 3000, what: 'four clock ticks'});
		expect(renders).toBe(before);
		expect(app.lastFrame()).toContain('polled=1000');
		text = 'changed';
		await waitFor(async () => app.lastFrame() ?? '', (f) => f.includes('polled=2000'), {timeoutMs: 3000, what: 'the frame once the visible text changed'});
	});
});

describe('consoleClockText', () => {
	const at = new Date(2026, 11, 3, 12, 0, 5).getTime();
	const polled = (ms: number) => {
		const store = new ClusterStore(profile);
		for (const h of profile.hosts) store.updateHost(h.name, (x) => ({...x, reachable: true, lastPollAt: ms, lastOkAt: ms}));
		return store.getState();
	};
	it('stays the same while only seconds pass with fresh data, and changes with the minute, the heartbeat or an age', () => {
		// polled half a second before each moment: every age reads "<5s"
		expect(consoleClockText(polled(at + 500), at + 1000)).toBe(consoleClockText(polled(at + 3500), at + 4000));
		expect(consoleClockText(polled(at), at + 500)).not.toBe(consoleClockText(polled(at + 55_000), at + 55_500)); // 12:00 -> 12:01
		expect(consoleClockText(polled(at), at + 500)).not.toBe(consoleClockText(polled(at + 5_000), at + 5_500)); // 10 s heartbeat
		expect(consoleClockText(polled(at), at + 500)).not.toBe(consoleClockText(polled(at), at + 6000)); // "<5s" -> "<15s"
	});

	it('a host that answers shows a coarse age, so data 1-4 s old draws no frame; a stale host its exact age', () => {
		// The lab at a 1 s interval: polls take 1-1.5 s, so data is up to 3-4 s old between polls.
		expect(consoleClockText(polled(at), at + 500)).toBe(consoleClockText(polled(at), at + 4000));
		const host = polled(at).hosts[0]!;
		expect([1000, 4999, 5000, 14_999, 15_000, 61_000].map((ms) => lastOkText(host, at + ms))).toEqual(['<5s', '<5s', '<15s', '<15s', '<1m', '1m']);
		const stale = {...host, reachable: false};
		expect([2000, 3000, 20_000].map((ms) => lastOkText(stale, at + ms))).toEqual(['2s', '3s', '20s']);
		expect(lastOkText({...host, lastOkAt: undefined}, at)).toBe('never');
		const oneStale = (now: number) => {
			const store = new ClusterStore(profile);
			for (const h of profile.hosts) store.updateHost(h.name, (x) => ({...x, reachable: h.name !== 'rs1', lastPollAt: at, lastOkAt: at}));
			return consoleClockText(store.getState(), now);
		};
		expect(oneStale(at + 2000)).not.toBe(oneStale(at + 3000));
	});
});

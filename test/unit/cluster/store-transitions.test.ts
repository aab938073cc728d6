// The store as the place transitions meet: a poll that sees a new state is a `poll` transition and an
// event; the log's record of the same change, arriving after, replaces it without a second event.
import {describe, expect, it} from 'vitest';
import {ClusterStore} from '../../../src/cluster/store.js';
import {healthyHosts, labProfile} from './fixture-state.js';
import {load} from '../ui/ink-helpers.js';

const NOW = 1_000_000;

describe('ClusterStore transitions', () => {
	it('turns a polled state change into a poll transition and one event; the log record then wins quietly', () => {
		const store = new ClusterStore(labProfile, () => NOW);
		load(store, healthyHosts(NOW));
		store.updateHost('dir2', (h) => ({...h, director: {...h.director!, vrrp: h.director!.vrrp!.map((i) => ({...i, state: 'MASTER' as const, lastTransition: 1000.2}))}}));
		const polled = store.getState().transitions!;
		expect(polled.map((t) => [t.director, t.from, t.to, t.source, t.at])).toEqual([['dir2', 'BACKUP', 'MASTER', 'poll', 1_000_200]]);
		const events = () => store.getState().events.filter((e) => e.kind === 'vrrp-state');
		expect(events().map((e) => e.message)).toEqual(['dir2 VI_1 BACKUP -> MASTER (prio 80, poll)']);
		const fresh = store.recordTransitions([{director: 'dir2', instance: 'VI_1', to: 'MASTER', at: 1_000_000, source: 'log', stamp: 'Thu Jan  1 00:16:40 1970'}]);
		expect(fresh).toEqual([]);
		expect(store.getState().transitions!.map((t) => [t.source, t.from, t.stamp])).toEqual([['log', 'BACKUP', 'Thu Jan  1 00:16:40 1970']]);
		expect(events()).toHaveLength(1);
	});

	it('keeps a bounded, sanitized log per director', () => {
		const store = new ClusterStore(labProfile, () => NOW);
		const line = {message: 'x\u001b[2Jy', kind: 'other' as const};
		store.recordLogLines('dir1', Array.from({length: 400}, () => line), NOW);
		const kept = store.getState().keepalivedLog!['dir1']!;
		expect(kept).toHaveLength(300);
		expect(kept[0]).toEqual({message: 'xy', kind: 'other', receivedAt: NOW});
	});
});

// A poll that changed nothing but a host's times (most polls of a quiet cluster) gets a new snapshot
// with the new times and keeps the derived parts; any other change, and any event pushed since,
// derives afresh.
import {describe, expect, it} from 'vitest';
import {ClusterStore, onlyTimesDiffer} from '../../../src/cluster/store.js';
import {healthyHosts, labProfile} from './fixture-state.js';
import {load} from '../ui/ink-helpers.js';

const NOW = 1_000_000;

describe('a poll that changed only times', () => {
	it('publishes the new times with the findings and VIPs as they were, and derives again for a real change', () => {
		let now = NOW;
		const store = new ClusterStore(labProfile, () => now);
		load(store, healthyHosts(NOW));
		const seen: number[] = [];
		store.subscribe((s) => seen.push(s.generation));
		const before = store.getState();
		now += 1000;
		store.updateHost('rs1', (h) => ({...h, lastOkAt: now, lastPollAt: now}));
		const after = store.getState();
		expect(after.generation).toBe(before.generation + 1);
		expect(seen).toEqual([after.generation]);
		expect(after.at).toBe(now);
		expect(after.hosts.find((h) => h.name === 'rs1')!.lastOkAt).toBe(now);
		expect(after.findings).toBe(before.findings);
		expect(after.vips).toBe(before.vips);
		// The service stops: findings are derived again and name it.
		store.updateHost('rs1', (h) => ({...h, realServer: {...h.realServer!, serviceActive: false}}));
		expect(store.getState().findings).not.toBe(before.findings);
		expect(store.getState().findings.map((f) => f.message).join('\n')).toMatch(/rs1/);
	});

	it('a listener that wants no times hears only real changes; the new times are there when asked for', () => {
		let now = NOW;
		const store = new ClusterStore(labProfile, () => now);
		load(store, healthyHosts(NOW));
		const derivedOnly: number[] = [];
		const unsubscribe = store.subscribe((s) => derivedOnly.push(s.generation), {times: false});
		const before = store.getState();
		now += 1000;
		const polledAt = now;
		store.updateHost('rs1', (h) => ({...h, lastOkAt: polledAt, lastPollAt: polledAt}));
		now += 500;
		expect(derivedOnly).toEqual([]);
		const after = store.getState();
		expect(after.generation).toBe(before.generation + 1);
		expect(after.at).toBe(polledAt);
		expect(after.hosts.find((h) => h.name === 'rs1')!.lastOkAt).toBe(polledAt);
		expect(store.getState()).toBe(after);
		expect(after.findings).toBe(before.findings);
		store.updateHost('rs1', (h) => ({...h, realServer: {...h.realServer!, serviceActive: false}}));
		expect(derivedOnly).toEqual([store.getState().generation]);
		unsubscribe();
		store.updateHost('rs1', (h) => ({...h, realServer: {...h.realServer!, serviceActive: true}}));
		expect(derivedOnly).toHaveLength(1);
	});

	it('an event pushed before a times-only update is in the snapshot', () => {
		const store = new ClusterStore(labProfile, () => NOW);
		load(store, healthyHosts(NOW));
		store.pushEvent({at: NOW, host: 'rs1', kind: 'host-up', message: 'rs1 is reachable'});
		store.updateHost('rs1', (h) => ({...h, lastOkAt: NOW + 1}));
		expect(store.getState().events.at(-1)?.message).toBe('rs1 is reachable');
	});

	it('tells times from data: an equal connection counts as a time, a new state, error or first poll does not', () => {
		const host = healthyHosts(NOW).get('rs1')!;
		expect(onlyTimesDiffer(host, {...host, lastOkAt: NOW + 5, lastPollAt: NOW + 5, conn: {...host.conn}})).toBe(true);
		expect(onlyTimesDiffer(host, {...host, conn: {...host.conn, state: 'retrying'}})).toBe(false);
		expect(onlyTimesDiffer(host, {...host, error: 'x'})).toBe(false);
		expect(onlyTimesDiffer(host, {...host, realServer: {...host.realServer!}})).toBe(false);
		const {lastPollAt: _dropped, ...neverPolled} = host;
		expect(onlyTimesDiffer(neverPolled, host)).toBe(false);
	});
});

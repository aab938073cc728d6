// The fleet overview's rows from real cluster snapshots (stores fed with captured lab output): a
// healthy cluster, one in split brain, one whose hosts stopped answering, one not polled yet.
import {describe, expect, it} from 'vitest';
import {ClusterStore} from '../../../src/cluster/store.js';
import type {ClusterState, HostState} from '../../../src/cluster/types.js';
import {fleetHeadline, fleetSummary, fleetTable} from '../../../src/ui/presenters/fleet.js';
import {healthyHosts, labProfile, withHost} from '../cluster/fixture-state.js';
import {load} from './ink-helpers.js';

const NOW = 1_000_000;

function stateOf(hosts?: Map<string, HostState>, name = 'lab'): ClusterState {
	const store = new ClusterStore({...labProfile, name}, () => NOW);
	if (hosts) load(store, hosts);
	return store.getState();
}

const splitBrain = () =>
	withHost(healthyHosts(NOW), 'dir2', (h) => ({...h, director: {...h.director!, addresses: [...h.director!.addresses, {ifname: 'eth0', family: 'inet', address: '192.168.67.100', prefix: 24}]}}));

/** Every host stopped answering 30 s ago: its last data kept, as the poller leaves it. */
function unreachable(): Map<string, HostState> {
	const out = new Map<string, HostState>();
	for (const [name, h] of healthyHosts(NOW - 30_000)) out.set(name, {...h, reachable: false, lastPollAt: NOW, error: `${name}: connect ETIMEDOUT`, conn: {host: name, state: 'retrying', since: 0}});
	return out;
}

describe('fleet overview presenter', () => {
	it('a healthy cluster: ok, its VIP with the holder, every host ready', () => {
		const s = fleetSummary({name: 'lab-a', state: stateOf(healthyHosts(NOW))});
		expect(s).toEqual({name: 'lab-a', level: 'ok', worst: 'healthy: no findings', vips: ['192.168.67.100 dir1'], hostsReady: 5, hostsTotal: 5, tone: 'ok'});
	});

	it('split brain: ALARM with the split-brain message first, both holders', () => {
		const s = fleetSummary({name: 'lab-b', state: stateOf(splitBrain())});
		expect(s.level).toBe('critical');
		expect(s.tone).toBe('bad');
		expect(s.vips).toEqual(['192.168.67.100 dir1+dir2']);
		expect(s.worst).toMatch(/^split brain: 192\.168\.67\.100 \(VI_1\) is on dir1 and dir2/);
	});

	it('hosts that stopped answering: 0 ready, ALARM about an unreachable host, no holder known', () => {
		const s = fleetSummary({name: 'far', state: stateOf(unreachable())});
		expect(s.hostsReady).toBe(0);
		expect(s.hostsTotal).toBe(5);
		expect(s.level).toBe('critical');
		expect(s.worst).toBe('dir1 is unreachable: dir1: connect ETIMEDOUT (+4 more)');
		// The store places a VIP only from directors that answered: a stale holder is not shown as current.
		expect(s.vips).toEqual(['192.168.67.100 NONE']);
	});

	it('a cluster not polled yet is waiting, not healthy', () => {
		const s = fleetSummary({name: 'new', state: stateOf()});
		expect(s.level).toBe('waiting');
		expect(s.tone).toBe('dim');
		expect(s.hostsReady).toBe(0);
		expect(s.worst).toBe('waiting for the first data…');
	});

	it('warnings rank under alarms: a VIP off its preferred director with an alarm elsewhere shows the alarm', () => {
		// dir2 holds the VIP while dir1 is still the election's winner: a critical or warning finding, never ok.
		const hosts = withHost(
			withHost(healthyHosts(NOW), 'dir1', (h) => ({...h, director: {...h.director!, addresses: h.director!.addresses.filter((a) => a.address !== '192.168.67.100')}})),
			'dir2',
			(h) => ({...h, director: {...h.director!, addresses: [...h.director!.addresses, {ifname: 'eth0', family: 'inet', address: '192.168.67.100', prefix: 24}]}}),
		);
		const state = stateOf(hosts);
		const s = fleetSummary({name: 'moved', state});
		expect(s.vips).toEqual(['192.168.67.100 dir2']);
		const worst = state.findings.find((f) => f.severity === 'critical') ?? state.findings.find((f) => f.severity === 'warning');
		expect(worst).toBeDefined();
		expect(s.level).toBe(worst!.severity);
		expect(s.worst.startsWith(worst!.message)).toBe(true);
	});

	it('the table: one row per cluster in the given order, cells sanitized', () => {
		const model = fleetTable([
			{name: 'lab-a', state: stateOf(healthyHosts(NOW))},
			{name: 'bad\u001b[31mname', state: stateOf(unreachable())},
		]);
		expect(model.columns.map((c) => c.title)).toEqual(['CLUSTER', 'STATE', 'HOSTS', 'VIPS (HOLDER)', 'WORST FINDING']);
		expect(model.rows.map((r) => r.cells.slice(0, 4))).toEqual([
			['lab-a', 'ok', '5/5', '192.168.67.100 dir1'],
			[expect.not.stringContaining('\u001b'), 'ALARM', '0/5', '192.168.67.100 NONE'],
		]);
		expect(model.rows.map((r) => r.tone)).toEqual(['ok', 'bad']);
		expect(new Set(model.rows.map((r) => r.key)).size).toBe(2);
	});

	it('the headline counts clusters by state', () => {
		expect(fleetHeadline([{name: 'a', state: stateOf(healthyHosts(NOW))}, {name: 'b', state: stateOf(healthyHosts(NOW))}])).toEqual({text: '2 clusters · all healthy', tone: 'ok'});
		expect(fleetHeadline([{name: 'a', state: stateOf(healthyHosts(NOW))}, {name: 'b', state: stateOf(splitBrain())}, {name: 'c', state: stateOf()}])).toEqual({text: '3 clusters · 1 in ALARM · 1 waiting for data', tone: 'bad'});
	});
});

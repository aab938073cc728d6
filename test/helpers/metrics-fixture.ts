// Cluster snapshots from the lab fixtures, as the exporter would serve them: for the metrics, the
// alert rules' and the dashboard's tests.
import {deriveFindings, deriveVips} from '../../src/cluster/findings.js';
import {addClusterMetrics, type DrillResult} from '../../src/cluster/metrics.js';
import type {ClusterState, HostState} from '../../src/cluster/types.js';
import {MetricSet, formatExposition, type ExpositionFormat} from '../../src/text/exposition.js';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {mergeIpvs, parseIpvsRate} from '../../src/probes/ipvs.js';
import {healthyHosts as fixtureHosts, labProfile, renderedHashes, withHost} from '../unit/cluster/fixture-state.js';

export {labProfile, withHost};

const rateFixture = readFileSync(path.resolve(import.meta.dirname, '..', 'fixtures', 'lab', 'ipvsadm-rate-dir1.txt'), 'utf8');

/** The lab at rest (fixture-state.ts), dir1's table with its `--rate` figures too, the real servers' port 80 answering. */
export function healthyHosts(now: number): Map<string, HostState> {
	let hosts = fixtureHosts(now);
	for (const rs of ['rs1', 'rs2']) hosts = withHost(hosts, rs, (h) => ({...h, realServer: {...h.realServer!, ports: [{protocol: 'TCP', port: 80, answering: true}]}}));
	return withHost(hosts, 'dir1', (h) => ({...h, director: {...h.director!, ipvs: mergeIpvs(h.director!.ipvs, undefined, parseIpvsRate(rateFixture))}}));
}

export const NOW = 1_000_000;

export function stateOf(hosts: Map<string, HostState>, profile = labProfile): ClusterState {
	const vips = deriveVips(profile, hosts);
	return {profileName: profile.name, at: NOW, generation: 1, hosts: profile.hosts.map((h) => hosts.get(h.name)!), vips, findings: deriveFindings({profile, hosts, vips, renderedSha256: renderedHashes()}), events: []};
}

/** The lab with both directors carrying the VIP (what a VRRP cut makes). */
export function splitBrainHosts(): Map<string, HostState> {
	const hosts = healthyHosts(NOW);
	const dir1 = hosts.get('dir1')!.director!;
	const vip = dir1.addresses.find((a) => a.address === '192.168.67.100')!;
	return withHost(hosts, 'dir2', (h) => ({...h, director: {...h.director!, addresses: [...h.director!.addresses, vip]}}));
}

export const DRILLS: readonly DrillResult[] = [
	{drill: 'failover', method: '', verdict: 'pass', failoverMs: 420, expectedBoundMs: 1000, endedAt: NOW - 60_000},
	{drill: 'hard-failover', method: 'cut', verdict: 'fail', failoverMs: null, expectedBoundMs: 3200, endedAt: NOW - 30_000},
];

export function exposition(hosts: Map<string, HostState>, format: ExpositionFormat = 'prometheus', drills: readonly DrillResult[] = DRILLS): string {
	const set = new MetricSet();
	addClusterMetrics(set, {profile: labProfile, state: stateOf(hosts), pollDurationsMs: new Map([['dir1', 35], ['rs1', 12]]), drills, now: NOW + 2500});
	return formatExposition(set.toFamilies(), format);
}

// The exporter's metrics from lab fixture snapshots: VRRP as one 0/1 series per state, the VIP holder,
// node_exporter's IPVS names and labels, real-server presence, findings and drills; promtool's lint
// accepts the scrape; a split-brain scrape fed to the alert rules fires LvsdeckSplitBrain.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {DRILLS, exposition, healthyHosts, labProfile, NOW, splitBrainHosts, stateOf, withHost} from '../../helpers/metrics-fixture.js';
import {addClusterMetrics} from '../../../src/cluster/metrics.js';
import {formatExposition, MetricSet} from '../../../src/text/exposition.js';
import {findPromtool, promtool, ruleTestOfScrape} from '../../helpers/promtool.js';

const bin = findPromtool();
const tmp = mkdtempSync(path.join(tmpdir(), 'lvsdeck-metrics-'));
afterAll(() => rmSync(tmp, {recursive: true, force: true}));

/** Sample lines of one metric, `labels value` (labels as written). */
function samples(text: string, name: string): string[] {
	return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)).map((l) => l.slice(name.length));
}

describe('cluster metrics on the healthy lab fixture', () => {
	const text = exposition(healthyHosts(NOW));

	it('VRRP: one 0/1 series per state, MASTER on dir1 and BACKUP on dir2', () => {
		const ones = samples(text, 'lvsdeck_vrrp_state').filter((l) => l.endsWith(' 1'));
		expect(ones).toEqual(['{cluster="lab",instance="VI_1",director="dir1",state="MASTER"} 1', '{cluster="lab",instance="VI_1",director="dir2",state="BACKUP"} 1']);
		expect(samples(text, 'lvsdeck_vrrp_state')).toHaveLength(14);
		expect(samples(text, 'lvsdeck_vrrp_effective_priority')).toEqual(['{cluster="lab",instance="VI_1",director="dir1"} 100', '{cluster="lab",instance="VI_1",director="dir2"} 80']);
	});

	it('the VIP is held by dir1 only', () => {
		expect(samples(text, 'lvsdeck_vip_holders')).toEqual(['{cluster="lab",instance="VI_1",vip="192.168.67.100"} 1']);
		expect(samples(text, 'lvsdeck_vip_holder')).toEqual(['{cluster="lab",instance="VI_1",vip="192.168.67.100",director="dir1"} 1', '{cluster="lab",instance="VI_1",vip="192.168.67.100",director="dir2"} 0']);
	});

	it("IPVS backends under node_exporter's names and labels, plus cluster and director", () => {
		expect(samples(text, 'node_ipvs_backend_weight')[0]).toBe(
			'{cluster="lab",director="dir1",local_address="192.168.67.100",local_port="80",proto="TCP",local_mark="",remote_address="192.168.67.10",remote_port="80"} 1',
		);
		expect(samples(text, 'node_ipvs_backend_connections_active')).toHaveLength(4);
		expect(samples(text, 'node_ipvs_backend_connections_inactive')).toHaveLength(4);
		expect(samples(text, 'lvsdeck_ipvs_backend_connections_total')).toHaveLength(4);
		expect(samples(text, 'node_ipvs_connections_total')).toEqual(['{cluster="lab",director="dir1"} 30', '{cluster="lab",director="dir2"} 0']);
	});

	it('hosts up with the age of their last good data; poll durations in seconds; drills', () => {
		expect(samples(text, 'lvsdeck_host_up').every((l) => l.endsWith(' 1'))).toBe(true);
		expect(samples(text, 'lvsdeck_host_last_ok_age_seconds')[0]).toBe('{cluster="lab",host="dir1",role="director"} 2.5');
		expect(samples(text, 'lvsdeck_poll_duration_seconds')).toEqual(['{cluster="lab",host="dir1",role="director"} 0.035', '{cluster="lab",host="rs1",role="realserver"} 0.012']);
		expect(samples(text, 'lvsdeck_drill_last_passed')).toEqual(['{cluster="lab",drill="failover",method=""} 1', '{cluster="lab",drill="hard-failover",method="cut"} 0']);
		// A drill whose takeover never happened has no failover series, but keeps its bound.
		expect(samples(text, 'lvsdeck_drill_last_failover_seconds')).toEqual(['{cluster="lab",drill="failover",method=""} 0.42']);
		expect(samples(text, 'lvsdeck_drill_last_bound_seconds')).toHaveLength(DRILLS.length);
		expect(samples(text, 'lvsdeck_findings')).toEqual([]);
	});

	it.skipIf(!bin)('promtool check metrics reports nothing', () => {
		const r = promtool(bin!, ['check', 'metrics'], text);
		expect(r.stdout + r.stderr).toBe('');
		expect(r.code).toBe(0);
	});

	it.skipIf(!bin)('promtool check metrics would report a metric without help (the check can fail)', () => {
		const r = promtool(bin!, ['check', 'metrics'], `${text}# TYPE bad_metric gauge\nbad_metric 1\n`);
		expect(r.stdout + r.stderr).toContain('bad_metric no help text');
	});
});

describe('several clusters in one scrape', () => {
	const set = new MetricSet();
	addClusterMetrics(set, {profile: labProfile, state: stateOf(healthyHosts(NOW)), pollDurationsMs: new Map(), drills: [], now: NOW});
	const other = {...labProfile, name: 'other'};
	addClusterMetrics(set, {profile: other, state: {...stateOf(splitBrainHosts()), profileName: 'other'}, pollDurationsMs: new Map(), drills: [], now: NOW});
	const text = formatExposition(set.toFamilies(), 'prometheus');

	it('each family once, with the samples of both clusters', () => {
		const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
		expect(new Set(types).size).toBe(types.length);
		expect(samples(text, 'lvsdeck_vip_holders')).toEqual(['{cluster="lab",instance="VI_1",vip="192.168.67.100"} 1', '{cluster="other",instance="VI_1",vip="192.168.67.100"} 2']);
	});

	it.skipIf(!bin)('promtool check metrics reports nothing', () => {
		const r = promtool(bin!, ['check', 'metrics'], text);
		expect(r.stdout + r.stderr).toBe('');
	});
});

describe('cluster metrics on broken states', () => {
	it('split brain: two holders, findings counted by kind and severity', () => {
		const text = exposition(splitBrainHosts());
		expect(samples(text, 'lvsdeck_vip_holders')).toEqual(['{cluster="lab",instance="VI_1",vip="192.168.67.100"} 2']);
		expect(samples(text, 'lvsdeck_findings')).toContain('{cluster="lab",kind="split-brain",severity="critical"} 1');
		expect(samples(text, 'lvsdeck_findings_by_severity')[0]).toBe('{cluster="lab",severity="critical"} 1');
	});

	it('a real server gone from dir1 table is present=0 there; an unreachable host is up=0 and keeps its age', () => {
		let hosts = withHost(healthyHosts(NOW), 'dir1', (h) => {
			const ipvs = h.director!.ipvs;
			return {...h, director: {...h.director!, ipvs: {...ipvs, services: ipvs.services.map((s) => ({...s, realServers: s.realServers.filter((r) => r.address !== '192.168.67.10')}))}}};
		});
		hosts = withHost(hosts, 'rs2', (h) => ({...h, reachable: false, lastOkAt: NOW - 10_000}));
		const text = exposition(hosts);
		expect(samples(text, 'lvsdeck_ipvs_realserver_present').filter((l) => l.endsWith(' 0'))).toEqual([
			'{cluster="lab",director="dir1",host="rs1",local_address="192.168.67.100",local_port="80",proto="TCP",remote_address="192.168.67.10",remote_port="80"} 0',
		]);
		expect(samples(text, 'lvsdeck_host_up')).toContain('{cluster="lab",host="rs2",role="realserver"} 0');
		expect(samples(text, 'lvsdeck_host_last_ok_age_seconds')).toContain('{cluster="lab",host="rs2",role="realserver"} 12.5');
	});

	it.skipIf(!bin)('the split-brain scrape fires LvsdeckSplitBrain in a promtool rule test; the healthy one does not', () => {
		const test = (scrape: string, fires: boolean) => {
			const file = path.join(tmp, `split-${fires}.yaml`);
			const expected = {labels: {severity: 'critical', cluster: 'lab', instance: 'VI_1', vip: '192.168.67.100'}, summary: 'Split brain: 192.168.67.100 (VI_1) is on 2 directors in lab'};
			writeFileSync(file, ruleTestOfScrape(scrape, 'LvsdeckSplitBrain', fires ? expected : undefined));
			return promtool(bin!, ['test', 'rules', file]);
		};
		const split = test(exposition(splitBrainHosts()), true);
		expect(split.stdout + split.stderr).toContain('SUCCESS');
		expect(split.code).toBe(0);
		expect(test(exposition(healthyHosts(NOW)), false).code).toBe(0);
		// The same expectation on the healthy scrape fails: the test can fail.
		expect(test(exposition(healthyHosts(NOW)), true).code).not.toBe(0);
	});
});

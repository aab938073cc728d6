// The monitoring plugin's pure side: threshold ranges as the guidelines define them, the status of a
// cluster from its findings and thresholds, and the one status line with performance data.
import {describe, expect, it} from 'vitest';
import {alerts, parseRange} from '../../../src/cluster/check-range.js';
import {checkCluster, EXIT_CODES, formatPluginOutput, unknownOutput, worst, type Thresholds} from '../../../src/cluster/plugin-check.js';
import {healthyHosts, labProfile, NOW, splitBrainHosts, stateOf, withHost} from '../../helpers/metrics-fixture.js';
import type {HostState} from '../../../src/cluster/types.js';

const none: Thresholds = {warning: {}, critical: {}};
const durations = new Map([['dir1', 40], ['rs1', 12]]);
const checkOf = (hosts: Map<string, HostState>, thresholds = none) => checkCluster({profile: labProfile, state: stateOf(hosts), pollDurationsMs: durations}, thresholds);

describe('threshold ranges', () => {
	it.each([
		['10', [[-1, true], [0, false], [10, false], [11, true]]],
		['10:', [[9, true], [10, false], [1e9, false]]],
		['~:10', [[-1e9, false], [10, false], [11, true]]],
		['10:20', [[9, true], [10, false], [20, false], [21, true]]],
		['@10:20', [[9, false], [10, true], [20, true], [21, false]]],
		['0.5:1.5', [[0.4, true], [1, false]]],
	] as const)('%s', (text, cases) => {
		const range = parseRange(text);
		for (const [value, alert] of cases) expect(alerts(range, value), `${value}`).toBe(alert);
	});

	it.each([
		['', /empty range/],
		['@', /empty range/],
		['abc', /end "abc" is not a number/],
		[':10', /write "~:"/],
		['20:10', /start 20 is above end 10/],
		['1:x', /end "x" is not a number/],
	])('refuses %j', (text, message) => {
		expect(() => parseRange(text)).toThrow(message);
	});
});

describe('checkCluster and the status line', () => {
	it('OK on the healthy lab fixture, with performance data', () => {
		const c = checkOf(healthyHosts(NOW));
		expect(c.status).toBe('OK');
		const out = formatPluginOutput([c], none);
		expect(out).toEqual({status: 'OK', text: 'LVSDECK OK - 1/1 VIPs held, 2/2 real servers up, 5/5 hosts up | vips=1;;;0;1 rs_up=2;;;0;2 hosts_up=5;;;0;5 critical=0;;;0 warning=0;;;0 poll=40ms;;;0'});
	});

	it('CRITICAL on split brain, said by instance and holders; the other findings on the next lines', () => {
		const c = checkOf(splitBrainHosts());
		const out = formatPluginOutput([c], none);
		expect(out.status).toBe('CRITICAL');
		const [line, ...rest] = out.text.split('\n');
		expect(line).toMatch(/^LVSDECK CRITICAL - split brain on VI_1 \(dir1, dir2\)( \(\+\d+ more\))? \| vips=0;;;0;1 rs_up=0;;;0;2 /);
		expect(rest[0]).toBe('[CRITICAL] split brain on VI_1 (dir1, dir2)');
		expect(EXIT_CODES[out.status]).toBe(2);
	});

	it('thresholds: WARNING and CRITICAL by figure, shown in the perf data; a finding outranks a warning', () => {
		const thresholds: Thresholds = {warning: {rs_up: parseRange('3:')}, critical: {poll: parseRange('~:30')}};
		const out = formatPluginOutput([checkOf(healthyHosts(NOW), thresholds)], thresholds);
		expect(out.status).toBe('CRITICAL');
		expect(out.text.split('\n')).toEqual([
			'LVSDECK CRITICAL - poll 40ms outside ~:30 (+1 more) | vips=1;;;0;1 rs_up=2;3:;;0;2 hosts_up=5;;;0;5 critical=0;;;0 warning=0;;;0 poll=40ms;;~:30;0',
			'[CRITICAL] poll 40ms outside ~:30',
			'[WARNING] rs_up 2 outside 3:',
		]);
		const warnOnly: Thresholds = {warning: {rs_up: parseRange('3:')}, critical: {}};
		expect(formatPluginOutput([checkOf(healthyHosts(NOW), warnOnly)], warnOnly).status).toBe('WARNING');
	});

	it('UNKNOWN when no director answered, with why', () => {
		let hosts = healthyHosts(NOW);
		for (const d of ['dir1', 'dir2']) hosts = withHost(hosts, d, (h) => ({...h, reachable: false, error: `${d}: connect timed out`}));
		const out = formatPluginOutput([checkOf(hosts)], none);
		expect(out.status).toBe('UNKNOWN');
		expect(out.text).toMatch(/^LVSDECK UNKNOWN - no director answered \(dir1: dir1: connect timed out; dir2: dir2: connect timed out\) \| vips=0;;;0;1 /);
	});

	it('several clusters: the worst status, its clusters named, perf labels prefixed', () => {
		const ok = checkOf(healthyHosts(NOW));
		const bad = {...checkOf(splitBrainHosts()), cluster: 'other'};
		const out = formatPluginOutput([ok, bad], none);
		expect(out.status).toBe('CRITICAL');
		expect(out.text).toMatch(/^LVSDECK CRITICAL - other: split brain on VI_1/);
		expect(out.text).toContain(' lab.vips=1;;;0;1 ');
		expect(out.text).toContain(' other.vips=0;;;0;1 ');
		expect(out.text).toMatch(/^other: \[CRITICAL\] split brain/m);
	});

	it('never lets a | into the text part, and ranks UNKNOWN between WARNING and CRITICAL', () => {
		expect(unknownOutput('a|b\nc\u2028d')).toBe('LVSDECK UNKNOWN - a/b c d');
		expect(worst(['OK', 'WARNING', 'UNKNOWN'])).toBe('UNKNOWN');
		expect(worst(['UNKNOWN', 'CRITICAL'])).toBe('CRITICAL');
		expect(worst([])).toBe('OK');
	});
});

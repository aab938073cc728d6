// Every drill report is built by one helper around the figures every drill has: the JSON key order of
// both kinds stays the one README documents (real-server reports add `service` and `removalMs` next to
// their deprecated twins `instance` and `failoverMs`).
import {describe, expect, it} from 'vitest';
import {drillReport, type DrillReportCommon, type FailoverDrillReport, type RealServerDrillReport} from '../../../src/actions/drills/drill-report.js';

const COMMON: DrillReportCommon = {
	profile: 'lab',
	verdict: 'pass',
	reasons: [],
	requests: {total: 10, failed: 0, timeouts: 0, perBackend: {rs1: 5, rs2: 5}},
	longestGapMs: 0,
	latencyP50Ms: 1,
	latencyP99Ms: 3,
	restored: true,
	startedAt: '2026-12-02T00:00:00.000Z',
	endedAt: '2026-12-02T00:00:10.000Z',
	durationMs: 10_000,
	timeline: [],
};

const HEAD = ['drill', 'profile', 'instance'];
const TAIL = ['longestGapMs', 'latencyP50Ms', 'latencyP99Ms', 'restored', 'startedAt', 'endedAt', 'durationMs', 'timeline'];
const VIP_FIELDS = ['vipLeftMs', 'expectedBoundMs', 'splitBrainMs', 'returnMs', 'preempt'];

describe('drill reports', () => {
	it('a failover report: its fields between the common ones, in the documented order', () => {
		const measured = {failoverMs: 600, vipLeftMs: 590, expectedBoundMs: 688, splitBrainMs: 0, returnMs: 1200, preempt: 'preempt', method: 'cut', keepalivedTransitionAt: null, measuredMinusKeepalivedMs: null};
		const r: FailoverDrillReport = drillReport('hard-failover', COMMON, {instance: 'VI_1', vip: '192.168.67.100', target: 'dir1', takeover: 'dir2'}, measured, {});
		expect(Object.keys(r)).toEqual([...HEAD, 'vip', 'target', 'takeover', 'verdict', 'reasons', 'failoverMs', ...VIP_FIELDS, 'method', 'keepalivedTransitionAt', 'measuredMinusKeepalivedMs', 'requests', ...TAIL]);
		expect(r).toMatchObject({...COMMON, drill: 'hard-failover', takeover: 'dir2', failoverMs: 600});
	});

	it('a real-server report: service and removalMs beside the deprecated instance and failoverMs, its counts after the requests', () => {
		const measured = {failoverMs: 3100, removalMs: 3100, vipLeftMs: null, expectedBoundMs: 4000, splitBrainMs: 0 as const, returnMs: 900, preempt: '-' as const, keepalivedTransitionAt: null, measuredMinusKeepalivedMs: null};
		const target = {instance: 'TCP 192.168.67.100:80', service: 'TCP 192.168.67.100:80', vip: '192.168.67.100', target: 'rs1', takeover: 'dir1'};
		const r: RealServerDrillReport = drillReport('rs-health', COMMON, target, measured, {failedAfterRemoval: 0, toTargetAfterRemoval: 0});
		expect(Object.keys(r)).toEqual([
			...HEAD,
			'service',
			'vip',
			'target',
			'takeover',
			'verdict',
			'reasons',
			'failoverMs',
			'removalMs',
			...VIP_FIELDS,
			'keepalivedTransitionAt',
			'measuredMinusKeepalivedMs',
			'requests',
			'failedAfterRemoval',
			'toTargetAfterRemoval',
			...TAIL,
		]);
		expect(r).toMatchObject({...COMMON, service: r.instance, removalMs: r.failoverMs});
	});
});

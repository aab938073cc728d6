// Drill plans: validated like a profile (file:line:col, nothing run), checked against the profile, and
// run in order with on_failure, refusals and interrupts deciding what runs next and the exit code.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {checkPlanAgainstProfile, loadDrillPlan, parseDrillPlan} from '../../../src/actions/drills/plan-file.js';
import {planExitCode, runDrillPlan} from '../../../src/actions/drills/plan-run.js';
import {DrillRefused, expectationReasons} from '../../../src/actions/drills/common.js';
import {summarize} from '../../../src/actions/watcher.js';
import type {DrillReport} from '../../../src/actions/drills/failover.js';
import type {DrillSpec} from '../../../src/actions/drills/run.js';
import type {Transport} from '../../../src/transport/types.js';
import {labProfile} from '../cluster/fixture-state.js';

const THREE = `profile: profiles/lab.yaml
on_failure: continue
drills:
  - {kind: failover, instance: VI_1, max_failover_ms: 5000, max_failed_requests: 20}
  - {kind: rs-health, rs: rs1}
  - {kind: hard-failover, method: cut}
`;

const errorOf = (text: string): string => {
	try {
		parseDrillPlan(text, 'plan.yaml');
	} catch (error) {
		return (error as Error).message;
	}
	throw new Error('the plan was accepted');
};


const PLAN_NAMES = {maxFailoverMs: 'max_failover_ms', maxFailedRequests: 'max_failed_requests'};
describe('drill plan file', () => {
	it('reads the three-drill plan: specs, thresholds, on_failure, the profile next to the plan', () => {
		const plan = parseDrillPlan(THREE, '/srv/plans/ci.yaml');
		expect(plan.profile).toBe('/srv/plans/profiles/lab.yaml');
		expect(plan.onFailure).toBe('continue');
		expect(plan.drills).toEqual([
			{kind: 'failover', instance: 'VI_1', thresholds: {maxFailoverMs: 5000, maxFailedRequests: 20, names: PLAN_NAMES}},
			{kind: 'rs-health', rs: 'rs1'},
			{kind: 'hard-failover', method: 'cut'},
		]);
	});

	it('stops on a failure by default and takes max_removal_ms for real-server drills', () => {
		const plan = parseDrillPlan('drills:\n  - {kind: drain, rs: rs2, max_removal_ms: 3000}\n', 'p.yaml');
		expect(plan.onFailure).toBe('stop');
		expect(plan.profile).toBeUndefined();
		expect(plan.drills).toEqual([{kind: 'drain', rs: 'rs2', thresholds: {maxFailoverMs: 3000, names: {maxFailoverMs: 'max_removal_ms', maxFailedRequests: 'max_failed_requests'}}}]);
	});

	it('refuses bad plans in one line with file, line, column and field', () => {
		expect(errorOf('drills:\n  - kind: failover\n    instanse: VI_1\n')).toBe('plan.yaml:3:5: drills[0].instanse: unknown key');
		expect(errorOf('drills:\n  - {kind: failover}\n  - {kind: explode}\n')).toMatch(/^plan\.yaml:3:\d+: drills\[1\]\.kind: /);
		expect(errorOf('drills:\n  - {kind: hard-failover, method: melt}\n')).toMatch(/^plan\.yaml:2:\d+: drills\[0\]\.method: /);
		expect(errorOf('drills:\n  - {kind: rs-health, max_failover_ms: 5}\n')).toMatch(/^plan\.yaml:2:\d+: drills\[0\]\.max_failover_ms: unknown key/);
		expect(errorOf('on_failure: maybe\ndrills:\n  - {kind: failover}\n')).toMatch(/^plan\.yaml:1:13: on_failure: /);
		expect(errorOf('drills: []\n')).toMatch(/^plan\.yaml:1:9: drills: /);
		expect(errorOf('drills:\n  - {kind: failover}\ndrills:\n  - {kind: drain}\n')).toMatch(/^plan\.yaml:3:1: \(yaml\): /);
		expect(errorOf('- {kind: failover}\n')).toMatch(/^plan\.yaml:1:1: \(top level\): /);
	});

	it('refuses a missing file and checks names against the profile, located', () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'lvsdeck-plan-'));
		try {
			expect(() => loadDrillPlan(path.join(dir, 'none.yaml'))).toThrow(/none\.yaml:1:1: \(file\): no such file/);
			const file = path.join(dir, 'p.yaml');
			writeFileSync(file, 'drills:\n  - {kind: failover}\n  - {kind: failover, instance: VI_9}\n');
			expect(() => checkPlanAgainstProfile(loadDrillPlan(file), labProfile)).toThrow(/p\.yaml:3:\d+: drills\[1\]\.instance: no VRRP instance VI_9 in profile lab/);
			writeFileSync(file, 'drills:\n  - {kind: rs-health, rs: dir1}\n');
			expect(() => checkPlanAgainstProfile(loadDrillPlan(file), labProfile)).toThrow(/p\.yaml:2:\d+: drills\[0\]\.rs: dir1 is not a real server/);
			writeFileSync(file, THREE);
			expect(() => checkPlanAgainstProfile(loadDrillPlan(file), labProfile)).not.toThrow();
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});
});

/** A whole report, as the plan passes it on (only the kind and the verdict matter here). */
const report = (spec: DrillSpec, verdict: 'pass' | 'fail'): DrillReport =>
	({
		drill: spec.kind,
		profile: 'lab',
		instance: 'VI_1',
		vip: '192.168.67.100',
		target: 'dir1',
		takeover: 'dir2',
		verdict,
		reasons: verdict === 'fail' ? ['too slow'] : [],
		failoverMs: 600,
		vipLeftMs: 590,
		expectedBoundMs: 688,
		splitBrainMs: 0,
		returnMs: 1200,
		preempt: 'preempt',
		keepalivedTransitionAt: null,
		measuredMinusKeepalivedMs: null,
		requests: {total: 100, failed: 0, timeouts: 0, perBackend: {rs1: 50, rs2: 50}},
		failedAfterRemoval: 0,
		toTargetAfterRemoval: 0,
		longestGapMs: 600,
		latencyP50Ms: 2,
		latencyP99Ms: 5,
		restored: true,
		startedAt: '2026-12-02T00:00:00.000Z',
		endedAt: '2026-12-02T00:00:10.000Z',
		durationMs: 10_000,
		timeline: [],
	}) as DrillReport;
const transport = {} as Transport;

/** A scripted runner: each drill's outcome in order ('refuse' throws DrillRefused); records what ran. */
function scripted(outcomes: ReadonlyArray<'pass' | 'fail' | 'refuse'>) {
	const ran: string[] = [];
	const run = async (_p: unknown, _t: unknown, spec: DrillSpec) => {
		const outcome = outcomes[ran.length]!;
		ran.push(spec.kind);
		if (outcome === 'refuse') throw new DrillRefused('preflight: dir2 is unreachable');
		return report(spec, outcome);
	};
	return {ran, run};
}

describe('running a drill plan', () => {
	const plan = (onFailure: 'continue' | 'stop') => ({...parseDrillPlan(THREE, 'ci.yaml'), onFailure});

	it('runs every drill in order; all pass: exit 0', async () => {
		const {ran, run} = scripted(['pass', 'pass', 'pass']);
		const seen: string[] = [];
		const r = await runDrillPlan(labProfile, transport, plan('stop'), {}, (x) => seen.push(x.drill), run);
		expect(ran).toEqual(['failover', 'rs-health', 'hard-failover']);
		expect(seen).toEqual(ran);
		expect(r).toMatchObject({verdict: 'pass', skipped: [], error: null, interrupted: false});
		expect(planExitCode(r)).toBe(0);
	});

	it('on_failure: continue runs the rest after a failure; exit 1', async () => {
		const {ran, run} = scripted(['fail', 'pass', 'pass']);
		const r = await runDrillPlan(labProfile, transport, plan('continue'), {}, () => {}, run);
		expect(ran).toHaveLength(3);
		expect(r.verdict).toBe('fail');
		expect(planExitCode(r)).toBe(1);
	});

	it('on_failure: stop skips the rest after a failure; exit 1', async () => {
		const {ran, run} = scripted(['pass', 'fail', 'pass']);
		const r = await runDrillPlan(labProfile, transport, plan('stop'), {}, () => {}, run);
		expect(ran).toEqual(['failover', 'rs-health']);
		expect(r.skipped).toEqual(['hard-failover (cut)']);
		expect(planExitCode(r)).toBe(1);
	});

	it('a refused drill stops the plan whatever on_failure says; exit 2 with the reason', async () => {
		const {ran, run} = scripted(['pass', 'refuse', 'pass']);
		const r = await runDrillPlan(labProfile, transport, plan('continue'), {}, () => {}, run);
		expect(ran).toEqual(['failover', 'rs-health']);
		expect(r.drills).toHaveLength(1);
		expect(r.error).toBe('drill 2 (rs-health rs1) refused: preflight: dir2 is unreachable');
		expect(planExitCode(r)).toBe(2);
	});

	it('an interrupt fails the running drill and runs no more; exit 130', async () => {
		const controller = new AbortController();
		const ran: string[] = [];
		const run = async (_p: unknown, _t: unknown, spec: DrillSpec) => {
			ran.push(spec.kind);
			controller.abort();
			return report(spec, 'pass');
		};
		const r = await runDrillPlan(labProfile, transport, plan('continue'), {signal: controller.signal}, () => {}, run);
		expect(ran).toEqual(['failover']);
		expect(r.drills[0]!.verdict).toBe('fail');
		expect(r.drills[0]!.reasons[0]).toMatch(/interrupted/);
		expect(r.skipped).toHaveLength(2);
		expect(planExitCode(r)).toBe(130);
	});
});


describe('a broken expectation names the limit the way the operator wrote it', () => {
	const summary = (failed: number) => ({...summarize([], 0, 1000), failed});
	it('the command line: the option; a plan: its field', async () => {
		const cli = {maxFailoverMs: 100, maxFailedRequests: 0};
		expect(expectationReasons(cli, 'failover', 250, summary(3))).toEqual(['failover took 250 ms, more than --max-failover-ms 100', '3 requests failed, more than --max-failed-requests 0']);
		const plan = parseDrillPlan('drills:\n  - {kind: drain, max_removal_ms: 100, max_failed_requests: 0}\n', 'plan.yaml');
		const t = plan.drills[0]!.thresholds!;
		expect(expectationReasons(t, 'removal', null, summary(1))).toEqual(['removal took forever ms, more than max_removal_ms 100', '1 requests failed, more than max_failed_requests 0']);
	});
});

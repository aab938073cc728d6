// The console's drill flow and `lvsdeck drill` are sinks of one drill session: from the same session
// (the same drill, run by the same scripted engine) they show the same report, as text and as JSON,
// and both apply the same abort policy (an aborted drill fails, its reason first).
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it, vi} from 'vitest';
import {ClusterStore} from '../../../src/cluster/store.js';
import {ActionLog} from '../../../src/ui/action-log.js';
import {FlowStore} from '../../../src/ui/console/flow.js';
import {startDrillFlow} from '../../../src/ui/console/drill-flow.js';
import {runOneDrill} from '../../../src/commands/drill.js';
import type {DrillCommonOptions} from '../../../src/actions/drills/common.js';
import type {FailoverDrillReport} from '../../../src/actions/drills/drill-report.js';
import type {DrillSpec} from '../../../src/actions/drills/run.js';
import {formatDrill} from '../../../src/actions/drills/format.js';
import {drillSessions} from '../../../src/actions/drills/session.js';
import {watchSessions} from '../../../src/actions/watch/session.js';
import type {Profile} from '../../../src/profile/model.js';
import type {Transport} from '../../../src/transport/types.js';
import {waitFor} from '../../helpers/wait-for.js';
import {labProfile} from '../cluster/fixture-state.js';

const REPORT: FailoverDrillReport = {
	drill: 'failover',
	profile: 'lab',
	instance: 'VI_1',
	vip: '192.168.67.100',
	target: 'dir1',
	takeover: 'dir2',
	verdict: 'pass',
	reasons: [],
	failoverMs: 612,
	vipLeftMs: 598,
	expectedBoundMs: 688,
	splitBrainMs: 0,
	returnMs: 1450,
	preempt: 'preempt',
	keepalivedTransitionAt: '2026-12-02T01:00:00.100Z',
	measuredMinusKeepalivedMs: 12,
	requests: {total: 260, failed: 3, timeouts: 1, perBackend: {rs1: 128, rs2: 128}},
	longestGapMs: 640,
	latencyP50Ms: 2,
	latencyP99Ms: 9,
	restored: true,
	startedAt: '2026-12-02T00:59:58.000Z',
	endedAt: '2026-12-02T01:00:09.000Z',
	durationMs: 11_000,
	timeline: [{t: 0, at: '2026-12-02T01:00:00.000Z', event: 'stopping keepalived on dir1'}],
};

/** A scripted engine: reports progress, asks the confirmation like a drill, aborts when `abortAt` says, returns REPORT. */
function scriptedEngine(abort?: () => void) {
	const specs: DrillSpec[] = [];
	const run = async (_profile: Profile, _transport: Transport, spec: DrillSpec, common: DrillCommonOptions) => {
		specs.push(spec);
		common.onProgress?.('preflight ok: dir1 holds 192.168.67.100; dir2 BACKUP');
		if (common.confirm && !(await common.confirm('stop keepalived on dir1; then start it again'))) throw new Error('cancelled');
		abort?.();
		return REPORT;
	};
	return {specs, run};
}

const tmp = mkdtempSync(path.join(tmpdir(), 'lvsdeck-drill-session-'));
afterAll(() => rmSync(tmp, {recursive: true, force: true}));

/** The console: the failover flow on the selected instance, answered yes; its lines when done. */
async function consoleRun(run: ReturnType<typeof scriptedEngine>['run'], abortWhenRunning = false): Promise<{lines: readonly string[]; flow: FlowStore}> {
	const flow = new FlowStore();
	const store = new ClusterStore(labProfile);
	startDrillFlow(flow, 'failover', {profile: labProfile, drills: drillSessions(labProfile, {} as Transport, run), watches: watchSessions(labProfile, {} as Transport), log: new ActionLog(), store, selectedKey: 'vrrp|dir1|VI_1'});
	await waitFor(async () => flow.get()?.phase, (p) => p === 'confirm', {timeoutMs: 5000, intervalMs: 5, what: 'the confirmation'});
	flow.answer(true);
	if (abortWhenRunning) flow.abort();
	await waitFor(async () => flow.get()?.phase, (p) => p === 'done', {timeoutMs: 5000, intervalMs: 5, what: 'the report'});
	const lines = flow.get()!.lines;
	flow.close();
	return {lines, flow};
}

/** The CLI: the same drill with --json; what it printed, wrote and returned. */
async function cliRun(run: ReturnType<typeof scriptedEngine>['run'], name: string): Promise<{stdout: string; json: unknown; code: number}> {
	const json = path.join(tmp, `${name}.json`);
	const out: string[] = [];
	const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
	const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
	try {
		const code = await runOneDrill(labProfile, {} as Transport, 'failover', {instance: 'VI_1', json}, {thresholds: {}, rate: undefined}, run);
		return {stdout: out.join(''), json: JSON.parse(readFileSync(json, 'utf8')), code};
	} finally {
		spy.mockRestore();
		err.mockRestore();
	}
}

describe('one drill session, two sinks', () => {
	it('the console flow and lvsdeck drill show the same report from the same session', async () => {
		const fromConsole = scriptedEngine();
		const fromCli = scriptedEngine();
		const {lines} = await consoleRun(fromConsole.run);
		const cli = await cliRun(fromCli.run, 'same');
		// the same session: the same drill asked of the engine
		expect(fromConsole.specs).toEqual([{kind: 'failover', instance: 'VI_1'}]);
		expect(fromCli.specs.map(({kind, ...rest}) => ({kind, instance: (rest as {instance?: string}).instance}))).toEqual(fromConsole.specs);
		// the same report: as JSON from the CLI, as text from both
		expect(cli.json).toEqual(REPORT);
		const text = formatDrill(REPORT);
		expect(cli.stdout).toBe(`${text}\n`);
		expect(lines.slice(-text.split('\n').length).join('\n')).toBe(text);
		expect(cli.code).toBe(0);
	});

	it('an aborted session fails in both, with each sink’s abort reason first, and the rest of the report unchanged', async () => {
		const {lines} = await consoleRun(scriptedEngine().run, true);
		expect(lines.join('\n')).toContain('FAIL');
		expect(lines).toContain('  reason: aborted from the console; everything was restored');
		const cli = await cliRun(
			scriptedEngine(() => process.emit('SIGINT', 'SIGINT')).run,
			'aborted',
		);
		expect(cli.code).toBe(130);
		expect(cli.json).toEqual({...REPORT, verdict: 'fail', reasons: ['interrupted (Ctrl-C); everything was restored']});
	});
});

// The hard-failover freeze signals only keepalived's VRRP process. The real script runs here against
// real local processes standing in for keepalived: a parent called keepalived with a child called
// keepalived (a sleep behind a symlink), their pid files, and every kind of wrong pid file.
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {FAULT_REFUSED, faultFor, faultRefusal, SIGNAL_VRRP_SCRIPT, signalVrrpCommand} from '../../../src/actions/drills/faults.js';
import {labProfile} from '../cluster/fixture-state.js';
import {waitFor} from '../../helpers/wait-for.js';

let dir: string;
let fakeKeepalived: ChildProcess;
let stranger: ChildProcess;
let mainPid: number;
let vrrpPid: number;
const sleepBinary = spawnSync('sh', ['-c', 'command -v sleep'], {encoding: 'utf8'}).stdout.trim();

const file = (name: string, text: string): string => {
	const f = path.join(dir, name);
	writeFileSync(f, text);
	return f;
};
const run = (vrrpPidFile: string, mainPidFile: string, action: string) => spawnSync('sh', ['-c', SIGNAL_VRRP_SCRIPT, 'lvsdeck-drill', vrrpPidFile, mainPidFile, action], {encoding: 'utf8'});
/** The process state letter from /proc (S sleeping, T stopped). */
const state = (pid: number): string => /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? '?';

beforeAll(async () => {
	dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-freeze-'));
	mkdirSync(path.join(dir, 'bin'));
	// comm is the name the program was started by: a symlink called keepalived to sleep is "keepalived".
	symlinkSync(sleepBinary, path.join(dir, 'bin', 'keepalived'));
	// The main process: a script called keepalived that starts its "VRRP child" and records both pids.
	writeFileSync(
		path.join(dir, 'keepalived'),
		`#!/bin/sh\n"${dir}/bin/keepalived" 600 &\necho $! > "${dir}/vrrp.pid.tmp" && mv "${dir}/vrrp.pid.tmp" "${dir}/vrrp.pid"\necho $$ > "${dir}/main.pid"\nwait\n`,
		{mode: 0o755},
	);
	fakeKeepalived = spawn(path.join(dir, 'keepalived'), [], {stdio: 'ignore'});
	// Another process called keepalived, but not a child of the main one.
	stranger = spawn(path.join(dir, 'bin', 'keepalived'), ['600'], {stdio: 'ignore'});
	const {value: pids} = await waitFor(
		async () => {
			try {
				return {main: Number(readFileSync(path.join(dir, 'main.pid'), 'utf8')), vrrp: Number(readFileSync(path.join(dir, 'vrrp.pid'), 'utf8'))};
			} catch {
				return undefined;
			}
		},
		(p) => p !== undefined && p.main > 0 && p.vrrp > 0,
		{timeoutMs: 5000, what: 'the fake keepalived pid files'},
	);
	mainPid = pids!.main;
	vrrpPid = pids!.vrrp;
});

afterAll(() => {
	for (const pid of [vrrpPid, stranger.pid]) {
		try {
			if (pid) process.kill(pid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
	fakeKeepalived.kill('SIGKILL');
	rmSync(dir, {recursive: true, force: true});
});

describe('the freeze script', () => {
	it('stops and resumes the VRRP process; CHECK only checks', async () => {
		const vrrp = path.join(dir, 'vrrp.pid');
		const main = path.join(dir, 'main.pid');
		expect(run(vrrp, main, 'CHECK')).toMatchObject({status: 0, stderr: ''});
		expect(state(vrrpPid)).toBe('S');
		expect(run(vrrp, main, 'STOP').status).toBe(0);
		await waitFor(async () => state(vrrpPid), (s) => s === 'T', {timeoutMs: 2000, what: 'the VRRP stand-in stopped'});
		expect(state(mainPid)).not.toBe('T');
		expect(run(vrrp, main, 'CONT').status).toBe(0);
		await waitFor(async () => state(vrrpPid), (s) => s === 'S', {timeoutMs: 2000, what: 'the VRRP stand-in running again'});
	});

	it.each([
		['an empty pid file', '', /vrrp-bad\.pid does not hold a positive process id/],
		['pid 0 (every process of the group)', '0\n', /does not hold a positive process id/],
		['a negative pid (a process group)', '-1\n', /does not hold a positive process id/],
		['a leading zero', '0123\n', /does not hold a positive process id/],
		['words', 'keepalived\n', /does not hold a positive process id/],
		['shell syntax', '1; reboot\n', /does not hold a positive process id/],
		['two pids', '1 2\n', /does not hold a positive process id/],
		['a pid too long to be one', '12345678901\n', /does not hold a positive process id/],
		['a process that is not keepalived (init)', '1\n', /process 1 from .* is not keepalived/],
	])('refuses %s and signals nothing', (_name, content, reason) => {
		const r = run(file('vrrp-bad.pid', content), path.join(dir, 'main.pid'), 'STOP');
		expect(r.status).toBe(FAULT_REFUSED);
		expect(faultRefusal({code: r.status, stderr: r.stderr})).toMatch(reason);
		expect(state(vrrpPid)).toBe('S');
	});

	it('refuses the main process, a keepalived that is not its child, a missing pid file and a bad main pid file', () => {
		const main = path.join(dir, 'main.pid');
		const cases: Array<[string, string, RegExp]> = [
			[main, main, /is the keepalived main process, not its VRRP process/],
			[file('stranger.pid', `${stranger.pid}\n`), main, /is not a child of the keepalived main process/],
			[path.join(dir, 'missing.pid'), main, /missing\.pid does not hold a positive process id/],
			[path.join(dir, 'vrrp.pid'), file('main-bad.pid', 'x\n'), /main-bad\.pid does not hold a positive process id/],
			[path.join(dir, 'vrrp.pid'), file('main-other.pid', `${stranger.pid}\n`), /is not a child of the keepalived main process/],
		];
		for (const [vrrp, mainFile, reason] of cases) {
			const r = run(vrrp, mainFile, 'STOP');
			expect(r.status, r.stderr).toBe(FAULT_REFUSED);
			expect(faultRefusal({code: r.status, stderr: r.stderr})).toMatch(reason);
		}
		expect(state(vrrpPid)).toBe('S');
		expect(state(stranger.pid!)).toBe('S');
		expect(run(path.join(dir, 'vrrp.pid'), main, 'KILL').status).toBe(FAULT_REFUSED);
	});
});

describe('the freeze fault', () => {
	it('checks before the confirmation, stops, and resumes with the same checks; values only as parameters', () => {
		const inst = labProfile.instances[0]!;
		const freeze = faultFor(labProfile, inst, 'dir1', ['dir2'], 'hard-failover');
		expect(freeze.check).toEqual(signalVrrpCommand(labProfile, 'CHECK'));
		expect(freeze.inject).toEqual(['sh', '-c', SIGNAL_VRRP_SCRIPT, 'lvsdeck-drill', '/run/vrrp.pid', '/run/keepalived.pid', 'STOP']);
		expect(freeze.restore[0]!.argv).toEqual(['sh', '-c', SIGNAL_VRRP_SCRIPT, 'lvsdeck-drill', '/run/vrrp.pid', '/run/keepalived.pid', 'CONT']);
		expect(SIGNAL_VRRP_SCRIPT).not.toContain('/run/');
		expect(faultFor(labProfile, inst, 'dir1', ['dir2'], 'failover').check).toBeUndefined();
	});

	it('tells a refusal from other failures', () => {
		expect(faultRefusal({code: 0, stderr: ''})).toBeUndefined();
		expect(faultRefusal({code: 1, stderr: 'kill: permission denied'})).toBeUndefined();
		expect(faultRefusal({code: FAULT_REFUSED, stderr: "sh: noise\nlvsdeck-drill: refusing to signal keepalived's VRRP process: x\n"})).toBe("refusing to signal keepalived's VRRP process: x");
		expect(faultRefusal({code: FAULT_REFUSED, stderr: ''})).toMatch(/refused/);
	});
});

// Drills and the watcher as guided flows in the real console (tmux) on the lab: preflight, confirmation,
// the live block, the report; the abort key restores what the drill changed.
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {CLI, LAB_PROFILE, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const SESSION = 'lvsdeck-drill-e2e';
const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
const stateDir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-console-drill-'));

const screen = () => execFileSync('tmux', ['capture-pane', '-p', '-t', SESSION], {encoding: 'utf8'});
const keys = (...k: string[]) => execFileSync('tmux', ['send-keys', '-t', SESSION, ...k]);
const alive = () => spawnSync('tmux', ['has-session', '-t', SESSION]).status === 0;
const on = (what: string, check: (s: string) => boolean, timeoutMs = 30_000) => waitFor(async () => screen(), check, {timeoutMs, what});
const keepalivedOk = async () => (await pool.exec('dir1', profile.keepalived.status)).code === 0;
const vipOnDir1 = async () => (await pool.exec('dir1', ['ip', '-o', 'addr', 'show'])).stdout.includes(' 192.168.67.100/');

afterAll(async () => {
	spawnSync('tmux', ['kill-session', '-t', SESSION]);
	await pool.exec('dir1', profile.keepalived.start).catch(() => undefined);
	await pool.close();
});

describe('drills in the console', () => {
	it('failover drill: confirm, live block, PASS report; an aborted drill restores keepalived; the watcher runs and stops', async () => {
		spawnSync('tmux', ['kill-session', '-t', SESSION]);
		execFileSync('tmux', ['new-session', '-d', '-s', SESSION, '-x', '120', '-y', '50', `LVSDECK_STATE_DIR=${stateDir} ${process.execPath} ${CLI} console --profile ${LAB_PROFILE}`]);
		await on('a healthy cluster', (s) => s.includes('healthy: no findings'));

		keys('f');
		const plan = await on('the confirmation', (s) => s.includes('run this drill? y run · n cancel'));
		expect(plan.value).toMatch(/preflight ok: dir1 holds 192\.168\.67\.100; dir2 BACKUP/);
		expect(plan.value).toContain('stop keepalived on dir1 (systemctl stop keepalived)');
		keys('y');
		// live: the holder moves to dir2 while the watcher's counts grow
		await on('dir2 holding the VIP in the live block', (s) => s.includes('VIP 192.168.67.100 on dir2') && /rs1\s+\d+\s+[\d.]+%/.test(s), 60_000);
		const done = await on('the report', (s) => /failover drill (PASS|FAIL) · /.test(s), 90_000);
		expect(done.value).toContain('failover drill PASS');
		expect(done.value).toMatch(/dir1 -> dir2: failover \d+ ms \(expected about 688 ms\)/);
		expect(done.value).toContain('restored: yes');
		expect(await keepalivedOk()).toBe(true);
		await waitFor(vipOnDir1, (v) => v, {timeoutMs: 15_000, what: 'VIP back on dir1'});

		keys('Escape');
		await on('the overview again', (s) => s.includes(' 1 Overview') && !s.includes('failover drill PASS'));
		keys('f');
		await on('the second confirmation', (s) => s.includes('run this drill? y run · n cancel'));
		keys('y');
		await on('the fault', (s) => s.includes('stopping keepalived on dir1'), 30_000);
		keys('a');
		const aborted = await on('the aborted report', (s) => /failover drill (PASS|FAIL) · /.test(s), 90_000);
		expect(aborted.value).toContain('aborted from the console; everything was restored');
		expect(aborted.value).toContain('restored: yes');
		expect(await keepalivedOk()).toBe(true);
		await waitFor(vipOnDir1, (v) => v, {timeoutMs: 15_000, what: 'VIP back on dir1'});

		keys('Escape');
		await on('the overview again', (s) => s.includes(' 1 Overview') && !s.includes('drill FAIL'));
		keys('w');
		const watching = await on('answers from both real servers', (s) => /rs1\s+[1-9]\d*\s+[\d.]+%\s+50\.0%/.test(s) && /rs2\s+[1-9]\d*\s+[\d.]+%\s+50\.0%/.test(s));
		expect(watching.value).toContain('Round-robin watcher (http) — in progress');
		keys('a');
		await on('the watcher stopped', (s) => s.includes('watcher stopped · Esc closes') && /stopped: \d+s: \d+ requests/.test(s));
		keys('Escape');
		keys('q');
		await waitFor(async () => alive(), (a) => !a, {timeoutMs: 10_000, what: 'the console to quit'});
	});
});

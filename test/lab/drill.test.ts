// Drills against the real lab, through the scripted CLI: a graceful failover passes and agrees with
// keepalived's own transition time; a hard failure reports its split-brain window; Ctrl-C restores;
// a killed drill is repaired by --recover; thresholds turn into exit 1 and a JUnit failure.
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import type {DrillReport} from '../../src/actions/drills/failover.js';
import {CLI, LAB_PROFILE, labProfile, ROOT} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-drill-'));
const env = {...process.env, LVSDECK_STATE_DIR: path.join(tmp, 'state')};
const vip = profile.instances[0]!.vips[0]!.address;

const drill = (...args: string[]) => spawnSync(process.execPath, [CLI, 'drill', ...args, '--profile', LAB_PROFILE], {encoding: 'utf8', timeout: 180_000, env});
const holder = async () => {
	const found: string[] = [];
	for (const d of ['dir1', 'dir2']) if ((await pool.exec(d, ['ip', '-o', '-4', 'addr', 'show'])).stdout.includes(` ${vip}/`)) found.push(d);
	return found.join('+');
};
const keepalivedOk = async () => (await pool.exec('dir1', profile.keepalived.status)).code === 0;
const vrrpFrozen = async () => (await pool.exec('dir1', ['sh', '-c', 'grep -q "^State:.*T" /proc/$(cat /run/vrrp.pid)/status'])).code === 0;

afterAll(async () => {
	await pool.exec('dir1', ['sh', '-c', 'kill -CONT $(cat /run/vrrp.pid) 2>/dev/null; true']).catch(() => undefined);
	await pool.exec('dir1', profile.keepalived.start).catch(() => undefined);
	await waitFor(holder, (h) => h === 'dir1', {timeoutMs: 20_000, what: 'VIP back on dir1'}).catch(() => undefined);
	await pool.close();
});

describe('drills on the lab', () => {
	it('failover drill passes, agrees with keepalived within 300 ms, and the VIP returns to dir1', async () => {
		const json = path.join(tmp, 'failover.json');
		const junit = path.join(tmp, 'failover.xml');
		const r = drill('failover', '--json', json, '--junit', junit);
		expect(r.status, r.stdout + r.stderr).toBe(0);
		const report = JSON.parse(readFileSync(json, 'utf8')) as DrillReport;
		expect(report).toMatchObject({drill: 'failover', verdict: 'pass', instance: 'VI_1', target: 'dir1', takeover: 'dir2', restored: true, preempt: 'preempt'});
		expect(report.failoverMs).toBeGreaterThan(0);
		expect(report.expectedBoundMs).toBe(Math.round(((256 - 80) / 256) * 1000));
		expect(report.measuredMinusKeepalivedMs).not.toBeNull();
		expect(Math.abs(report.measuredMinusKeepalivedMs!)).toBeLessThanOrEqual(300);
		expect(report.returnMs).not.toBeNull();
		expect(report.requests.total).toBeGreaterThan(100);
		expect(Object.keys(report.requests.perBackend).sort()).toEqual(['rs1', 'rs2']);
		expect(report.timeline.map((e) => e.event)).toEqual(expect.arrayContaining(['stopping keepalived on dir1', 'fault in place on dir1', `dir2 holds ${vip}`, `${vip} back on dir1`]));
		expect(readFileSync(junit, 'utf8')).toMatch(/<testcase name="failover VI_1 \(dir1\)"[^>]*>\s*<properties>[\s\S]*name="failoverMs" value="\d+"/);
		expect(readFileSync(junit, 'utf8')).not.toContain('<failure');
		expect(await holder()).toBe('dir1');
		expect(await keepalivedOk()).toBe(true);
	});

	it('hard-failure drill measures the split-brain window and restores everything', async () => {
		const json = path.join(tmp, 'hard.json');
		const r = drill('hard-failover', '--json', json);
		expect(r.status, r.stdout + r.stderr).toBe(0);
		const report = JSON.parse(readFileSync(json, 'utf8')) as DrillReport;
		expect(report).toMatchObject({drill: 'hard-failover', takeover: 'dir2', restored: true});
		expect(report.splitBrainMs).toBeGreaterThan(0);
		expect(report.timeline.some((e) => e.event.startsWith('split brain:'))).toBe(true);
		expect(report.expectedBoundMs).toBe(Math.round(3000 + ((256 - 80) / 256) * 1000));
		expect(report.failoverMs!).toBeGreaterThan(report.expectedBoundMs - 1500);
		expect(await vrrpFrozen()).toBe(false);
		await waitFor(holder, (h) => h === 'dir1', {timeoutMs: 15_000, what: 'VIP back on dir1'});
	});

	it('hard failure refuses a VRRP pid file that does not name the VRRP process, and changes nothing', async () => {
		// The main keepalived process is called keepalived too: only its VRRP child may be frozen.
		const bad = path.join(tmp, 'main-pid-as-vrrp.yaml');
		const text = readFileSync(LAB_PROFILE, 'utf8').replaceAll('../.lab/', `${path.join(ROOT, '.lab')}/`);
		writeFileSync(bad, text.replace('  status: systemctl is-active keepalived\n', '  status: systemctl is-active keepalived\n  vrrp_pid_file: /run/keepalived.pid\n'));
		const r = spawnSync(process.execPath, [CLI, 'drill', 'hard-failover', '--profile', bad], {encoding: 'utf8', timeout: 120_000, env});
		expect(r.status, r.stdout + r.stderr).toBe(2);
		expect(r.stderr).toMatch(/drill refused: preflight: dir1: refusing to signal keepalived's VRRP process: process \d+ from \/run\/keepalived\.pid is the keepalived main process/);
		expect(await vrrpFrozen()).toBe(false);
		expect(await holder()).toBe('dir1');
		const recover = spawnSync(process.execPath, [CLI, 'drill', '--recover', '--profile', bad], {encoding: 'utf8', timeout: 60_000, env});
		expect(recover.stderr).toContain('nothing to recover');
	});

	it('hard failure by cutting VRRP: a real split brain, measured; the cut and only the cut is removed', async () => {
		// A clsact qdisc that was there before the drill must still be there after it.
		expect((await pool.exec('dir1', ['tc', 'qdisc', 'add', 'dev', 'eth0', 'clsact'])).code).toBe(0);
		try {
			const json = path.join(tmp, 'cut.json');
			const r = drill('hard-failover', '--method', 'cut', '--json', json);
			expect(r.status, r.stdout + r.stderr).toBe(0);
			const report = JSON.parse(readFileSync(json, 'utf8')) as DrillReport;
			expect(report).toMatchObject({drill: 'hard-failover', method: 'cut', takeover: 'dir2', restored: true, verdict: 'pass'});
			// both directors held the VIP from the takeover until the cut was removed
			expect(report.splitBrainMs).toBeGreaterThan(1000);
			expect(report.failoverMs!).toBeGreaterThan(report.expectedBoundMs - 1500);
			expect(r.stdout).toContain('hard-failover drill (cut) on VI_1');
			const tc = await pool.exec('dir1', ['sh', '-c', 'tc qdisc show dev eth0; tc filter show dev eth0 egress']);
			expect(tc.stdout).toMatch(/qdisc clsact/);
			expect(tc.stdout).not.toContain('pref 49152');
			await waitFor(holder, (h) => h === 'dir1', {timeoutMs: 15_000, what: 'VIP on dir1 alone'});
		} finally {
			await pool.exec('dir1', ['tc', 'qdisc', 'del', 'dev', 'eth0', 'clsact']);
		}
		expect(drill('failover', '--method', 'cut').status).toBe(2);
	});

	it('--max-failover-ms 1 fails the drill with exit 1 and a JUnit failure', async () => {
		const junit = path.join(tmp, 'strict.xml');
		const r = drill('failover', '--max-failover-ms', '1', '--junit', junit);
		expect(r.status, r.stdout + r.stderr).toBe(1);
		expect(r.stdout).toContain('FAIL');
		expect(readFileSync(junit, 'utf8')).toMatch(/<testsuites tests="1" failures="1"[\s\S]*<failure message="failover took \d+ ms, more than --max-failover-ms 1"/);
		await waitFor(holder, (h) => h === 'dir1', {timeoutMs: 15_000, what: 'VIP back on dir1'});
	});

	it('SIGINT in the middle of a failover drill restores keepalived on the old master', async () => {
		const child = spawn(process.execPath, [CLI, 'drill', 'failover', '--profile', LAB_PROFILE], {env, stdio: ['ignore', 'pipe', 'pipe']});
		let stderr = '';
		let stdout = '';
		child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
		child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
		const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
		// Interrupt while the fault is in effect (the drill restores by itself about 2 s after the takeover).
		// After the takeover and after `systemctl stop` returned (cutting that session would fail the fault itself).
		await waitFor(async () => stderr, (s) => s.includes('dir2 holds') && s.includes('fault in place on dir1'), {timeoutMs: 60_000, intervalMs: 20, what: 'the takeover'});
		child.kill('SIGINT');
		expect(await exited).toBe(130);
		expect(stderr).toContain('interrupted: restoring');
		expect(await keepalivedOk()).toBe(true);
		await waitFor(holder, (h) => h === 'dir1', {timeoutMs: 15_000, what: 'VIP back on dir1'});
	});

	it('a drill killed outright is put right by drill --recover', async () => {
		const child = spawn(process.execPath, [CLI, 'drill', 'failover', '--profile', LAB_PROFILE], {env, stdio: ['ignore', 'ignore', 'pipe']});
		let stderr = '';
		child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
		const exited = new Promise((r) => child.on('exit', r));
		await waitFor(async () => stderr, (s) => s.includes('dir2 holds'), {timeoutMs: 60_000, what: 'the takeover'});
		child.kill('SIGKILL');
		await exited;
		// The stop that was under way completes on dir1 and nothing restores it: keepalived stays down.
		await waitFor(keepalivedOk, (ok) => !ok, {timeoutMs: 15_000, what: 'keepalived down on dir1'});
		await new Promise((r) => setTimeout(r, 3000));
		expect(await keepalivedOk()).toBe(false);
		const r = drill('--recover');
		expect(r.status, r.stderr).toBe(0);
		expect(r.stderr).toContain('restored dir1: start keepalived');
		expect(await keepalivedOk()).toBe(true);
		await waitFor(holder, (h) => h === 'dir1', {timeoutMs: 15_000, what: 'VIP back on dir1'});
		const again = drill('--recover');
		expect(again.stderr).toContain('nothing to recover');
	});

	it('rs-health drill: rs1 leaves the table within the check time, nothing fails after, and it comes back', async () => {
		const json = path.join(tmp, 'rs-health.json');
		const r = drill('rs-health', '--rs', 'rs1', '--json', json);
		expect(r.status, r.stdout + r.stderr).toBe(0);
		const report = JSON.parse(readFileSync(json, 'utf8')) as DrillReport;
		expect(report).toMatchObject({drill: 'rs-health', target: 'rs1', takeover: 'dir1', verdict: 'pass', restored: true, failedAfterRemoval: 0});
		// delay_loop 2 + (retry 1 + 1) x (connect_timeout 2 + delay_before_retry 1) = 8 s in the lab profile
		expect(report.expectedBoundMs).toBe(8000);
		expect(report.failoverMs).not.toBeNull();
		expect(report.failoverMs!).toBeLessThanOrEqual(report.expectedBoundMs + 2000);
		expect(report.returnMs).not.toBeNull();
		expect((await pool.exec('dir1', ['ipvsadm', '-Ln'])).stdout).toMatch(/-> 192\.168\.67\.10:80\s+Route\s+1/);
		expect((await pool.exec('rs1', profile.hosts.find((h) => h.name === 'rs1')!.service!.status)).code).toBe(0);
	});

	it('drain drill: weight 0 on the active director, IPVS schedules nothing new to rs1, weight restored', async () => {
		const json = path.join(tmp, 'drain.json');
		const r = drill('drain', '--rs', 'rs1', '--json', json);
		expect(r.status, r.stdout + r.stderr).toBe(0);
		const report = JSON.parse(readFileSync(json, 'utf8')) as DrillReport;
		expect(report).toMatchObject({drill: 'drain', target: 'rs1', takeover: 'dir1', verdict: 'pass', restored: true, toTargetAfterRemoval: 0});
		// the window is judged only when the other real server's counter moved in it
		const counted = report.timeline.find((e) => e.event.includes('new connections to rs1 and'))?.event ?? '';
		expect(Number(/and (\d+) to the others/.exec(counted)?.[1])).toBeGreaterThan(0);
		expect(report.requests.perBackend['rs1']).toBeGreaterThan(0);
		expect((await pool.exec('dir1', ['ipvsadm', '-Ln'])).stdout).toMatch(/-> 192\.168\.67\.10:80\s+Route\s+1\s/);
	});

	it('a dropped SSH connection mid-drill: the drill reconnects and restores keepalived', async () => {
		const child = spawn(process.execPath, [CLI, 'drill', 'failover', '--profile', LAB_PROFILE, '--json', path.join(tmp, 'dropped.json')], {env, stdio: ['ignore', 'pipe', 'pipe']});
		let stderr = '';
		let stdout = '';
		child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
		child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
		const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
		// After the takeover and after `systemctl stop` returned (cutting that session would fail the fault itself).
		await waitFor(async () => stderr, (s) => s.includes('dir2 holds') && s.includes('fault in place on dir1'), {timeoutMs: 60_000, intervalMs: 20, what: 'the takeover'});
		// Cut every SSH session to dir1 and refuse new ones for 4 s: the restore must wait and reconnect.
		const outage = 'sleep 0.2; kill "$(cat /run/sshd.pid)"; pkill -f "^sshd: root@"; sleep 4; /usr/sbin/sshd -f /run/lab/sshd_config -E /run/sshd.log';
		await pool.exec('dir1', ['setsid', '-f', 'sh', '-c', outage]);
		expect(await exited, stderr + stdout).toBe(0);
		const report = JSON.parse(readFileSync(path.join(tmp, 'dropped.json'), 'utf8')) as DrillReport;
		expect(report).toMatchObject({drill: 'failover', restored: true});
		expect(stderr).toMatch(/restore dir1: .*retrying/);
		expect(stderr).toContain('restored dir1: start keepalived');
		expect(await keepalivedOk()).toBe(true);
		await waitFor(holder, (h) => h === 'dir1', {timeoutMs: 15_000, what: 'VIP back on dir1'});
	});
});

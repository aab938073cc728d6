// The real console in a real terminal (tmux) on the lab: the VIP on dir1, then on dir2 within 3 s of
// stopping keepalived on dir1; a real server that drops off the network shows as stale with its age
// and comes back; ? shows the help and q quits.
import {execFileSync, spawnSync} from 'node:child_process';
import {afterAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {CLI, LAB_PROFILE, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const SESSION = 'lvsdeck-e2e';
const {profile} = labProfile();
const pool = new SshPool(profile.hosts);

const screen = () => execFileSync('tmux', ['capture-pane', '-p', '-t', SESSION], {encoding: 'utf8'});
const keys = (...k: string[]) => execFileSync('tmux', ['send-keys', '-t', SESSION, ...k]);
const alive = () => spawnSync('tmux', ['has-session', '-t', SESSION]).status === 0;
const vipRow = (s: string) => /192\.168\.67\.100\s+VI_1\s+(\S+)/.exec(s)?.[1];

afterAll(async () => {
	spawnSync('tmux', ['kill-session', '-t', SESSION]);
	await pool.exec('dir1', profile.keepalived.start).catch(() => undefined);
	await waitFor(async () => (await pool.exec('dir1', ['ip', '-o', 'addr', 'show'])).stdout, (o) => o.includes(' 192.168.67.100/'), {timeoutMs: 20_000, what: 'VIP back on dir1'}).catch(() => undefined);
	await pool.close();
});

describe('console end to end in tmux', () => {
	it('follows a failover on screen, survives a host going away, shows help and quits', async () => {
		spawnSync('tmux', ['kill-session', '-t', SESSION]);
		execFileSync('tmux', ['new-session', '-d', '-s', SESSION, '-x', '120', '-y', '32', `${process.execPath} ${CLI} console --profile ${LAB_PROFILE}`]);
		await waitFor(async () => screen(), (s) => vipRow(s) === 'dir1' && /● dir2 ready/.test(s) && s.includes('healthy: no findings'), {timeoutMs: 30_000, what: 'the VIP on dir1 on screen'});

		// Warm the control connection so the stop is not delayed by an SSH handshake.
		await pool.exec('dir1', ['true']);
		const stoppedAt = Date.now();
		const stop = pool.exec('dir1', profile.keepalived.stop);
		const moved = await waitFor(async () => screen(), (s) => vipRow(s) === 'dir2', {timeoutMs: 10_000, intervalMs: 50, what: 'dir2 holding the VIP on screen'});
		await stop;
		// The VIP moves about 0.6 s after keepalived gets SIGTERM; the screen must show dir2 within 3 s.
		process.stderr.write(`console e2e: dir2 on screen ${moved.elapsedMs} ms after the stop was sent\n`);
		expect(moved.elapsedMs).toBeLessThan(3000);
		await pool.exec('dir1', profile.keepalived.start);
		await waitFor(async () => screen(), (s) => vipRow(s) === 'dir1', {timeoutMs: 20_000, what: 'dir1 holding the VIP again on screen'});

		// rs2 drops off the network for 12 s (run detached on rs2 itself, so it comes back on its own).
		const detached = await pool.exec('rs2', ['sh', '-c', "setsid -f sh -c 'ip link set eth0 down; sleep 12; ip link set eth0 up' </dev/null >/dev/null 2>&1"]);
		expect(detached.code).toBe(0);
		const stale = await waitFor(async () => screen(), (s) => /● rs2 (stale|retrying|connecting)/.test(s), {timeoutMs: 20_000, what: 'rs2 stale on screen'});
		expect(stale.value).toMatch(/rs2\s+192\.168\.67\.20\s+realserver\s+stale/);
		expect(alive()).toBe(true);
		await waitFor(async () => screen(), (s) => /● rs2 ready/.test(s) && s.includes('healthy: no findings'), {timeoutMs: 60_000, what: 'rs2 back and healthy on screen'});

		keys('?');
		await waitFor(async () => screen(), (s) => s.includes('COLUMNS') && s.includes('q or Ctrl-C quits'), {timeoutMs: 5000, what: 'the help screen'});
		keys('q');
		await waitFor(async () => alive(), (a) => !a, {timeoutMs: 10_000, what: 'the console to quit'});
	});
});

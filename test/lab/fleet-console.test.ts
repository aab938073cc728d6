// The console and the wall over two clusters in a real terminal (tmux): profiles/lab.yaml and a copy of
// it under another cluster name, so both describe the one lab. The console opens on the fleet overview
// with both clusters (VIP holder, hosts ready), Enter opens a cluster's own console, Esc comes back, q
// quits; the wall shows both clusters' panels.
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {CLI, LAB_PROFILE, ROOT, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const SESSION = 'lvsdeck-fleet';
let dir: string;
let first: string;
let second: string;

const screen = () => execFileSync('tmux', ['capture-pane', '-p', '-t', SESSION], {encoding: 'utf8'});
const keys = (...k: string[]) => execFileSync('tmux', ['send-keys', '-t', SESSION, ...k]);
const alive = () => spawnSync('tmux', ['has-session', '-t', SESSION]).status === 0;
const start = (command: string) => {
	spawnSync('tmux', ['kill-session', '-t', SESSION]);
	execFileSync('tmux', ['new-session', '-d', '-s', SESSION, '-x', '140', '-y', '36', command]);
};
/** A cluster's overview row: healthy, every host ready, the VIP on dir1. */
const healthyRow = (name: string) => new RegExp(`^${name}\\s+ok\\s+(\\d+)/\\1\\s+192\\.168\\.67\\.100 dir1\\s+healthy: no findings`, 'm');
const overview = (s: string) => s.includes('lvsdeck · fleet') && healthyRow('lab-a').test(s) && healthyRow('lab-b').test(s);

beforeAll(() => {
	// The lab profile under two cluster names (paths made absolute so the copies can live elsewhere).
	// Both clusters are the same directors, so their keepalived dumps take turns (the snapshot's flock,
	// up to 5 s): a command timeout above that keeps a wait for the turn from timing out.
	dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-fleet-'));
	const text = readFileSync(LAB_PROFILE, 'utf8').replaceAll('../.lab/', `${path.join(ROOT, '.lab')}/`);
	expect(text).toMatch(/^name: lab$/m);
	expect(text).toMatch(/^  command_timeout_ms: \d+$/m);
	[first, second] = ['lab-a', 'lab-b'].map((name) => {
		const file = path.join(dir, `${name}.yaml`);
		writeFileSync(file, text.replace(/^name: lab$/m, `name: ${name}`).replace(/^  command_timeout_ms: \d+$/m, '  command_timeout_ms: 15000'));
		return file;
	}) as [string, string];
});

// One connection of the test's own, to count the SSH connections dir1's sshd holds.
const control = new SshPool(labProfile().profile.hosts);
async function sshConnectionsOnDir1(): Promise<number> {
	const r = await control.exec('dir1', ['sh', '-c', "ss -H -t -n state established '( sport = :22 )' | wc -l"]);
	return Number(r.stdout.trim());
}

afterAll(async () => {
	await control.close();
	spawnSync('tmux', ['kill-session', '-t', SESSION]);
	rmSync(dir, {recursive: true, force: true});
});

describe('two clusters in one console and one wall', () => {
	it('the console opens on the fleet overview; Enter opens a cluster, Esc comes back, q quits', async () => {
		const before = await sshConnectionsOnDir1();
		// Two clusters poll the one lab (5 user-mode hosts on one CPU): every 3 s each, not every second.
		start(`${process.execPath} ${CLI} console --profile ${first} --profile ${second} --interval 3000`);
		const opened = await waitFor(async () => screen(), overview, {timeoutMs: 60_000, what: 'both clusters healthy on the fleet overview'});
		expect(opened.value).toContain('2 clusters · all healthy');
		expect(opened.value).toContain('Enter open lab-a ');
		// Both clusters name dir1: the console holds one connection to it.
		expect(await sshConnectionsOnDir1()).toBe(before + 1);

		keys('Enter');
		let s = await waitFor(async () => screen(), (x) => x.includes('lvsdeck · lab-a · ') && /192\.168\.67\.100\s+VI_1\s+dir1/.test(x), {timeoutMs: 20_000, what: 'the lab-a cluster’s console'});
		expect(s.value).toContain('Esc fleet');
		expect(s.value).toMatch(/● dir1 ready\s+● dir2 ready/);
		// Its views are the console's own: 2 shows the IPVS table.
		keys('2');
		await waitFor(async () => screen(), (x) => x.includes('SERVICE / REAL SERVER'), {timeoutMs: 10_000, what: 'the IPVS view'});
		keys('Escape');
		await waitFor(async () => screen(), overview, {timeoutMs: 20_000, what: 'the fleet overview again'});

		keys('Down');
		await waitFor(async () => screen(), (x) => x.includes('Enter open lab-b '), {timeoutMs: 10_000, what: 'lab-b selected'});
		keys('Enter');
		s = await waitFor(async () => screen(), (x) => x.includes('lvsdeck · lab-b · ') && /192\.168\.67\.100\s+VI_1\s+dir1/.test(x), {timeoutMs: 20_000, what: 'the lab-b cluster’s console'});
		expect(s.value).toContain('healthy: no findings');
		keys('Escape');
		await waitFor(async () => screen(), overview, {timeoutMs: 20_000, what: 'the fleet overview from lab-b'});

		keys('q');
		await waitFor(async () => alive(), (a) => !a, {timeoutMs: 10_000, what: 'the console to quit'});
	});

	it('the wall shows both clusters, each with its VIP holder and healthy real servers', async () => {
		const before = await sshConnectionsOnDir1();
		start(`${process.execPath} ${CLI} wall --profile ${first} --profile ${second} --interval 3000`);
		const wall = await waitFor(
			async () => screen(),
			(x) => /^lab-a · healthy: no findings/m.test(x) && /lab-b · healthy: no findings/.test(x) && (x.match(/192\.168\.67\.100 \(VI_1\) on dir1/g) ?? []).length === 2,
			{timeoutMs: 60_000, what: 'both clusters on the wall'},
		);
		expect(wall.value).toContain('lvsdeck wall · 2 clusters · ');
		expect(wall.value).toContain('read-only');
		expect((wall.value.match(/TCP 192\.168\.67\.100:80\s+2\/2 healthy/g) ?? []).length).toBe(2);
		expect(await sshConnectionsOnDir1()).toBe(before + 1);
		keys('q');
		await waitFor(async () => alive(), (a) => !a, {timeoutMs: 10_000, what: 'the wall to quit'});
	});
});

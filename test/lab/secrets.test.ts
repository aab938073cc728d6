// The VRRP password never leaves lvsdeck: with a distinctive auth_pass in the profile and then live on
// both directors, every command is run against the lab and everything it writes (stdout, stderr,
// report files, the state folder, the console's and the wall's screens, the console's deploy diff and
// action log) is searched for it. Zero hits. The lab's own configs are put back at the end.
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {loadProfile} from '../../src/profile/load.js';
import type {Profile} from '../../src/profile/model.js';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {renderKeepalivedConf} from '../../src/render/keepalived-conf.js';
import {CLI, LAB_PROFILE, ROOT, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

// keepalived uses at most 8 characters of auth_pass: all 8 are distinctive.
const SECRET = 'Zq7xSecr';
const {profile: lab} = labProfile();
const pool = new SshPool(lab.hosts, {backoffMaxMs: 1000});
const CONF = lab.keepalived.configPath;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-secrets-'));
const stateDir = path.join(tmp, 'state');
mkdirSync(stateDir);
const env = {...process.env, LVSDECK_STATE_DIR: stateDir};
const SESSION = 'lvsdeck-secrets';

const secretFile = path.join(tmp, 'secret.yaml');
writeFileSync(secretFile, readFileSync(LAB_PROFILE, 'utf8').replaceAll('../.lab/', `${path.join(ROOT, '.lab')}/`).replace('pass: "1111"', `pass: "${SECRET}"`));
const secret: Profile = loadProfile(secretFile);

/** Everything lvsdeck wrote during this test, by where it came from. */
const written: Array<{what: string; text: string}> = [];

function cli(...args: string[]): {status: number | null; stdout: string; stderr: string} {
	const r = spawnSync(process.execPath, [CLI, ...args], {encoding: 'utf8', env, timeout: 150_000});
	written.push({what: `lvsdeck ${args.join(' ')} (stdout)`, text: r.stdout}, {what: `lvsdeck ${args.join(' ')} (stderr)`, text: r.stderr});
	return r;
}

function filesUnder(dir: string): string[] {
	return readdirSync(dir).flatMap((n) => {
		const p = path.join(dir, n);
		return statSync(p).isDirectory() ? filesUnder(p) : [p];
	});
}

const screen = () => execFileSync('tmux', ['capture-pane', '-p', '-t', SESSION], {encoding: 'utf8'});
const keys = (...k: string[]) => execFileSync('tmux', ['send-keys', '-t', SESSION, ...k]);

/** Write each director's config for `profile` directly and reload both at once (a rolling change of the password splits VRRP). */
async function installDirectly(profile: Profile): Promise<void> {
	await Promise.all(
		['dir1', 'dir2'].map(async (d) => {
			const w = await pool.exec(d, ['sh', '-c', 'umask 077; cat > "$1"', 'lvsdeck-test', CONF], {stdin: renderKeepalivedConf(profile, d)});
			expect(w.code, w.stderr).toBe(0);
		}),
	);
	await Promise.all(['dir1', 'dir2'].map((d) => pool.exec(d, lab.keepalived.reload)));
	const vipOn = async (d: string) => (await pool.exec(d, ['ip', '-o', 'addr', 'show'])).stdout.includes(' 192.168.67.100/');
	await waitFor(async () => [await vipOn('dir1'), await vipOn('dir2')], ([a, b]) => a === true && b === false, {timeoutMs: 30_000, what: 'the VIP on dir1 only'});
}

/** A screen in tmux: start it, wait for `ready`, then each step's keys and the screens they show. */
async function inTmux(command: string, ready: (s: string) => boolean, steps: Array<{keys?: string[]; until: (s: string) => boolean; what: string}>): Promise<string[]> {
	spawnSync('tmux', ['kill-session', '-t', SESSION]);
	execFileSync('tmux', ['new-session', '-d', '-s', SESSION, '-x', '140', '-y', '45', `env LVSDECK_STATE_DIR=${stateDir} ${command}`]);
	const shots: string[] = [];
	try {
		// The first poll of a director can take a while on a loaded machine (the lab's kernel is slow).
		shots.push((await waitFor(async () => screen(), ready, {timeoutMs: 90_000, intervalMs: 500, what: `${command} on screen`})).value);
		for (const step of steps) {
			if (step.keys) keys(...step.keys);
			shots.push((await waitFor(async () => screen(), step.until, {timeoutMs: 60_000, intervalMs: 500, what: step.what})).value);
		}
	} finally {
		spawnSync('tmux', ['kill-session', '-t', SESSION]);
	}
	written.push(...shots.map((text, i) => ({what: `${command} screen ${i}`, text})));
	return shots;
}

afterAll(async () => {
	spawnSync('tmux', ['kill-session', '-t', SESSION]);
	await installDirectly(lab).catch(() => undefined);
	const r = spawnSync(process.execPath, [CLI, 'deploy', '--profile', LAB_PROFILE, '--yes'], {encoding: 'utf8', timeout: 150_000});
	expect(r.status, r.stdout + r.stderr).toBe(0);
	await pool.close();
});

describe('the VRRP password never leaves lvsdeck', () => {
	it('deploying a new password: the diffs and the report say it changes without showing it', {timeout: 240_000}, () => {
		const dry = cli('deploy', '--profile', secretFile, '--dry-run');
		expect(dry.status, dry.stderr).toBe(0);
		expect(dry.stdout).toContain('+    auth_pass ******** (changed)');
		expect(dry.stdout).toContain('-    auth_pass ********\n');
		const dryJson = cli('deploy', '--profile', secretFile, '--dry-run', '--json');
		expect(JSON.parse(dryJson.stdout).hosts.find((h: {host: string}) => h.host === 'dir1').diff).toContain('auth_pass ******** (changed)');
		// A rolling password change splits VRRP (each director drops the other's adverts), so this
		// deploy may well fail verification and roll back: its messages count as much as a success's.
		const applied = cli('deploy', '--profile', secretFile, '--yes', '--json');
		process.stderr.write(`secrets: deploying the new password exited ${applied.status}: ${applied.stdout}\n`);
		expect([0, 1], applied.stdout + applied.stderr).toContain(applied.status);
		expect(JSON.parse(applied.stdout).hosts.length).toBeGreaterThan(0);
	});

	it('with the password live: status, deploy, drills, watch and lab status', {timeout: 300_000}, async () => {
		await installDirectly(secret);
		expect((await pool.exec('dir1', ['grep', '-c', SECRET, CONF])).stdout.trim()).toBe('1');
		// Right after a reload keepalived's checks are still re-adding real servers: wait for a clean status.
		await waitFor(async () => cli('status', '--profile', secretFile).status, (code) => code === 0, {timeoutMs: 60_000, intervalMs: 1000, what: 'a clean status with the password live'});
		const statusJson = cli('status', '--profile', secretFile, '--json');
		expect(JSON.parse(statusJson.stdout)).toBeTruthy();
		expect(cli('deploy', '--profile', secretFile, '--dry-run').stdout).toContain('nothing to deploy');
		cli('deploy', '--profile', secretFile, '--dry-run', '--json');
		expect(cli('deploy', '--profile', secretFile, '--yes').status).toBe(0);
		// Against the lab profile the installed file (with the secret) is the old side of the diff.
		const back = cli('deploy', '--profile', LAB_PROFILE, '--dry-run');
		expect(back.stdout).toContain('-    auth_pass ********\n');
		cli('deploy', '--profile', LAB_PROFILE, '--dry-run', '--json');

		const drillJson = path.join(tmp, 'drill.json');
		const drillJunit = path.join(tmp, 'drill.xml');
		const drill = cli('drill', 'failover', '--profile', secretFile, '--json', drillJson, '--junit', drillJunit);
		expect(drill.status, drill.stderr).toBe(0);
		cli('drill', '--recover', '--profile', secretFile);
		const watchJson = path.join(tmp, 'watch.json');
		expect(cli('watch', '--profile', secretFile, '--duration', '3', '--json', watchJson).status).toBe(0);
		cli('lab', 'status', '--json');
		for (const f of [drillJson, drillJunit, watchJson]) written.push({what: f, text: readFileSync(f, 'utf8')});
	});

	it('the wall and the console: the deploy diff view, every view, the action log', {timeout: 300_000}, async () => {
		await inTmux(`${process.execPath} ${CLI} wall --profile ${secretFile}`, (s) => s.includes('healthy: no findings'), []);
		// The console on the lab profile: drift, the deploy diff view, cancel, then the VRRP view and the log.
		const shots = await inTmux(`${process.execPath} ${CLI} console --profile ${LAB_PROFILE}`, (s) => s.includes('config-drift') || s.includes('differs from what the profile renders'), [
			{keys: ['d'], until: (s) => s.includes('apply these changes?'), what: 'the deploy diff'},
			{keys: ['n'], until: (s) => s.includes('cancelled: nothing was changed'), what: 'the cancelled deploy'},
			{keys: ['Escape'], until: (s) => !s.includes('Deploy configs'), what: 'the deploy flow closed'},
			{keys: ['3'], until: (s) => s.includes('VI_1'), what: 'the VRRP view'},
			{keys: ['5'], until: (s) => s.includes('deploy: cancelled'), what: 'the findings and action log'},
		]);
		expect(shots[1]).toMatch(/auth_pass \*{8}/);
	});

	it('is in nothing any of them wrote: output, reports, state folder, screens', () => {
		for (const f of filesUnder(stateDir)) written.push({what: f, text: readFileSync(f, 'utf8')});
		process.stderr.write(`secrets: ${written.length} outputs searched\n`);
		expect(written.length).toBeGreaterThan(30);
		const hits = written.filter((w) => w.text.includes(SECRET));
		// On a leak, keep what was written for a look (the lines around each hit are in the failure).
		if (hits.length > 0) writeFileSync(path.join(tmp, 'written.json'), JSON.stringify(written, null, 1));
		expect(hits.map((w) => `${w.what}: ${w.text.split('\n').filter((l) => l.includes(SECRET)).join(' | ')}`)).toEqual([]);
	});
});

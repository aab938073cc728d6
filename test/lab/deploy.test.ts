// Deploy against the real lab: a weight change lands in IPVS with a backup of the old file; an invalid
// config is refused without touching the file or reloading; a config that passes keepalived -t but
// fails verification is rolled back; a connection cut mid-upload leaves the old file; the real-server
// setup is idempotent and reversible.
import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {loadProfile} from '../../src/profile/load.js';
import type {Profile} from '../../src/profile/model.js';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {shellJoin} from '../../src/transport/quote.js';
import {sha256Hex} from '../../src/probes/config-hash.js';
import {renderKeepalivedConf} from '../../src/render/keepalived-conf.js';
import {ARP_SYSCTL_FILE} from '../../src/render/realserver-setup.js';
import {planDeploy} from '../../src/actions/deploy/plan.js';
import {executeDeploy} from '../../src/actions/deploy/execute.js';
import {INSTALL_SCRIPT, parseSetupChanges, REALSERVER_SETUP_SCRIPT} from '../../src/actions/deploy/remote-scripts.js';
import {CLI, LAB_PROFILE, ROOT, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
const CONF = profile.keepalived.configPath;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-deploy-'));

/** A copy of the lab profile with a text change (paths made absolute so the copy can live elsewhere). */
function variant(name: string, change: (yaml: string) => string): {file: string; profile: Profile} {
	const text = change(readFileSync(LAB_PROFILE, 'utf8').replaceAll('../.lab/', `${path.join(ROOT, '.lab')}/`));
	const file = path.join(tmp, `${name}.yaml`);
	writeFileSync(file, text);
	return {file, profile: loadProfile(file)};
}

const cat = async (host: string, file: string) => (await pool.exec(host, ['cat', file])).stdout;
const reloads = async (host: string) => (await pool.exec(host, ['sh', '-c', 'grep -c "Reloading ..." /run/keepalived.log || true'])).stdout.trim();
// The real servers of port 80 (the lab has TCP 9000 and UDP 9053 too).
const weights = async (host: string) => (await pool.exec(host, ['ipvsadm', '-Ln'])).stdout.match(/-> \S+:80\s+Route\s+\d+/g) ?? [];
const deployCli = (file: string, ...args: string[]) => spawnSync(process.execPath, [CLI, 'deploy', '--profile', file, '--yes', ...args], {encoding: 'utf8', timeout: 120_000});

beforeAll(async () => {
	// Start from the profile's own configs.
	const r = deployCli(LAB_PROFILE);
	expect(r.status, r.stderr).toBe(0);
});

afterAll(async () => {
	deployCli(LAB_PROFILE);
	await pool.close();
});

describe('deploy on the lab', () => {
	it('a weight change reaches IPVS on both directors and the old file is kept as a backup', async () => {
		const before = await cat('dir1', CONF);
		const w3 = variant('weight3', (y) => y.replace('weight: 1', 'weight: 3'));
		const dry = spawnSync(process.execPath, [CLI, 'deploy', '--profile', w3.file, '--dry-run'], {encoding: 'utf8'});
		expect(dry.status).toBe(0);
		expect(dry.stdout).toContain('-    weight 1');
		expect(dry.stdout).toContain('+    weight 3');
		expect(await cat('dir1', CONF)).toBe(before);

		const r = deployCli(w3.file);
		expect(r.status, r.stderr).toBe(0);
		expect(r.stdout).toMatch(/dir1\s+deployed\s+deployed and verified/);
		for (const d of ['dir1', 'dir2']) {
			expect(await weights(d)).toEqual(['-> 192.168.67.10:80             Route   3', '-> 192.168.67.20:80             Route   1']);
			expect(await cat(d, CONF)).toBe(renderKeepalivedConf(w3.profile, d));
		}
		const backup = /dir1: backup-install ok: installed; previous file kept as (\S+)/.exec(r.stderr)?.[1];
		expect(backup).toMatch(/^\/etc\/keepalived\/backup\/keepalived\.conf\.\d{8}T\d{6}Z$/);
		expect(await cat('dir1', backup!)).toBe(before);
	});

	it('an invalid config (VRID 300) is refused: the file is byte-identical and keepalived is never reloaded', async () => {
		const before = await cat('dir2', CONF);
		const reloadsBefore = await reloads('dir2');
		const broken = (p: Profile, d: string) => renderKeepalivedConf(p, d).replace(/virtual_router_id \d+/, 'virtual_router_id 300');
		const plan = await planDeploy(profile, pool, {host: 'dir2', render: broken});
		expect(plan.changed).toBe(true);
		const events: string[] = [];
		// keepalived ignores an out-of-range VRID, so in keepalived terms the instance loses its VRID: a
		// removal. Allowed here, so that what refuses the config is keepalived -t on the director.
		const report = await executeDeploy(profile, pool, plan, {onEvent: (e) => events.push(`${e.step}:${e.status}`), allowRemovals: true});
		expect(report.ok).toBe(false);
		expect(report.hosts[0]).toMatchObject({host: 'dir2', outcome: 'refused'});
		expect(events).toEqual(['validate:start', 'validate:fail']);
		expect(sha256Hex(await cat('dir2', CONF))).toBe(sha256Hex(before));
		expect(await reloads('dir2')).toBe(reloadsBefore);
	});

	it('a config that passes keepalived -t but fails verification is rolled back', async () => {
		const before = await cat('dir2', CONF);
		// Port 8080: a valid config, but nothing listens there, so the health checks drop both real servers.
		const p8080 = variant('port8080', (y) => y.replace('    port: 80\n', '    port: 8080\n').replaceAll('        port: 80\n', '        port: 8080\n'));
		expect(p8080.profile.virtualServers[0]!.port).toBe(8080);
		const started = Date.now();
		// Port 80 -> 8080 replaces the virtual_server block: in keepalived terms a removal, so it needs --allow-removals.
		const r = deployCli(p8080.file, '--allow-removals');
		expect(r.status, r.stdout + r.stderr).toBe(1);
		expect(r.stdout).toMatch(/dir2\s+rolled-back\s+verification failed/);
		expect(r.stdout).toMatch(/dir1\s+not-run/);
		expect(Date.now() - started).toBeLessThan(90_000);
		expect(await cat('dir2', CONF)).toBe(before);
		const table = (await pool.exec('dir2', ['ipvsadm', '-Ln'])).stdout;
		expect(table).toContain('TCP  192.168.67.100:80 rr');
		expect(table).not.toContain(':8080');
	});

	it('a connection cut while the file is being uploaded leaves the old file, never a partial one', async () => {
		const before = await cat('dir2', CONF);
		const next = `${renderKeepalivedConf(profile, 'dir2')}\n# ${'x'.repeat(200_000)}\n`;
		const host = profile.hosts.find((h) => h.name === 'dir2')!;
		const command = shellJoin(['sh', '-c', INSTALL_SCRIPT, 'lvsdeck-install', CONF, profile.keepalived.backupDir, 'cut-test', sha256Hex(next), sha256Hex(before)]);
		const ssh = spawn('ssh', ['-i', host.ssh.identityFiles[0]!, '-o', `UserKnownHostsFile=${host.ssh.knownHostsFiles[0]}`, '-o', 'BatchMode=yes', `root@${host.address}`, command], {stdio: ['pipe', 'ignore', 'ignore']});
		const exited = new Promise((r) => ssh.on('exit', r));
		ssh.stdin.write(next.slice(0, next.length / 2));
		await new Promise((r) => setTimeout(r, 500));
		ssh.kill('SIGKILL');
		await exited;
		// The remote script sees the upload end early, finds the hash wrong and removes its temporary file.
		const temporaries = async () => (await pool.exec('dir2', ['sh', '-c', 'ls -a /etc/keepalived | grep -c lvsdeck-tmp || true'])).stdout.trim();
		await waitFor(temporaries, (n) => n === '0', {timeoutMs: 15_000, what: 'the temporary file removed'});
		expect(sha256Hex(await cat('dir2', CONF))).toBe(sha256Hex(before));
	});

	it('the real-server setup is idempotent (a second run changes nothing) and reversible', async () => {
		// Knock rs1 off its DR settings first: no sysctl file, arp_announce back to 0.
		await pool.exec('rs1', ['sh', '-c', `rm -f ${ARP_SYSCTL_FILE}; sysctl -qw net.ipv4.conf.all.arp_announce=0`]);
		const first = deployCli(LAB_PROFILE, '--host', 'rs1');
		expect(first.status, first.stderr).toBe(0);
		expect(first.stdout).toMatch(/rs1\s+deployed\s+.*sysctl:all\.arp_announce=2.*file:/);
		const second = deployCli(LAB_PROFILE, '--host', 'rs1');
		expect(second.status).toBe(0);
		expect(second.stdout).toContain('nothing to deploy');

		const content = await cat('rs1', ARP_SYSCTL_FILE);
		const revert = await pool.exec('rs1', ['sh', '-c', REALSERVER_SETUP_SCRIPT, 'lvsdeck-setup', 'revert', ARP_SYSCTL_FILE, '192.168.67.100'], {stdin: '', timeoutMs: 30_000});
		expect(parseSetupChanges(revert.stdout)).toEqual(expect.arrayContaining(['vip:-192.168.67.100', `file:-${ARP_SYSCTL_FILE}`]));
		const apply = await pool.exec('rs1', ['sh', '-c', REALSERVER_SETUP_SCRIPT, 'lvsdeck-setup', 'apply', ARP_SYSCTL_FILE, '192.168.67.100'], {stdin: content, timeoutMs: 30_000});
		expect(parseSetupChanges(apply.stdout)).toEqual(expect.arrayContaining(['vip:192.168.67.100', `file:${ARP_SYSCTL_FILE}`]));
		const again = await pool.exec('rs1', ['sh', '-c', REALSERVER_SETUP_SCRIPT, 'lvsdeck-setup', 'apply', ARP_SYSCTL_FILE, '192.168.67.100'], {stdin: content, timeoutMs: 30_000});
		expect(parseSetupChanges(again.stdout)).toEqual([]);
	});

	it('refuses to change hosts without --yes when there is no terminal, and changes nothing', async () => {
		const before = await cat('dir1', CONF);
		const w5 = variant('weight5', (y) => y.replace('weight: 1', 'weight: 5'));
		const r = spawnSync(process.execPath, [CLI, 'deploy', '--profile', w5.file], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
		expect(r.status).toBe(2);
		expect(r.stderr.trim()).toBe('lvsdeck: deploy changes hosts: pass --yes to confirm when not at a terminal (or --dry-run to only see the plan)');
		expect(await cat('dir1', CONF)).toBe(before);
	});

	it('the console guided flow: d shows the diff, y applies with progress, and the result is shown', async () => {
		const session = 'lvsdeck-deploy-e2e';
		const screen = () => execFileSync('tmux', ['capture-pane', '-p', '-t', session], {encoding: 'utf8'});
		const w2 = variant('weight2', (y) => y.replace('weight: 1', 'weight: 2'));
		spawnSync('tmux', ['kill-session', '-t', session]);
		execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '110', '-y', '32', `${process.execPath} ${CLI} console --profile ${w2.file}`]);
		try {
			await waitFor(async () => screen(), (s) => s.includes('config-drift') || s.includes('differs from what the profile renders'), {timeoutMs: 30_000, what: 'the drift warning'});
			execFileSync('tmux', ['send-keys', '-t', session, 'd']);
			const review = await waitFor(async () => screen(), (s) => s.includes('apply these changes?'), {timeoutMs: 30_000, what: 'the plan review'});
			// Whatever weight earlier tests left installed, the plan replaces it with 2.
			expect(review.value).toMatch(/^-    weight [013-9]$/m);
			expect(review.value).toContain('+    weight 2');
			execFileSync('tmux', ['send-keys', '-t', session, 'y']);
			const done = await waitFor(async () => screen(), (s) => /deploy (done|FAILED)/.test(s), {timeoutMs: 120_000, intervalMs: 500, what: 'the deploy result'});
			expect(done.value).toContain('deploy done');
			expect(done.value).toMatch(/dir1\s+deployed\s+deployed and verified/);
			expect(await weights('dir1')).toContain('-> 192.168.67.10:80             Route   2');
			execFileSync('tmux', ['send-keys', '-t', session, 'Escape']);
			await waitFor(async () => screen(), (s) => s.includes('1 Overview') && !s.includes('Deploy configs'), {timeoutMs: 5000, what: 'the flow closed'});
		} finally {
			spawnSync('tmux', ['kill-session', '-t', session]);
		}
		// Its own waits (30 s, 30 s, then 120 s for the deploy) bound it: the project's 120 s cut it short
		// on a slow run before the deploy's wait could say what the screen showed.
	}, 200_000);
});

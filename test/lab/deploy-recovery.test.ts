// Deploy against the real lab when the connection is cut at each step (sshd killed on the host with
// every session, back after a few seconds): after the rename but before the exit status, during the
// reload, during verification, during the rollback, and for longer than deploy waits (state unknown).
// Each report must say exactly what the host holds, and that must be the real sha256 on the host.
// Also: the installed file keeps the replaced file's mode and owner, a new file is 0600 root, a
// temporary left by a killed install is named and removed by the next deploy, and a file changed
// after the plan stops the deploy with the new diff.
import {spawn, spawnSync} from 'node:child_process';
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
import {DIRECTOR_SNAPSHOT_SCRIPT} from '../../src/probes/director-snapshot.js';
import {planDeploy} from '../../src/actions/deploy/plan.js';
import {deployExitCode, executeDeploy, type DeployReport, type ExecuteOptions} from '../../src/actions/deploy/execute.js';
import {INSTALL_SCRIPT, RESTORE_SCRIPT} from '../../src/actions/deploy/remote-scripts.js';
import {CuttingTransport} from '../helpers/cut-transport.js';
import {CLI, LAB_PROFILE, ROOT, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile: lab} = labProfile();
const CONF = lab.keepalived.configPath;
const pool = new SshPool(lab.hosts, {backoffMaxMs: 1000});
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-deploy-recovery-'));

let weight = 2;
/** A copy of the lab profile with a weight no earlier test used, so dir2's file always changes. */
function nextVariant(change: (yaml: string) => string = (y) => y): Profile {
	weight++;
	const text = change(readFileSync(LAB_PROFILE, 'utf8').replaceAll('../.lab/', `${path.join(ROOT, '.lab')}/`).replace('weight: 1', `weight: ${weight}`));
	const file = path.join(tmp, `w${weight}.yaml`);
	writeFileSync(file, text);
	return loadProfile(file);
}

const sh = async (host: string, script: string) => (await pool.exec(host, ['sh', '-c', script])).stdout.trim();
const realSha = async () => {
	const out = await waitFor(async () => sh('dir2', `sha256sum < ${CONF} | cut -c1-64`), (s) => /^[0-9a-f]{64}$/.test(s), {timeoutMs: 30_000, what: 'dir2 answering again'});
	return out.value;
};
const deployCli = (file: string, ...args: string[]) => spawnSync(process.execPath, [CLI, 'deploy', '--profile', file, '--yes', ...args], {encoding: 'utf8', timeout: 150_000});

/** Deploy `profile` to dir2 through a transport that makes `cut` happen. */
async function deployWithCut(profile: Profile, cut: Parameters<CuttingTransport['cut']>[0], options: ExecuteOptions = {}): Promise<{report: DeployReport; transport: CuttingTransport; events: string[]}> {
	const transport = new CuttingTransport(new SshPool(profile.hosts, {backoffMaxMs: 1000}));
	try {
		const plan = await planDeploy(profile, transport, {host: 'dir2'});
		expect(plan.hosts[0]!.file.changed).toBe(true);
		transport.cut(cut);
		const events: string[] = [];
		const report = await executeDeploy(profile, transport, plan, {reconnectDeadlineMs: 30_000, onEvent: (e) => events.push(`${e.step} ${e.status}: ${e.message}`), ...options});
		expect(transport.made).toHaveLength(1);
		return {report, transport, events};
	} finally {
		await transport.close();
	}
}

beforeAll(() => {
	const r = deployCli(LAB_PROFILE);
	expect(r.status, r.stderr).toBe(0);
});

afterAll(async () => {
	// sshd back on dir2 whatever a test left, then the lab profile's own configs everywhere.
	await waitFor(async () => sh('dir2', 'echo up'), (s) => s === 'up', {timeoutMs: 40_000, what: 'dir2 answering'}).catch(() => undefined);
	deployCli(LAB_PROFILE);
	await pool.close();
});

describe('deploy with the connection cut at each step', () => {
	it('after the rename, before the exit status: reconnects, finds the new file, reloads and verifies', async () => {
		const p = nextVariant();
		const {report, events} = await deployWithCut(p, {host: 'dir2', match: (a) => a[2] === INSTALL_SCRIPT, when: 'after', outageSec: 3});
		const h = report.hosts[0]!;
		expect(h.outcome, `${h.message}\n${events.join('\n')}`).toBe('deployed');
		expect(events.some((e) => e.startsWith('recover ok: holds the new keepalived.conf'))).toBe(true);
		expect(h.holds).toMatchObject({config: 'new', sha256: sha256Hex(renderKeepalivedConf(p, 'dir2'))});
		expect(await realSha()).toBe(h.holds!.sha256);
		expect(h.message).toMatch(/^deployed and verified: holds the new keepalived\.conf \(sha256 [0-9a-f]{12}…\), keepalived reloaded$/);
	});

	it('during the reload: reconnects, the new file is in place, reloads again and verifies', async () => {
		const p = nextVariant();
		const {report, events} = await deployWithCut(p, {host: 'dir2', match: (a) => a.join(' ') === lab.keepalived.reload.join(' '), when: 'after', outageSec: 3});
		const h = report.hosts[0]!;
		expect(h.outcome, `${h.message}\n${events.join('\n')}`).toBe('deployed');
		expect(h.holds?.sha256).toBe(sha256Hex(renderKeepalivedConf(p, 'dir2')));
		expect(await realSha()).toBe(h.holds!.sha256);
	});

	it('during verification: the director answers again and verification goes on to pass', async () => {
		// The outage and the reconnect use up part of the time allowed to reach a matching state: allow more.
		const p = nextVariant();
		const {report, events} = await deployWithCut(p, {host: 'dir2', match: (a) => a[2] === DIRECTOR_SNAPSHOT_SCRIPT, when: 'before', outageSec: 3}, {verifyTimeoutMs: 30_000});
		const h = report.hosts[0]!;
		expect(h.outcome, `${h.message}\n${events.join('\n')}`).toBe('deployed');
		expect(await realSha()).toBe(h.holds!.sha256);
	});

	it('during the rollback: reconnects, finds the previous file back, reloads', async () => {
		const before = await realSha();
		// Port 8080: valid, but nothing listens there, so verification fails and deploy rolls back.
		const p = nextVariant((y) => y.replace('    port: 80\n', '    port: 8080\n').replaceAll('        port: 80\n', '        port: 8080\n'));
		const {report, events} = await deployWithCut(p, {host: 'dir2', match: (a) => a[2] === RESTORE_SCRIPT, when: 'after', outageSec: 3}, {verifyTimeoutMs: 4000, allowRemovals: true});
		const h = report.hosts[0]!;
		expect(h.outcome, `${h.message}\n${events.join('\n')}`).toBe('rolled-back');
		expect(h.holds).toMatchObject({config: 'previous', sha256: before});
		expect(await realSha()).toBe(before);
		expect(h.message).toMatch(/^verification failed: .*; rolled back: holds the previous keepalived\.conf \(sha256 [0-9a-f]{12}…\), keepalived reloaded$/);
		expect((await pool.exec('dir2', ['ipvsadm', '-Ln'])).stdout).not.toContain(':8080');
	});

	it('after the rename, and the host stays away longer than deploy waits: state unknown with the file and both hashes', async () => {
		const before = await realSha();
		const p = nextVariant();
		const next = sha256Hex(renderKeepalivedConf(p, 'dir2'));
		const {report} = await deployWithCut(p, {host: 'dir2', match: (a) => a[2] === INSTALL_SCRIPT, when: 'after', outageSec: 12}, {reconnectDeadlineMs: 4000});
		const h = report.hosts[0]!;
		expect(h.outcome).toBe('unknown');
		expect(h.message).toBe(`the install did not report back; state unknown: ${CONF} is old sha256 ${before} or new sha256 ${next}, host unreachable`);
		expect(deployExitCode(report)).toBe(2);
		// The cut came after the rename: the host really holds the new one.
		expect(await realSha()).toBe(next);
	});
});

describe('deploy: files, owners and leftovers', () => {
	it('the installed file keeps the mode and owner of the one it replaces; a new file is 0600 root', async () => {
		await sh('dir2', `chmod 640 ${CONF} && chown 1:2 ${CONF}`);
		const p = nextVariant();
		const file = path.join(tmp, `w${weight}.yaml`);
		const r = deployCli(file, '--host', 'dir2');
		expect(r.status, r.stdout + r.stderr).toBe(0);
		expect(await sh('dir2', `stat -c '%a %u %g' ${CONF}`)).toBe('640 1 2');
		expect(await realSha()).toBe(sha256Hex(renderKeepalivedConf(p, 'dir2')));
		const backup = /dir2: backup-install ok: installed; previous file kept as (\S+)/.exec(r.stderr)?.[1];
		expect(await sh('dir2', `stat -c '%a %u' ${backup}`)).toBe('600 0');

		await sh('dir2', `rm -f ${CONF}`);
		const again = deployCli(file, '--host', 'dir2');
		expect(again.status, again.stdout + again.stderr).toBe(0);
		expect(again.stdout).toContain(`${CONF} will be created`);
		expect(await sh('dir2', `stat -c '%a %u %g' ${CONF}`)).toBe('600 0 0');
	});

	it('a temporary left by a killed install (it holds the password) is named and removed by the next deploy', async () => {
		const host = lab.hosts.find((h) => h.name === 'dir2')!;
		const next = renderKeepalivedConf(nextVariant(), 'dir2');
		const command = shellJoin(['sh', '-c', INSTALL_SCRIPT, 'lvsdeck-install', CONF, lab.keepalived.backupDir, 'killed', sha256Hex(next), 'missing']);
		const ssh = spawn('ssh', ['-i', host.ssh.identityFiles[0]!, '-o', `UserKnownHostsFile=${host.ssh.knownHostsFiles[0]}`, '-o', 'BatchMode=yes', `root@${host.address}`, command], {stdio: ['pipe', 'ignore', 'ignore']});
		const exited = new Promise((r) => ssh.on('exit', r));
		ssh.stdin.write(next.slice(0, next.length / 2));
		// The install's shell is named in its temporary: kill it outright (no trap runs on SIGKILL).
		const found = await waitFor(async () => sh('dir2', 'ls -a /etc/keepalived | grep "^\\.keepalived\\.conf\\.lvsdeck-tmp\\.killed\\." || true'), (s) => s.length > 0, {timeoutMs: 10_000, what: 'the upload temporary'});
		const temp = `/etc/keepalived/${found.value}`;
		const pid = /\.killed\.(\d+)\.[^.]+$/.exec(temp)?.[1];
		expect(pid).toMatch(/^\d+$/);
		expect(await sh('dir2', `stat -c '%a' ${temp}`)).toBe('600');
		await sh('dir2', `kill -9 ${pid}`);
		ssh.kill('SIGKILL');
		await exited;
		expect(await sh('dir2', `test -e ${temp} && echo left`)).toBe('left');

		const dry = spawnSync(process.execPath, [CLI, 'deploy', '--profile', LAB_PROFILE, '--host', 'dir2', '--dry-run'], {encoding: 'utf8'});
		expect(dry.stdout).toContain(temp);
		const r = deployCli(LAB_PROFILE, '--host', 'dir2');
		expect(r.status, r.stdout + r.stderr).toBe(0);
		expect(r.stderr).toContain(`removed 1 stale temporary left by an interrupted run: ${temp}`);
		expect(await sh('dir2', `test -e ${temp} && echo left || echo gone`)).toBe('gone');
	});

	it('the file changed on the host after the plan: nothing is changed and the new diff is shown', async () => {
		const p = nextVariant();
		const plan = await planDeploy(p, pool, {host: 'dir2'});
		await sh('dir2', `sed -i 's/priority 80/priority 81/' ${CONF}`);
		const edited = await realSha();
		const report = await executeDeploy(p, pool, plan);
		const h = report.hosts[0]!;
		expect(h.outcome).toBe('refused');
		expect(h.message).toContain(`changed on dir2 since the plan (sha256 ${edited}`);
		expect(h.diff).toContain('-  priority 81');
		expect(h.diff).toContain('+  priority 80');
		expect(await realSha()).toBe(edited);
	});
});

// `lvsdeck status` against the real lab: VIP placement, VRRP states, IPVS tables, findings when a
// real server's web server stops, and an unreachable host reported without delaying the others.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import type {StatusReport} from '../../src/cluster/report.js';
import {hintsFile, readConnectHints} from '../../src/transport/connect-hints.js';
import {CLI, LAB_PROFILE, ROOT, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
const rs1 = profile.hosts.find((h) => h.name === 'rs1')!;

function status(env: NodeJS.ProcessEnv = process.env): {code: number | null; report: StatusReport; ms: number} {
	const started = Date.now();
	const r = spawnSync(process.execPath, [CLI, 'status', '--profile', LAB_PROFILE, '--json'], {encoding: 'utf8', timeout: 60_000, env});
	if (!r.stdout.trim()) throw new Error(`status printed nothing (exit ${r.status}): ${r.stderr}`);
	return {code: r.status, report: JSON.parse(r.stdout) as StatusReport, ms: Date.now() - started};
}

afterAll(async () => {
	// Leave the lab as it was, whatever a test did.
	await pool.exec('rs2', ['sh', '-c', 'kill -CONT $(cat /run/sshd.pid)']).catch(() => undefined);
	await pool.exec('rs1', rs1.service!.start).catch(() => undefined);
	await pool.exec('dir1', profile.keepalived.start).catch(() => undefined);
	await pool.close();
});

describe('lvsdeck status on the lab', () => {
	it('shows the VIP on dir1, dir1 MASTER and dir2 BACKUP, both real servers in both tables, exit 0', () => {
		const {code, report} = status();
		expect(report.findings).toEqual([]);
		expect(code).toBe(0);
		expect(report.healthy).toBe(true);
		expect(report.vips).toEqual([
			expect.objectContaining({vip: '192.168.67.100', instance: 'VI_1', holders: ['dir1'], expected: 'dir1'}),
		]);
		expect(report.hosts.map((h) => [h.name, h.reachable])).toEqual([
			['dir1', true],
			['dir2', true],
			['rs1', true],
			['rs2', true],
			['client1', true],
		]);
		const states = Object.fromEntries(report.directors.map((d) => [d.name, d.vrrp.map((v) => [v.instance, v.state])]));
		expect(states).toEqual({dir1: [['VI_1', 'MASTER']], dir2: [['VI_1', 'BACKUP']]});
		for (const d of report.directors) {
			const svc = d.ipvs.find((s) => s.address === '192.168.67.100' && s.port === 80);
			expect(svc?.scheduler).toBe('rr');
			expect(svc?.realServers.map((r) => [r.address, r.forward, r.weight])).toEqual([
				['192.168.67.10', 'Route', 1],
				['192.168.67.20', 'Route', 1],
			]);
		}
		expect(report.realServers.map((r) => [r.name, r.vipsOnLo, r.arpOk, r.serviceActive, r.portAnswering])).toEqual([
			['rs1', ['192.168.67.100'], true, true, true],
			['rs2', ['192.168.67.100'], true, true, true],
		]);
		// The VRRP password ("1111" in the lab) never leaves the host: neither as a value nor an auth field.
		expect(JSON.stringify(report)).not.toMatch(/"1111"|auth_data|auth_pass|[Pp]assword/);
	});

	it('after keepalived stops on dir1, shows the VIP on dir2 (and comes back)', async () => {
		expect((await pool.exec('dir1', profile.keepalived.stop)).code).toBe(0);
		const moved = await waitFor(async () => status().report, (r) => r.vips[0]!.holders.join() === 'dir2', {timeoutMs: 20_000, what: 'status showing dir2 as holder'});
		expect(moved.value.findings.map((f) => f.kind)).toContain('keepalived-down');
		expect(moved.value.directors.find((d) => d.name === 'dir2')!.vrrp[0]!.state).toBe('MASTER');
		expect((await pool.exec('dir1', profile.keepalived.start)).code).toBe(0);
		await waitFor(async () => status(), (s) => s.code === 0 && s.report.vips[0]!.holders.join() === 'dir1', {timeoutMs: 30_000, what: 'healthy again with dir1 holding the VIP'});
	});

	it('after the web server stops on rs1, reports rs1 missing from the table within the health-check time', async () => {
		expect((await pool.exec('rs1', rs1.service!.stop)).code).toBe(0);
		const seen = await waitFor(
			async () => status().report,
			(r) => r.findings.some((f) => f.kind === 'rs-missing' && f.subject === 'rs1'),
			{timeoutMs: 20_000, what: 'an rs-missing finding for rs1'},
		);
		const kinds = seen.value.findings.filter((f) => f.subject === 'rs1').map((f) => f.kind);
		expect(kinds).toContain('rs-service-down');
		expect(seen.value.healthy).toBe(false);
		expect((await pool.exec('rs1', rs1.service!.start)).code).toBe(0);
		await waitFor(async () => status(), (s) => s.code === 0, {timeoutMs: 30_000, what: 'status healthy after rs1 is back'});
	});

	it('with sshd frozen on rs2, reports every other host and rs2 unreachable within two command timeouts', async () => {
		// SIGSTOP the listener: new connections hang in the SSH handshake (worse than a refusal).
		expect((await pool.exec('rs2', ['sh', '-c', 'kill -STOP $(cat /run/sshd.pid)'])).code).toBe(0);
		try {
			const {code, report, ms} = status();
			const timeout = profile.hosts.find((h) => h.name === 'rs2')!.ssh.commandTimeoutMs;
			expect(ms).toBeLessThan(2 * timeout);
			expect(code).toBe(1);
			expect(report.hosts.map((h) => [h.name, h.reachable])).toEqual([
				['dir1', true],
				['dir2', true],
				['rs1', true],
				['rs2', false],
				['client1', true],
			]);
			expect(report.findings).toContainEqual(expect.objectContaining({kind: 'host-unreachable', subject: 'rs2'}));
			expect(report.directors.every((d) => d.vrrp.length === 1)).toBe(true);
		} finally {
			await pool.exec('rs2', ['sh', '-c', 'kill -CONT $(cat /run/sshd.pid)']);
		}
	});
});

describe('lvsdeck status from the last run\'s connect hints', () => {
	it('keeps where it connected; a hint that points a host elsewhere is never used: each host is read where the profile says', () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-status-hints-'));
		const env = {...process.env, LVSDECK_STATE_DIR: dir};
		try {
			expect(status(env).code).toBe(0);
			const hints = readConnectHints(LAB_PROFILE, env)!;
			expect(hints.stationNetns).toBe(profile.stationNetns ?? null);
			expect(hints.targets.map((t) => [t.host, t.address, t.port])).toEqual(profile.hosts.filter((h) => !h.ssh.jump).map((h) => [h.name, h.ssh.hostName, h.ssh.port]));
			// dir1's hint now names dir2's sshd (the profile unchanged): used by name alone, dir1 would be
			// dir2's connection, refused for its host key, or worse read as dir1.
			const dir2 = profile.hosts.find((h) => h.name === 'dir2')!;
			const misdirected = {...hints, targets: hints.targets.map((t) => (t.host === 'dir1' ? {...t, address: dir2.ssh.hostName} : t))};
			writeFileSync(hintsFile(LAB_PROFILE, env), JSON.stringify(misdirected));
			const {code, report} = status(env);
			expect(report.findings).toEqual([]);
			expect(code).toBe(0);
			expect(report.hosts.map((h) => [h.name, h.reachable])).toEqual(profile.hosts.map((h) => [h.name, true]));
			expect(Object.fromEntries(report.directors.map((d) => [d.name, d.vrrp.map((v) => v.state)]))).toEqual({dir1: ['MASTER'], dir2: ['BACKUP']});
			// And the hints are set right again for the next run.
			expect(readConnectHints(LAB_PROFILE, env)).toEqual(hints);
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});
});

describe('lvsdeck status over several clusters', () => {
	it('--profiles DIR reads every profile of the folder: one report per cluster under its name, exit 0 when all are healthy', () => {
		// Two profiles of the lab under other names (paths made absolute so the copies can live elsewhere).
		const dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-status-fleet-'));
		try {
			const text = readFileSync(LAB_PROFILE, 'utf8').replaceAll('../.lab/', `${path.join(ROOT, '.lab')}/`);
			expect(text).toMatch(/^name: lab$/m);
			for (const name of ['lab-a', 'lab-b']) writeFileSync(path.join(dir, `${name}.yaml`), text.replace(/^name: lab$/m, `name: ${name}`));
			const json = spawnSync(process.execPath, [CLI, 'status', '--profiles', dir, '--json'], {encoding: 'utf8', timeout: 90_000});
			expect(json.status, json.stderr).toBe(0);
			const report = JSON.parse(json.stdout) as {healthy: boolean; clusters: Array<StatusReport & {cluster: string}>};
			expect(report.healthy).toBe(true);
			expect(report.clusters.map((c) => [c.cluster, c.healthy, c.vips[0]?.holders])).toEqual([
				['lab-a', true, ['dir1']],
				['lab-b', true, ['dir1']],
			]);
			const text2 = spawnSync(process.execPath, [CLI, 'status', '--profile', path.join(dir, 'lab-a.yaml'), '--profile', path.join(dir, 'lab-b.yaml')], {encoding: 'utf8', timeout: 90_000});
			expect(text2.status, text2.stderr).toBe(0);
			expect(text2.stdout.match(/^== cluster (lab-[ab]) ==$/gm)).toEqual(['== cluster lab-a ==', '== cluster lab-b ==']);
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});
});

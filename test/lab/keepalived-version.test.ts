// keepalived's version and features on the lab's directors (Debian's 2.2.7): `status --json` reports
// them, detection from the directors' own `--version` / `--signum` output agrees, and the text dump
// (the path older keepalived versions take) reads into the same record as the JSON dump.
import {spawnSync} from 'node:child_process';
import {afterAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import type {StatusReport} from '../../src/cluster/report.js';
import {detectCapabilities, signumQuestions} from '../../src/probes/keepalived-caps.js';
import {directorSnapshotCommand, parseDirectorSnapshot} from '../../src/probes/director-snapshot.js';
import {keepalivedSignumCommand, keepalivedVersionCommand, vrrpRecord} from '../../src/probes/vrrp.js';
import {CLI, LAB_PROFILE, labProfile} from '../helpers/lab.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);

afterAll(async () => {
	await pool.close();
});

function status(): StatusReport {
	const r = spawnSync(process.execPath, [CLI, 'status', '--profile', LAB_PROFILE, '--json'], {encoding: 'utf8', timeout: 60_000});
	if (!r.stdout.trim()) throw new Error(`status printed nothing (exit ${r.status}): ${r.stderr}`);
	return JSON.parse(r.stdout) as StatusReport;
}

describe('keepalived version and features on the lab', () => {
	it('status --json names keepalived 2.2.7 with --signum and the JSON dump on every director', () => {
		const report = status();
		expect(report.directors.map((d) => [d.name, d.keepalivedVersion, d.keepalivedFeatures])).toEqual(
			['dir1', 'dir2'].map((name) => [name, '2.2.7', {signum: true, jsonDump: true, textDump: true, dump: 'json', dumpSignal: 36, pidFile: '/run/keepalived.pid'}]),
		);
		for (const d of report.directors) expect(d.vrrp[0]).toMatchObject({instance: 'VI_1', vrrpVersion: 2, interface: 'eth0', vrid: expect.any(Number) as number});
	});

	it('detection from the directors\' own --version and --signum output', async () => {
		for (const name of ['dir1', 'dir2']) {
			const version = await pool.exec(name, keepalivedVersionCommand());
			const text = `${version.stdout}\n${version.stderr}`;
			expect(signumQuestions(text)).toEqual(['JSON']);
			const signum = await pool.exec(name, keepalivedSignumCommand(['DATA', 'JSON']));
			expect(detectCapabilities(text, signum.stdout)).toEqual({
				version: '2.2.7',
				features: {signum: true, jsonDump: true, textDump: true},
				dump: {kind: 'json', signal: 36, signalFrom: 'signum'},
				pidFile: '/run/keepalived.pid',
				vrrpPidFile: '/run/vrrp.pid',
			});
		}
	});

	it('the text dump (SIGUSR1, as for 1.3.x) and the JSON dump read into the same record, without the password', async () => {
		const {pidFile, dumpDir} = profile.keepalived;
		for (const name of ['dir1', 'dir2']) {
			const json = parseDirectorSnapshot((await pool.exec(name, directorSnapshotCommand('', {kind: 'json', pidFile, dumpDir, signal: 36}))).stdout, 'json');
			const data = parseDirectorSnapshot((await pool.exec(name, directorSnapshotCommand('', {kind: 'data', pidFile, dumpDir, signal: 10}))).stdout, 'data');
			expect(data.vrrpError).toBeUndefined();
			const pick = (r: ReturnType<typeof vrrpRecord>) => [r.name, r.state, r.vrrpVersion, r.interface, r.vrid, r.priority, r.effectivePriority, r.advertIntMs, r.preempt, r.vips];
			expect(data.vrrp!.map(vrrpRecord).map(pick)).toEqual(json.vrrp!.map(vrrpRecord).map(pick));
			expect(JSON.stringify(data)).not.toMatch(/1111|[Pp]assword|auth/);
		}
	});
});

// Runs last (it takes the lab down): `lab up` is idempotent, `lab down` leaves no process, namespace,
// tap or mount behind, and a fresh `lab up` is ready (within its 30 s deadline) and serves the VIP.
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {labFiles, labProcesses, runningLabPid} from '../../src/lab/lab.js';
import {netnsExists} from '../../src/transport/netns.js';
import {CLI, labProfile} from '../helpers/lab.js';

const {plan, profile} = labProfile();

function cli(...args: string[]) {
	const r = spawnSync(process.execPath, [CLI, ...args], {encoding: 'utf8', timeout: 90_000});
	return {code: r.status, stdout: r.stdout, stderr: r.stderr};
}

function leftovers(): string[] {
	const found: string[] = [];
	if (labProcesses(plan).length > 0) found.push(`UML processes ${labProcesses(plan).join(',')}`);
	if (netnsExists(plan.netns)) found.push(`namespace ${plan.netns}`);
	if (readFileSync('/proc/mounts', 'utf8').includes(`/run/netns/${plan.netns} `)) found.push('netns mount');
	// This test process sits in the old station namespace: the tap must be gone from it too.
	const tap = spawnSync('ip', ['link', 'show', plan.tap], {encoding: 'utf8'});
	if (tap.status === 0) found.push(`tap ${plan.tap}`);
	const files = labFiles(plan);
	for (const f of [files.pidFile, files.knownHosts, plan.bootDir]) if (existsSync(f)) found.push(f);
	return found;
}

describe('lab lifecycle', () => {
	it('lab up on a running lab changes nothing', () => {
		const before = runningLabPid(plan);
		expect(before).toBeDefined();
		const r = cli('lab', 'up');
		expect(r.code).toBe(0);
		expect(r.stderr).toContain('already up');
		expect(runningLabPid(plan)).toBe(before);
	});

	it('lab down leaves nothing behind', () => {
		const r = cli('lab', 'down');
		expect(r.code).toBe(0);
		expect(leftovers()).toEqual([]);
	});

	it('a fresh lab up is ready and serves the VIP; lab down cleans up again', () => {
		const up = cli('lab', 'up');
		expect(up.code, up.stderr).toBe(0);
		expect(up.stderr).toMatch(/up in \d+\.\d s/);
		const status = cli('lab', 'status', '--json');
		expect(status.code, status.stdout + status.stderr).toBe(0);
		const hosts = (JSON.parse(status.stdout) as {hosts: Array<{name: string; sshd: string}>}).hosts;
		expect(hosts.map((h) => [h.name, h.sshd])).toEqual(profile.hosts.map((h) => [h.name, 'up']));
		const vip = profile.virtualServers[0]!.vip;
		const body = execFileSync(process.execPath, [CLI, 'lab', 'exec', '--', 'curl', '-s', '-m', '3', `http://${vip}/`], {encoding: 'utf8'});
		expect(['rs1', 'rs2']).toContain(body.trim());
		expect(cli('lab', 'down').code).toBe(0);
		expect(leftovers()).toEqual([]);
	});
});

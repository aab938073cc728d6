// Two clusters in one lab (`lab up --profile profiles/lab.yaml --profile profiles/lab-b.yaml`): cluster
// "lab" (dir1/dir2, VIP .100, rs1/rs2) and cluster "lab-b" (dir3/dir4, VIP .200, rs3/rs4) side by side
// on the same station network. Both read healthy in one status, each VIP reaches only its own real
// servers, a failover drill on B leaves A's VIP where it was, and lab down takes both away.
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {labProcesses} from '../../src/lab/lab.js';
import {loadProfile} from '../../src/profile/load.js';
import {planLabs} from '../../src/lab/plan.js';
import {netnsExists} from '../../src/transport/netns.js';
import {waitFor} from '../helpers/wait-for.js';
import {ROOT} from '../helpers/lab.js';
import {cli, drill, inStation, otherLabUp, sshFromStation, topology, watchVip, type Topology} from '../helpers/topology.js';

const a = topology('lab.yaml');
const b = topology('lab-b.yaml');
const both = ['--profile', a.file, '--profile', b.file];
const plan = planLabs([loadProfile(a.file), loadProfile(b.file)]);
const vipOf = (t: Topology) => t.profile.instances[0]!.vips[0]!.address;
const backendsOf = (t: Topology) => t.profile.virtualServers[0]!.realServers.map((rs) => rs.host).sort();

/** Which of cluster A's directors carry its VIP, and how many VRRP state changes each has logged. */
function clusterA(): {holders: string[]; transitions: Record<string, number>} {
	const holders: string[] = [];
	const transitions: Record<string, number> = {};
	for (const d of ['dir1', 'dir2']) {
		const r = sshFromStation(a, d, "ip -o addr show; echo ==; grep -c 'Entering .* STATE' /run/keepalived.log");
		expect(r.status, r.stderr).toBe(0);
		const [addrs, count] = r.stdout.split('==\n');
		if (addrs!.includes(` ${vipOf(a)}/`)) holders.push(d);
		transitions[d] = Number(count!.trim());
	}
	return {holders, transitions};
}

interface StatusJson {
	readonly healthy: boolean;
	readonly clusters: ReadonlyArray<{
		readonly cluster: string;
		readonly healthy: boolean;
		readonly findings: readonly unknown[];
		readonly vips: ReadonlyArray<{readonly vip: string; readonly holders: readonly string[]}>;
		readonly hosts: ReadonlyArray<{readonly name: string; readonly reachable: boolean}>;
		readonly realServers: ReadonlyArray<{readonly name: string; readonly vipsOnLo: readonly string[]}>;
	}>;
}

/** The profile with its key paths made absolute and a 20 s command timeout, in the test's folder. */
function patientCopy(t: Topology): string {
	const text = readFileSync(t.file, 'utf8')
		.replaceAll('../.lab/', `${path.join(ROOT, '.lab')}/`)
		.replace(/command_timeout_ms: \d+/, 'command_timeout_ms: 20000');
	const file = path.join(t.tmp, path.basename(t.file));
	writeFileSync(file, text);
	return file;
}

let up = false;

beforeAll(() => {
	const busy = otherLabUp(a);
	if (busy) throw new Error(`refusing to start the two-cluster lab: another lab is up (${busy}); run it alone, under flock /tmp/lvsdeck-lab.lock`);
	const r = cli(a, ['lab', 'up', ...both], 120_000);
	if (r.status !== 0) {
		cli(a, ['lab', 'down', ...both]);
		throw new Error(`lab up ${both.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
	}
	up = true;
	// the boot time in the CI log (one kernel, nine guests)
	process.stderr.write(`${r.stderr.split('\n').find((l) => l.includes(' up in ')) ?? ''}\n`);
});

afterAll(() => {
	// Only a lab this file brought up, and did not take down itself, is taken down.
	if (up) cli(a, ['lab', 'down', ...both], 60_000);
});

describe('two clusters in one lab (lab.yaml + lab-b.yaml)', () => {
	it('lab status lists every host of both clusters up, and lab exec reaches both VIPs', () => {
		const r = cli(a, ['lab', 'status', ...both, '--json']);
		expect(r.status, r.stdout + r.stderr).toBe(0);
		const status = JSON.parse(r.stdout) as {ready: boolean; hosts: Array<{name: string; sshd: string}>};
		expect(status.ready).toBe(true);
		expect(status.hosts.map((h) => h.name)).toEqual(['dir1', 'dir2', 'rs1', 'rs2', 'client1', 'dir3', 'dir4', 'rs3', 'rs4']);
		for (const t of [a, b]) {
			const curl = cli(a, ['lab', 'exec', '--profile', a.file, '--', 'curl', '-s', '-m', '3', `http://${vipOf(t)}/`]);
			expect(curl.status, curl.stderr).toBe(0);
			expect(backendsOf(t)).toContain(curl.stdout.trim());
		}
	});

	it('status with both profiles is healthy, each cluster with its own VIP on its own first director', async () => {
		// One read of nine hosts at once on the lab's one emulated CPU: on a busy machine some hosts'
		// commands outlasted the profiles' 5 s command timeout in every try, so status reads copies of
		// both profiles that differ only in command_timeout_ms (20 s).
		const patient = [a, b].flatMap((t) => ['--profile', patientCopy(t)]);
		const {value: report} = await waitFor(
			async () => {
				const r = cli(a, ['status', ...patient, '--json']);
				expect(r.status === 0 || r.status === 1, r.stdout + r.stderr).toBe(true);
				return JSON.parse(r.stdout) as StatusJson;
			},
			(s) => s.healthy,
			{timeoutMs: 60_000, intervalMs: 1000, what: 'status --profile lab.yaml --profile lab-b.yaml healthy'},
		);
		expect(report.clusters.map((c) => c.cluster)).toEqual(['lab', 'lab-b']);
		const [ca, cb] = report.clusters;
		expect(ca).toMatchObject({healthy: true, findings: [], vips: [{vip: vipOf(a), holders: ['dir1']}]});
		expect(cb).toMatchObject({healthy: true, findings: [], vips: [{vip: vipOf(b), holders: ['dir3']}]});
		expect(cb!.hosts.map((h) => `${h.name}:${h.reachable}`)).toEqual(['dir3:true', 'dir4:true', 'rs3:true', 'rs4:true']);
		expect(cb!.realServers.map((rs) => `${rs.name}:${rs.vipsOnLo.join(',')}`)).toEqual([`rs3:${vipOf(b)}`, `rs4:${vipOf(b)}`]);
	});

	it.each([
		['lab', a],
		['lab-b', b],
	] as const)('requests through the VIP of cluster %s from the station reach that cluster\'s real servers, and only those', (_name, t) => {
		const {run, summary} = watchVip(t);
		expect(run.status, run.stdout + run.stderr).toBe(0);
		expect(summary?.requests.total, 'requests answered').toBeGreaterThan(5);
		expect(summary?.requests.failed).toBe(0);
		expect(summary?.requests.timeouts).toBe(0);
		expect(Object.keys(summary!.requests.perBackend).sort()).toEqual(backendsOf(t));
		for (const backend of backendsOf(t)) expect(summary!.requests.perBackend[backend]).toBeGreaterThan(0);
	});

	it("a failover drill on cluster lab-b passes (dir4 takes over, dir3 takes the VIP back) while cluster lab's VIP stays on dir1", () => {
		const before = clusterA();
		expect(before.holders).toEqual(['dir1']);
		const {run, report} = drill(b, 'failover');
		expect(run.status, run.stdout + run.stderr).toBe(0);
		expect(report).toMatchObject({drill: 'failover', verdict: 'pass', target: 'dir3', takeover: 'dir4', restored: true});
		expect(Object.keys((report!['requests'] as {perBackend: Record<string, number>}).perBackend).sort()).toEqual(backendsOf(b));
		// keepalived logs every state change: none on dir1 or dir2 means A's VIP never moved, not only that it is back
		const after = clusterA();
		expect(after).toEqual(before);
		const b3 = sshFromStation(b, 'dir3', 'ip -o addr show eth0');
		expect(b3.stdout).toContain(` ${vipOf(b)}/`);
	});

	it('lab down takes both clusters away: no lab kernel, no station namespace', () => {
		const r = cli(a, ['lab', 'down', ...both], 60_000);
		expect(r.status, r.stderr).toBe(0);
		up = false;
		expect(labProcesses(plan)).toEqual([]);
		expect(netnsExists(plan.netns)).toBe(false);
		expect(inStation(a, ['true']).status).not.toBe(0);
		const status = cli(a, ['lab', 'status', ...both, '--json']);
		expect(status.status).toBe(1);
		expect(JSON.parse(status.stdout)).toEqual({up: false, hosts: []});
	});
});

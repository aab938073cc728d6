// A drill plan against the real lab: three drills (failover, rs-health, hard failover by cutting VRRP)
// in one run of `lvsdeck drill --plan`, one JSON report with every drill and one JUnit test case per
// drill; the cluster is as it was afterwards. A bad plan is refused with file:line:col, nothing run.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import type {PlanReport} from '../../src/actions/drills/plan-run.js';
import {CLI, LAB_PROFILE, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-drill-plan-'));
const env = {...process.env, LVSDECK_STATE_DIR: path.join(tmp, 'state')};
const vip = profile.instances[0]!.vips[0]!.address;

const holder = async () => {
	const found: string[] = [];
	for (const d of ['dir1', 'dir2']) if ((await pool.exec(d, ['ip', '-o', '-4', 'addr', 'show'])).stdout.includes(` ${vip}/`)) found.push(d);
	return found.join('+');
};

afterAll(async () => {
	await pool.exec('dir1', profile.keepalived.start).catch(() => undefined);
	await waitFor(holder, (h) => h === 'dir1', {timeoutMs: 20_000, what: 'VIP back on dir1'}).catch(() => undefined);
	await pool.close();
});

describe('drill plans on the lab', () => {
	it('a three-drill plan passes: exit 0, one JSON report with every drill, one JUnit test case per drill', async () => {
		const plan = path.join(tmp, 'ci.yaml');
		writeFileSync(
			plan,
			[
				`profile: ${path.resolve(LAB_PROFILE)}`,
				'on_failure: continue',
				'drills:',
				'  - {kind: failover, instance: VI_1, max_failover_ms: 5000, max_failed_requests: 20}',
				'  - {kind: rs-health, rs: rs1}',
				'  - {kind: hard-failover, method: cut}',
				'',
			].join('\n'),
		);
		const json = path.join(tmp, 'plan.json');
		const junit = path.join(tmp, 'plan.xml');
		const r = spawnSync(process.execPath, [CLI, 'drill', '--plan', plan, '--json', json, '--junit', junit], {encoding: 'utf8', timeout: 400_000, env});
		expect(r.status, r.stdout + r.stderr).toBe(0);
		const report = JSON.parse(readFileSync(json, 'utf8')) as PlanReport;
		expect(report).toMatchObject({profile: 'lab', verdict: 'pass', onFailure: 'continue', skipped: [], error: null, interrupted: false});
		expect(report.drills.map((d) => [d.drill, d.target, d.verdict, d.restored])).toEqual([
			['failover', 'dir1', 'pass', true],
			['rs-health', 'rs1', 'pass', true],
			['hard-failover', 'dir1', 'pass', true],
		]);
		expect(report.drills[0]).toMatchObject({instance: 'VI_1', takeover: 'dir2'});
		expect(report.drills[0]!.failoverMs!).toBeLessThanOrEqual(5000);
		expect(report.drills[1]).toMatchObject({takeover: 'dir1', failedAfterRemoval: 0});
		expect(report.drills[2]).toMatchObject({method: 'cut', takeover: 'dir2'});
		const xml = readFileSync(junit, 'utf8');
		expect(xml).toMatch(/<testsuites tests="3" failures="0"/);
		expect([...xml.matchAll(/<testcase name="([^"]+)" classname="lvsdeck\.drill\.([^"]+)"/g)].map((m) => m[2])).toEqual(['failover', 'rs-health', 'hard-failover']);
		expect(xml).toContain('<testcase name="failover VI_1 (dir1)"');
		expect(xml).not.toContain('<failure');
		expect(r.stdout).toContain('PASS (3 of 3 drills passed)');
		await waitFor(holder, (h) => h === 'dir1', {timeoutMs: 15_000, what: 'VIP back on dir1'});
	});

	it('a bad plan is refused with file:line:col before anything runs (exit 2)', () => {
		const plan = path.join(tmp, 'bad.yaml');
		writeFileSync(plan, `profile: ${path.resolve(LAB_PROFILE)}\ndrills:\n  - {kind: failover}\n  - {kind: rs-health, rs: dir1}\n`);
		const r = spawnSync(process.execPath, [CLI, 'drill', '--plan', plan], {encoding: 'utf8', timeout: 60_000, env});
		expect(r.status, r.stdout + r.stderr).toBe(2);
		expect(r.stderr).toMatch(/bad\.yaml:4:\d+: drills\[1\]\.rs: dir1 is not a real server of profile lab/);
		expect(r.stdout).not.toContain('drill');
	});
});

// `lvsdeck watch` against the lab VIP: from the station and from the client host over SSH (curl), with
// answers from both real servers and no failures; stopping it leaves nothing running on the client.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {CLI, LAB_PROFILE, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-watch-'));
afterAll(() => pool.close());

interface WatchReport {
	from: string;
	requests: {total: number; ok: number; failed: number; timeouts: number; perBackend: Record<string, number>};
	weights: Record<string, number>;
	latencyP50Ms: number | null;
	requestsPerSecond: number;
}

const watch = (...args: string[]) => spawnSync(process.execPath, [CLI, 'watch', '--profile', LAB_PROFILE, ...args], {encoding: 'utf8', timeout: 60_000});
const curlsOnClient = async () => (await pool.exec('client1', ['sh', '-c', 'ps -eo args | grep -c "^curl .*lvsdeck=" || true'])).stdout.trim();

describe('round-robin watcher on the lab', () => {
	for (const from of [undefined, 'client1']) {
		it(`from ${from ?? 'the station'}: both real servers answer about half each, nothing fails`, async () => {
			const json = path.join(tmp, `${from ?? 'station'}.json`);
			const r = watch('--duration', '4', '--rate', '20', '--json', json, '--max-failed-requests', '0', ...(from ? ['--from', from] : []));
			expect(r.status, r.stdout + r.stderr).toBe(0);
			const report = JSON.parse(readFileSync(json, 'utf8')) as WatchReport;
			expect(report.from).toBe(from ?? 'this station');
			expect(report.requests.failed + report.requests.timeouts).toBe(0);
			expect(report.requests.ok).toBeGreaterThanOrEqual(30);
			const {rs1 = 0, rs2 = 0} = report.requests.perBackend;
			expect(rs1 + rs2).toBe(report.requests.ok);
			// rr over two real servers of weight 1: each gets close to half
			expect(Math.abs(rs1 - rs2)).toBeLessThanOrEqual(Math.max(4, report.requests.ok * 0.2));
			expect(report.weights).toEqual({rs1: 1, rs2: 1});
			expect(r.stderr).toMatch(/watch: \d+s: \d+ requests/);
			if (from) await waitFor(curlsOnClient, (n) => n === '0', {timeoutMs: 10_000, what: 'no curl left on client1'});
		});
	}

	it('refuses a real server as the client, and a service that is not in the profile', () => {
		const rs = watch('--from', 'rs1', '--duration', '1');
		expect(rs.status).toBe(2);
		expect(rs.stderr).toMatch(/--from rs1: a real server answers the VIP itself/);
		const svc = watch('--service', '192.168.67.100:81', '--duration', '1');
		expect(svc.status).toBe(2);
		expect(svc.stderr).toContain('--service 192.168.67.100:81: not a virtual service of');
	});
});

// Watching and drilling services that are not HTTP, on the lab: TCP 9000 (answers its host name on
// connect) and UDP 9053 (answers its host name to a datagram). The watcher names each backend from
// the active director's connection table and its counts follow the weights, from the station and
// from client1; a failover drill on each service passes.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import type {DrillReport} from '../../src/actions/drills/failover.js';
import {CLI, LAB_PROFILE, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-watch-modes-'));
const env = {...process.env, LVSDECK_STATE_DIR: path.join(tmp, 'state')};
afterAll(() => pool.close());

interface WatchReport {
	url: string;
	mode: string;
	backendSource: string;
	from: string;
	requests: {total: number; ok: number; failed: number; timeouts: number; perBackend: Record<string, number>};
	weights: Record<string, number>;
}

const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args, '--profile', LAB_PROFILE], {encoding: 'utf8', timeout: 180_000, env});
const watchersOnClient = async () => (await pool.exec('client1', ['sh', '-c', 'ps -eo args | grep -c "^perl -e" || true'])).stdout.trim();

// The lab's answerers run on one emulated CPU: a gentle rate keeps
// answers well inside the timeout (this measures where requests go, not how many the lab can take).
const RATE = ['--rate', '5', '--timeout-ms', '3000'];

describe('watching TCP 9000 and UDP 9053 on the lab', () => {
	for (const [port, mode] of [
		[9000, 'tcp'],
		[9053, 'udp'],
	] as const) {
		for (const from of [undefined, 'client1']) {
			it(`${mode} ${port} from ${from ?? 'the station'}: backends from the connection table follow the weights within 10 points`, async () => {
				const json = path.join(tmp, `${port}-${from ?? 'station'}.json`);
				const r = cli('watch', '--service', `192.168.67.100:${port}`, '--duration', '10', ...RATE, '--json', json, ...(from ? ['--from', from] : []));
				expect(r.status, r.stdout + r.stderr).toBe(0);
				const report = JSON.parse(readFileSync(json, 'utf8')) as WatchReport;
				expect(report).toMatchObject({url: `${mode}://192.168.67.100:${port}`, mode, backendSource: 'table', from: from ?? 'this station'});
				const {ok, failed, timeouts, perBackend} = report.requests;
				expect(ok, JSON.stringify(report.requests)).toBeGreaterThanOrEqual(25);
				expect(failed + timeouts, JSON.stringify(report.requests)).toBeLessThanOrEqual(Math.ceil(report.requests.total * 0.1));
				const {rs1 = 0, rs2 = 0} = perBackend;
				// every answer found in the table, and nothing else named
				expect(rs1 + rs2, JSON.stringify(perBackend)).toBe(ok);
				const weights = report.weights;
				for (const [name, count] of [['rs1', rs1], ['rs2', rs2]] as const) {
					const expected = weights[name]! / (weights.rs1! + weights.rs2!);
					expect(Math.abs(count / ok - expected), `${name}: ${count} of ${ok}`).toBeLessThanOrEqual(0.1);
				}
				if (from) await waitFor(watchersOnClient, (n) => n === '0', {timeoutMs: 10_000, what: 'no watcher left on client1'});
			});
		}
	}

	it('--backend answer reads the name the TCP service sends; --mode must fit the protocol', () => {
		const json = path.join(tmp, 'answer.json');
		const r = cli('watch', '--service', '192.168.67.100:9000', '--backend', 'answer', '--duration', '5', ...RATE, '--json', json);
		expect(r.status, r.stdout + r.stderr).toBe(0);
		const report = JSON.parse(readFileSync(json, 'utf8')) as WatchReport;
		expect(report.backendSource).toBe('answer');
		expect(Object.keys(report.requests.perBackend).sort()).toEqual(['rs1', 'rs2']);
		const wrong = cli('watch', '--service', '192.168.67.100:9053', '--mode', 'tcp', '--duration', '1');
		expect(wrong.status).toBe(2);
		expect(wrong.stderr).toContain('--mode tcp: 192.168.67.100:9053 is a UDP service');
	});
});

describe('failover drills on TCP 9000 and UDP 9053', () => {
	for (const port of [9000, 9053]) {
		it(`failover drill watching 192.168.67.100:${port} passes`, async () => {
			const json = path.join(tmp, `failover-${port}.json`);
			const r = cli('drill', 'failover', '--service', `192.168.67.100:${port}`, '--rate', '5', '--json', json);
			expect(r.status, r.stdout + r.stderr).toBe(0);
			const report = JSON.parse(readFileSync(json, 'utf8')) as DrillReport;
			expect(report).toMatchObject({drill: 'failover', instance: 'VI_1', verdict: 'pass', target: 'dir1', takeover: 'dir2', restored: true});
			expect(report.requests.total).toBeGreaterThan(10);
			// the backends came from the directors' tables, before and after the VIP moved
			expect(Object.keys(report.requests.perBackend).sort()).toEqual(['rs1', 'rs2']);
			await waitFor(async () => (await pool.exec('dir1', ['ip', '-o', '-4', 'addr', 'show'])).stdout.includes(' 192.168.67.100/'), (held) => held, {timeoutMs: 20_000, what: 'VIP back on dir1'});
		});
	}
});

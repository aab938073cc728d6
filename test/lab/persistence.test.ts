// persistence_timeout on the lab: the lab profile with persistence on its port-80 service is deployed,
// one client (client1) watches it and all its requests land on one real server, and the watcher's
// report says shares are per client (sharesPerClient) and does not flag them (exit 0). The lab's own
// profile is deployed back at the end, whatever happened.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {loadProfile} from '../../src/profile/load.js';
import {CLI, LAB_PROFILE, ROOT, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-persistence-'));
const env = {...process.env, LVSDECK_STATE_DIR: path.join(tmp, 'state')};
const PERSISTENCE_S = 30;
afterAll(() => pool.close());

/** lab.yaml with persistence_timeout on the port-80 service (paths made absolute so the copy can live elsewhere). */
function persistentVariant(): string {
	const text = readFileSync(LAB_PROFILE, 'utf8').replaceAll('../.lab/', `${path.join(ROOT, '.lab')}/`);
	const at = '    port: 80\n    protocol: TCP\n    scheduler: rr\n    forwarding: DR\n';
	if (!text.includes(at)) throw new Error('lab.yaml: the port-80 service is not where this test expects it');
	const file = path.join(tmp, 'persistent.yaml');
	writeFileSync(file, text.replace(at, `${at}    persistence_timeout: ${PERSISTENCE_S}\n`));
	return file;
}

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], {encoding: 'utf8', timeout: 180_000, env});
const watchersOnClient = async () => (await pool.exec('client1', ['sh', '-c', 'ps -eo args | grep -c "^curl .*lvsdeck=" || true'])).stdout.trim();

describe('persistence_timeout', () => {
	const file = persistentVariant();

	it('the variant has persistence on port 80 only', () => {
		const variant = loadProfile(file);
		expect(variant.virtualServers.map((v) => [v.port, v.persistenceTimeout])).toEqual(profile.virtualServers.map((v) => [v.port, v.port === 80 ? PERSISTENCE_S : undefined]));
	});

	it('one client sticks to one real server; the report says shares are per client and the watch passes', {timeout: 600_000}, async () => {
		try {
			const deploy = run('deploy', '--profile', file, '--yes');
			expect(deploy.status, deploy.stdout + deploy.stderr).toBe(0);
			const json = path.join(tmp, 'watch.json');
			const watch = run('watch', '--profile', file, '--service', '192.168.67.100:80', '--from', 'client1', '--duration', '10', '--rate', '5', '--json', json);
			expect(watch.status, watch.stdout + watch.stderr).toBe(0);
			const report = JSON.parse(readFileSync(json, 'utf8')) as {sharesPerClient: boolean; requests: {ok: number; failed: number; timeouts: number; perBackend: Record<string, number>}; weights: Record<string, number>};
			expect(report.sharesPerClient).toBe(true);
			expect(report.weights).toEqual({rs1: 1, rs2: 1});
			const {ok, perBackend} = report.requests;
			expect(ok, JSON.stringify(report.requests)).toBeGreaterThanOrEqual(25);
			// Every answer from one real server: far from the weights' 50/50, and not flagged.
			const backends = Object.entries(perBackend).filter(([, n]) => n > 0);
			expect(backends, JSON.stringify(perBackend)).toHaveLength(1);
			expect(backends[0]![1]).toBe(ok);
			expect(watch.stderr).not.toMatch(/share|weight/i);
			await waitFor(watchersOnClient, (n) => n === '0', {timeoutMs: 10_000, what: 'no watcher left on client1'});
		} finally {
			// Taking persistence_timeout away is a removal: say yes to it.
			const back = run('deploy', '--profile', LAB_PROFILE, '--yes', '--allow-removals');
			expect(back.status, back.stdout + back.stderr).toBe(0);
		}
	});

	it('the lab runs its own profile again: no persistence on port 80', async () => {
		const dir1 = await pool.exec('dir1', ['ipvsadm', '-Ln', '-t', '192.168.67.100:80']);
		expect(dir1.code, dir1.stderr).toBe(0);
		expect(dir1.stdout).not.toContain('persistent');
	});
});

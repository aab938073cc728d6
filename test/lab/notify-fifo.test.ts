// keepalived.notify_fifo on the lab: deploy adds lvsdeck's own notify FIFO (vrrp_notify_fifo with
// fifo_write_vrrp_states_on_reload), keepalived creates it, and the event channel (not read-only) reads
// transitions from it: a stop of the master brings dir2's MASTER line (source fifo, with its priority).
// (A reload's rewrite of each state, fifo_write_vrrp_states_on_reload, is no transition: the store keeps
// it out, so it is not what this test waits for.) The channel's log source points at no file here. The lab's own profile is deployed back at the end, whatever happened.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {loadProfile} from '../../src/profile/load.js';
import {ClusterStore} from '../../src/cluster/store.js';
import {KeepalivedChannel} from '../../src/cluster/keepalived-channel.js';
import {createClusterTransport} from '../../src/transport/cluster-transport.js';
import {CLI, LAB_PROFILE, ROOT, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-fifo-'));
const env = {...process.env, LVSDECK_STATE_DIR: path.join(tmp, 'state')};
const FIFO = '/run/lvsdeck-notify.fifo';
afterAll(async () => {
	await pool.exec('dir1', profile.keepalived.start).catch(() => undefined);
	await pool.close();
	rmSync(tmp, {recursive: true, force: true});
});

/** lab.yaml with keepalived.notify_fifo (paths made absolute so the copy can live elsewhere). */
function fifoVariant(): string {
	const text = readFileSync(LAB_PROFILE, 'utf8').replaceAll('../.lab/', `${path.join(ROOT, '.lab')}/`);
	if (!text.includes('\nkeepalived:\n')) throw new Error('lab.yaml: no keepalived section where this test expects it');
	const file = path.join(tmp, 'fifo.yaml');
	// The log points nowhere, so every transition the channel sees can only come from the FIFO (the store
	// would otherwise merge the FIFO's record into the log's twin and keep the log's).
	if (!text.includes('  log: /run/keepalived.log\n')) throw new Error('lab.yaml: keepalived.log is not where this test expects it');
	writeFileSync(file, text.replace('\nkeepalived:\n', `\nkeepalived:\n  notify_fifo: ${FIFO}\n`).replace('  log: /run/keepalived.log\n', '  log: /run/lvsdeck-fifo-test-none.log\n'));
	return file;
}

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], {encoding: 'utf8', timeout: 180_000, env});

describe('notify FIFO', () => {
	it('deploy adds the FIFO; the channel reads a failover from it', {timeout: 600_000}, async () => {
		const file = fifoVariant();
		const variant = loadProfile(file);
		const transport = createClusterTransport(variant, {});
		const store = new ClusterStore(variant);
		const channel = new KeepalivedChannel(variant, transport, store, {fifo: true});
		try {
			const deploy = run('deploy', '--profile', file, '--yes');
			expect(deploy.status, deploy.stdout + deploy.stderr).toBe(0);
			for (const d of ['dir1', 'dir2']) {
				const conf = await pool.exec(d, ['cat', profile.keepalived.configPath]);
				expect(conf.stdout).toContain(`vrrp_notify_fifo ${FIFO}`);
				expect(conf.stdout).toContain('fifo_write_vrrp_states_on_reload');
				await waitFor(async () => (await pool.exec(d, ['test', '-p', FIFO])).code, (c) => c === 0, {timeoutMs: 15_000, what: `keepalived's FIFO on ${d}`});
			}
			channel.start();
			const fromFifo = (director: string, to: string, after: number) => (store.getState().transitions ?? []).find((t) => t.source === 'fifo' && t.director === director && t.instance === 'VI_1' && t.to === to && t.at >= after);
			// The channel's SSH connections are up (a FIFO keeps what keepalived writes until it is read, so
			// the line of the failover below is not lost however late `cat` opens it).
			for (const d of ['dir1', 'dir2']) await waitFor(async () => transport.status(d).state, (st) => st === 'ready', {timeoutMs: 30_000, what: `the channel connected to ${d}`});
			const stopAt = Date.now();
			await pool.exec('dir1', profile.keepalived.stop);
			const master = await waitFor(async () => fromFifo('dir2', 'MASTER', stopAt), (t) => t !== undefined, {timeoutMs: 20_000, intervalMs: 50, what: 'dir2 MASTER from the FIFO'});
			expect(master.value!.priority).toBe(80);
		} finally {
			await channel.stop();
			await transport.close();
			await pool.exec('dir1', profile.keepalived.start);
			// Taking notify_fifo away is a removal of global_defs lines: say yes to it.
			const back = run('deploy', '--profile', LAB_PROFILE, '--yes', '--allow-removals');
			expect(back.status, back.stdout + back.stderr).toBe(0);
		}
		const conf = await pool.exec('dir1', ['cat', profile.keepalived.configPath]);
		expect(conf.stdout).not.toContain('vrrp_notify_fifo');
	});
});

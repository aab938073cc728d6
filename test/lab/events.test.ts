// keepalived's events as they happen, and the history: a transition (keepalived stopped on the master,
// then started again) reaches the store through the log channel with keepalived's own timestamp,
// `lvsdeck history --json` lists it with that timestamp, and a second `history` process that reads
// only one line of each log still shows it from the state dir (history survives lvsdeck's restart).
// Latency from keepalived's stamp to arrival is printed, not asserted (speed belongs in `npm run bench`).
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {ClusterStore} from '../../src/cluster/store.js';
import {KeepalivedChannel} from '../../src/cluster/keepalived-channel.js';
import type {VrrpTransition} from '../../src/cluster/transitions.js';
import {createClusterTransport} from '../../src/transport/cluster-transport.js';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {CLI, LAB_PROFILE, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile} = labProfile();
const control = new SshPool(profile.hosts);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-events-'));
const env = {...process.env, LVSDECK_STATE_DIR: path.join(tmp, 'state')};

interface HistoryJson {
	readonly transitions: ReadonlyArray<{time: string; director: string; instance: string; from: string | null; to: string; source: string; logged: string | null}>;
	readonly unread: readonly unknown[];
}

function history(...args: string[]): HistoryJson {
	const r = spawnSync(process.execPath, [CLI, 'history', '--profile', LAB_PROFILE, '--json', ...args], {encoding: 'utf8', timeout: 60_000, env});
	if (r.status !== 0) throw new Error(`history exited ${r.status}: ${r.stderr}`);
	return JSON.parse(r.stdout) as HistoryJson;
}

async function vipOnDir1(): Promise<void> {
	await waitFor(async () => (await control.exec('dir1', ['ip', '-o', '-4', 'addr', 'show'])).stdout, (o) => o.includes(' 192.168.67.100/'), {timeoutMs: 20_000, what: 'VIP back on dir1'});
}

afterAll(async () => {
	await control.exec('dir1', profile.keepalived.start).catch(() => undefined);
	await control.close();
	rmSync(tmp, {recursive: true, force: true});
});

const found = (list: readonly VrrpTransition[] | undefined, director: string, to: string, after: number) =>
	(list ?? []).find((t) => t.director === director && t.instance === 'VI_1' && t.to === to && t.source === 'log' && t.at >= after);

describe('keepalived events and history', () => {
	it('a stop and start of the master reach the store from the log, then history lists them across a restart', async () => {
		await vipOnDir1();
		const transport = createClusterTransport(profile, {readOnly: true});
		const store = new ClusterStore(profile);
		const channel = new KeepalivedChannel(profile, transport, store);
		channel.start();
		// keepalived's stamps have whole seconds: a transition after `since` has a stamp at or after its second.
		let since = 0;
		try {
			// The channel is attached once a line appended to each log arrives through it.
			const marker = `lvsdeck-events-test-${process.pid}-${Date.now()}`;
			for (const d of ['dir1', 'dir2']) {
				await waitFor(
					async () => {
						await control.exec(d, ['sh', '-c', `echo "${marker}" >> /run/keepalived.log`]);
						return store.getState().keepalivedLog?.[d] ?? [];
					},
					(lines) => lines.some((l) => l.message === marker),
					{timeoutMs: 20_000, intervalMs: 500, what: `the log channel on ${d} attached`},
				);
			}
			since = Math.floor(Date.now() / 1000) * 1000;
			await control.exec('dir1', profile.keepalived.stop);
			const up = await waitFor(async () => store.getState(), (s) => found(s.transitions, 'dir2', 'MASTER', since) !== undefined, {timeoutMs: 15_000, intervalMs: 20, what: 'dir2 MASTER from the log'});
			const toMaster = found(up.value.transitions, 'dir2', 'MASTER', since)!;
			expect(toMaster.stamp).toMatch(/^\w{3} \w{3} +\d{1,2} \d\d:\d\d:\d\d \d{4}$/);
			expect(toMaster.receivedAt).toBeDefined();
			process.stderr.write(`events: dir2 BACKUP->MASTER arrived ${toMaster.receivedAt! - toMaster.at} ms after keepalived's stamp "${toMaster.stamp}" (whole seconds)\n`);
			expect(up.value.events.some((e) => e.kind === 'vrrp-state' && e.host === 'dir2' && e.message.includes('-> MASTER'))).toBe(true);

			await control.exec('dir1', profile.keepalived.start);
			const back = await waitFor(
				async () => store.getState(),
				(s) => found(s.transitions, 'dir1', 'MASTER', since) !== undefined && found(s.transitions, 'dir2', 'BACKUP', since) !== undefined,
				{timeoutMs: 20_000, intervalMs: 50, what: 'dir1 MASTER and dir2 BACKUP from the log'},
			);
			const dir1Master = found(back.value.transitions, 'dir1', 'MASTER', since)!;
			process.stderr.write(`events: dir1 ->MASTER arrived ${dir1Master.receivedAt! - dir1Master.at} ms after keepalived's stamp "${dir1Master.stamp}"\n`);
			expect(found(back.value.transitions, 'dir2', 'BACKUP', since)!.from).toBe('MASTER');
		} finally {
			await channel.stop();
			await transport.close();
			await control.exec('dir1', profile.keepalived.start);
			await vipOnDir1();
		}

		// The history command reads the directors' logs and keeps what it read in the state dir.
		const first = history();
		expect(first.unread).toEqual([]);
		const listed = first.transitions.filter((t) => Date.parse(t.time) >= since);
		const dir2Master = listed.find((t) => t.director === 'dir2' && t.to === 'MASTER');
		expect(dir2Master?.logged).toMatch(/^\w{3} \w{3} +\d{1,2} \d\d:\d\d:\d\d \d{4}$/);
		expect(listed.some((t) => t.director === 'dir1' && t.to === 'MASTER')).toBe(true);
		expect(listed.some((t) => t.director === 'dir2' && t.to === 'BACKUP' && t.from === 'MASTER')).toBe(true);

		// A second process that reads only the last line of each log: the transitions come from the state dir.
		const second = history('--lines', '1');
		expect(second.transitions.filter((t) => Date.parse(t.time) >= since)).toEqual(listed);
	}, 120_000);
});

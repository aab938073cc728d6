// VRRP findings on the real lab follow what keepalived does, not what the profile configured: a track
// script that lowers dir1 below dir2 moves the VIP and raises no false alarm, and a member in FAULT
// (dir2 tracking a dummy interface that goes down; eth0 carries SSH, so it stays up) is a warning.
// Each case installs the configs its profile variant renders, and puts the originals back after.
import {readFileSync} from 'node:fs';
import {afterAll, describe, expect, it} from 'vitest';
import {ClusterStore} from '../../src/cluster/store.js';
import {ClusterPoller} from '../../src/cluster/poller.js';
import type {ClusterState} from '../../src/cluster/types.js';
import {parseProfile} from '../../src/profile/load.js';
import type {Profile} from '../../src/profile/model.js';
import {renderKeepalivedConf} from '../../src/render/keepalived-conf.js';
import {createClusterTransport} from '../../src/transport/cluster-transport.js';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {LAB_PROFILE, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile: lab} = labProfile();
const labText = readFileSync(LAB_PROFILE, 'utf8');
const control = new SshPool(lab.hosts);
const CONF = lab.keepalived.configPath;
const TRACK_FLAG = '/run/lvsdeck-track-ok';

afterAll(async () => {
	await control.close();
});

function variant(change: (text: string) => string): Profile {
	const text = change(labText);
	expect(text).not.toBe(labText);
	return parseProfile(text, LAB_PROFILE);
}

async function run(host: string, argv: string[], stdin?: string): Promise<string> {
	const r = await control.exec(host, argv, stdin === undefined ? {} : {stdin});
	if (r.code !== 0) throw new Error(`${host}: ${argv.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
	return r.stdout;
}

/** Writes a keepalived.conf, tests it on the host and reloads keepalived. */
async function install(host: string, text: string): Promise<void> {
	await run(host, ['sh', '-c', 'cat > "$1.lvsdeck-test" && keepalived -t -f "$1.lvsdeck-test" && mv "$1.lvsdeck-test" "$1"', 'lvsdeck-test', CONF], text);
	await run(host, [...lab.keepalived.reload]);
}

/** One fresh poll of every host, as `lvsdeck status` does it, for `profile`. */
async function statusWith(profile: Profile): Promise<{state: ClusterState; close: () => Promise<void>; poll: () => Promise<ClusterState>}> {
	const transport = createClusterTransport(profile, {readOnly: true});
	const store = new ClusterStore(profile);
	const poller = new ClusterPoller(profile, transport, store, {events: false});
	const poll = async () => {
		await poller.pollOnce();
		return store.getState();
	};
	return {state: await poll(), poll, close: () => transport.close()};
}

const summary = (s: ClusterState) => s.findings.map((f) => `${f.severity}:${f.kind}:${f.subject}`);

/** Back to the lab as it was: the original configs, keepalived reloaded, VIP on dir1, no finding. */
async function restore(originals: ReadonlyMap<string, string>): Promise<void> {
	for (const [host, text] of originals) await install(host, text).catch(() => undefined);
	const s = await statusWith(lab);
	try {
		await waitFor(s.poll, (st) => st.findings.length === 0 && st.vips[0]!.holders.join() === 'dir1', {timeoutMs: 30_000, intervalMs: 500, what: 'the lab healthy again with dir1 holding the VIP'});
	} finally {
		await s.close();
	}
}

describe('VRRP findings follow keepalived on the lab', () => {
	it('a track script lowering dir1 (100 - 50) below dir2 (80) moves the VIP, with no false alarm', async () => {
		const tracked = variant((t) =>
			t
				.replace('keepalived:\n  config_path:', 'track_scripts:\n  - {name: chk_flag, script: /usr/bin/test -e /run/lvsdeck-track-ok, interval: 1, weight: -50}\n\nkeepalived:\n  config_path:')
				.replace('    preempt: preempt\n', '    preempt: preempt\n    track_scripts: [chk_flag]\n'),
		);
		const originals = new Map<string, string>();
		for (const d of ['dir1', 'dir2']) originals.set(d, await run(d, ['cat', CONF]));
		// Polled from after the install: a poller hashes the installed config on its first poll.
		let s: Awaited<ReturnType<typeof statusWith>> | undefined;
		try {
			for (const d of ['dir1', 'dir2']) {
				await run(d, ['touch', TRACK_FLAG]);
				await install(d, renderKeepalivedConf(tracked, d));
			}
			s = await statusWith(tracked);
			const poll = s.poll;
			await waitFor(poll, (st) => st.findings.length === 0 && st.vips[0]!.holders.join() === 'dir1', {timeoutMs: 30_000, intervalMs: 500, what: 'the tracked cluster healthy on dir1'});
			await run('dir1', ['rm', '-f', TRACK_FLAG]);
			const moved = await waitFor(
				poll,
				(st) => st.vips[0]!.holders.join() === 'dir2' && st.vips[0]!.members.every((m) => m.state === (m.director === 'dir2' ? 'MASTER' : 'BACKUP')),
				{timeoutMs: 30_000, intervalMs: 300, what: 'the VIP on dir2 with dir2 MASTER and dir1 BACKUP'},
			);
			expect(moved.value.vips[0]!.members.find((m) => m.director === 'dir1')!.effectivePriority).toBe(50);
			// Settled: several polls in a row say the same, and none is an alarm.
			for (let i = 0; i < 3; i++) {
				const st = await poll();
				expect(st.vips[0]).toMatchObject({holders: ['dir2'], expected: 'dir2'});
				expect(summary(st)).toEqual(['info:vrrp-priority-reduced:dir1']);
				expect(st.findings[0]!.message).toBe('dir1 runs VI_1 at effective priority 50, below the configured 100: keepalived tracks script chk_flag');
			}
		} finally {
			await s?.close();
			await run('dir1', ['touch', TRACK_FLAG]).catch(() => undefined);
			await restore(originals);
			for (const d of ['dir1', 'dir2']) await run(d, ['rm', '-f', TRACK_FLAG]).catch(() => undefined);
		}
	});

	it('dir2 in FAULT (its tracked dummy interface down) is a warning: dir1 has no working backup', async () => {
		const faulty = variant((t) =>
			t.replace('      dir2: {state: BACKUP, priority: 80}\n', '      dir2:\n        state: BACKUP\n        priority: 80\n        extra: |\n          track_interface {\n            dummy9\n          }\n'),
		);
		const originals = new Map([['dir2', await run('dir2', ['cat', CONF])]]);
		let s: Awaited<ReturnType<typeof statusWith>> | undefined;
		try {
			await run('dir2', ['sh', '-c', 'ip link add dummy9 type dummy 2>/dev/null; ip link set dummy9 up']);
			await install('dir2', renderKeepalivedConf(faulty, 'dir2'));
			s = await statusWith(faulty);
			const poll = s.poll;
			await waitFor(poll, (st) => st.findings.length === 0 && st.vips[0]!.members.some((m) => m.director === 'dir2' && m.state === 'BACKUP'), {
				timeoutMs: 30_000,
				intervalMs: 500,
				what: 'dir2 a healthy BACKUP tracking dummy9',
			});
			await run('dir2', ['ip', 'link', 'set', 'dummy9', 'down']);
			const fault = await waitFor(poll, (st) => st.findings.some((f) => f.kind === 'vrrp-fault'), {timeoutMs: 30_000, intervalMs: 300, what: 'a vrrp-fault finding for dir2'});
			expect(fault.value.findings).toEqual([
				{kind: 'vrrp-fault', severity: 'warning', subject: 'dir2', message: 'dir2 is in FAULT for VI_1 (tracked interface dummy9 down): dir1 has no working backup'},
			]);
			expect(fault.value.vips[0]).toMatchObject({holders: ['dir1'], expected: 'dir1'});
		} finally {
			await s?.close();
			await run('dir2', ['ip', 'link', 'set', 'dummy9', 'up']).catch(() => undefined);
			await restore(originals);
			await run('dir2', ['ip', 'link', 'del', 'dummy9']).catch(() => undefined);
		}
	});
});

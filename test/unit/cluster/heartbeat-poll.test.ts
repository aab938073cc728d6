// Clients and bastions are only checked for reachability. While the poller runs, each writes a heartbeat
// in one long-lived session (HEARTBEAT_STREAM_SCRIPT) and its checks take that instead of running `true`
// in a session each; a heartbeat that falls silent is not trusted, and the host must run `true` within
// what is left of its command timeout. The script is the real one, run by this machine's sh through the
// read-only guard, or a scripted stand-in that can fall silent.
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {ClusterPoller} from '../../../src/cluster/poller.js';
import {ClusterStore} from '../../../src/cluster/store.js';
import {heartbeatStreamCommand} from '../../../src/probes/heartbeat.js';
import {LocalTransport} from '../../../src/transport/local.js';
import {ReadOnlyTransport, readOnlyVerdict} from '../../../src/transport/read-only.js';
import {needsRoot} from '../../../src/transport/sudo.js';
import type {Profile} from '../../../src/profile/model.js';
import type {Transport} from '../../../src/transport/types.js';
import {labProfile} from './fixture-state.js';
import {ok} from '../../helpers/fake-transport.js';
import {RecordingTransport} from '../../helpers/recording-transport.js';
import {runStream} from '../../helpers/stream-child.js';
import {waitFor} from '../../helpers/wait-for.js';

const INTERVAL_MS = 100;
/** Clients are checked every fifth interval, and beat at that period. */
const CHECK_MS = 5 * INTERVAL_MS;

/** labProfile with client1 alone, with `ssh` changes. */
function client1Profile(ssh: {maxChannels?: number; commandTimeoutMs?: number} = {}): Profile {
	const client1 = labProfile.hosts.find((h) => h.name === 'client1')!;
	return {...labProfile, hosts: [{...client1, ssh: {...client1.ssh, ...ssh}}]};
}

let cleanup: Array<() => void> = [];
afterEach(() => {
	for (const c of cleanup) c();
	cleanup = [];
});

function run(profile: Profile, transport: Transport) {
	const store = new ClusterStore(profile);
	const poller = new ClusterPoller(profile, new ReadOnlyTransport(transport), store, {intervalMs: INTERVAL_MS, events: false, portCheck: false});
	poller.start();
	cleanup.push(() => poller.stop());
	return () => store.getState().hosts.find((h) => h.name === 'client1')!;
}

describe('the heartbeat script', () => {
	it('is on the read-only list at a period of 0.2 s or more, runs without root, and dies with its reader', async () => {
		expect(heartbeatStreamCommand(5000).slice(3)).toEqual(['lvsdeck-heartbeat', '5']);
		expect(heartbeatStreamCommand(10).slice(3)).toEqual(['lvsdeck-heartbeat', '0.2']);
		expect(readOnlyVerdict(heartbeatStreamCommand(5000))).toEqual({allowed: true});
		for (const period of ['0', '0.1', '100000', '1;reboot', '$(reboot)']) {
			const argv = heartbeatStreamCommand(5000);
			expect(readOnlyVerdict([...argv.slice(0, 4), period]).allowed, period).toBe(false);
		}
		expect(readOnlyVerdict([...heartbeatStreamCommand(5000), 'extra']).allowed).toBe(false);
		expect(needsRoot(heartbeatStreamCommand(5000))).toBe(false);
		const stream = runStream(heartbeatStreamCommand(200));
		await waitFor(async () => stream.reads.length, (n) => n >= 3, {timeoutMs: 10_000, intervalMs: 20, what: 'three beats'});
		expect(stream.reads.slice(0, 3)).toEqual([{kind: 'changed', text: ''}, {kind: 'same'}, {kind: 'same'}]);
		expect(await stream.stop()).toBe('SIGPIPE');
	});
	it('ends rather than loops where sleep cannot run', async () => {
		const empty = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-nosleep-'));
		try {
			const argv = heartbeatStreamCommand(200);
			const child = spawn('/bin/sh', argv.slice(1), {stdio: ['ignore', 'pipe', 'ignore'], env: {PATH: empty}});
			let out = '';
			child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
			const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
			expect(code).toBe(0);
			expect(out).toBe('@@lvsdeck-frame\n');
		} finally {
			rmSync(empty, {recursive: true, force: true});
		}
	});
});

describe('clients beat instead of running `true` each check', () => {
	it('checks take the heartbeat: the host stays reachable with no session after the first', async () => {
		const local = new LocalTransport(undefined, 10_000);
		const t = new RecordingTransport((argv, options) => local.exec('client1', argv, options));
		const client1 = run(client1Profile(), t);
		await waitFor(async () => t.count('lvsdeck-heartbeat') === 1 && client1().reachable, (x) => x, {timeoutMs: 10_000, intervalMs: 20, what: 'client1 checked, its heartbeat attached'});
		await waitFor(async () => t.count('true'), (n) => n === 1, {timeoutMs: 10_000, intervalMs: 20, what: 'the first check, before the heartbeat came'});
		const okAt = client1().lastOkAt!;
		await waitFor(async () => client1().lastOkAt!, (at) => at >= okAt + 3 * CHECK_MS, {timeoutMs: 10_000, intervalMs: 20, what: 'three more checks'});
		expect(t.names.filter((n) => n !== 'lvsdeck-heartbeat' && n !== 'true')).toEqual([]);
		expect(t.count('true')).toBe(1);
		expect(t.count('lvsdeck-heartbeat')).toBe(1);
	});

	it('a heartbeat that falls silent is not trusted: the host runs `true` again, and when it cannot is unreachable', async () => {
		let silent = false;
		let gone = false;
		const t = new RecordingTransport(async (argv, options) => {
			if (argv[3] !== 'lvsdeck-heartbeat') {
				if (!gone) return ok('');
				await new Promise((resolve) => setTimeout(resolve, options?.timeoutMs ?? 2000));
				return {code: null, stdout: '', stderr: '', timedOut: true, durationMs: options?.timeoutMs ?? 2000};
			}
			options!.onStdoutLine!('@@lvsdeck-frame');
			// A beat per period until told to fall silent; the run itself never ends (a frozen host).
			const beat = setInterval(() => silent || options!.onStdoutLine!('@@lvsdeck-same'), CHECK_MS);
			await new Promise((resolve) => options!.signal!.addEventListener('abort', resolve, {once: true}));
			clearInterval(beat);
			return {...ok(''), code: null};
		});
		const client1 = run(client1Profile({commandTimeoutMs: 3000}), t);
		await waitFor(async () => t.count('lvsdeck-heartbeat') === 1 && client1().reachable, (x) => x, {timeoutMs: 10_000, intervalMs: 20, what: 'client1 beating'});
		const okAt = client1().lastOkAt!;
		await waitFor(async () => client1().lastOkAt!, (at) => at >= okAt + 2 * CHECK_MS, {timeoutMs: 10_000, intervalMs: 20, what: 'checks from the heartbeat'});
		const before = t.count('true');
		silent = true;
		await waitFor(async () => t.count('true'), (n) => n > before, {timeoutMs: 10_000, intervalMs: 20, what: 'a `true` of its own'});
		expect(client1().reachable).toBe(true);
		gone = true;
		await waitFor(async () => client1(), (c) => c.reachable === false && (c.error ?? '').includes('timed out'), {timeoutMs: 10_000, intervalMs: 20, what: 'client1 unreachable'});
	});

	it('a host allowed a single channel does not beat (the heartbeat would hold it for good)', async () => {
		const t = new RecordingTransport(async () => ok(''));
		run(client1Profile({maxChannels: 1}), t);
		await waitFor(async () => t.count('true'), (n) => n >= 3, {timeoutMs: 10_000, intervalMs: 20, what: 'three checks of its own'});
		expect(t.count('lvsdeck-heartbeat')).toBe(0);
	});
});

// While the poller runs, each real server reads itself in one long-lived session and writes only what
// changed; routine polls take that instead of opening a session each. Here the stream is the real
// script run by this machine's sh (through the read-only guard), or a scripted one to make it fall
// silent; a host whose stream stopped reporting is read the old way again.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {ClusterPoller} from '../../../src/cluster/poller.js';
import {ClusterStore} from '../../../src/cluster/store.js';
import {LocalTransport} from '../../../src/transport/local.js';
import {ReadOnlyTransport} from '../../../src/transport/read-only.js';
import type {Host, Profile} from '../../../src/profile/model.js';
import type {Transport} from '../../../src/transport/types.js';
import {labProfile} from './fixture-state.js';
import {ok} from '../../helpers/fake-transport.js';
import {RecordingTransport} from '../../helpers/recording-transport.js';
import {waitFor} from '../../helpers/wait-for.js';

const PERIOD_MS = 250;

/** labProfile with rs1 alone, its service status `status`, maybe through sudo. */
function rs1Profile(status: readonly string[], sudo = false): Profile {
	const rs1 = labProfile.hosts.find((h) => h.name === 'rs1')!;
	const host: Host = {...rs1, service: {...rs1.service!, status: [...status]}, ssh: {...rs1.ssh, sudo}};
	return {...labProfile, hosts: [host]};
}

let cleanup: Array<() => void> = [];
afterEach(() => {
	for (const c of cleanup) c();
	cleanup = [];
});

function run(profile: Profile, transport: Transport) {
	const store = new ClusterStore(profile);
	const poller = new ClusterPoller(profile, new ReadOnlyTransport(transport), store, {intervalMs: PERIOD_MS, events: false, portCheck: false});
	poller.start();
	cleanup.push(() => poller.stop());
	const rs1 = () => store.getState().hosts.find((h) => h.name === 'rs1')!;
	return {rs1};
}

describe('real servers stream their reads', () => {
	it('routine polls use the stream (no session each), and a change shows within a period or two', async () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-rs-stream-'));
		cleanup.push(() => rmSync(dir, {recursive: true, force: true}));
		const flag = path.join(dir, 'up');
		const local = new LocalTransport(undefined, 10_000);
		const t = new RecordingTransport((argv, options) => local.exec('rs1', argv, options));
		const {rs1} = run(rs1Profile(['stat', flag]), t);
		await waitFor(async () => t.count('lvsdeck-rs-stream') === 1 && rs1().realServer?.serviceActive, (down) => down === false, {timeoutMs: 10_000, intervalMs: 20, what: 'the service down, stream attached'});
		// Polls go on (the data age keeps up) without another session.
		const sessions = t.names.length;
		const okAt = rs1().lastOkAt!;
		await waitFor(async () => rs1().lastOkAt!, (at) => at >= okAt + 3 * PERIOD_MS, {timeoutMs: 10_000, intervalMs: 20, what: 'three more polls'});
		expect(t.names.slice(sessions)).toEqual([]);
		writeFileSync(flag, '');
		const up = await waitFor(async () => rs1().realServer?.serviceActive, (a) => a === true, {timeoutMs: 10_000, intervalMs: 10, what: 'the service up'});
		expect(up.elapsedMs).toBeLessThan(2_000);
		expect(t.names.slice(sessions)).toEqual([]);
		expect(rs1().realServer?.vipsOnLo).toBeDefined();
	});

	it('a stream that falls silent is not trusted: polls read the host the old way again', async () => {
		let silent = false;
		const t = new RecordingTransport(async (argv, options) => {
			if (argv[3] !== 'lvsdeck-rs-stream') return ok('flags.lo=0x9\n\n@@lvsdeck-service 0\n');
			for (const line of ['flags.lo=0x9', '', '@@lvsdeck-service 0', '@@lvsdeck-frame']) options!.onStdoutLine!(line);
			// One "same" per period until told to fall silent; the run itself never ends (a frozen host).
			const beat = setInterval(() => silent || options!.onStdoutLine!('@@lvsdeck-same'), PERIOD_MS);
			await new Promise((resolve) => options!.signal!.addEventListener('abort', resolve, {once: true}));
			clearInterval(beat);
			return {...ok(''), code: null};
		});
		const {rs1} = run(rs1Profile(['systemctl', 'is-active', 'httpd']), t);
		await waitFor(async () => rs1().realServer?.serviceActive, (a) => a === true, {timeoutMs: 10_000, intervalMs: 20, what: 'the first read'});
		const before = t.count('lvsdeck-rs-poll');
		const okAt = rs1().lastOkAt!;
		await waitFor(async () => rs1().lastOkAt!, (at) => at >= okAt + 3 * PERIOD_MS, {timeoutMs: 10_000, intervalMs: 20, what: 'polls from the stream'});
		expect(t.count('lvsdeck-rs-poll')).toBe(before);
		silent = true;
		await waitFor(async () => t.count('lvsdeck-rs-poll'), (n) => n > before, {timeoutMs: 10_000, intervalMs: 20, what: 'a poll of its own'});
	});

	it('a host silent for its command timeout, counted from its last report, is unreachable (its own read gets only what is left)', async () => {
		const COMMAND_TIMEOUT_MS = 2000;
		let silentAt: number | undefined;
		const timeouts: number[] = [];
		const t = new RecordingTransport(async (argv, options) => {
			if (argv[3] === 'lvsdeck-rs-stream') {
				for (const line of ['flags.lo=0x9', '', '@@lvsdeck-service 0', '@@lvsdeck-frame']) options!.onStdoutLine!(line);
				const beat = setInterval(() => silentAt === undefined && options!.onStdoutLine!('@@lvsdeck-same'), PERIOD_MS);
				await new Promise((resolve) => options!.signal!.addEventListener('abort', resolve, {once: true}));
				clearInterval(beat);
				return {...ok(''), code: null};
			}
			if (silentAt === undefined) return ok('flags.lo=0x9\n\n@@lvsdeck-service 0\n');
			// The host is gone: a read of its own never answers, and times out as the transport would.
			timeouts.push(options?.timeoutMs ?? COMMAND_TIMEOUT_MS);
			await new Promise((resolve) => setTimeout(resolve, options?.timeoutMs ?? COMMAND_TIMEOUT_MS));
			return {code: null, stdout: '', stderr: '', timedOut: true, durationMs: options?.timeoutMs ?? COMMAND_TIMEOUT_MS};
		});
		const profile = rs1Profile(['systemctl', 'is-active', 'httpd']);
		const {rs1} = run({...profile, hosts: profile.hosts.map((h) => ({...h, ssh: {...h.ssh, commandTimeoutMs: COMMAND_TIMEOUT_MS}}))}, t);
		await waitFor(async () => t.count('lvsdeck-rs-stream') === 1 && rs1().reachable && rs1().lastOkAt! > Date.now() - PERIOD_MS, (x) => x, {timeoutMs: 10_000, intervalMs: 20, what: 'rs1 read from its stream'});
		silentAt = Date.now();
		const gone = await waitFor(async () => rs1().reachable, (r) => r === false, {timeoutMs: 10_000, intervalMs: 20, what: 'rs1 unreachable'});
		// Its last report came at most a period before the silence; its own read had only the rest of the timeout.
		expect(gone.elapsedMs).toBeLessThan(COMMAND_TIMEOUT_MS + 2 * PERIOD_MS);
		expect(timeouts[0]).toBeLessThan(COMMAND_TIMEOUT_MS - 2 * PERIOD_MS);
	});

	it('a host allowed a single channel is not streamed (the stream would hold it for good)', async () => {
		const t = new RecordingTransport(async () => ok('flags.lo=0x9\n\n@@lvsdeck-service 0\n'));
		const profile = rs1Profile(['systemctl', 'is-active', 'httpd']);
		run({...profile, hosts: profile.hosts.map((h) => ({...h, ssh: {...h.ssh, maxChannels: 1}}))}, t);
		await waitFor(async () => t.count('lvsdeck-rs-poll'), (n) => n >= 3, {timeoutMs: 10_000, intervalMs: 20, what: 'three polls of its own'});
		expect(t.count('lvsdeck-rs-stream')).toBe(0);
	});

	it('through sudo, a status command that needs root is not run by the stream but read apart', async () => {
		const streamed: string[][] = [];
		const t = new RecordingTransport(async (argv, options) => {
			if (argv[3] !== 'lvsdeck-rs-stream') return argv[0] === 'ipvsadm' ? {...ok(''), code: 3} : ok('flags.lo=0x9\n');
			streamed.push(argv.slice(5));
			for (const line of ['flags.lo=0x9', '', '@@lvsdeck-service 0', '@@lvsdeck-frame']) options!.onStdoutLine!(line);
			const beat = setInterval(() => options!.onStdoutLine!('@@lvsdeck-same'), PERIOD_MS);
			await new Promise((resolve) => options!.signal!.addEventListener('abort', resolve, {once: true}));
			clearInterval(beat);
			return {...ok(''), code: null};
		});
		const {rs1} = run(rs1Profile(['ipvsadm', '-Ln'], true), t);
		await waitFor(async () => t.count('ipvsadm'), (n) => n >= 3, {timeoutMs: 10_000, intervalMs: 20, what: 'status read apart'});
		expect(streamed[0]).toEqual(['true']);
		// The stream's own `true` (exit 0) does not stand for the service: the status command's 3 does.
		expect(rs1().realServer?.serviceActive).toBe(false);
		expect(t.count('lvsdeck-rs-check') + t.count('lvsdeck-rs-poll')).toBeLessThanOrEqual(2);
	});
});

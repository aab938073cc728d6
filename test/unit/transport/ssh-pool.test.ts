// SshPool against in-process ssh2 servers on 127.0.0.1: results as values, shell quoting, one pooled
// connection per host, the channel cap, per-command timeouts and aborts, strict host keys, auth
// failures, reconnect with backoff, connect timeouts and jump hosts.
import {spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest';
import type {Host, SshSettings} from '../../../src/profile/model.js';
import {SshPool, type SshPoolOptions} from '../../../src/transport/ssh-pool.js';
import ssh2, {type ConnectConfig, type HostVerifier, type VerifyCallback} from 'ssh2';
import {connectTargets, openEarlySockets, type ConnectTarget} from '../../../src/transport/early-connect.js';
import {knownHostView} from '../../../src/transport/host-key-algorithms.js';
import {handshakeSettings} from '../../../src/transport/early-handshake.js';
import {TransportError, type ConnState, type ExecResult, type HostStatus} from '../../../src/transport/types.js';
import {waitFor} from '../../helpers/wait-for.js';
import {HandshakeGate, sshHandshakes} from '../../../src/transport/handshake-gate.js';
import {generateKey, hashedHostField, SshTestServer, type SshTestServerOptions, type TestKey} from './ssh-test-server.js';

let dir: string;
let clientKey: TestKey;
let clientKeyFile: string;
const servers: SshTestServer[] = [];
const pools: SshPool[] = [];
const cleanups: Array<() => void | Promise<void>> = [];

beforeAll(() => {
	dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-ssh-pool-'));
	clientKey = generateKey();
	clientKeyFile = path.join(dir, 'id_ed25519');
	writeFileSync(clientKeyFile, clientKey.privateKey, {mode: 0o600});
});

afterAll(() => rmSync(dir, {recursive: true, force: true}));

afterEach(async () => {
	for (const p of pools.splice(0)) await p.close();
	for (const s of servers.splice(0)) await s.stop();
	for (const c of cleanups.splice(0)) await c();
});

let knownHostsCount = 0;
function knownHosts(...lines: string[]): string {
	const file = path.join(dir, `known_hosts.${++knownHostsCount}`);
	writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
	return file;
}

async function startServer(options: Partial<SshTestServerOptions> = {}): Promise<SshTestServer> {
	const s = await SshTestServer.start({authorizedKeys: [clientKey], ...options});
	servers.push(s);
	return s;
}

function hostFor(port: number, ssh: Partial<SshSettings> = {}, name = 'lb1'): Host {
	return {
		name,
		address: '127.0.0.1',
		role: 'director',
		ssh: {
			hostName: '127.0.0.1',
			user: 'operator',
			port,
			identityFiles: [clientKeyFile],
			knownHostsFiles: [],
			fingerprints: [],
			sudo: false,
			connectTimeoutMs: 3000,
			commandTimeoutMs: 5000,
			keepaliveIntervalMs: 0,
			maxChannels: 4,
			...ssh,
		},
	};
}

/** A host whose known_hosts holds exactly the server's key. */
function trustedHost(s: SshTestServer, ssh: Partial<SshSettings> = {}, name = 'lb1'): Host {
	return hostFor(s.port, {knownHostsFiles: [knownHosts(s.knownHostsLine())], ...ssh}, name);
}

function makePool(hosts: readonly Host[], options: SshPoolOptions = {}): SshPool {
	const p = new SshPool(hosts, options);
	pools.push(p);
	return p;
}

/** Record every state the pool reports for a host (consecutive repeats collapsed). */
function recordStates(p: SshPool, host = 'lb1'): {states: ConnState[]; events: HostStatus[]} {
	const states: ConnState[] = [];
	const events: HostStatus[] = [];
	p.onStatus((s) => {
		if (s.host !== host) return;
		events.push(s);
		if (states.at(-1) !== s.state) states.push(s.state);
	});
	return {states, events};
}

async function rejection(promise: Promise<unknown>): Promise<TransportError> {
	let result: unknown;
	try {
		result = await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(TransportError);
		return error as TransportError;
	}
	throw new Error(`expected a TransportError, got ${JSON.stringify(result)}`);
}

function until(what: string, condition: () => boolean, timeoutMs = 3000): Promise<unknown> {
	return waitFor(async () => condition(), (v) => v, {timeoutMs, intervalMs: 5, what});
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('connection settings', () => {
	// Nagle's algorithm would hold a channel's small packets (exec request, EOF) until the host
	// acknowledges the one before; with the host's delayed ACK that cost 40 ms a command (npm run bench --
	// warmPollSimulated: a warm cycle 45 ms with it, 7 ms without).
	it('turns Nagle off on the connection', async () => {
		const s = await startServer();
		const spy = vi.spyOn(net.Socket.prototype, 'setNoDelay');
		try {
			const p = makePool([trustedHost(s)]);
			await p.exec('lb1', ['echo', 'hi']);
			const toServer = spy.mock.contexts.map((sock, i) => ({port: (sock as net.Socket).remotePort, arg: spy.mock.calls[i]![0]})).filter((c) => c.port === s.port);
			expect(toServer.at(-1)).toEqual({port: s.port, arg: true});
		} finally {
			spy.mockRestore();
		}
	});
});

describe('exec results', () => {
	it('returns code, stdout and stderr as a value with timedOut false', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s)]);
		const r = await p.exec('lb1', ['echo', 'hi']);
		expect(r).toMatchObject({code: 0, stdout: 'hi\n', stderr: '', timedOut: false});
		expect(r.aborted).toBeUndefined();
		expect(r.durationMs).toBeGreaterThanOrEqual(0);
		expect(s.commands).toEqual(['echo hi']);
	});

	it('reports a non-zero exit as a value, not an exception', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s)]);
		await expect(p.exec('lb1', ['fail'])).resolves.toMatchObject({code: 3, stdout: '', stderr: 'boom\n', timedOut: false});
	});

	it('does not treat stderr output alone as a failure', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s)]);
		await expect(p.exec('lb1', ['warn'])).resolves.toMatchObject({code: 0, stdout: '', stderr: 'careful\n', timedOut: false});
	});

	it('shell-quotes every argv word (and prefixes sudo -n -- when the host uses sudo)', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s), trustedHost(s, {sudo: true}, 'lb2')]);
		const r = await p.exec('lb1', ['echo', 'a b', "c'd", '', '$(reboot)', 'plain-word_1.2:3']);
		expect(s.commands.at(-1)).toBe(`echo 'a b' 'c'\\''d' '' '$(reboot)' plain-word_1.2:3`);
		expect(r.code).toBe(127);
		await p.exec('lb2', ['echo', 'hi there']);
		expect(s.commands.at(-1)).toBe(`sudo -n -- echo 'hi there'`);
	});

	it('passes stdin and splits stdout into lines for onStdoutLine', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s)]);
		await expect(p.exec('lb1', ['cat'], {stdin: 'x\ny'})).resolves.toMatchObject({code: 0, stdout: 'x\ny'});
		const lines: string[] = [];
		await p.exec('lb1', ['lines'], {onStdoutLine: (l) => lines.push(l)});
		expect(lines).toEqual(['one', 'two', 'three']);
	});

	it('refuses a host that is not in the profile', async () => {
		const p = makePool([]);
		expect((await rejection(p.exec('nope', ['true']))).kind).toBe('unknown-host');
	});
});

describe('one pooled connection per host', () => {
	it('runs 10 sequential and 10 concurrent commands over exactly one connection', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s)]);
		for (let i = 0; i < 10; i++) expect((await p.exec('lb1', ['echo', 'hi'])).stdout).toBe('hi\n');
		const concurrent = await Promise.all(Array.from({length: 10}, () => p.exec('lb1', ['echo', 'hi'])));
		expect(concurrent.map((r) => r.stdout)).toEqual(Array(10).fill('hi\n'));
		expect(s.tcpConnections).toBe(1);
		expect(s.sshConnections).toBe(1);
		expect(s.commands).toHaveLength(20);
	});

	it('shares one handshake between commands started together on an idle host', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s)]);
		const results = await Promise.all(Array.from({length: 10}, () => p.exec('lb1', ['echo', 'hi'])));
		expect(results.every((r) => r.code === 0)).toBe(true);
		expect(s.tcpConnections).toBe(1);
		expect(s.sshConnections).toBe(1);
	});
});

describe('handshakes in turns', () => {
	it('admits at most its limit, in order, and a second leave of the same turn frees nothing', async () => {
		const gate = new HandshakeGate(2);
		const admitted: number[] = [];
		const leaves = await Promise.all([gate.enter(), gate.enter()]);
		const later = [3, 4].map((n) => gate.enter().then((leave) => (admitted.push(n), leave)));
		await sleep(5);
		expect(gate.load).toEqual({inside: 2, waiting: 2});
		leaves[0]!();
		leaves[0]!();
		await until('the first waiter admitted', () => admitted.length === 1);
		expect(admitted).toEqual([3]);
		expect(gate.load).toEqual({inside: 2, waiting: 1});
		leaves[1]!();
		await Promise.all(later);
		expect(admitted).toEqual([3, 4]);
	});

	it('says when it goes from empty to busy and back, not while a turn passes to a waiter', async () => {
		const heard: boolean[] = [];
		const gate = new HandshakeGate(1, (busy) => heard.push(busy));
		const first = await gate.enter();
		const second = gate.enter();
		first();
		(await second)();
		expect(heard).toEqual([true, false]);
	});

	it('the process\'s gate makes small Buffers unpooled while a handshake is in progress (ssh2 keeps some for good)', async () => {
		const pooled = Buffer.poolSize;
		expect(Buffer.from('ident').buffer.byteLength).toBe(pooled);
		const leave = await sshHandshakes.enter();
		try {
			expect(Buffer.from('ident').buffer.byteLength).toBe(5);
			expect(Buffer.allocUnsafe(16).buffer.byteLength).toBe(16);
		} finally {
			leave();
		}
		expect(Buffer.poolSize).toBe(pooled);
		expect(Buffer.allocUnsafe(16).buffer.byteLength).toBe(pooled);
	});

	it('gives up a place in line when its signal aborts', async () => {
		const gate = new HandshakeGate(1);
		const leave = await gate.enter();
		const abort = new AbortController();
		const waiting = gate.enter(abort.signal);
		expect(gate.load).toEqual({inside: 1, waiting: 1});
		abort.abort();
		await expect(waiting).rejects.toThrow('aborted');
		expect(gate.load).toEqual({inside: 1, waiting: 0});
		leave();
		expect(gate.load).toEqual({inside: 0, waiting: 0});
	});

	it('a pool opening more connections than the limit has at most the limit in handshake at once, and opens them all', async () => {
		const s = await startServer();
		const count = sshHandshakes.limit + 12;
		const hosts = Array.from({length: count}, (_, i) => trustedHost(s, {}, `h${i}`));
		const p = makePool(hosts);
		let most = 0;
		const watch = setInterval(() => (most = Math.max(most, sshHandshakes.load.inside)), 1);
		try {
			const results = await Promise.all(hosts.map((h) => p.exec(h.name, ['echo', 'hi'])));
			expect(results.every((r) => r.stdout === 'hi\n')).toBe(true);
		} finally {
			clearInterval(watch);
		}
		expect(s.sshConnections).toBe(count);
		expect(most).toBeGreaterThan(1);
		expect(most).toBeLessThanOrEqual(sshHandshakes.limit);
		expect(sshHandshakes.load).toEqual({inside: 0, waiting: 0});
	});
});

describe('handshake turns are taken once TCP connects', () => {
	it('a host that refuses the connection fails at once while every turn is held; a reachable one waits for a turn', async () => {
		const s = await startServer();
		const closed = await new Promise<number>((resolve) => {
			const probe = net.createServer().listen(0, '127.0.0.1', () => {
				const {port} = probe.address() as net.AddressInfo;
				probe.close(() => resolve(port));
			});
		});
		const held = await Promise.all(Array.from({length: sshHandshakes.limit}, () => sshHandshakes.enter()));
		try {
			const p = makePool([hostFor(closed, {}, 'gone'), trustedHost(s, {}, 'up')]);
			const refused = await rejection(p.exec('gone', ['echo', 'hi']));
			expect(refused.message).toContain('ECONNREFUSED');
			const waiting = p.exec('up', ['echo', 'hi']);
			await until('the TCP connection to the reachable host', () => s.tcpConnections === 1);
			await sleep(50);
			expect(s.sshConnections).toBe(0);
			expect(sshHandshakes.load.waiting).toBe(1);
			held.pop()!();
			expect((await waiting).stdout).toBe('hi\n');
		} finally {
			for (const leave of held) leave();
		}
		expect(sshHandshakes.load).toEqual({inside: 0, waiting: 0});
	});

	it('closing the pool ends a connection still waiting for its turn at once (its socket closed, its place in line given up)', async () => {
		const s = await startServer();
		const held = await Promise.all(Array.from({length: sshHandshakes.limit}, () => sshHandshakes.enter()));
		try {
			const p = makePool([trustedHost(s, {}, 'up')]);
			const waiting = rejection(p.exec('up', ['echo', 'hi']));
			await until('the host waiting for a turn', () => s.tcpConnections === 1 && sshHandshakes.load.waiting === 1);
			await p.close();
			expect((await waiting).message).toContain('closed');
			expect(sshHandshakes.load.waiting).toBe(0);
			expect(p.status('up').state).toBe('closed');
		} finally {
			for (const leave of held) leave();
		}
		expect(s.sshConnections).toBe(0);
	});
});

describe('channel cap', () => {
	it('never has more than maxChannels channels open, and runs every command after release', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s, {maxChannels: 2})]);
		let finished = 0;
		const runs = Array.from({length: 6}, () =>
			p.exec('lb1', ['hold']).then((r) => {
				finished++;
				return r;
			}),
		);
		let released = 0;
		while (released < 6) {
			const expected = Math.min(2, 6 - released);
			await until(`${expected} held commands`, () => s.heldCount === expected);
			expect(s.openChannels).toBeLessThanOrEqual(2);
			expect(finished).toBe(released);
			released += s.releaseHolds();
		}
		const results = await Promise.all(runs);
		expect(results.map((r) => [r.code, r.stdout])).toEqual(Array(6).fill([0, 'released\n']));
		expect(s.maxOpenChannels).toBe(2);
		expect(s.commands).toHaveLength(6);
		expect(s.sshConnections).toBe(1);
	});

	it('hands the freed channel to the next live waiter when a queued command was aborted', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s, {maxChannels: 1})]);
		const holding = p.exec('lb1', ['hold']);
		await until('the held command', () => s.heldCount === 1);
		const ac = new AbortController();
		const abandoned = p.exec('lb1', ['echo', 'abandoned'], {signal: ac.signal});
		const timedOutInQueue = p.exec('lb1', ['echo', 'late'], {timeoutMs: 50});
		const next = p.exec('lb1', ['echo', 'hi'], {timeoutMs: 2000});
		// once this one has timed out in the queue, the one issued before it is queued as well
		await expect(timedOutInQueue).resolves.toMatchObject({timedOut: true, code: null});
		ac.abort();
		await expect(abandoned).resolves.toMatchObject({aborted: true, timedOut: false, code: null});
		s.releaseHolds();
		await expect(holding).resolves.toMatchObject({code: 0});
		const started = Date.now();
		const r = await next;
		expect(r).toMatchObject({code: 0, stdout: 'hi\n', timedOut: false});
		expect(Date.now() - started).toBeLessThan(1000);
		expect(s.commands).toEqual(['hold', 'echo hi']);
	});
});

describe('per-command timeout and abort', () => {
	it('times a command out: timedOut, code null, KILL signalled, channel closed, connection kept', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s)]);
		await p.exec('lb1', ['echo', 'hi']);
		const started = Date.now();
		const r = await p.exec('lb1', ['sleep-forever'], {timeoutMs: 300});
		const elapsed = Date.now() - started;
		expect(r).toMatchObject({code: null, timedOut: true});
		expect(r.aborted).toBeUndefined();
		expect(elapsed).toBeGreaterThanOrEqual(290);
		expect(elapsed).toBeLessThan(1500);
		await until('the server to see the channel close', () => s.closedChannels.includes('sleep-forever'));
		expect(s.signals).toEqual(['KILL']);
		expect(p.status('lb1').state).toBe('ready');
		await expect(p.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0, stdout: 'hi\n'});
		expect(s.sshConnections).toBe(1);
		await until('no channel left open on the server', () => s.openChannels === 0);
	});

	it('times a command out whose start the host never confirms, and closes its channel if the host confirms it later', async () => {
		const s = await startServer();
		s.unconfirmed.add('stalled');
		const p = makePool([trustedHost(s)]);
		await p.exec('lb1', ['echo', 'hi']);
		const started = Date.now();
		const r = await p.exec('lb1', ['stalled'], {timeoutMs: 300});
		expect(r).toMatchObject({code: null, timedOut: true});
		expect(Date.now() - started).toBeLessThan(1500);
		// the host gets round to it: the late channel is killed and closed, the connection stays usable
		expect(s.confirmStalled()).toBe(1);
		await until('the server to see the late channel close', () => s.closedChannels.includes('stalled'));
		expect(s.signals).toEqual(['KILL']);
		await expect(p.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0, stdout: 'hi\n'});
		expect(s.sshConnections).toBe(1);
	});

	it('lets the caller abort a command whose start the host has not confirmed', async () => {
		const s = await startServer();
		s.unconfirmed.add('stalled');
		const p = makePool([trustedHost(s)]);
		const ac = new AbortController();
		const running = p.exec('lb1', ['stalled'], {signal: ac.signal, timeoutMs: 10_000});
		await until('the command to reach the server', () => s.commands.includes('stalled'));
		ac.abort();
		await expect(running).resolves.toMatchObject({code: null, timedOut: false, aborted: true});
	});

	it('uses the host commandTimeoutMs when the call sets none', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s, {commandTimeoutMs: 200})]);
		const started = Date.now();
		await expect(p.exec('lb1', ['sleep-forever'])).resolves.toMatchObject({timedOut: true, code: null});
		expect(Date.now() - started).toBeLessThan(1500);
	});

	it.each([
		['with a timeout', 10_000],
		['without one (a stream\'s command, ended only by its signal)', 0],
	])('resolves with aborted when the signal is aborted mid-command, %s', async (_name, timeoutMs) => {
		const s = await startServer();
		const p = makePool([trustedHost(s)]);
		const ac = new AbortController();
		const running = p.exec('lb1', ['sleep-forever'], {signal: ac.signal, timeoutMs});
		await until('the command to reach the server', () => s.commands.includes('sleep-forever'));
		const started = Date.now();
		ac.abort();
		const r = await running;
		expect(r).toMatchObject({code: null, timedOut: false, aborted: true});
		expect(Date.now() - started).toBeLessThan(1000);
		await until('the server to see the channel close', () => s.closedChannels.includes('sleep-forever'));
		expect(s.signals).toEqual(['KILL']);
		await expect(p.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0});
	});

	it('never sends a command whose signal is already aborted', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s)]);
		await p.exec('lb1', ['echo', 'hi']);
		expect((await rejection(p.exec('lb1', ['echo', 'no'], {signal: AbortSignal.abort()}))).kind).toBe('aborted');
		expect(s.commands).toEqual(['echo hi']);
	});
});

describe('host keys', () => {
	it('connects when known_hosts has the key', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s)]);
		await expect(p.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0});
		expect(p.status('lb1').state).toBe('ready');
	});

	it('refuses a changed key, names the presented fingerprint, and never authenticates', async () => {
		const s = await startServer();
		const other = generateKey();
		const p = makePool([hostFor(s.port, {knownHostsFiles: [knownHosts(s.knownHostsLine(other))]})]);
		const {states} = recordStates(p);
		const e = await rejection(p.exec('lb1', ['echo', 'hi']));
		expect(e.kind).toBe('hostkey');
		expect(e.host).toBe('lb1');
		expect(e.message).toContain('REFUSED');
		expect(e.message).toContain(s.hostKey.fingerprint);
		expect(e.message).not.toContain(other.fingerprint.slice(7)); // only the presented key is named
		expect(p.status('lb1').state).toBe('hostkey-refused');
		expect(states).toEqual(['connecting', 'hostkey-refused']);
		// later commands fail fast, without another connection
		expect((await rejection(p.exec('lb1', ['echo', 'hi']))).kind).toBe('hostkey');
		expect(s.tcpConnections).toBe(1);
		expect(s.authAttempts).toBe(0);
		expect(s.commands).toEqual([]);
	});

	it('refuses an unknown host and says how to trust it', async () => {
		const s = await startServer();
		const p = makePool([hostFor(s.port, {knownHostsFiles: [knownHosts(), path.join(dir, 'missing-known-hosts')]})]);
		const e = await rejection(p.exec('lb1', ['echo', 'hi']));
		expect(e.kind).toBe('hostkey');
		expect(e.message).toContain(s.hostKey.fingerprint);
		expect(e.message).toContain(`--trust-host-key lb1=${s.hostKey.fingerprint}`);
		expect(p.status('lb1').state).toBe('hostkey-refused');
		expect(s.authAttempts).toBe(0);
		expect(s.commands).toEqual([]);
	});

	it('accepts a fingerprint pinned in the profile, and refuses a wrong pin', async () => {
		const s = await startServer();
		const ok = makePool([hostFor(s.port, {fingerprints: [s.hostKey.fingerprint]})]);
		await expect(ok.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0});
		const wrong = makePool([hostFor(s.port, {fingerprints: [generateKey().fingerprint]})]);
		const e = await rejection(wrong.exec('lb1', ['echo', 'hi']));
		expect(e.kind).toBe('hostkey');
		expect(e.message).toContain('REFUSED');
		expect(s.commands).toEqual(['echo hi']);
	});

	it('accepts a fingerprint trusted through the pool option, for that host only', async () => {
		const s = await startServer();
		const p = makePool([hostFor(s.port), hostFor(s.port, {}, 'lb2')], {trust: {lb1: [s.hostKey.fingerprint]}});
		await expect(p.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0});
		expect((await rejection(p.exec('lb2', ['echo', 'hi']))).kind).toBe('hostkey');
	});

	it('gives a host named like an Object.prototype member no trusted keys of its own', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s, {}, 'toString'), hostFor(s.port, {}, 'constructor')], {trust: {}});
		await expect(p.exec('toString', ['echo', 'hi'])).resolves.toMatchObject({code: 0});
		const e = await rejection(p.exec('constructor', ['echo', 'hi']));
		expect(e.kind).toBe('hostkey');
		expect(e.message).toContain('is not known');
	});

	it('accepts a hashed known_hosts entry for [127.0.0.1]:PORT', async () => {
		const s = await startServer();
		const line = `${hashedHostField(`[127.0.0.1]:${s.port}`)} ${s.hostKey.publicLine}`;
		const p = makePool([hostFor(s.port, {knownHostsFiles: [knownHosts(line)]})]);
		await expect(p.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0});
	});

	it('refuses a @revoked key even when it is also listed and pinned', async () => {
		const s = await startServer();
		const file = knownHosts(s.knownHostsLine(), `@revoked * ${s.hostKey.publicLine}`);
		const p = makePool([hostFor(s.port, {knownHostsFiles: [file], fingerprints: [s.hostKey.fingerprint]})]);
		const e = await rejection(p.exec('lb1', ['echo', 'hi']));
		expect(e.kind).toBe('hostkey');
		expect(e.message).toContain('REFUSED');
		expect(e.message).toContain('revoked');
		expect(e.message).toContain(s.hostKey.fingerprint);
		expect(s.authAttempts).toBe(0);
		expect(s.commands).toEqual([]);
	});

	it('refuses a changed key even when the profile pins it or --trust-host-key trusts it', async () => {
		const s = await startServer();
		const file = knownHosts(s.knownHostsLine(generateKey()));
		const pinned = makePool([hostFor(s.port, {knownHostsFiles: [file], fingerprints: [s.hostKey.fingerprint]})]);
		const trusted = makePool([hostFor(s.port, {knownHostsFiles: [file]})], {trust: {lb1: [s.hostKey.fingerprint]}});
		for (const p of [pinned, trusted]) {
			const e = await rejection(p.exec('lb1', ['echo', 'hi']));
			expect(e.kind).toBe('hostkey');
			expect(e.message).toContain('REFUSED');
			expect(e.message).toContain('(changed)');
			expect(e.message).toContain(`differs from the ssh-ed25519 key recorded in ${file}:1`);
			expect(p.status('lb1').state).toBe('hostkey-refused');
		}
		expect(s.authAttempts).toBe(0);
		expect(s.commands).toEqual([]);
	});

	it('refuses a key of another type than known_hosts records, and says so (not "unknown"), even when pinned', async () => {
		const s = await startServer();
		const ecdsa = generateKey('ecdsa');
		const file = knownHosts(s.knownHostsLine(ecdsa));
		const p = makePool([hostFor(s.port, {knownHostsFiles: [file], fingerprints: [s.hostKey.fingerprint]})], {trust: {lb1: [s.hostKey.fingerprint]}});
		const e = await rejection(p.exec('lb1', ['echo', 'hi']));
		expect(e.kind).toBe('hostkey');
		expect(e.message).toContain(`REFUSED: host key type ssh-ed25519 differs from the known ecdsa-sha2-nistp256 key(s) (${file}:1)`);
		expect(e.message).toContain(s.hostKey.fingerprint);
		expect(e.message).not.toContain('is not known');
		expect(e.message).not.toContain('--trust-host-key lb1=');
		expect(s.authAttempts).toBe(0);
		expect(s.commands).toEqual([]);
	});

	it('asks first for the key type known_hosts records, so a server with several keys shows that one', async () => {
		const ecdsa = generateKey('ecdsa');
		const s = await startServer({extraHostKeys: [ecdsa]});
		// ed25519 comes first in ssh2's own order; only the ECDSA key is recorded
		const p = makePool([hostFor(s.port, {knownHostsFiles: [knownHosts(s.knownHostsLine(ecdsa))]})]);
		await expect(p.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0, stdout: 'hi\n'});
		// and with only the ed25519 key recorded, that one
		const q = makePool([hostFor(s.port, {knownHostsFiles: [knownHosts(s.knownHostsLine())]})]);
		await expect(q.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0});
	});

	it('tries again after reset() once known_hosts is fixed', async () => {
		const s = await startServer();
		const file = knownHosts();
		const p = makePool([hostFor(s.port, {knownHostsFiles: [file]})]);
		expect((await rejection(p.exec('lb1', ['echo', 'hi']))).kind).toBe('hostkey');
		writeFileSync(file, `${s.knownHostsLine()}\n`);
		expect((await rejection(p.exec('lb1', ['echo', 'hi']))).kind).toBe('hostkey'); // still refused until reset
		p.reset('lb1');
		await expect(p.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0});
	});
});

describe('authentication', () => {
	it('reports a rejected key as auth-failed and fails later commands fast, without reconnecting', async () => {
		const s = await startServer({authorizedKeys: [generateKey()]});
		const p = makePool([trustedHost(s)]);
		const e = await rejection(p.exec('lb1', ['echo', 'hi']));
		expect(e.kind).toBe('auth');
		expect(e.message).toContain('operator');
		expect(p.status('lb1').state).toBe('auth-failed');
		expect(s.authAttempts).toBeGreaterThan(0);
		expect(s.authenticated).toBe(0);
		const started = Date.now();
		for (let i = 0; i < 5; i++) expect((await rejection(p.exec('lb1', ['echo', 'hi']))).kind).toBe('auth');
		expect(Date.now() - started).toBeLessThan(200);
		expect(s.tcpConnections).toBe(1);
		expect(s.commands).toEqual([]);
	});

	it('fails with auth and opens no connection when no identity is usable', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s, {identityFiles: [path.join(dir, 'no-such-key')]})]);
		expect((await rejection(p.exec('lb1', ['echo', 'hi']))).kind).toBe('auth');
		expect(p.status('lb1').state).toBe('auth-failed');
		expect(s.tcpConnections).toBe(0);
	});
	it('signs in with the identity file as it is now: a key rotated while the pool runs is used by the next connection', async () => {
		const oldKey = generateKey();
		const newKey = generateKey();
		const keyFile = path.join(dir, 'id_rotated');
		writeFileSync(keyFile, oldKey.privateKey, {mode: 0o600});
		const before = await startServer({authorizedKeys: [oldKey]});
		const after = await startServer({authorizedKeys: [newKey]});
		const p = makePool([trustedHost(before, {identityFiles: [keyFile]}, 'lb1'), trustedHost(after, {identityFiles: [keyFile]}, 'lb2')]);
		await expect(p.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0});
		writeFileSync(keyFile, newKey.privateKey);
		utimesSync(keyFile, new Date(), new Date(Date.now() + 5000));
		await expect(p.exec('lb2', ['echo', 'hi'])).resolves.toMatchObject({code: 0});
		expect(after.authenticated).toBe(1);
	});

	it('signs in through ssh-agent when no identity file is usable', async () => {
		const s = await startServer();
		const sock = path.join(dir, 'agent.sock');
		const agent = spawn('ssh-agent', ['-D', '-a', sock], {stdio: 'ignore'});
		cleanups.push(() => void agent.kill());
		await until('the agent socket', () => existsSync(sock));
		const added = spawnSync('ssh-add', [clientKeyFile], {env: {...process.env, SSH_AUTH_SOCK: sock}, encoding: 'utf8'});
		expect(added.status, added.stderr).toBe(0);
		const p = makePool([trustedHost(s, {identityFiles: [path.join(dir, 'no-such-key')], agent: sock})]);
		await expect(p.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0, stdout: 'hi\n'});
		expect(s.authenticated).toBe(1);
	});

	it('fails with auth, saying why, when the identity file is encrypted (no passphrase to give)', async () => {
		const s = await startServer();
		const keyFile = path.join(dir, 'id_encrypted');
		writeFileSync(keyFile, ssh2.utils.generateKeyPairSync('ed25519', {passphrase: 'secret', cipher: 'aes256-cbc', rounds: 1}).private, {mode: 0o600});
		const p = makePool([trustedHost(s, {identityFiles: [keyFile]})]);
		const error = await rejection(p.exec('lb1', ['echo', 'hi']));
		expect(error.message).toMatch(/passphrase/);
		expect(s.authenticated).toBe(0);
	});
});

describe('reconnect', () => {
	it('reconnects on the next command after the server drops the connection', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s)], {backoffBaseMs: 50, backoffMaxMs: 400});
		const {states} = recordStates(p);
		await expect(p.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0});
		s.dropClients();
		await until('the pool to notice the drop', () => p.status('lb1').state === 'retrying');
		await expect(p.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0, stdout: 'hi\n'});
		expect(s.sshConnections).toBe(2);
		expect(states).toEqual(['connecting', 'ready', 'retrying', 'connecting', 'ready']);
	});

	it('gives the same status object while the connection stays as it was, a new one when it changes', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s)], {backoffBaseMs: 50, backoffMaxMs: 400});
		await p.exec('lb1', ['echo', 'hi']);
		const ready = p.status('lb1');
		await p.exec('lb1', ['echo', 'hi']);
		expect(p.status('lb1')).toBe(ready);
		s.dropClients();
		await until('the pool to notice the drop', () => p.status('lb1').state === 'retrying');
		const retrying = p.status('lb1');
		expect(retrying).not.toBe(ready);
		expect(retrying).toMatchObject({host: 'lb1', state: 'retrying'});
		expect(ready).toMatchObject({host: 'lb1', state: 'ready'});
		await p.exec('lb1', ['echo', 'hi']);
		expect(p.status('lb1')).toMatchObject({state: 'ready'});
		expect(p.status('lb1').since).toBeGreaterThanOrEqual(retrying.since);
	});

	it('fails a command queued behind the channel cap with a TransportError when the connection drops', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s, {maxChannels: 1})], {backoffBaseMs: 50, backoffMaxMs: 400});
		const holding = p.exec('lb1', ['hold']);
		await until('the held command', () => s.heldCount === 1);
		const queued = p.exec('lb1', ['echo', 'hi']).then(
			(r) => r,
			(e: unknown) => e,
		);
		s.dropClients();
		await expect(holding).resolves.toMatchObject({code: null});
		const outcome = await queued;
		expect(outcome).toBeInstanceOf(TransportError);
		expect(outcome).toMatchObject({kind: 'closed', host: 'lb1'});
		await until('the pool to notice the drop', () => p.status('lb1').state !== 'ready');
		await expect(p.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0});
	});

	it('sends a read again on a new connection when the connection drops before its channel opened', async () => {
		const s = await startServer({commands: {'ipvsadm -Ln': (ch) => (ch.write('IP Virtual Server\n'), ch.exit(0), ch.end())}});
		const p = makePool([trustedHost(s)], {backoffBaseMs: 50, backoffMaxMs: 400});
		s.dropBeforeExec = 1;
		await expect(p.exec('lb1', ['ipvsadm', '-Ln'])).resolves.toMatchObject({code: 0, stdout: 'IP Virtual Server\n'});
		expect(s.commands).toEqual(['ipvsadm -Ln', 'ipvsadm -Ln']);
		expect(s.sshConnections).toBe(2);
	});

	it('never sends a write twice on its own; a caller that says it converges gets the one retry', async () => {
		const s = await startServer();
		const p = makePool([trustedHost(s)], {backoffBaseMs: 50, backoffMaxMs: 400});
		s.dropBeforeExec = 1;
		expect(await rejection(p.exec('lb1', ['echo', 'hi']))).toMatchObject({kind: 'closed', host: 'lb1'});
		expect(s.commands).toEqual(['echo hi']);
		s.dropBeforeExec = 1;
		await expect(p.exec('lb1', ['echo', 'hi'], {resendIfDropped: true})).resolves.toMatchObject({code: 0, stdout: 'hi\n'});
		expect(s.commands).toEqual(['echo hi', 'echo hi', 'echo hi']);
		s.dropBeforeExec = 2;
		expect(await rejection(p.exec('lb1', ['echo', 'hi'], {resendIfDropped: true}))).toMatchObject({kind: 'closed'});
	});

	it('backs off while the server is down, failing fast, and recovers once it is back', async () => {
		const s = await startServer();
		const base = 50;
		const max = 400;
		const p = makePool([trustedHost(s)], {backoffBaseMs: base, backoffMaxMs: max});
		const {events} = recordStates(p);
		await expect(p.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0});
		await s.stop();
		await until('the pool to notice the drop', () => p.status('lb1').state === 'retrying');

		const attempts = () => events.filter((e) => e.state === 'connecting').length;
		const attemptsBefore = attempts();
		let execs = 0;
		let fastFailures = 0;
		while (attempts() - attemptsBefore < 5) {
			const before = p.status('lb1');
			const inBackoff = before.state === 'retrying' && before.nextAttemptAt !== undefined && before.nextAttemptAt > Date.now() + 5;
			const attemptsNow = attempts();
			execs++;
			const e = await rejection(p.exec('lb1', ['echo', 'hi']));
			expect(e.kind).toBe('unreachable');
			if (inBackoff) {
				// inside the backoff window: refused at once, no connection attempt
				expect(e.message).toMatch(/retrying in \d+\.\ds/);
				expect(attempts()).toBe(attemptsNow);
				fastFailures++;
			}
			await sleep(3);
		}
		expect(fastFailures).toBeGreaterThan(5);
		expect(execs).toBeGreaterThan(2 * (attempts() - attemptsBefore));

		// each failed attempt waits base * 2^(n-1), capped, with jitter in [0.5, 1]
		const delays = events.filter((e) => e.state === 'retrying' && e.nextAttemptAt !== undefined && e.lastError?.includes('ECONNREFUSED')).map((e) => e.nextAttemptAt! - e.since);
		expect(delays.length).toBeGreaterThanOrEqual(4);
		delays.forEach((d, i) => {
			const nominal = Math.min(max, base * 2 ** i);
			expect(d).toBeGreaterThanOrEqual(nominal * 0.5 - 2);
			expect(d).toBeLessThanOrEqual(nominal + 2);
		});
		expect(delays[3]!).toBeGreaterThan(delays[0]!);

		await s.listen();
		const {value} = await waitFor(
			() => p.exec('lb1', ['echo', 'hi']),
			(r) => r.code === 0,
			{timeoutMs: 3000, intervalMs: 20, what: 'exec to succeed after the server is back'},
		);
		expect(value.stdout).toBe('hi\n');
		expect(p.status('lb1').state).toBe('ready');
		expect(s.sshConnections).toBe(2);
	});
});

/** A TCP server that accepts and reads, but never says a word of SSH. */
async function hungServer(): Promise<{port: number; sockets: Set<net.Socket>; closed: () => number}> {
	const sockets = new Set<net.Socket>();
	let closed = 0;
	const hung = net.createServer((socket) => {
		sockets.add(socket);
		socket.resume(); // read (and ignore) the client's banner, so its hang-up is seen
		socket.on('error', () => {});
		socket.on('close', () => {
			sockets.delete(socket);
			closed++;
		});
	});
	await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
	cleanups.push(
		() =>
			new Promise<void>((resolve) => {
				for (const s of sockets) s.destroy();
				hung.close(() => resolve());
			}),
	);
	return {port: (hung.address() as net.AddressInfo).port, sockets, closed: () => closed};
}

describe('connect timeout', () => {
	it('gives up on a server that accepts TCP but never speaks SSH, within connectTimeoutMs', async () => {
		const hung = await hungServer();
		const p = makePool([hostFor(hung.port, {connectTimeoutMs: 500})], {backoffBaseMs: 50});
		const started = Date.now();
		const outcome: ExecResult | TransportError = await p.exec('lb1', ['echo', 'hi'], {timeoutMs: 500}).catch((e: unknown) => {
			expect(e).toBeInstanceOf(TransportError);
			expect((e as TransportError).kind).toBe('unreachable');
			return e as TransportError;
		});
		expect(Date.now() - started).toBeLessThan(1500);
		if (!(outcome instanceof TransportError)) expect(outcome).toMatchObject({timedOut: true, code: null});
		expect(p.status('lb1').state).toBe('retrying');
		// the abandoned handshake does not linger
		await until('the hung socket to close', () => hung.sockets.size === 0 && hung.closed() === 1);
	});

	it('close() destroys a handshake in progress and leaves the host closed', async () => {
		const hung = await hungServer();
		const p = new SshPool([hostFor(hung.port, {connectTimeoutMs: 10_000})]);
		const pending = p.exec('lb1', ['echo', 'hi'], {timeoutMs: 500});
		await until('the TCP connection', () => hung.sockets.size === 1);
		const started = Date.now();
		await p.close();
		const e = await rejection(pending);
		expect(['unreachable', 'closed']).toContain(e.kind);
		expect(Date.now() - started).toBeLessThan(1000);
		await until('the hung socket to close', () => hung.sockets.size === 0 && hung.closed() === 1);
		expect(p.status('lb1').state).toBe('closed');
		expect((await rejection(p.exec('lb1', ['echo', 'hi']))).kind).toBe('closed');
	});

	it('lets the caller abort while the handshake hangs', async () => {
		const hung = await hungServer();
		const p = makePool([hostFor(hung.port, {connectTimeoutMs: 10_000})]);
		const ac = new AbortController();
		const pending = p.exec('lb1', ['echo', 'hi'], {signal: ac.signal});
		await until('the TCP connection', () => hung.sockets.size === 1);
		const started = Date.now();
		ac.abort();
		expect((await rejection(pending)).kind).toBe('aborted');
		expect(Date.now() - started).toBeLessThan(500);
	});
});

describe('jump host', () => {
	it('reaches a host through its jump host with one forwarded connection', async () => {
		const jumpKey = generateKey();
		const targetKey = generateKey();
		const a = await startServer({name: 'A', hostKey: jumpKey, allowForwarding: true});
		const b = await startServer({name: 'B', hostKey: targetKey});
		const file = knownHosts(a.knownHostsLine(), b.knownHostsLine());
		const p = makePool([hostFor(a.port, {knownHostsFiles: [file]}, 'bastion'), hostFor(b.port, {knownHostsFiles: [file], jump: 'bastion'}, 'lb1')]);
		await expect(p.exec('lb1', ['whoami-server'])).resolves.toMatchObject({code: 0, stdout: 'B\n'});
		await expect(p.exec('lb1', ['whoami-server'])).resolves.toMatchObject({code: 0, stdout: 'B\n'});
		await expect(p.exec('bastion', ['whoami-server'])).resolves.toMatchObject({code: 0, stdout: 'A\n'});
		expect(a.forwards).toBe(1);
		expect(a.forwardTargets).toEqual([`127.0.0.1:${b.port}`]);
		expect(a.sshConnections).toBe(1);
		expect(b.sshConnections).toBe(1);
		expect(a.commands).toEqual(['whoami-server']);
		expect(b.commands).toEqual(['whoami-server', 'whoami-server']);
	});

	it('opens nothing when the pool is closed while a host behind the jump is connecting', async () => {
		const a = await startServer({name: 'A', allowForwarding: true});
		const b = await startServer({name: 'B'});
		const file = knownHosts(a.knownHostsLine(), b.knownHostsLine());
		const p = new SshPool([hostFor(a.port, {knownHostsFiles: [file]}, 'bastion'), hostFor(b.port, {knownHostsFiles: [file], jump: 'bastion'}, 'lb1')]);
		await p.exec('bastion', ['whoami-server']);
		const pending = p.exec('lb1', ['whoami-server']).catch((e: unknown) => e);
		await p.close();
		expect(await pending).toBeInstanceOf(TransportError);
		await until('the jump connection to close', () => a.liveConnections === 0);
		await sleep(100); // give a stray connect the chance to reach B
		expect(b.tcpConnections).toBe(0);
		expect(p.status('lb1').state).toBe('closed');
		expect(p.status('bastion').state).toBe('closed');
	});

	it('refuses hosts whose jump hosts form a loop, before connecting anywhere', async () => {
		const a = await startServer({name: 'A', allowForwarding: true});
		const b = await startServer({name: 'B', allowForwarding: true});
		const file = knownHosts(a.knownHostsLine(), b.knownHostsLine());
		const hosts = [hostFor(a.port, {knownHostsFiles: [file], jump: 'b'}, 'a'), hostFor(b.port, {knownHostsFiles: [file], jump: 'a'}, 'b')];
		expect(() => new SshPool(hosts)).toThrow('jump hosts form a loop: a -> b -> a');
		expect(a.tcpConnections + b.tcpConnections).toBe(0);
	});

	it('checks the target host key through the jump too', async () => {
		const a = await startServer({name: 'A', allowForwarding: true});
		const b = await startServer({name: 'B'});
		const file = knownHosts(a.knownHostsLine(), b.knownHostsLine(generateKey()));
		const p = makePool([hostFor(a.port, {knownHostsFiles: [file]}, 'bastion'), hostFor(b.port, {knownHostsFiles: [file], jump: 'bastion'}, 'lb1')]);
		const e = await rejection(p.exec('lb1', ['whoami-server']));
		expect(e.kind).toBe('hostkey');
		expect(e.message).toContain(b.hostKey.fingerprint);
		expect(b.authAttempts).toBe(0);
		expect(p.status('bastion').state).toBe('ready');
	});
});

describe('early connections (opened before the pool, status\'s start)', () => {
	it('the first handshake uses the early socket: one TCP connection, the host key checked as always', async () => {
		const s = await startServer();
		const host = trustedHost(s);
		const early = openEarlySockets(connectTargets([host]));
		await until('the early socket accepted', () => s.tcpConnections === 1);
		const p = makePool([host], {early});
		await expect(p.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0});
		expect(s.tcpConnections).toBe(1);
		expect(s.sshConnections).toBe(1);
	});

	it('an early socket to a changed host key is refused like any other', async () => {
		const s = await startServer();
		const host = hostFor(s.port, {knownHostsFiles: [knownHosts(s.knownHostsLine(generateKey()))]});
		const p = makePool([host], {early: openEarlySockets(connectTargets([host]))});
		expect((await rejection(p.exec('lb1', ['echo', 'hi']))).kind).toBe('hostkey');
		expect(s.tcpConnections).toBe(1);
		expect(s.authAttempts).toBe(0);
	});

	it('an early socket that failed is dropped and the pool connects afresh', async () => {
		const s = await startServer();
		const host = trustedHost(s);
		// Nothing listens on the early socket's port: it fails, and the host's real port is used after.
		const closed = net.createServer();
		await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
		const deadPort = (closed.address() as net.AddressInfo).port;
		await new Promise<void>((r) => closed.close(() => r()));
		const early = openEarlySockets(connectTargets([{...host, ssh: {...host.ssh, port: deadPort}}]));
		await sleep(100);
		const p = makePool([host], {early});
		await expect(p.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0});
		expect(s.tcpConnections).toBe(1);
	});

	it('closing the pool closes the early sockets it never took; a host behind a jump host gets none', async () => {
		const s = await startServer();
		const direct = trustedHost(s, {}, 'lb1');
		const behind = trustedHost(s, {jump: 'lb1'}, 'lb2');
		const early = openEarlySockets(connectTargets([direct, behind]));
		await until('one early socket accepted', () => s.tcpConnections === 1);
		expect(early.take('lb2')).toBeUndefined();
		const p = makePool([direct, behind], {early});
		await p.close();
		await until('the server sees it closed', () => s.liveConnections === 0);
	});
});

describe('early handshakes (begun from connect hints before the profile loaded)', () => {
	/** The host's target with the settings the pool will use, or `edit`ed ones (hints from another run). */
	function hintedTarget(host: Host, edit: Partial<NonNullable<ConnectTarget['handshake']>> = {}): ConnectTarget {
		return connectTargets([host], (h) => ({...handshakeSettings(h, knownHostView(h).algorithms), ...edit}))[0]!;
	}

	/** Sockets to `targets` whose key exchange has come as far as the host's key, which waits for the pool's check. */
	async function begun(targets: readonly ConnectTarget[]) {
		let keysArrived = 0;
		class Observed extends ssh2.Client {
			override connect(config: ConnectConfig): this {
				const verifier = config.hostVerifier as HostVerifier;
				return super.connect({...config, hostVerifier: (key: Buffer, verify: VerifyCallback) => (keysArrived++, verifier(key, verify))});
			}
		}
		const early = openEarlySockets(targets);
		early.beginHandshakes(Observed);
		await until('the host key arrived', () => keysArrived === targets.length);
		return early;
	}

	it('the pool adopts it: one connection, one key exchange, nothing of the user sent before the pool checked the host key', async () => {
		const s = await startServer();
		const host = trustedHost(s);
		const early = await begun([hintedTarget(host)]);
		// Held at the host key: the exchange is not finished and nothing of the user has gone out.
		expect([s.keyExchanges, s.authAttempts]).toEqual([0, 0]);
		const p = makePool([host], {early});
		await expect(p.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0, stdout: 'hi\n'});
		expect([s.tcpConnections, s.sshConnections, s.keyExchanges]).toEqual([1, 1, 1]);
		expect(p.hostKey('lb1')).toBe(s.hostKey.fingerprint);
	});

	it('a changed host key is refused by the pool\'s own check, with no authentication attempted', async () => {
		const s = await startServer();
		const host = hostFor(s.port, {knownHostsFiles: [knownHosts(s.knownHostsLine(generateKey()))]});
		const early = await begun([hintedTarget(host)]);
		const p = makePool([host], {early});
		const e = await rejection(p.exec('lb1', ['echo', 'hi']));
		expect(e.kind).toBe('hostkey');
		expect(e.message).toContain(s.hostKey.fingerprint);
		expect(s.authAttempts).toBe(0);
		expect(s.tcpConnections).toBe(1);
	});

	it('begun with other settings (another user): closed, and the host connected afresh as the profile says', async () => {
		const s = await startServer();
		const host = trustedHost(s);
		const early = await begun([hintedTarget(host, {user: 'someone-else'})]);
		const p = makePool([host], {early});
		await expect(p.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0});
		expect(s.tcpConnections).toBe(2);
		await until('the early connection closed', () => s.liveConnections === 1);
	});

	it('an authentication failure on an adopted handshake is reported like any other', async () => {
		const s = await startServer({authorizedKeys: [generateKey()]});
		const host = trustedHost(s);
		const p = makePool([host], {early: await begun([hintedTarget(host)])});
		const e = await rejection(p.exec('lb1', ['echo', 'hi']));
		expect(e.kind).toBe('auth');
		expect(e.message).toContain('authentication failed as operator');
		expect(s.authAttempts).toBeGreaterThan(0);
	});
});

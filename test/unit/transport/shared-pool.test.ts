// Several clusters at once (exporter, check): a host in several profiles gets one SSH connection, each
// cluster speaks its own host names (exec, status, status events, trust), and a host that only shares
// a name with another is a connection of its own.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {Host, Profile, SshSettings} from '../../../src/profile/model.js';
import {createSharedClusterTransports, type SharedClusterTransports} from '../../../src/transport/shared-pool.js';
import type {HostStatus} from '../../../src/transport/types.js';
import {generateKey, SshTestServer, type TestKey} from './ssh-test-server.js';

let dir: string;
let clientKey: TestKey;
let clientKeyFile: string;
const servers: SshTestServer[] = [];
const shared: SharedClusterTransports[] = [];

beforeAll(() => {
	dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-shared-pool-'));
	clientKey = generateKey();
	clientKeyFile = path.join(dir, 'id_ed25519');
	writeFileSync(clientKeyFile, clientKey.privateKey, {mode: 0o600});
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));
afterEach(async () => {
	for (const s of shared.splice(0)) await s.close();
	for (const s of servers.splice(0)) await s.stop();
});

async function server(): Promise<SshTestServer> {
	const s = await SshTestServer.start({authorizedKeys: [clientKey]});
	servers.push(s);
	return s;
}

function host(name: string, s: SshTestServer, ssh: Partial<SshSettings> = {}): Host {
	const knownHosts = path.join(dir, `known_hosts.${s.port}`);
	writeFileSync(knownHosts, `${s.knownHostsLine()}\n`);
	return {
		name,
		address: '127.0.0.1',
		role: 'director',
		ssh: {hostName: '127.0.0.1', user: 'operator', port: s.port, identityFiles: [clientKeyFile], knownHostsFiles: [knownHosts], fingerprints: [], sudo: false, connectTimeoutMs: 3000, commandTimeoutMs: 5000, keepaliveIntervalMs: 0, maxChannels: 4, ...ssh},
	};
}

// Only the hosts matter to the pool; the rest of a profile is not read here.
const profileOf = (name: string, hosts: Host[]) => ({name, hosts}) as unknown as Profile;

function open(profiles: Profile[], options: Parameters<typeof createSharedClusterTransports>[1] = {}): SharedClusterTransports {
	const s = createSharedClusterTransports(profiles, options);
	shared.push(s);
	return s;
}

describe('one SSH connection per host across profiles', () => {
	it('the same host under two names is one connection; a same-named other host is its own; names stay each cluster\'s', async () => {
		const [s1, s2, s3] = [await server(), await server(), await server()];
		const a = profileOf('a', [host('lb1', s1), host('lb2', s2)]);
		const b = profileOf('b', [host('edge', s1), host('lb2', s3)]);
		const pool = open([a, b]);
		expect(pool.connections).toBe(3);
		const [ta, tb] = pool.transports as [NonNullable<(typeof pool.transports)[0]>, NonNullable<(typeof pool.transports)[0]>];
		const events: HostStatus[] = [];
		tb.onStatus((e) => events.push(e));

		await expect(ta.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0, stdout: 'hi\n'});
		await expect(tb.exec('edge', ['echo', 'hi'])).resolves.toMatchObject({code: 0, stdout: 'hi\n'});
		expect(s1.sshConnections).toBe(1);
		expect(s1.commands).toEqual(['echo hi', 'echo hi']);

		await tb.exec('lb2', ['echo', 'hi']);
		expect([s2.sshConnections, s3.sshConnections]).toEqual([0, 1]);
		await ta.exec('lb2', ['echo', 'hi']);
		expect([s2.sshConnections, s3.sshConnections]).toEqual([1, 1]);

		expect(tb.status('edge')).toMatchObject({host: 'edge', state: 'ready'});
		expect(ta.status('lb1')).toMatchObject({host: 'lb1', state: 'ready'});
		expect(events.length).toBeGreaterThan(0);
		expect(new Set(events.map((e) => e.host))).toEqual(new Set(['edge', 'lb2']));
		expect(tb.hostKey?.('edge')).toBe(ta.hostKey?.('lb1'));
	});

	it('read-only (status, check and the exporter over several clusters): a changing command is refused before it reaches the shared connection; reads pass', async () => {
		const s1 = await server();
		// Real servers: the profile check for read-only mode needs no keepalived section for them.
		const pool = open([profileOf('a', [{...host('lb1', s1), role: 'realserver'}]), profileOf('b', [{...host('edge', s1), role: 'realserver'}])], {readOnly: true});
		for (const [t, name] of [[pool.transports[0]!, 'lb1'], [pool.transports[1]!, 'edge']] as const) {
			await expect(t.exec(name, ['ip', 'addr', 'add', '192.168.67.100/24', 'dev', 'eth0'])).rejects.toMatchObject({kind: 'read-only'});
			await expect(t.exec(name, ['systemctl', 'stop', 'keepalived'])).rejects.toMatchObject({kind: 'read-only'});
		}
		expect(s1.commands).toEqual([]);
		await expect(pool.transports[1]!.exec('edge', ['uname', '-r'])).resolves.toMatchObject({code: expect.any(Number)});
		expect(s1.commands).toEqual(['uname -r']);
	});

	it('--trust-host-key given under one cluster\'s name trusts the shared connection', async () => {
		const s1 = await server();
		const untrusted = (name: string) => ({...host(name, s1), ssh: {...host(name, s1).ssh, knownHostsFiles: [path.join(dir, 'empty_known_hosts')]}});
		writeFileSync(path.join(dir, 'empty_known_hosts'), '');
		const pool = open([profileOf('a', [untrusted('lb1')]), profileOf('b', [untrusted('edge')])], {trust: {edge: [s1.hostKey.fingerprint]}});
		expect(pool.connections).toBe(1);
		await expect(pool.transports[0]!.exec('lb1', ['echo', 'hi'])).resolves.toMatchObject({code: 0});
		const refused = open([profileOf('c', [untrusted('lb1')])]);
		await expect(refused.transports[0]!.exec('lb1', ['echo', 'hi'])).rejects.toThrow(/not known/);
	});
});

// The fleet console and wall: each cluster follows every director (address monitor, keepalived's log).
// The same follower asked by two clusters of one host is one channel, and each cluster gets every line.
describe('followers shared between clusters', () => {
	const follow = {timeoutMs: 0};
	const waitUntil = async (ok: () => boolean) => {
		for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
		expect(ok()).toBe(true);
	};

	it('one channel for the same command on one host; every cluster gets its lines; it stops when the last follower leaves', async () => {
		const channels: Array<import('ssh2').ServerChannel> = [];
		const s1 = await SshTestServer.start({authorizedKeys: [clientKey], commands: {follow: (ch) => void channels.push(ch)}});
		servers.push(s1);
		const pool = open([profileOf('a', [host('lb1', s1)]), profileOf('b', [host('edge', s1)])]);
		const [ta, tb] = [pool.transports[0]!, pool.transports[1]!];
		const seen = {a: [] as string[], b: [] as string[]};
		const stopA = new AbortController();
		const stopB = new AbortController();
		const runA = ta.exec('lb1', ['follow'], {...follow, signal: stopA.signal, onStdoutLine: (l) => seen.a.push(l)});
		await waitUntil(() => channels.length === 1);
		const runB = tb.exec('edge', ['follow'], {...follow, signal: stopB.signal, onStdoutLine: (l) => seen.b.push(l)});
		channels[0]!.write('first\n');
		await waitUntil(() => seen.a.length === 1 && seen.b.length === 1);
		expect(seen).toEqual({a: ['first'], b: ['first']});
		expect(s1.commands).toEqual(['follow']);
		expect(s1.maxOpenChannels).toBe(1);

		// One cluster stops following: the other still reads the same channel.
		stopA.abort();
		await expect(runA).resolves.toMatchObject({code: null, aborted: true});
		channels[0]!.write('second\n');
		await waitUntil(() => seen.b.length === 2);
		expect(seen.a).toEqual(['first']);
		expect(s1.openChannels).toBe(1);

		// The last one leaves: the channel is closed, and the next follower opens a new one.
		stopB.abort();
		await expect(runB).resolves.toMatchObject({aborted: true});
		await waitUntil(() => s1.openChannels === 0);
		const stopC = new AbortController();
		const runC = ta.exec('lb1', ['follow'], {...follow, signal: stopC.signal, onStdoutLine: () => undefined});
		await waitUntil(() => channels.length === 2);
		expect(s1.commands).toEqual(['follow', 'follow']);
		stopC.abort();
		await runC;
	});

	it('a stream that ends ends for every follower, with its result; other commands and other hosts are not shared', async () => {
		const channels: Array<import('ssh2').ServerChannel> = [];
		const s1 = await SshTestServer.start({authorizedKeys: [clientKey], commands: {follow: (ch) => void channels.push(ch), other: (ch) => void channels.push(ch)}});
		servers.push(s1);
		const pool = open([profileOf('a', [host('lb1', s1)]), profileOf('b', [host('edge', s1)])]);
		const [ta, tb] = [pool.transports[0]!, pool.transports[1]!];
		const runs = [ta.exec('lb1', ['follow'], {...follow, onStdoutLine: () => undefined}), tb.exec('edge', ['follow'], {...follow, onStdoutLine: () => undefined})];
		const other = tb.exec('edge', ['other'], {...follow, onStdoutLine: () => undefined});
		// A command with a time limit is an ordinary command, never joined to a stream.
		const timed = ta.exec('lb1', ['follow'], {timeoutMs: 5000, onStdoutLine: () => undefined});
		await waitUntil(() => channels.length === 3);
		expect([...s1.commands].sort()).toEqual(['follow', 'follow', 'other']);
		for (const ch of channels) {
			ch.exit(7);
			ch.end();
		}
		for (const r of [...runs, other, timed]) await expect(r).resolves.toMatchObject({code: 7});
	});
});


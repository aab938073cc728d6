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

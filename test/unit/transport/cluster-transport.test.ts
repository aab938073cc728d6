// Hosts are reached only the way the profile says: every profile host over SSH with its host key
// checked, whatever its name (a host called "local" is not the operator's station), and the station
// only through its own, explicit transport.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {Host, Profile} from '../../../src/profile/model.js';
import {createClusterTransport, createStationTransport} from '../../../src/transport/cluster-transport.js';
import {TransportError, type Transport} from '../../../src/transport/types.js';
import {generateKey, SshTestServer, type TestKey} from './ssh-test-server.js';

let dir: string;
let clientKey: TestKey;
let clientKeyFile: string;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(() => {
	dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-routing-'));
	clientKey = generateKey();
	clientKeyFile = path.join(dir, 'id_ed25519');
	writeFileSync(clientKeyFile, clientKey.privateKey, {mode: 0o600});
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));
afterEach(async () => {
	for (const c of cleanups.splice(0).reverse()) await c();
});

function hostNamed(name: string, port: number, knownHostsFile: string): Host {
	return {
		name,
		address: '127.0.0.1',
		role: 'director',
		ssh: {
			hostName: '127.0.0.1',
			user: 'operator',
			port,
			identityFiles: [clientKeyFile],
			knownHostsFiles: [knownHostsFile],
			fingerprints: [],
			sudo: false,
			connectTimeoutMs: 3000,
			commandTimeoutMs: 5000,
			keepaliveIntervalMs: 0,
			maxChannels: 4,
		},
	};
}

function profileWith(hosts: readonly Host[]): Profile {
	return {
		name: 'routing',
		file: path.join(dir, 'routing.yaml'),
		hosts,
		keepalived: {
			configPath: '/etc/keepalived/keepalived.conf',
			autoScriptSecurity: true,
			backupDir: '/etc/keepalived/backup',
			start: ['true'],
			stop: ['true'],
			reload: ['true'],
			status: ['true'],
			pidFile: '/run/keepalived.pid',
			vrrpPidFile: '/run/vrrp.pid',
			dumpDir: '/tmp',
		},
		trackScripts: [],
		instances: [],
		virtualServers: [],
	};
}

async function start(): Promise<SshTestServer> {
	const s = await SshTestServer.start({authorizedKeys: [clientKey], name: 'remote'});
	cleanups.push(() => s.stop());
	return s;
}

function track(t: Transport): Transport {
	cleanups.push(() => t.close());
	return t;
}

describe('a profile host named "local"', () => {
	it('is reached over SSH like any other host', async () => {
		const s = await start();
		const kh = path.join(dir, 'kh-ok');
		writeFileSync(kh, `${s.knownHostsLine()}\n`);
		const t = track(createClusterTransport(profileWith([hostNamed('local', s.port, kh)])));
		await expect(t.exec('local', ['whoami-server'])).resolves.toMatchObject({code: 0, stdout: 'remote\n'});
		expect(s.commands).toEqual(['whoami-server']);
		expect(t.status('local').state).toBe('ready');
	});

	it('gets its host key checked: an unknown key is refused and nothing runs anywhere', async () => {
		const s = await start();
		const kh = path.join(dir, 'kh-empty');
		writeFileSync(kh, '');
		const t = track(createClusterTransport(profileWith([hostNamed('local', s.port, kh)])));
		const error = await t.exec('local', ['echo', 'hi']).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(TransportError);
		expect((error as TransportError).kind).toBe('hostkey');
		expect(s.authAttempts).toBe(0);
		expect(s.commands).toEqual([]);
	});

	it('is unknown when the profile has no such host (no fallback to the station)', async () => {
		const t = track(createClusterTransport(profileWith([])));
		const error = await t.exec('local', ['echo', 'hi']).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(TransportError);
		expect((error as TransportError).kind).toBe('unknown-host');
	});
});

describe('the station transport', () => {
	it('runs on this machine, explicitly', async () => {
		const t = track(createStationTransport(profileWith([])));
		await expect(t.exec('(station)', ['echo', 'station'])).resolves.toMatchObject({code: 0, stdout: 'station\n'});
	});

	it('is read-only when asked to be', async () => {
		const t = track(createStationTransport(profileWith([]), {readOnly: true}));
		const error = await t.exec('(station)', ['rm', '-f', path.join(dir, 'nothing')]).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(TransportError);
		expect((error as TransportError).kind).toBe('read-only');
	});
});

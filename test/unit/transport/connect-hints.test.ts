// status's preconnect: the last run's hints open TCP connections before the profile loads, only while
// the profile file is the one they were taken from, only for hosts the file alone places, and only
// outside a station namespace; what the profile then says decides which sockets are used.
import {spawn} from 'node:child_process';
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {parse, stringify} from 'yaml';
import {parseProfile} from '../../../src/profile/load.js';
import type {Profile} from '../../../src/profile/model.js';
import {earlySocketsFor, hintedTargets, hintsFile, preconnect, readConnectHints, takePreconnected} from '../../../src/transport/connect-hints.js';
import {packageRoot} from '../../../src/lab/plan.js';
import {waitFor} from '../../helpers/wait-for.js';

interface Listener {
	readonly server: net.Server;
	readonly address: string;
	readonly port: number;
	accepted: number;
	readonly sockets: net.Socket[];
	/** Sockets on which the client's SSH identification arrived (its key exchange began). */
	sshStarted: number;
}

let tmp: string;
let env: NodeJS.ProcessEnv;
const listeners: Listener[] = [];

/** One listener per lab host, each on a loopback address of its own (a profile's hosts have distinct addresses). */
async function listenAll(): Promise<Listener[]> {
	return Promise.all(Array.from({length: 5}, (_, i) => listen(`127.0.0.${11 + i}`)));
}

async function listen(address: string): Promise<Listener> {
	const l: Listener = {server: net.createServer(), address, port: 0, accepted: 0, sockets: [], sshStarted: 0};
	l.server.on('connection', (s) => {
		l.accepted++;
		l.sockets.push(s);
		s.on('error', () => undefined);
		let first = '';
		s.on('data', (d: Buffer) => {
			if (first.length >= 8) return;
			first += d.toString('latin1');
			if (first.startsWith('SSH-2.0-')) l.sshStarted++;
		});
	});
	await new Promise<void>((r) => l.server.listen(0, address, r));
	Object.assign(l, {port: (l.server.address() as net.AddressInfo).port});
	listeners.push(l);
	return l;
}

/** The lab profile with its hosts on `at` and no station namespace; `edit` changes the document. */
function profileText(at: readonly Listener[], edit: (doc: Record<string, any>) => void = () => undefined): string {
	const doc = parse(readFileSync(path.join(packageRoot(), 'profiles', 'lab.yaml'), 'utf8')) as Record<string, any>;
	delete doc['station'];
	delete doc['lab'];
	for (const [i, h] of Object.values(doc['hosts'] as Record<string, {address: string; ssh?: Record<string, unknown>}>).entries()) {
		h.address = at[i]!.address;
		h.ssh = {...h.ssh, port: at[i]!.port};
	}
	edit(doc);
	return stringify(doc);
}

function load(file: string, text: string): Profile {
	writeFileSync(file, text);
	return parseProfile(text, file, {env: {HOME: tmp}, sshConfigFile: path.join(tmp, 'ssh_config')});
}

const accepted = () => listeners.reduce((n, l) => n + l.accepted, 0);
const sshStarted = () => listeners.reduce((n, l) => n + l.sshStarted, 0);

/** A run that connects to every host (and so keeps hints), its sockets closed once all were accepted. */
async function firstRun(profile: Profile, text: string): Promise<void> {
	const before = accepted();
	const sockets = earlySocketsFor(profile, text, env);
	await waitFor(async () => accepted() - before, (n) => n === profile.hosts.length, {timeoutMs: 5000, what: 'the first run connecting'});
	sockets.close();
}

beforeAll(() => {
	tmp = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-hints-'));
	env = {LVSDECK_STATE_DIR: path.join(tmp, 'state')};
});
afterEach(async () => {
	takePreconnected('/')?.close();
	for (const l of listeners.splice(0)) {
		for (const s of l.sockets) s.destroy();
		await new Promise<void>((r) => l.server.close(() => r()));
	}
});
afterAll(() => rmSync(tmp, {recursive: true, force: true}));

describe('connect hints', () => {
	it('a run keeps where it connected; the next opens those connections before loading, and they are the ones used', async () => {
		const at = await listenAll();
		const file = path.join(tmp, 'same.yaml');
		const text = profileText(at);
		const profile = load(file, text);
		const hosts = profile.hosts.length;
		await firstRun(profile, text);
		expect(accepted()).toBe(hosts);
		expect(readConnectHints(file, env)?.targets).toHaveLength(hosts);

		expect(sshStarted()).toBe(0);

		preconnect(file, env);
		await waitFor(async () => accepted(), (n) => n === 2 * hosts, {timeoutMs: 5000, what: 'the preconnected sockets accepted'});
		// Their key exchange begins as soon as ssh2 is loaded, before the profile is.
		await waitFor(async () => sshStarted(), (n) => n === hosts, {timeoutMs: 5000, what: 'the key exchange begun on each'});
		const sockets = earlySocketsFor(load(file, text), text, env);
		// Each is taken over with its handshake: no further connection.
		const target = hintedTargets(profile)[0]!;
		const handshake = sockets.takeHandshake(target.host, target.handshake!);
		expect(handshake?.usable()).toBe(true);
		expect(accepted()).toBe(2 * hosts);
		// Not to a pool whose settings differ (another user): that one connects afresh.
		const other = hintedTargets(profile)[1]!;
		expect(sockets.takeHandshake(other.host, {...other.handshake!, user: 'someone-else'})).toBeUndefined();
		expect(sockets.take(other.host)).toBeUndefined();
		handshake?.client.destroy();
		sockets.close();
	});

	it('a profile changed by one byte since the hints opens nothing early', async () => {
		const file = path.join(tmp, 'changed.yaml');
		const text = profileText(await listenAll());
		await firstRun(load(file, text), text);
		const before = accepted();
		writeFileSync(file, `${text}\n`);
		preconnect(file, env);
		expect(takePreconnected(file)).toBeUndefined();
		expect(accepted()).toBe(before);
	});

	it('a socket preconnected to where the profile no longer points is closed, and the host connected afresh', async () => {
		const old = await listenAll();
		const file = path.join(tmp, 'moved.yaml');
		const hintsText = profileText(old);
		await firstRun(load(file, hintsText), hintsText);
		// Preconnected from the hints, then the file changes before the command loads it.
		preconnect(file, env);
		await waitFor(async () => accepted(), (n) => n === 2 * old.length, {timeoutMs: 5000, what: 'the preconnected sockets accepted'});
		const now = await listenAll();
		const movedText = profileText(now);
		const moved = load(file, movedText);
		const sockets = earlySocketsFor(moved, movedText, env);
		await waitFor(async () => now.reduce((n, l) => n + l.accepted, 0), (n) => n === now.length, {timeoutMs: 5000, what: 'every host connected afresh'});
		expect(sockets.take(moved.hosts[0]!.name)?.remotePort).toBe(now[0]!.port);
		const open = (ls: readonly Listener[]) => ls.flatMap((l) => l.sockets).filter((s) => !s.readableEnded && !s.destroyed).length;
		await waitFor(async () => open(old), (n) => n === 0, {timeoutMs: 5000, what: 'the stale sockets closed'});
		sockets.close();
		expect(readConnectHints(file, env)?.targets.map((t) => t.port)).toEqual(now.map((l) => l.port));
	});

	it('hints of a profile with a station namespace open nothing outside it', async () => {
		const file = path.join(tmp, 'station.yaml');
		const text = profileText(await listenAll(), (doc) => (doc['station'] = {netns: 'lvsdeck-no-such-ns'}));
		await firstRun(load(file, text), text);
		expect(readConnectHints(file, env)?.stationNetns).toBe('lvsdeck-no-such-ns');
		const before = accepted();
		preconnect(file, env);
		expect(takePreconnected(file)).toBeUndefined();
		expect(accepted()).toBe(before);
	});

	it('hosts placed through ~/.ssh/config or behind a jump host are not hinted', async () => {
		writeFileSync(path.join(tmp, 'ssh_config'), 'Host web1-alias\n  HostName 127.0.0.1\n');
		const file = path.join(tmp, 'alias.yaml');
		const text = profileText(await listenAll(), (doc) => {
			const hosts = doc['hosts'] as Record<string, {ssh?: Record<string, unknown>}>;
			const names = Object.keys(hosts);
			hosts[names[0]!]!.ssh = {...hosts[names[0]!]!.ssh, config_alias: 'web1-alias'};
			hosts[names[1]!]!.ssh = {...hosts[names[1]!]!.ssh, jump: names[2]};
		});
		const profile = load(file, text);
		const hinted = hintedTargets(profile).map((t) => t.host);
		expect(hinted).not.toContain(profile.hosts[0]!.name);
		expect(hinted).not.toContain(profile.hosts[1]!.name);
		expect(hinted).toContain(profile.hosts[2]!.name);
	});

	it('a hints file others may write counts as none', async () => {
		const file = path.join(tmp, 'shared.yaml');
		const text = profileText(await listenAll());
		await firstRun(load(file, text), text);
		expect(readConnectHints(file, env)).toBeDefined();
		chmodSync(hintsFile(file, env), 0o666);
		expect(readConnectHints(file, env)).toBeUndefined();
	});

	it('status from the command line begins its handshakes from the hints before the program itself loads', async () => {
		const file = path.join(tmp, 'cli.yaml');
		const text = profileText(await listenAll());
		await firstRun(load(file, text), text);
		const before = sshStarted();
		const imports = path.join(tmp, 'cli-imports.txt');
		writeFileSync(imports, '');
		const root = packageRoot();
		const child = spawn(process.execPath, ['--import', 'tsx', '--import', path.join(root, 'test/helpers/record-imports.mjs'), path.join(root, 'src/cli.ts'), 'status', '--profile', file, '--json'], {
			cwd: root,
			env: {...process.env, ...env, LVSDECK_RECORD_IMPORTS: imports},
			stdio: 'ignore',
		});
		try {
			// The listeners never answer: the identifications sent are the handshakes begun.
			await waitFor(async () => sshStarted() - before, (n) => n === listeners.length, {timeoutMs: 30_000, what: 'the key exchange begun on every host'});
			const urls = readFileSync(imports, 'utf8').split('\n');
			const ssh2 = urls.findIndex((u) => u.includes('/node_modules/ssh2/'));
			const main = urls.findIndex((u) => u.endsWith('/src/main.tsx'));
			expect(ssh2).toBeGreaterThanOrEqual(0);
			// ssh2 came first (main may not have loaded at all yet).
			expect(main === -1 || ssh2 < main).toBe(true);
		} finally {
			child.kill('SIGKILL');
		}
	}, 60_000);

	it('an unreadable or malformed hints file counts as none', async () => {
		const file = path.join(tmp, 'bad.yaml');
		writeFileSync(file, profileText(await listenAll()));
		writeFileSync(hintsFile(file, env), '{"version":2,"profileSha256":"x","stationNetns":null,"targets":[{"host":1}]}');
		expect(readConnectHints(file, env)).toBeUndefined();
		preconnect(file, env);
		expect(takePreconnected(file)).toBeUndefined();
	});
});

// Start-up: `lvsdeck --help`, and `status` from its start to its first TCP connection to a host and
// to the first bytes it sends on one (ssh2's identification: the handshake has begun), each against
// loopback listeners that accept and wait; `status` runs twice a round, first without connect hints
// (a first run on the profile) and then with the hints that run kept. Side by side with `node -e 0`
// and `ssh -V` as baselines, alternating, medians of each; lvsdeck with its shebang's V8 flags. Needs no lab. Target: under 150 ms
// (issue 16); reported as ratios to the baselines too, since the machine is shared. LVSDECK_STARTUP_CLI=FILE
// times another build's cli.js instead of dist/'s (an A/B against a copy of an older dist/ in the package).
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, type AddressInfo, type Server, type Socket} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import {parse, stringify} from 'yaml';
import {packageRoot} from '../src/lab/plan.js';
import {median} from './parse.js';
import {shebangEnv, shebangFlags} from './console-watch.js';

const ROUNDS = 11;
const TARGET_MS = 150;

function timeSync(cmd: string, args: readonly string[]): number {
	const t = performance.now();
	spawnSync(cmd, args, {stdio: 'ignore'});
	return performance.now() - t;
}

/** The lab profile with its hosts on the listeners' loopback addresses and no station namespace, in `dir`. */
function loopbackProfile(dir: string, listeners: readonly Server[]): string {
	const doc = parse(readFileSync(path.join(packageRoot(), 'profiles', 'lab.yaml'), 'utf8')) as Record<string, any>;
	delete doc['station'];
	delete doc['lab'];
	const key = ssh2.utils.generateKeyPairSync('ed25519');
	writeFileSync(path.join(dir, 'id'), key.private, {mode: 0o600});
	writeFileSync(path.join(dir, 'known_hosts'), '');
	doc['ssh'] = {...doc['ssh'], identity_file: 'id', known_hosts: 'known_hosts'};
	for (const [i, h] of Object.values(doc['hosts'] as Record<string, {address: string; ssh?: {port: number}}>).entries()) {
		const {address, port} = listeners[i % listeners.length]!.address() as AddressInfo;
		h.address = address;
		h.ssh = {port};
	}
	const file = path.join(dir, 'loopback.yaml');
	writeFileSync(file, stringify(doc));
	return file;
}

interface StatusStart {
	/** Milliseconds to its first TCP connection to any host. */
	readonly connect: number;
	/** Milliseconds to the first bytes it sends on one (its SSH identification: ssh2 has begun the handshake). */
	readonly sshBytes: number;
}

/** How long `status`, spawned now, takes to reach `servers` (which accept and wait). */
function timeStatusStart(servers: readonly Server[], argv: readonly string[], env: NodeJS.ProcessEnv): Promise<StatusStart> {
	return new Promise((resolve, reject) => {
		const t = performance.now();
		const child = spawn(process.execPath, argv, {stdio: ['ignore', 'ignore', 'pipe'], env});
		let stderr = '';
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		let connect: number | undefined;
		let done = false;
		const sockets: Socket[] = [];
		const stop = () => {
			done = true;
			for (const s of servers) s.off('connection', onConnection);
			for (const s of sockets) s.destroy();
		};
		const onData = () => {
			if (done) return;
			const sshBytes = performance.now() - t;
			stop();
			child.once('exit', () => resolve({connect: connect!, sshBytes}));
			child.kill('SIGKILL');
		};
		const onConnection = (socket: Socket) => {
			connect ??= performance.now() - t;
			sockets.push(socket);
			socket.on('error', () => undefined);
			socket.once('data', onData);
		};
		for (const s of servers) s.on('connection', onConnection);
		child.once('exit', (code) => {
			if (done) return;
			stop();
			reject(new Error(`status ended (${code}) before sending on a connection: ${stderr.trim()}`));
		});
	});
}

export async function benchStartup(log: (line: string) => void): Promise<Record<string, unknown>> {
	const cli = process.env['LVSDECK_STARTUP_CLI'] ?? path.join(packageRoot(), 'dist', 'cli.js');
	const dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-bench-startup-'));
	// One listener per lab host, each on its own loopback address (a profile's hosts have distinct addresses).
	const servers = Array.from({length: 5}, () => createServer());
	// Its own state folder: the connect hints status keeps between runs (connect-hints.ts) are this bench's.
	const env = {...process.env, ...shebangEnv(cli), LVSDECK_STATE_DIR: path.join(dir, 'state')};
	const hints = path.join(dir, 'state', 'connect-hints');
	await Promise.all(servers.map((s, i) => new Promise<void>((resolve) => s.listen(0, `127.0.0.${11 + i}`, resolve))));
	try {
		const profile = loopbackProfile(dir, servers);
		// Read once, outside the timed spawns.
		const flags = shebangFlags(cli);
		const statusArgv = [...flags, cli, 'status', '--profile', profile, '--json'];
		const runs = {nodeE0: [] as number[], sshV: [] as number[], help: [] as number[], statusToConnect: [] as number[], statusToSshBytes: [] as number[], statusToConnectNoHints: [] as number[], statusToSshBytesNoHints: [] as number[]};
		for (let i = 0; i < ROUNDS; i++) {
			runs.nodeE0.push(timeSync(process.execPath, ['-e', '0']));
			runs.sshV.push(timeSync('ssh', ['-V']));
			runs.help.push(timeSync(process.execPath, [...flags, cli, '--help']));
			// A first run on this profile (no hints kept), then one that has the hints that run kept.
			rmSync(hints, {recursive: true, force: true});
			const cold = await timeStatusStart(servers, statusArgv, env);
			const warm = await timeStatusStart(servers, statusArgv, env);
			runs.statusToConnectNoHints.push(cold.connect);
			runs.statusToSshBytesNoHints.push(cold.sshBytes);
			runs.statusToConnect.push(warm.connect);
			runs.statusToSshBytes.push(warm.sshBytes);
		}
		const m = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, Math.round(median(v))])) as Record<keyof typeof runs, number>;
		const result = {
			rounds: ROUNDS,
			medianMs: m,
			helpOverNodeE0: +(m.help / m.nodeE0).toFixed(2),
			statusToConnectOverNodeE0: +(m.statusToConnect / m.nodeE0).toFixed(2),
			statusToConnectHintsOverNoHints: +(m.statusToConnect / m.statusToConnectNoHints).toFixed(2),
			targetMs: TARGET_MS,
			helpOverTargetMs: Math.max(0, m.help - TARGET_MS),
			statusToConnectOverTargetMs: Math.max(0, m.statusToConnect - TARGET_MS),
			statusToSshBytesOverTargetMs: Math.max(0, m.statusToSshBytes - TARGET_MS),
		};
		log(`--help ${m.help} ms; node -e 0 ${m.nodeE0} ms, ssh -V ${m.sshV} ms (medians of ${ROUNDS})`);
		log(`status to first connect ${m.statusToConnect} ms with the last run's hints, ${m.statusToConnectNoHints} ms without (${result.statusToConnectHintsOverNoHints}x)`);
		log(`status to its first SSH bytes ${m.statusToSshBytes} ms with hints, ${m.statusToSshBytesNoHints} ms without`);
		log(`target ${TARGET_MS} ms: --help over by ${result.helpOverTargetMs}, status connect over by ${result.statusToConnectOverTargetMs}, its SSH bytes over by ${result.statusToSshBytesOverTargetMs} ms`);
		return result;
	} finally {
		for (const s of servers) s.close();
		rmSync(dir, {recursive: true, force: true});
	}
}

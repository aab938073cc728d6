// Fleet scale by simulation (no lab): 10 and 100 clusters shaped like the lab (2 directors, RS_PER_CLUSTER
// real servers each; 100 x (2 + 20) = 2,200 hosts by default), every host an SSH server on its own
// loopback address (bench/fleet-servers.ts, in another process) answering with captured lab output as a
// healthy cluster's hosts would (bench/fleet-world.ts: dir1 MASTER with the VIP, dir2 BACKUP, the whole
// IPVS table, the config the profile renders), so the fleet shows no findings.
// One ClusterPoller per cluster, each with its own profile, in one process started with the V8 flags
// the CLI would run with for that many hosts (its shebang's, the heap cap raised by respawn.ts), polling at 1 s as the
// console does (VIP events off; port checks on: every host answers on the lab real servers' ports). Measured over a
// window after every host has been polled once: per-host poll time (p50/p95), time between the starts
// of two polls of a host (every host polled each cycle?), polls that would have overlapped (joined
// a poll in flight), this process's CPU (% of one core) and peak RSS.
// Targets (issue 16): cycle p95 < 1 s, no overlapping polls, < 25% of a core, < 200 MB RSS.
import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createInterface} from 'node:readline';
import {fileURLToPath} from 'node:url';
import type {Session} from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import {getHeapSpaceStatistics, writeHeapSnapshot} from 'node:v8';
import ssh2 from 'ssh2';
import {parse, stringify} from 'yaml';
import {packageRoot} from '../src/lab/plan.js';
import {heapArgv} from '../src/respawn.js';
import {applyRuntimeFlags} from '../src/runtime-flags.js';
import {shebangEnv, shebangFlags} from './console-watch.js';
import {loadProfile} from '../src/profile/load.js';
import type {Host} from '../src/profile/model.js';
import {createClusterTransport} from '../src/transport/cluster-transport.js';
import {ClusterStore} from '../src/cluster/store.js';
import {ClusterPoller} from '../src/cluster/poller.js';
import {CapabilityCache} from '../src/cluster/caps-cache.js';
import {portCheckSpacingMs, probedPorts, STATION_PORT_PROBES_PER_S} from '../src/cluster/port-budget.js';
import {servicePorts} from '../src/cluster/rs-expectations.js';
import type {Transport} from '../src/transport/types.js';
import {startSimulatedHosts, type SimulatedHosts} from './simulated-hosts.js';

const RS_PER_CLUSTER = 20;
const INTERVAL_MS = 1000;
const WINDOW_S = Number(process.env['LVSDECK_FLEET_WINDOW_S'] ?? 30);
const WARMUP_LIMIT_S = 180;
/** LVSDECK_FLEET_PORT_CHECKS=0 leaves out the station's port checks of the real servers, for A/B runs. */
const PORT_CHECKS = process.env['LVSDECK_FLEET_PORT_CHECKS'] !== '0';
/** LVSDECK_FLEET_DIRECTOR_STREAMS=0 polls the directors with a command each time (as before they streamed), for A/B runs. */
const DIRECTOR_STREAMS = process.env['LVSDECK_FLEET_DIRECTOR_STREAMS'] !== '0';

/** The issue's fleet, and a tenth of it (which the simulated servers, one process, can keep up with). */
const SCALES = (process.env['LVSDECK_FLEET_CLUSTERS'] ?? '10,100').split(',').map(Number);

const address = (cluster: number, host: number) => `127.1.${cluster}.${host}`;
/** Host names of a lab-shaped cluster with `rs` real servers, in address order. */
export const clusterHostNames = (rs: number) => ['dir1', 'dir2', ...Array.from({length: rs}, (_, i) => `rs${i + 1}`)];
const hostNumbers = clusterHostNames(RS_PER_CLUSTER);

/** Loopback addresses of cluster `c`'s hosts (as clusterProfile gives them). */
export const clusterAddresses = (c: number, rs: number) => clusterHostNames(rs).map((_n, i) => address(c, i + 1));

/** A temporary folder holding what clusterProfile's profiles name: a client key `id` and an empty `known_hosts`. */
export function fleetKeyDir(prefix: string): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
	writeFileSync(path.join(dir, 'id'), ssh2.utils.generateKeyPairSync('ed25519').private, {mode: 0o600});
	writeFileSync(path.join(dir, 'known_hosts'), '');
	return dir;
}

/**
 * The lab profile reshaped into cluster `c` (2 directors, `rs` real servers) on loopback, written to
 * `dir` (which holds the identity file `id` and a `known_hosts`); returns the file.
 */
export function clusterProfile(c: number, port: number, fingerprint: string, dir: string, rs = RS_PER_CLUSTER): string {
	const names = clusterHostNames(rs);
	const doc = parse(readFileSync(path.join(packageRoot(), 'profiles', 'lab.yaml'), 'utf8')) as Record<string, any>;
	delete doc['station'];
	delete doc['lab'];
	doc['name'] = `fleet-${c}`;
	doc['ssh'] = {...doc['ssh'], port, identity_file: 'id', known_hosts: 'known_hosts', host_key_fingerprints: [fingerprint]};
	const template = doc['hosts']['rs1'];
	doc['hosts'] = Object.fromEntries(names.map((name, i) => [name, name.startsWith('dir') ? {address: address(c, i + 1), role: 'director'} : {...template, address: address(c, i + 1)}]));
	for (const vs of doc['virtual_servers'] as Array<{real_servers: Array<Record<string, unknown>>}>) {
		const first = vs.real_servers[0]!;
		vs.real_servers = names.filter((n) => n.startsWith('rs')).map((host) => ({...first, host}));
	}
	const file = path.join(dir, `fleet-${c}.yaml`);
	writeFileSync(file, stringify(doc));
	return file;
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

function percentile(values: readonly number[], p: number): number {
	const s = [...values].sort((a, b) => a - b);
	return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/**
 * The hosts of a healthy fleet, each answering as its cluster's profile in `profilesDir` says (written
 * before the first poll), every one on the lab's real-server ports as well, so port checks connect.
 */
function startServers(clusters: number, profilesDir: string): Promise<SimulatedHosts> {
	return startSimulatedHosts(Array.from({length: clusters}, (_, c) => hostNumbers.map((_n, i) => address(c + 1, i + 1))).flat(), {services: labServicePorts(), profilesDir});
}

/** The lab real servers' service ports (`tcp/80`, `udp/9053`), for simulated hosts to answer on. */
export function labServicePorts(): string[] {
	const lab = loadProfile(path.join(packageRoot(), 'profiles', 'lab.yaml'));
	return servicePorts(lab, 'rs1').map((s) => `${s.protocol.toLowerCase()}/${s.port}`);
}

/** The transport, with each command it runs counted by name (a script's name for `sh -c SCRIPT NAME ...`). */
function countCommands(transport: Transport, counts: Map<string, number>): Transport {
	const exec = transport.exec.bind(transport);
	transport.exec = (host, argv, options) => {
		const name = argv[0] === 'sh' && argv[1] === '-c' ? (argv[3] ?? 'sh') : (argv[0] ?? '');
		counts.set(name, (counts.get(name) ?? 0) + 1);
		return exec(host, argv, options);
	};
	return transport;
}

/**
 * One host's polls: start times and durations as arrays of numbers (unboxed doubles), not an object
 * per poll, so that the bench's own bookkeeping stays out of the memory it measures (an object, two
 * boxed numbers and an id string per poll were about 5 MB of live heap at 100 clusters).
 */
interface HostPolls {
	readonly starts: number[];
	readonly ms: number[];
	inFlight: boolean;
}

/**
 * An inspector session over the window: `begin` starts a profile now; the function returned ends it
 * (`end`) and writes the profile to `file`. Undefined without a file.
 */
async function captureWindow(file: string | undefined, begin: (s: Session) => Promise<unknown>, end: (s: Session) => Promise<{profile: unknown}>): Promise<(() => Promise<void>) | undefined> {
	if (!file) return undefined;
	const {Session} = await import('node:inspector/promises');
	const session = new Session();
	session.connect();
	await begin(session);
	return async () => {
		const {profile} = await end(session);
		writeFileSync(file, JSON.stringify(profile));
		session.disconnect();
	};
}

/**
 * LVSDECK_FLEET_ALLOC_PROFILE=FILE: V8's sampling heap profile of the window's allocations, those a
 * major collection freed included (what was promoted and then died: the old generation's churn), and
 * with LVSDECK_FLEET_ALLOC_MINOR=1 those a minor one freed too (every allocation), as a .heapprofile for
 * Chrome's memory tab.
 */
function startAllocationSampling(file: string | undefined): Promise<(() => Promise<void>) | undefined> {
	const minor = process.env['LVSDECK_FLEET_ALLOC_MINOR'] === '1';
	return captureWindow(
		file,
		(s) => s.post('HeapProfiler.startSampling', {samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: minor}),
		(s) => s.post('HeapProfiler.stopSampling'),
	);
}

/** LVSDECK_FLEET_CPU_PROFILE=FILE: V8's CPU profile of the window (1 ms samples), as a .cpuprofile for Chrome's performance tab. */
function startCpuProfile(file: string | undefined): Promise<(() => Promise<void>) | undefined> {
	return captureWindow(
		file,
		async (s) => {
			await s.post('Profiler.enable');
			await s.post('Profiler.setSamplingInterval', {interval: 1000});
			await s.post('Profiler.start');
		},
		(s) => s.post('Profiler.stop'),
	);
}

/** The V8 flags the CLI runs with: its shebang's, and the old-space cap respawn.ts raises it to for `hosts`. */
export function cliNodeFlags(hosts: number): string[] {
	const flags = shebangFlags(path.join(packageRoot(), 'src', 'cli.ts'));
	return heapArgv(flags, hosts) ?? flags;
}

/**
 * Each scale in a process of its own started with the CLI's V8 flags for that many hosts (a fleet
 * console over these clusters runs with them), so its memory is what the command's would be.
 */
export async function benchFleet(log: (line: string) => void): Promise<Record<string, unknown>> {
	const runs: Record<string, unknown> = {};
	for (const clusters of SCALES) {
		const flags = cliNodeFlags(clusters * (2 + RS_PER_CLUSTER));
		log(`${clusters} clusters, node ${flags.join(' ')}`);
		runs[`clusters${clusters}`] = {nodeFlags: flags, ...(await fleetChild(clusters, flags, log))};
	}
	return runs;
}

const RESULT_MARK = '@@fleet-result ';

function fleetChild(clusters: number, flags: readonly string[], log: (line: string) => void): Promise<Record<string, unknown>> {
	// lvsdeck's modules as they ship (dist/), not tsx's transform of them: see shipped-code.mjs.
	const shipped = path.join(packageRoot(), 'bench', 'shipped-code.mjs');
	// With the shebang's environment too (MALLOC_ARENA_MAX), as the command would run.
	const env = {...process.env, ...shebangEnv(path.join(packageRoot(), 'src', 'cli.ts'))};
	const child = spawn(process.execPath, [...flags, '--expose-gc', '--import', 'tsx', '--import', shipped, fileURLToPath(import.meta.url), String(clusters)], {stdio: ['ignore', 'pipe', 'inherit'], env});
	let result: Record<string, unknown> | undefined;
	createInterface({input: child.stdout}).on('line', (line) => {
		if (line.startsWith(RESULT_MARK)) result = JSON.parse(line.slice(RESULT_MARK.length)) as Record<string, unknown>;
		else log(line);
	});
	return new Promise((resolve, reject) =>
		child.once('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`the fleet run of ${clusters} clusters exited ${code}`)))),
	);
}

async function fleetRun(CLUSTERS: number, log: (line: string) => void): Promise<Record<string, unknown>> {
	const dir = fleetKeyDir('lvsdeck-bench-fleet-');
	const servers = await startServers(CLUSTERS, dir);
	const transports: Transport[] = [];
	const pollers: ClusterPoller[] = [];
	const stores: ClusterStore[] = [];
	const polls: HostPolls[] = [];
	let overlapping = 0;
	let firstDone = 0;
	const commands = new Map<string, number>();
	try {
		const cache = new CapabilityCache(path.join(dir, 'caps'));
		const profiles = Array.from({length: CLUSTERS}, (_, i) => loadProfile(clusterProfile(i + 1, servers.port, servers.fingerprint, dir)));
		// The station's port budget over the whole fleet, as the fleet console and the exporter apply it.
		const portCheckSpacing = portCheckSpacingMs(profiles, INTERVAL_MS);
		log(`port checks of each real server every ${portCheckSpacing} ms (${probedPorts(profiles)} ports; at most ${STATION_PORT_PROBES_PER_S} probes a second)`);
		for (let c = 1; c <= CLUSTERS; c++) {
			const profile = profiles[c - 1]!;
			const transport = countCommands(createClusterTransport(profile, {readOnly: true}), commands);
			const store = new ClusterStore(profile);
			stores.push(store);
			const poller = new ClusterPoller(profile, transport, store, {intervalMs: INTERVAL_MS, events: false, capabilityCache: cache, portCheck: PORT_CHECKS, portCheckSpacingMs: portCheckSpacing, directorStreams: DIRECTOR_STREAMS});
			// Every poll timed; a poll asked for while one of the same host is in flight would overlap it.
			const byHost = new Map<Host, HostPolls>();
			const pollHost = poller.pollHost.bind(poller);
			poller.pollHost = (host: Host, how?: {routine?: boolean}) => {
				let record = byHost.get(host);
				if (!record) {
					record = {starts: [], ms: [], inFlight: false};
					byHost.set(host, record);
					polls.push(record);
				}
				const r = record;
				if (r.inFlight) overlapping++;
				r.inFlight = true;
				const start = performance.now();
				// `how` passed on: the poller's own polls are routine (streamed real servers, dumps every third poll).
				return pollHost(host, how).finally(() => {
					r.inFlight = false;
					if (r.ms.length === 0) firstDone++;
					r.starts.push(start);
					r.ms.push(performance.now() - start);
				});
			};
			transports.push(transport);
			pollers.push(poller);
		}
		const hosts = CLUSTERS * hostNumbers.length;
		const warmStart = performance.now();
		for (const p of pollers) p.start();
		while (firstDone < hosts && performance.now() - warmStart < WARMUP_LIMIT_S * 1000) await new Promise((r) => setTimeout(r, 250));
		const warmupMs = Math.round(performance.now() - warmStart);
		log(`${firstDone} of ${hosts} hosts polled once after ${warmupMs} ms (connections up)`);
		for (const r of polls) {
			r.starts.length = 0;
			r.ms.length = 0;
		}
		overlapping = 0;
		commands.clear();
		const allocations = await startAllocationSampling(process.env['LVSDECK_FLEET_ALLOC_PROFILE']);
		const cpuProfile = await startCpuProfile(process.env['LVSDECK_FLEET_CPU_PROFILE']);
		const cpu0 = process.cpuUsage();
		const t0 = performance.now();
		let peakRss = process.memoryUsage().rss;
		const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 500);
		await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
		clearInterval(rssTimer);
		const wallMs = performance.now() - t0;
		const cpu = process.cpuUsage(cpu0);
		await allocations?.();
		await cpuProfile?.();
		// The window's polls (the pollers go on until the end of the run).
		const windowed = polls.filter((r) => r.ms.length > 0).map((r) => ({starts: r.starts.slice(), ms: r.ms.slice()}));
		// What is alive once collected (the child runs with --expose-gc for this alone): RSS beyond it is
		// V8's room to grow, code, and native memory.
		(globalThis as {gc?: () => void}).gc?.();
		const mem = process.memoryUsage();
		const liveHeapMb = mb(mem.heapUsed);
		// Where RSS goes beyond the live heap: V8's reserve (heapTotal), Buffers' memory outside the heap.
		const memoryMb = {rss: mb(mem.rss), heapTotal: mb(mem.heapTotal), heapUsed: mb(mem.heapUsed), external: mb(mem.external), arrayBuffers: mb(mem.arrayBuffers)};
		// V8's spaces after that collection: space used against its pages (old space holding holes shows here).
		const heapSpacesMb = Object.fromEntries(getHeapSpaceStatistics().filter((s) => s.space_size > 1 << 20).map((s) => [s.space_name, `${mb(s.space_used_size)}/${mb(s.space_size)}`]));
		log(`V8 heap spaces after a collection, used/size MB: ${Object.entries(heapSpacesMb).map(([k, v]) => `${k} ${v}`).join(', ')}`);
		// For a look at what a host costs (Chrome's memory tab): LVSDECK_FLEET_HEAP_SNAPSHOT=FILE.
		const snapshotFile = process.env['LVSDECK_FLEET_HEAP_SNAPSHOT'];
		if (snapshotFile) writeHeapSnapshot(snapshotFile);
		const gaps = windowed.flatMap(({starts}) => starts.slice(1).map((t, i) => t - starts[i]!));
		const durations = windowed.flatMap((r) => r.ms);
		const pollsPerHost = windowed.map((r) => r.starts.length);
		const result = {
			clusters: CLUSTERS,
			directors: CLUSTERS * 2,
			realServers: CLUSTERS * RS_PER_CLUSTER,
			intervalMs: INTERVAL_MS,
			windowS: WINDOW_S,
			warmupMs,
			hostsPolledInWindow: windowed.length,
			hosts,
			pollMs: {p50: Math.round(percentile(durations, 50)), p95: Math.round(percentile(durations, 95)), max: Math.round(Math.max(...durations))},
			startToStartMs: gaps.length === 0 ? null : {p50: Math.round(percentile(gaps, 50)), p95: Math.round(percentile(gaps, 95)), max: Math.round(Math.max(...gaps))},
			pollsPerHost: {min: Math.min(...pollsPerHost), expected: Math.floor(WINDOW_S * (1000 / INTERVAL_MS))},
			overlappingPolls: overlapping,
			cpuPercentOfCore: +((100 * (cpu.user + cpu.system)) / 1000 / wallMs).toFixed(1),
			// The kernel's share (system time): the sockets' reads and writes, the port probes' connects.
			systemPercentOfCore: +((100 * cpu.system) / 1000 / wallMs).toFixed(1),
			// What one host's poll costs this process, and so what 2,200 hosts a second would cost.
			cpuMsPerPoll: +((cpu.user + cpu.system) / 1000 / durations.length).toFixed(2),
			projectedPercentOfCoreFor2200Hosts: Math.round((((cpu.user + cpu.system) / 1000 / durations.length) * 2200 * 100) / INTERVAL_MS),
			peakRssMb: mb(peakRss),
			liveHeapMb,
			memoryMb,
			heapSpacesMb,
			targets: {pollP95Ms: 1000, cpuPercentOfCore: 25, rssMb: 200},
		};
		// A simulation that went wrong shows here: a healthy fleet has no findings.
		const findings = new Map<string, number>();
		for (const store of stores) for (const f of store.getState().findings) findings.set(f.message.replace(/\d+/g, 'N'), (findings.get(f.message.replace(/\d+/g, 'N')) ?? 0) + 1);
		const findingsAcrossFleet = [...findings].map(([message, count]) => ({count, message}));
		// What the fleet was asked in the window: a quiet fleet gets its routine reads from the streams,
		// and its dumps and hashes from the extras command; whole snapshots mean a stream fell silent.
		const commandsInWindow = Object.fromEntries([...commands].sort((a, b) => b[1] - a[1]));
		log(`commands in the window: ${Object.entries(commandsInWindow).map(([k, n]) => `${k} ${n}`).join(', ')}`);
		log(`findings across the fleet: ${findings.size === 0 ? 'none' : findingsAcrossFleet.map((f) => `${f.count} x ${f.message}`).join('; ')}`);
		log(`${result.hosts} hosts at ${INTERVAL_MS} ms: poll p50 ${result.pollMs.p50} ms, p95 ${result.pollMs.p95} ms; start-to-start p50 ${result.startToStartMs?.p50} ms, p95 ${result.startToStartMs?.p95} ms; overlapping ${overlapping}`);
		log(`${result.cpuMsPerPoll} ms CPU per host poll: 2,200 hosts at 1 s would take ${result.projectedPercentOfCoreFor2200Hosts}% of a core`);
		log(`CPU ${result.cpuPercentOfCore}% of a core (target < 25%; ${result.systemPercentOfCore}% in the kernel), peak RSS ${result.peakRssMb} MB (target < 200 MB), live heap ${result.liveHeapMb} MB (after a collection: ${Object.entries(memoryMb).map(([k, v]) => `${k} ${v}`).join(', ')} MB); ${result.hostsPolledInWindow}/${hosts} hosts polled in the window, at least ${result.pollsPerHost.min} polls each (of ${result.pollsPerHost.expected})`);
		return {...result, findingsAcrossFleet, commandsInWindow};
	} finally {
		for (const p of pollers) p.stop();
		await Promise.all(transports.map((t) => t.close()));
		servers.stop();
		rmSync(dir, {recursive: true, force: true});
	}
}

// Run as a child of benchFleet: one scale, its log lines on stdout, then its result.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	// V8's settings as cli.ts applies them first thing.
	applyRuntimeFlags();
	const clusters = Number(process.argv[2]);
	fleetRun(clusters, (line) => console.log(line)).then(
		(result) => {
			console.log(`${RESULT_MARK}${JSON.stringify(result)}`);
			process.exit(0);
		},
		(error: unknown) => {
			console.error(error);
			process.exit(1);
		},
	);
}

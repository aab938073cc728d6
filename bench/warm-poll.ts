// A warm poll of the whole lab in the console's steady state against the sequential OpenSSH loop doing
// the same reads (issue 16: one cycle at most 1/20 of the loop). lvsdeck's side is the console's poller
// with its connections up: a cycle polls every host at once as a routine poll (the keepalived dump on
// every third, the real servers' checks and the station's port probes included) and lasts until the
// slowest host is done; the same cycles without the port probes are measured too (exactly the loop's
// reads). The loop is `ssh host 'CMD1; CMD2; ...'` for each host in turn, a new
// connection each (what an operator's shell loop does). Cycles and loops alternate (4 cycles, then a
// loop), so the machine's load falls on both alike; the cycle-time distribution is reported. Once on
// the lab and once against simulated hosts that answer at once (no lab needed).
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import {parse, stringify} from 'yaml';
import type {Profile} from '../src/profile/model.js';
import {loadProfile} from '../src/profile/load.js';
import {packageRoot} from '../src/lab/plan.js';
import {ClusterStore} from '../src/cluster/store.js';
import {ClusterPoller} from '../src/cluster/poller.js';
import {CapabilityCache} from '../src/cluster/caps-cache.js';
import {createClusterTransport} from '../src/transport/cluster-transport.js';
import type {Transport} from '../src/transport/types.js';
import {median} from './parse.js';
import {sshLoopScript} from './status-vs-ssh.js';
import {startSimulatedHosts} from './simulated-hosts.js';

const LOOPS = 5;
const CYCLES_PER_LOOP = 4;
const WARM_CYCLES = 3;
const TARGET_RATIO = 1 / 20;

const percentile = (xs: readonly number[], p: number): number => {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

function loopMs(script: string): number {
	const started = performance.now();
	const r = spawnSync('bash', ['-c', script], {encoding: 'utf8'});
	if (r.status !== 0) throw new Error(`the ssh loop failed (${r.status}): ${r.stderr.slice(-300)}`);
	return performance.now() - started;
}

type CycleFigures = {p50: number; p90: number; p95: number; max: number; min: number};

type WarmPollResult = {
	readonly hosts: number;
	readonly cycles: number;
	readonly cycleMs: CycleFigures;
	readonly cycleMsRuns: number[];
	readonly sequentialSshLoopMs: {median: number; runs: number[]};
	readonly ratio: number;
	readonly targetRatio: number;
	readonly overTargetBy: number;
	/** The same cycles without the station's port probes: exactly the loop's reads. */
	readonly withoutPortProbes: {readonly cycleMs: CycleFigures; readonly cycleMsRuns: number[]; readonly ratio: number};
};

const figures = (cycles: readonly number[]): CycleFigures => ({
	p50: Math.round(median(cycles)),
	p90: Math.round(percentile(cycles, 90)),
	p95: Math.round(percentile(cycles, 95)),
	max: Math.round(Math.max(...cycles)),
	min: Math.round(Math.min(...cycles)),
});

/**
 * Warm cycles of the console's poller over `profile`, alternating with runs of the loop `script`: per
 * loop, CYCLES_PER_LOOP cycles as the console polls (port probes included) and as many without the
 * port probes (a second poller on the same connections), which do exactly the loop's reads.
 */
async function cyclesAgainstLoop(profile: Profile, script: string, label: string, log: (line: string) => void): Promise<WarmPollResult> {
	const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-bench-warm-'));
	const transport = createClusterTransport(profile, {readOnly: true});
	const capabilityCache = new CapabilityCache(cacheDir);
	const stores = [new ClusterStore(profile), new ClusterStore(profile)] as const;
	const pollers = [
		new ClusterPoller(profile, transport, stores[0], {intervalMs: 1000, events: false, capabilityCache}),
		new ClusterPoller(profile, transport, stores[1], {intervalMs: 1000, events: false, portCheck: false, capabilityCache}),
	] as const;
	const cycle = async (poller: ClusterPoller) => {
		const started = performance.now();
		await Promise.all(profile.hosts.map((h) => poller.pollHost(h, {routine: true})));
		return performance.now() - started;
	};
	const cycles: number[] = [];
	const bare: number[] = [];
	const loops: number[] = [];
	try {
		for (let i = 0; i < WARM_CYCLES; i++) for (const p of pollers) await cycle(p); // connections up, capabilities known
		for (let l = 0; l < LOOPS; l++) {
			for (let c = 0; c < CYCLES_PER_LOOP; c++) cycles.push(await cycle(pollers[0]));
			for (let c = 0; c < CYCLES_PER_LOOP; c++) bare.push(await cycle(pollers[1]));
			loops.push(loopMs(script));
		}
	} finally {
		await transport.close();
		rmSync(cacheDir, {recursive: true, force: true});
	}
	// A cycle that failed fast would look fast: every host must have answered both pollers.
	for (const store of stores) {
		const unanswered = profile.hosts.filter((h) => store.getState().hosts.find((x) => x.name === h.name)?.reachable !== true).map((h) => h.name);
		if (unanswered.length > 0) throw new Error(`${label}: hosts not answering the poller: ${unanswered.join(', ')}`);
	}
	const loopP50 = median(loops);
	const ratio = +(median(cycles) / loopP50).toFixed(3);
	const result = {
		hosts: profile.hosts.length,
		cycles: cycles.length,
		cycleMs: figures(cycles),
		cycleMsRuns: cycles.map(Math.round),
		sequentialSshLoopMs: {median: Math.round(loopP50), runs: loops.map(Math.round)},
		ratio,
		targetRatio: TARGET_RATIO,
		overTargetBy: Math.max(0, +(ratio - TARGET_RATIO).toFixed(3)),
		withoutPortProbes: {cycleMs: figures(bare), cycleMsRuns: bare.map(Math.round), ratio: +(median(bare) / loopP50).toFixed(3)},
	};
	log(`${label}: warm poll cycle of ${result.hosts} hosts p50 ${result.cycleMs.p50} ms, p90 ${result.cycleMs.p90}, p95 ${result.cycleMs.p95}, max ${result.cycleMs.max} (${cycles.length} cycles); sequential ssh loop median ${result.sequentialSshLoopMs.median} ms`);
	log(`${label}: cycle / loop ${ratio}x (target <= ${TARGET_RATIO}x${result.overTargetBy > 0 ? `: over by ${result.overTargetBy}` : ': met'})`);
	const b = result.withoutPortProbes;
	log(`${label}: without the port probes (the loop's reads only) p50 ${b.cycleMs.p50} ms, p95 ${b.cycleMs.p95}: ${b.ratio}x the loop`);
	return result;
}

/**
 * `transport` with each of its dump and hash reads (the extras command, which the console runs beside
 * its polls on a streamed director) timed into `records`.
 */
function timingDumpReads(transport: Transport, records: Array<{start: number; ms: number}>): Transport {
	const exec = transport.exec.bind(transport);
	transport.exec = (host, argv, options) => {
		if (argv[3] !== 'lvsdeck-extras') return exec(host, argv, options);
		const start = performance.now();
		return exec(host, argv, options).finally(() => records.push({start, ms: performance.now() - start}));
	};
	return transport;
}

const STEADY_SEGMENTS = 5;
const STEADY_WARM_MS = 8000;
const STEADY_RECORD_MS = 12_000;
const INTERVAL_MS = 1000;

type SteadyStateResult = {
	readonly intervals: number;
	readonly cycleMs: CycleFigures;
	readonly cycleMsRuns: number[];
	readonly pollMs: CycleFigures;
	readonly polls: number;
	readonly sequentialSshLoopMs: {median: number; runs: number[]};
	readonly ratio: number;
	readonly ratioP90: number;
	readonly ratioP95: number;
	readonly targetRatio: number;
	readonly overTargetBy: number;
	/** keepalived's dump (and the config's hash) as the console reads them on a streamed director: beside its polls. */
	readonly dumpReadMs: CycleFigures | undefined;
	readonly dumpReads: number;
};

/**
 * The console's steady state itself: its runtime as the console builds and starts it
 * (createScreenRuntime: the poller, whose directors and real servers stream their routine reads, with
 * keepalived's log followed, address events and the station's port probes), every poll it makes timed.
 * A cycle is one interval: the slowest of the polls that began in it (the hosts are polled in
 * parallel, so the interval's reading of the whole lab is done when its slowest poll is). A streamed
 * director's keepalived dump is read beside its polls (src/cluster/reads-beside.ts) and lands with the
 * poll after: those reads are timed apart (dumpReadMs), from the command sent to its answer. Console
 * segments (warmed up, then recorded) alternate with runs of the loop; the console is stopped, its
 * connections closed, while the loop runs, so neither loads the lab during the other.
 */
async function steadyStateAgainstLoop(profile: Profile, script: string, log: (line: string) => void): Promise<SteadyStateResult> {
	const {createScreenRuntime} = await import('../src/commands/console.js');
	const cycles: number[] = [];
	const polls: number[] = [];
	const loops: number[] = [];
	const dumpReads: number[] = [];
	for (let segment = 0; segment < STEADY_SEGMENTS; segment++) {
		const dumpRecords: Array<{start: number; ms: number}> = [];
		const rt = createScreenRuntime(profile, 'console', {intervalMs: INTERVAL_MS, opened: timingDumpReads(createClusterTransport(profile, {readOnly: false}), dumpRecords)});
		const records: Array<{start: number; ms: number}> = [];
		const pollHost = rt.poller.pollHost.bind(rt.poller);
		rt.poller.pollHost = (host, how) => {
			const start = performance.now();
			return pollHost(host, how).finally(() => records.push({start, ms: performance.now() - start}));
		};
		try {
			rt.poller.start();
			rt.keepalived.start();
			await new Promise((r) => setTimeout(r, STEADY_WARM_MS));
			const t0 = performance.now();
			records.length = 0;
			await new Promise((r) => setTimeout(r, STEADY_RECORD_MS));
			const slowest = new Map<number, number>();
			for (const r of records) {
				const slot = Math.floor((r.start - t0) / INTERVAL_MS);
				if (slot < 0 || slot >= STEADY_RECORD_MS / INTERVAL_MS) continue;
				slowest.set(slot, Math.max(slowest.get(slot) ?? 0, r.ms));
				polls.push(r.ms);
			}
			cycles.push(...slowest.values());
			for (const r of dumpRecords) if (r.start >= t0 && r.start < t0 + STEADY_RECORD_MS) dumpReads.push(r.ms);
			// A cycle that failed fast would look fast: every host must be answering.
			const unanswered = rt.store.getState().hosts.filter((h) => h.reachable !== true).map((h) => h.name);
			if (unanswered.length > 0) throw new Error(`lab, the console's steady state: hosts not answering: ${unanswered.join(', ')}`);
		} finally {
			await rt.stop();
		}
		loops.push(loopMs(script));
	}
	const loopP50 = median(loops);
	const ratio = +(median(cycles) / loopP50).toFixed(4);
	const result = {
		intervals: cycles.length,
		cycleMs: figures(cycles),
		cycleMsRuns: cycles.map(Math.round),
		pollMs: figures(polls),
		polls: polls.length,
		sequentialSshLoopMs: {median: Math.round(loopP50), runs: loops.map(Math.round)},
		ratio,
		ratioP90: +(percentile(cycles, 90) / loopP50).toFixed(3),
		ratioP95: +(percentile(cycles, 95) / loopP50).toFixed(3),
		targetRatio: TARGET_RATIO,
		overTargetBy: Math.max(0, +(ratio - TARGET_RATIO).toFixed(4)),
		dumpReadMs: dumpReads.length > 0 ? figures(dumpReads) : undefined,
		dumpReads: dumpReads.length,
	};
	log(`lab, the console's steady state (streamed reads): cycle p50 ${result.cycleMs.p50} ms, p90 ${result.cycleMs.p90}, p95 ${result.cycleMs.p95}, max ${result.cycleMs.max} (${cycles.length} intervals, ${polls.length} polls); sequential ssh loop median ${result.sequentialSshLoopMs.median} ms`);
	const d = result.dumpReadMs;
	log(`lab, the console's steady state: ${dumpReads.length} keepalived dump and config hash reads beside the polls${d ? `, p50 ${d.p50} ms, p95 ${d.p95}, max ${d.max}` : ''}`);
	log(`lab, the console's steady state: cycle / loop ${ratio}x at the median, ${result.ratioP90}x at p90, ${result.ratioP95}x at p95 (target <= ${TARGET_RATIO}x${result.overTargetBy > 0 ? `: over by ${result.overTargetBy}` : ': met'})`);
	return result;
}

/**
 * On the lab: hosts that share one emulated CPU, where every process started costs tens of ms. Twice:
 * the console's steady state (its routine reads streamed by the hosts), and every routine read a
 * command of its own (as for a director reached through sudo, which does not stream).
 */
export async function benchWarmPoll(profile: Profile, log: (line: string) => void): Promise<{steadyState: SteadyStateResult; commandPerPoll: WarmPollResult}> {
	const script = sshLoopScript(profile, false);
	const steadyState = await steadyStateAgainstLoop(profile, script, log);
	const commandPerPoll = await cyclesAgainstLoop(profile, script, 'lab, a command per poll', log);
	return {steadyState, commandPerPoll};
}

/**
 * The same against hosts that answer at once (bench/fleet-servers.ts on loopback, captured lab output):
 * what lvsdeck itself costs per cycle, against what a connection per host costs. The simulated hosts
 * know lvsdeck's commands, not the loop's, so the loop's reads are answered with a one-line refusal
 * (the loop goes on; its cost is the connections).
 */
export async function benchWarmPollSimulated(log: (line: string) => void): Promise<WarmPollResult> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-bench-warm-sim-'));
	const lab = parse(readFileSync(path.join(packageRoot(), 'profiles', 'lab.yaml'), 'utf8')) as Record<string, any>;
	const names = Object.keys(lab['hosts'] as object);
	const addresses = names.map((_, i) => `127.1.250.${i + 1}`);
	const hosts = await startSimulatedHosts(addresses);
	try {
		writeFileSync(path.join(dir, 'id'), ssh2.utils.generateKeyPairSync('ed25519').private, {mode: 0o600});
		writeFileSync(path.join(dir, 'known_hosts'), addresses.map((a) => `[${a}]:${hosts.port} ${hosts.publicKey}\n`).join(''));
		delete lab['station'];
		delete lab['lab'];
		lab['name'] = 'simulated';
		lab['ssh'] = {...lab['ssh'], port: hosts.port, identity_file: 'id', known_hosts: 'known_hosts'};
		names.forEach((n, i) => (lab['hosts'][n].address = addresses[i]));
		const file = path.join(dir, 'simulated.yaml');
		writeFileSync(file, stringify(lab));
		const profile = loadProfile(file);
		// Each ssh must reach its host (ssh exits 255 when it could not connect or log in); the simulated
		// host answers the loop's reads with a one-line refusal, whose exit code is the command's.
		const script = sshLoopScript(profile, false)
			.split('\n')
			.map((line) => `${line} 2>/dev/null; [ $? -ne 255 ] || exit 1`)
			.join('\n');
		return await cyclesAgainstLoop(profile, script, 'simulated hosts', log);
	} finally {
		hosts.stop();
		rmSync(dir, {recursive: true, force: true});
	}
}

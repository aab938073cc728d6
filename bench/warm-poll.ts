// A warm poll of the whole lab in the console's steady state against the sequential OpenSSH loop doing
// the same reads (issue 16: one cycle at most 1/20 of the loop). lvsdeck's side is the console's poller
// with its connections up: a cycle polls every host at once as a routine poll (the keepalived dump on
// every third, the real servers' checks and the station's port probes included) and lasts until the
// slowest host is done. The loop is `ssh host 'CMD1; CMD2; ...'` for each host in turn, a new
// connection each (what an operator's shell loop does). Cycles and loops alternate (4 cycles, then a
// loop), so the machine's load falls on both alike; the cycle-time distribution is reported.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {Profile} from '../src/profile/model.js';
import {ClusterStore} from '../src/cluster/store.js';
import {ClusterPoller} from '../src/cluster/poller.js';
import {CapabilityCache} from '../src/cluster/caps-cache.js';
import {createClusterTransport} from '../src/transport/cluster-transport.js';
import {median} from './parse.js';
import {sshLoopScript} from './status-vs-ssh.js';

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

export async function benchWarmPoll(profile: Profile, log: (line: string) => void): Promise<Record<string, unknown>> {
	const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-bench-warm-'));
	const transport = createClusterTransport(profile, {readOnly: true});
	const poller = new ClusterPoller(profile, transport, new ClusterStore(profile), {intervalMs: 1000, events: false, capabilityCache: new CapabilityCache(cacheDir)});
	const cycle = async () => {
		const started = performance.now();
		await Promise.all(profile.hosts.map((h) => poller.pollHost(h, {routine: true})));
		return performance.now() - started;
	};
	const script = sshLoopScript(profile, false);
	const cycles: number[] = [];
	const loops: number[] = [];
	try {
		for (let i = 0; i < WARM_CYCLES; i++) await cycle(); // connections up, capabilities known
		for (let l = 0; l < LOOPS; l++) {
			for (let c = 0; c < CYCLES_PER_LOOP; c++) cycles.push(await cycle());
			loops.push(loopMs(script));
		}
	} finally {
		await transport.close();
		rmSync(cacheDir, {recursive: true, force: true});
	}
	const cycleP50 = median(cycles);
	const loopP50 = median(loops);
	const ratio = +(cycleP50 / loopP50).toFixed(3);
	const result = {
		hosts: profile.hosts.length,
		cycles: cycles.length,
		cycleMs: {p50: Math.round(cycleP50), p90: Math.round(percentile(cycles, 90)), p95: Math.round(percentile(cycles, 95)), max: Math.round(Math.max(...cycles)), min: Math.round(Math.min(...cycles))},
		cycleMsRuns: cycles.map(Math.round),
		sequentialSshLoopMs: {median: Math.round(loopP50), runs: loops.map(Math.round)},
		ratio,
		targetRatio: TARGET_RATIO,
		overTargetBy: Math.max(0, +(ratio - TARGET_RATIO).toFixed(3)),
	};
	log(`warm poll cycle of ${profile.hosts.length} hosts: p50 ${result.cycleMs.p50} ms, p90 ${result.cycleMs.p90}, p95 ${result.cycleMs.p95}, max ${result.cycleMs.max} (${cycles.length} cycles); sequential ssh loop median ${result.sequentialSshLoopMs.median} ms`);
	log(`cycle / loop: ${ratio}x (target <= ${TARGET_RATIO}x${result.overTargetBy > 0 ? `: over by ${result.overTargetBy}` : ': met'})`);
	return result;
}

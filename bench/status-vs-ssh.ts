// Cold `lvsdeck status` for the lab against the same reads done by hand with OpenSSH in PARALLEL: for
// each host one new `ssh host 'CMD1; CMD2; ...' &`, then `wait` (what an operator's fastest shell loop
// does). The reads are those of the director and real-server probes (the IPVS table in three views,
// the addresses, the config's sha256, keepalived's state and JSON dump; the real-server check and the
// service's status; `true` for a client). Rounds alternate, each a fresh process with new connections;
// medians of wall time and of CPU time (user + sys of the process and all its children, from
// /usr/bin/time). status runs twice per round: with its per-host capability cache (the normal case after
// a first run) and with an empty one. Target (issue 16): status at most 0.8x the loop's wall time.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {Profile} from '../src/profile/model.js';
import {packageRoot} from '../src/lab/plan.js';
import {ipvsListCommand, ipvsRateCommand, ipvsStatsCommand} from '../src/probes/ipvs.js';
import {ipAddrJsonCommand} from '../src/probes/vip.js';
import {keepalivedDumpCommand} from '../src/probes/vrrp.js';
import {realServerCheckCommand} from '../src/probes/realserver.js';
import {shellJoin} from '../src/transport/quote.js';
import {median} from './parse.js';
import {shebangEnv, shebangFlags} from './console-watch.js';

const ROUNDS = 5;
const TARGET_RATIO = 0.8;

interface Timed {
	readonly wallMs: number;
	readonly cpuMs: number;
}

/** Runs argv under /usr/bin/time: wall time, and user + sys CPU of it and every child it waited for. */
function timed(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Timed {
	const r = spawnSync('/usr/bin/time', ['-f', '@@time %e %U %S', ...argv], {encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024});
	const m = /@@time ([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
	if (!m) throw new Error(`${argv[0]} gave no timing: ${r.stderr.slice(-500)}`);
	if (r.status === 2 || r.status === 255) throw new Error(`${argv.join(' ').slice(0, 80)} failed (${r.status}): ${r.stderr.slice(-500)}`);
	return {wallMs: Number(m[1]) * 1000, cpuMs: (Number(m[2]) + Number(m[3])) * 1000};
}

/** What the probes read on `h`, one argv each. */
export function readsOf(profile: Profile, h: Profile['hosts'][number]): Array<readonly string[]> {
	if (h.role === 'director')
		return [ipvsListCommand(), ipvsStatsCommand(), ipvsRateCommand(), ipAddrJsonCommand(), ['sha256sum', profile.keepalived.configPath], profile.keepalived.status, keepalivedDumpCommand('json')];
	if (h.role === 'realserver') return [realServerCheckCommand(), ...(h.service ? [h.service.status] : [])];
	return [['true']];
}

/**
 * The OpenSSH loop as one bash script: one connection per host, its reads joined with `;`; in parallel
 * (each in the background, then `wait`) or one host after the other.
 */
export function sshLoopScript(profile: Profile, parallel = true): string {
	const lines = profile.hosts.map((h) => {
		const remote = readsOf(profile, h)
			.map((argv) => shellJoin(argv))
			.join('; ');
		const ssh = ['ssh', '-i', h.ssh.identityFiles[0]!, '-o', `UserKnownHostsFile=${h.ssh.knownHostsFiles[0]}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-p', String(h.ssh.port), `${h.ssh.user}@${h.address}`, remote];
		return `${shellJoin(ssh)} >/dev/null${parallel ? ' &' : ''}`;
	});
	return [...lines, ...(parallel ? ['wait'] : [])].join('\n');
}

const summary = (runs: readonly Timed[]) => ({wallMs: Math.round(median(runs.map((r) => r.wallMs))), cpuMs: Math.round(median(runs.map((r) => r.cpuMs)))});

export async function benchStatusVsSsh(profile: Profile, log: (line: string) => void): Promise<Record<string, unknown>> {
	const cli = path.join(packageRoot(), 'dist', 'cli.js');
	const statusArgv = [process.execPath, ...shebangFlags(cli), cli, 'status', '--profile', profile.file, '--json'];
	const loop = ['bash', '-c', sshLoopScript(profile)];
	const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-bench-caps-'));
	const commandEnv = {...process.env, ...shebangEnv(cli)};
	const warmEnv = {...commandEnv, LVSDECK_CACHE_DIR: cacheDir};
	const runs = {status: [] as Timed[], statusNoCache: [] as Timed[], sshLoop: [] as Timed[]};
	try {
		timed(statusArgv, warmEnv); // fills the capability cache (and warms the page cache), not counted
		for (let i = 0; i < ROUNDS; i++) {
			runs.status.push(timed(statusArgv, warmEnv));
			runs.sshLoop.push(timed(loop));
			const empty = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-bench-nocaps-'));
			runs.statusNoCache.push(timed(statusArgv, {...commandEnv, LVSDECK_CACHE_DIR: empty}));
			rmSync(empty, {recursive: true, force: true});
		}
	} finally {
		rmSync(cacheDir, {recursive: true, force: true});
	}
	const s = summary(runs.status);
	const n = summary(runs.statusNoCache);
	const l = summary(runs.sshLoop);
	const ratio = +(s.wallMs / l.wallMs).toFixed(2);
	const result = {
		hosts: profile.hosts.length,
		commandsPerRound: profile.hosts.reduce((k, h) => k + readsOf(profile, h).length, 0),
		rounds: ROUNDS,
		status: s,
		statusEmptyCapabilityCache: n,
		parallelSshLoop: l,
		ratio,
		ratioEmptyCache: +(n.wallMs / l.wallMs).toFixed(2),
		cpuRatio: +(s.cpuMs / l.cpuMs).toFixed(2),
		targetRatio: TARGET_RATIO,
		overTargetBy: Math.max(0, +(ratio - TARGET_RATIO).toFixed(2)),
		wallMsRuns: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map((r) => Math.round(r.wallMs))])),
	};
	log(`status ${s.wallMs} ms (cpu ${s.cpuMs} ms); empty capability cache ${n.wallMs} ms (cpu ${n.cpuMs} ms); parallel ssh loop ${l.wallMs} ms (cpu ${l.cpuMs} ms); medians of ${ROUNDS}`);
	log(`status / loop: ${ratio}x wall (${result.ratioEmptyCache}x with an empty cache), ${result.cpuRatio}x CPU; target <= ${TARGET_RATIO}x${result.overTargetBy > 0 ? `: over by ${result.overTargetBy}` : ': met'}`);
	return result;
}

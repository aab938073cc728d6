// CPU and peak memory of the real console (in a tmux terminal) watching the lab for 60 s at 1 s
// polling, started as the lvsdeck command starts it (the V8 flags of its shebang), alternating with the
// old-space cap alone. Targets (issue 16): under 2% of one core, under 100 MB.
import {execFileSync, spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import type {Profile} from '../src/profile/model.js';
import {packageRoot} from '../src/lab/plan.js';

const TICKS = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function peakRssMb(pid: number): number {
	const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	return m ? Number(m[1]) / 1024 : NaN;
}

function consolePid(panePid: number): number {
	// tmux runs the command through a shell that may or may not exec it: find the node process.
	const comm = readFileSync(`/proc/${panePid}/comm`, 'utf8').trim();
	if (comm.startsWith('node')) return panePid;
	const children = readFileSync(`/proc/${panePid}/task/${panePid}/children`, 'utf8').trim().split(/\s+/).map(Number);
	const node = children.find((c) => readFileSync(`/proc/${c}/comm`, 'utf8').trim().startsWith('node'));
	if (!node) throw new Error('console process not found');
	return node;
}

/** What the installed command's shebang (`env -S [NAME=VALUE...] node FLAGS`) sets: its environment and node's flags. */
export function shebang(cli: string): {env: Record<string, string>; flags: string[]} {
	const first = readFileSync(cli, 'utf8').split('\n', 1)[0]!;
	const m = /^#!\/usr\/bin\/env -S ((?:[A-Z_]+=\S+ )*)node(.*)$/.exec(first);
	if (!m) throw new Error(`${cli}: unexpected first line ${first}`);
	const env = Object.fromEntries(m[1]!.trim().split(/\s+/).filter(Boolean).map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));
	return {env, flags: m[2]!.trim().split(/\s+/).filter(Boolean)};
}

/** The V8 flags the installed command starts with: those of dist/cli.js's shebang. */
export function shebangFlags(cli: string): string[] {
	return shebang(cli).flags;
}

/** The environment the installed command's shebang sets (MALLOC_ARENA_MAX). */
export function shebangEnv(cli: string): Record<string, string> {
	return shebang(cli).env;
}

export interface WatchRun {
	flags: string;
	cpuPercentOfOneCore: number;
	peakRssMb: number;
	screenHealthy: boolean;
}

let watchRuns = 0;

/** The console in a 120x40 tmux terminal on `profile` (a file) for `seconds` after a 10 s start: its CPU and peak RSS. */
export async function watchOnce(profile: Pick<Profile, 'file'>, cli: string, flags: readonly string[], seconds: number): Promise<WatchRun> {
	const session = 'lvsdeck-bench';
	// A tmux server of its own for each run: a new session on the shared server right after the last
	// one's end could reach that server as it exited ("server exited unexpectedly").
	const socket = ['-L', `lvsdeck-bench-${process.pid}-${++watchRuns}`];
	// The shebang's environment too, as the installed command would have it.
	const env = Object.entries(shebangEnv(cli)).map(([k, v]) => `${k}=${v} `).join('');
	execFileSync('tmux', [...socket, 'new-session', '-d', '-s', session, '-x', '120', '-y', '40', `${env}${process.execPath} ${flags.join(' ')} ${cli} console --profile ${profile.file} --interval 1000`]);
	try {
		const panePid = Number(execFileSync('tmux', [...socket, 'display', '-p', '-t', session, '#{pane_pid}'], {encoding: 'utf8'}).trim());
		await new Promise((r) => setTimeout(r, 10_000)); // connections up, first polls done
		const pid = consolePid(panePid);
		const t0 = Date.now();
		const c0 = cpuTicks(pid);
		await new Promise((r) => setTimeout(r, seconds * 1000));
		const cpuPercent = ((cpuTicks(pid) - c0) / TICKS / ((Date.now() - t0) / 1000)) * 100;
		const screen = execFileSync('tmux', [...socket, 'capture-pane', '-p', '-t', session], {encoding: 'utf8'});
		return {flags: flags.join(' '), cpuPercentOfOneCore: +cpuPercent.toFixed(2), peakRssMb: +peakRssMb(pid).toFixed(1), screenHealthy: screen.includes('healthy: no findings')};
	} finally {
		spawnSync('tmux', [...socket, 'kill-server']);
	}
}

/**
 * V8 flag sets to compare, alternating: the shebang's (as the command starts), the shebang's without
 * `--single-threaded` (what keeping V8's work on the main thread buys), and the old-space cap alone
 * (the flags before the young generation was capped and the threads were dropped).
 */
export function flagVariants(cli: string): string[][] {
	const shebang = shebangFlags(cli);
	const threaded = shebang.filter((f) => f !== '--single-threaded');
	return [shebang, ...(threaded.length === shebang.length ? [] : [threaded]), ['--max-old-space-size=64']];
}

/** The console as the command starts it, alternating with the flag sets it is compared with (flagVariants). */
export async function benchConsoleWatch(profile: Profile, log: (line: string) => void, seconds = 60, rounds = 2): Promise<Record<string, unknown>> {
	const cli = path.join(packageRoot(), 'dist', 'cli.js');
	const variants = flagVariants(cli);
	const runs: WatchRun[] = [];
	for (let round = 0; round < rounds; round++) {
		for (const flags of variants) {
			const r = await watchOnce(profile, cli, flags, seconds);
			runs.push(r);
			log(`console watching the lab for ${seconds} s (node ${r.flags}): ${r.cpuPercentOfOneCore}% of one core, peak RSS ${r.peakRssMb} MB, screen ${r.screenHealthy ? 'healthy' : 'NOT healthy'} (targets < 2%, < 100 MB)`);
		}
	}
	return {seconds, pollIntervalMs: 1000, targets: {cpuPercent: 2, peakRssMb: 100}, runs};
}

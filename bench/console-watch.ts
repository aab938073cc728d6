// CPU and peak memory of the real console (in a tmux terminal) watching the lab for 60 s at 1 s
// polling, started as the lvsdeck command starts it (same V8 flags as its shebang). Targets (issue 16): under 2%
// of one core, under 100 MB.
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

export async function benchConsoleWatch(profile: Profile, log: (line: string) => void, seconds = 60): Promise<Record<string, unknown>> {
	const session = 'lvsdeck-bench';
	spawnSync('tmux', ['kill-session', '-t', session]);
	const cli = path.join(packageRoot(), 'dist', 'cli.js');
	execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '40', `${process.execPath} --max-old-space-size=64 ${cli} console --profile ${profile.file} --interval 1000`]);
	try {
		const panePid = Number(execFileSync('tmux', ['display', '-p', '-t', session, '#{pane_pid}'], {encoding: 'utf8'}).trim());
		await new Promise((r) => setTimeout(r, 10_000)); // connections up, first polls done
		const pid = consolePid(panePid);
		const t0 = Date.now();
		const c0 = cpuTicks(pid);
		await new Promise((r) => setTimeout(r, seconds * 1000));
		const cpuPercent = ((cpuTicks(pid) - c0) / TICKS / ((Date.now() - t0) / 1000)) * 100;
		const screen = execFileSync('tmux', ['capture-pane', '-p', '-t', session], {encoding: 'utf8'});
		const result = {
			seconds,
			pollIntervalMs: 1000,
			cpuPercentOfOneCore: +cpuPercent.toFixed(2),
			peakRssMb: +peakRssMb(pid).toFixed(1),
			targets: {cpuPercent: 2, peakRssMb: 100},
			screenHealthy: screen.includes('healthy: no findings'),
		};
		log(`console watching the lab for ${seconds} s: ${result.cpuPercentOfOneCore}% of one core, peak RSS ${result.peakRssMb} MB (targets < 2%, < 100 MB)`);
		return result;
	} finally {
		spawnSync('tmux', ['kill-session', '-t', session]);
	}
}

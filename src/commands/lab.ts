// `lvsdeck lab up|down|status|exec`: the practice cluster.
import {spawn} from 'node:child_process';
import path from 'node:path';
import {loadProfile} from '../profile/load.js';
import type {Profile} from '../profile/model.js';
import {labDown, labIsReady, labUp, runningLabPid, type Log} from '../lab/lab.js';
import {collectLabStatus, formatLabStatus} from '../lab/lab-status.js';
import {packageRoot, planLabs, type LabPlan} from '../lab/plan.js';
import {checkLabPreflight} from '../lab/preflight.js';
import {isInNetns, netnsExists} from '../transport/netns.js';
import {runInStation} from '../station.js';
import {CliError} from '../cli-error.js';
import {printErr, printJson, printOut} from '../text/sink.js';
import {onSignals} from './signals.js';
import {urlHost} from '../profile/subnet.js';

export const DEFAULT_LAB_PROFILE = path.join(packageRoot(), 'profiles', 'lab.yaml');

const stderrLog: Log = (line) => printErr(`lab: ${line}`);

/** One profile or several (`--profile A --profile B`: one lab, one cluster per profile). */
export type LabProfileFiles = string | readonly string[];

function loadLab(files: LabProfileFiles): {profiles: Profile[]; plan: LabPlan} {
	const list = typeof files === 'string' ? [files] : [...files];
	const profiles = list.map((f) => loadProfile(f));
	return {profiles, plan: planLabs(profiles)};
}

export async function labUpCommand(profileFiles: LabProfileFiles, options: {quiet?: boolean} = {}): Promise<number> {
	const {profiles, plan} = loadLab(profileFiles);
	const result = await labUp(plan, profiles, options.quiet ? () => {} : stderrLog);
	if (result.alreadyUp) stderrLog(`already up (kernel pid ${result.pid}); nothing to do`);
	else stderrLog(`up in ${(result.bootMs / 1000).toFixed(1)} s: ${plan.hosts.map((h) => `${h.name} ${h.address}`).join(', ')}`);
	const tries = profiles.map((p) => `lvsdeck lab exec -- curl -s http://${urlHost(p.virtualServers[0]?.vip ?? p.hosts[0]?.address ?? '')}/`);
	stderrLog(`station namespace ${plan.netns} (${plan.operatorAddress}/${plan.prefix} on ${plan.tap}); try: ${tries.join(' ; ')}`);
	return 0;
}

/** Any lab this worktree booted goes (its kernel is found by its boot folder), whatever profiles built it. */
export async function labDownCommand(profileFiles: LabProfileFiles): Promise<number> {
	const {plan} = loadLab(profileFiles);
	checkLabPreflight();
	if (runningLabPid(plan) === undefined && !netnsExists(plan.netns)) {
		stderrLog('already down');
	}
	await labDown(plan, stderrLog);
	return 0;
}

export async function labStatusCommand(profileFiles: LabProfileFiles, options: {json?: boolean}): Promise<number> {
	const {profiles, plan} = loadLab(profileFiles);
	const names = profiles.map((p) => `"${p.name}"`).join(' + ');
	const pid = runningLabPid(plan);
	if (pid === undefined || !netnsExists(plan.netns)) {
		if (options.json) printJson({up: false, hosts: []});
		else printOut(`lab ${names} is down (no lab kernel running)`);
		return 1;
	}
	const reexec = await runInStation(plan.netns);
	if (reexec !== undefined) return reexec;
	const rows = await collectLabStatus(plan, profiles);
	const allUp = rows.every((r) => r.sshd === 'up' && r.keepalived !== 'down' && r.web !== 'down');
	if (options.json) {
		printJson({up: true, ready: labIsReady(plan), pid, netns: plan.netns, hosts: rows}, {pretty: true});
	} else {
		printOut(`lab ${names}: kernel pid ${pid}, station namespace ${plan.netns} (${plan.operatorAddress}/${plan.prefix} on ${plan.tap})`);
		printOut(formatLabStatus(rows));
	}
	return allUp ? 0 : 1;
}

/** Runs CMD inside the station namespace with the terminal attached; exits with CMD's code. */
export async function labExecCommand(profileFiles: LabProfileFiles, command: readonly string[]): Promise<number> {
	const {plan} = loadLab(profileFiles);
	if (command.length === 0) throw new CliError('lab exec needs a command after --, e.g. lvsdeck lab exec -- curl -s http://192.168.67.100/', 2);
	if (!netnsExists(plan.netns)) throw new CliError(`the lab is not up (no namespace ${plan.netns}); run "lvsdeck lab up" first`, 2);
	const argv = isInNetns(plan.netns) ? [...command] : ['ip', 'netns', 'exec', plan.netns, ...command];
	const child = spawn(argv[0]!, argv.slice(1), {stdio: 'inherit'});
	// The terminal sends SIGINT to the child too; this process only waits for it.
	const release = onSignals(['SIGINT'], () => {});
	return new Promise<number>((resolve, reject) => {
		child.on('error', (e) => reject(new CliError(`cannot run ${command[0]}: ${e.message}`, 2)));
		child.on('exit', (code, signal) => {
			release();
			resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
		});
	});
}

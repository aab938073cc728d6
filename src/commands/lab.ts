// `lvsdeck lab up|down|status|exec`: the practice cluster.
import {spawn} from 'node:child_process';
import path from 'node:path';
import {loadProfile} from '../profile/load.js';
import type {Profile} from '../profile/model.js';
import {labDown, labIsReady, labUp, runningLabPid, type Log} from '../lab/lab.js';
import {collectLabStatus, formatLabStatus} from '../lab/lab-status.js';
import {packageRoot, planLab, type LabPlan} from '../lab/plan.js';
import {checkLabPreflight} from '../lab/preflight.js';
import {isInNetns, netnsExists} from '../transport/netns.js';
import {runInStation} from '../station.js';
import {CliError} from '../cli-error.js';
import {printErr, printJson, printOut} from '../text/sink.js';
import {onSignals} from './signals.js';
import {urlHost} from '../profile/subnet.js';

export const DEFAULT_LAB_PROFILE = path.join(packageRoot(), 'profiles', 'lab.yaml');

const stderrLog: Log = (line) => printErr(`lab: ${line}`);

function loadLab(profileFile: string): {profile: Profile; plan: LabPlan} {
	const profile = loadProfile(profileFile);
	return {profile, plan: planLab(profile)};
}

export async function labUpCommand(profileFile: string, options: {quiet?: boolean} = {}): Promise<number> {
	const {profile, plan} = loadLab(profileFile);
	const result = await labUp(plan, profile, options.quiet ? () => {} : stderrLog);
	if (result.alreadyUp) stderrLog(`already up (kernel pid ${result.pid}); nothing to do`);
	else stderrLog(`up in ${(result.bootMs / 1000).toFixed(1)} s: ${plan.hosts.map((h) => `${h.name} ${h.address}`).join(', ')}`);
	stderrLog(`station namespace ${plan.netns} (${plan.operatorAddress}/${plan.prefix} on ${plan.tap}); try: lvsdeck lab exec -- curl -s http://${urlHost(profile.virtualServers[0]?.vip ?? plan.hosts[0]?.address ?? '')}/`);
	return 0;
}

export async function labDownCommand(profileFile: string): Promise<number> {
	const {plan} = loadLab(profileFile);
	checkLabPreflight();
	if (runningLabPid(plan) === undefined && !netnsExists(plan.netns)) {
		stderrLog('already down');
	}
	await labDown(plan, stderrLog);
	return 0;
}

export async function labStatusCommand(profileFile: string, options: {json?: boolean}): Promise<number> {
	const {profile, plan} = loadLab(profileFile);
	const pid = runningLabPid(plan);
	if (pid === undefined || !netnsExists(plan.netns)) {
		if (options.json) printJson({up: false, hosts: []});
		else printOut(`lab "${profile.name}" is down (no lab kernel running)`);
		return 1;
	}
	const reexec = await runInStation(plan.netns);
	if (reexec !== undefined) return reexec;
	const rows = await collectLabStatus(plan, profile);
	const allUp = rows.every((r) => r.sshd === 'up' && r.keepalived !== 'down' && r.web !== 'down');
	if (options.json) {
		printJson({up: true, ready: labIsReady(plan), pid, netns: plan.netns, hosts: rows}, {pretty: true});
	} else {
		printOut(`lab "${profile.name}": kernel pid ${pid}, station namespace ${plan.netns} (${plan.operatorAddress}/${plan.prefix} on ${plan.tap})`);
		printOut(formatLabStatus(rows));
	}
	return allUp ? 0 : 1;
}

/** Runs CMD inside the station namespace with the terminal attached; exits with CMD's code. */
export async function labExecCommand(profileFile: string, command: readonly string[]): Promise<number> {
	const {plan} = loadLab(profileFile);
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

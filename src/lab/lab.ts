// Brings the practice cluster up and down: one UML kernel (IPVS, veth, bridge) on a tap that lives in
// the operator's network namespace. The host's root namespace never gets a lab address or route.
import {spawn} from 'node:child_process';
import {rightsInputOf} from '../actions/sudoers/rules.js';
import {renderSudoers} from '../actions/sudoers/render.js';
import {chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {isIP} from 'node:net';
import path from 'node:path';
import {execa} from 'execa';
import type {Profile} from '../profile/model.js';
import {renderKeepalivedConf} from '../render/keepalived-conf.js';
import {netnsExists} from '../transport/netns.js';
import type {LabHost, LabPlan} from './plan.js';
import {checkLabPreflight} from './preflight.js';
import {LabError} from './lab-error.js';
import {hopelessBootReason} from './boot-failure.js';
import {bootPaths, FAILED_MARKER, hostEnvFile, hostInitScript, LAB_HOST_TMPFS_DIRS, LAB_SUDO_USER, READY_MARKER, systemctlStandin, umlInitScript} from './scripts.js';

export type Log = (line: string) => void;

export function labFiles(plan: LabPlan) {
	return {
		pidFile: path.join(plan.stateDir, 'uml.pid'),
		consoleLog: path.join(plan.stateDir, 'console.log'),
		clientKey: path.join(plan.stateDir, 'id_ed25519'),
		knownHosts: path.join(plan.stateDir, 'known_hosts'),
	};
}

export {LabError} from './lab-error.js';

function processCmdline(pid: number): string | undefined {
	try {
		return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
	} catch {
		return undefined;
	}
}

/** Every UML kernel process on this machine (main processes and their helpers), with its command line. */
function umlProcesses(): Array<{readonly pid: number; readonly cmd: string}> {
	const found: Array<{pid: number; cmd: string}> = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const cmd = processCmdline(Number(entry));
		if (cmd?.includes('linux.uml')) found.push({pid: Number(entry), cmd});
	}
	return found;
}

/** Every UML process that boots from this lab's boot folder (main process and its helpers). */
export function labProcesses(plan: LabPlan): number[] {
	const marker = `init=${bootPaths(plan).umlInit}`;
	return umlProcesses()
		.filter((p) => p.cmd.includes(marker))
		.map((p) => p.pid);
}

/**
 * UML processes in the station namespace, whichever folder they booted from: another checkout's lab
 * on the same machine uses the same namespace name, and removing the namespace under its kernel would
 * leave that kernel running with no network and no owner.
 */
export function umlProcessesInNamespace(netns: string): number[] {
	let inode: number;
	try {
		inode = statSync(`/run/netns/${netns}`).ino;
	} catch {
		return [];
	}
	const inNamespace = (pid: number) => {
		try {
			return readlinkSync(`/proc/${pid}/ns/net`) === `net:[${inode}]`;
		} catch {
			return false; // gone, or not ours to read
		}
	};
	return umlProcesses()
		.map((p) => p.pid)
		.filter(inNamespace);
}

/** The main UML process of a running lab, if any. */
export function runningLabPid(plan: LabPlan): number | undefined {
	const {pidFile} = labFiles(plan);
	if (!existsSync(pidFile)) return undefined;
	const pid = Number(readFileSync(pidFile, 'utf8').trim());
	if (!Number.isInteger(pid) || pid <= 0) return undefined;
	const cmd = processCmdline(pid);
	return cmd?.includes(`init=${bootPaths(plan).umlInit}`) ? pid : undefined;
}

function consoleText(plan: LabPlan): string {
	try {
		return readFileSync(labFiles(plan).consoleLog, 'utf8');
	} catch {
		return '';
	}
}

export function labIsReady(plan: LabPlan): boolean {
	return runningLabPid(plan) !== undefined && netnsExists(plan.netns) && consoleText(plan).includes(READY_MARKER);
}

async function run(argv: readonly string[]): Promise<void> {
	const [cmd, ...args] = argv;
	const result = await execa(cmd!, args, {reject: false, stdin: 'ignore'});
	if (result.exitCode !== 0) {
		throw new LabError(`${argv.join(' ')} failed (exit ${result.exitCode}): ${String(result.stderr).trim().split('\n')[0] ?? ''}`);
	}
}

async function keygen(file: string, comment: string): Promise<void> {
	rmSync(file, {force: true});
	rmSync(`${file}.pub`, {force: true});
	await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

/** The profile of each host of the plan (several when the lab holds several clusters). */
function profileOf(profiles: readonly Profile[], host: LabHost): Profile {
	const profile = profiles.find((p) => p.name === host.cluster);
	if (!profile) throw new LabError(`no profile "${host.cluster}" for lab host ${host.name}`);
	return profile;
}

/** Writes the boot folder: scripts, per-host keys, env files, sudo rights and rendered keepalived configs. */
async function prepareBoot(plan: LabPlan, profiles: readonly Profile[]): Promise<void> {
	const files = labFiles(plan);
	const boot = bootPaths(plan);
	mkdirSync(plan.stateDir, {recursive: true, mode: 0o700});
	if (!existsSync(files.clientKey)) await keygen(files.clientKey, 'lvsdeck-lab-operator');
	rmSync(plan.bootDir, {recursive: true, force: true});
	mkdirSync(plan.bootDir, {recursive: true, mode: 0o700});
	writeFileSync(boot.umlInit, umlInitScript(plan), {mode: 0o755});
	writeFileSync(boot.hostInit, hostInitScript(plan), {mode: 0o755});
	writeFileSync(boot.systemctl, systemctlStandin(), {mode: 0o755});
	writeFileSync(boot.authorizedKeys, readFileSync(`${files.clientKey}.pub`), {mode: 0o600});
	const known: string[] = [];
	// Host keys are new at every boot; known_hosts is rewritten from them so checking stays strict.
	await Promise.all(
		plan.hosts.map(async (host) => {
			const dir = boot.hostDir(host.name);
			mkdirSync(dir, {recursive: true, mode: 0o700});
			const key = path.join(dir, 'ssh_host_ed25519_key');
			await keygen(key, `lvslab-${host.name}`);
			const [type, blob] = readFileSync(`${key}.pub`, 'utf8').trim().split(/\s+/);
			known.push(`${host.address} ${type} ${blob}`);
			writeFileSync(path.join(dir, 'env'), hostEnvFile(plan, host));
			const profile = profileOf(profiles, host);
			// The lab's non-root login (profiles/lab-sudo.yaml) gets both drop-ins, generated like any
			// cluster's from the host's own profile.
			for (const level of ['monitor', 'operate'] as const) {
				const text = renderSudoers(rightsInputOf(profile), level, {who: LAB_SUDO_USER, source: `profile ${profile.name}`});
				writeFileSync(path.join(dir, `sudoers-${level}`), text, {mode: 0o440});
			}
			if (host.role === 'director') writeFileSync(path.join(dir, 'keepalived.conf'), renderKeepalivedConf(profile, host.name));
		}),
	);
	writeFileSync(files.knownHosts, `${known.sort().join('\n')}\n`, {mode: 0o644});
	chmodSync(plan.stateDir, 0o700);
}

async function waitForConsole(plan: LabPlan, deadlineMs: number): Promise<{ok: boolean; crashed?: boolean; text: string}> {
	const until = Date.now() + deadlineMs;
	for (;;) {
		const text = consoleText(plan);
		if (text.includes(READY_MARKER)) return {ok: true, text};
		if (text.includes(FAILED_MARKER)) return {ok: false, text};
		if (runningLabPid(plan) === undefined) return {ok: false, crashed: true, text: `${text}\n(the lab kernel exited)`};
		if (Date.now() > until) return {ok: false, text: `${text}\n(timed out after ${deadlineMs} ms)`};
		await new Promise((r) => setTimeout(r, 100));
	}
}

export interface LabUpResult {
	readonly alreadyUp: boolean;
	readonly pid: number;
	readonly bootMs: number;
}

/**
 * Whether the running lab was booted from this plan: its boot script is the one this plan writes
 * (hosts, addresses, VIPs). A lab from other profiles (one cluster where two are asked for) is rebuilt.
 */
function bootedFrom(plan: LabPlan): boolean {
	try {
		return readFileSync(bootPaths(plan).umlInit, 'utf8') === umlInitScript(plan);
	} catch {
		return false;
	}
}

/**
 * Idempotent: a lab that is up and ready from the same plan is left as it is. `profiles`: the plan's
 * profiles, one per cluster (each director's keepalived.conf and each host's sudo rights from its own).
 * `deadlineMs`: how long one boot may take (each of the up to three attempts gets all of it).
 */
export async function labUp(plan: LabPlan, profiles: Profile | readonly Profile[], log: Log, deadlineMs = (plan.bootDeadlineSec + 5) * 1000): Promise<LabUpResult> {
	checkLabPreflight();
	const started = Date.now();
	const pid = runningLabPid(plan);
	if (pid !== undefined && netnsExists(plan.netns) && !bootedFrom(plan)) {
		log('the running lab was booted from other profiles; rebuilding it');
	} else if (pid !== undefined && netnsExists(plan.netns)) {
		const wait = await waitForConsole(plan, deadlineMs);
		if (wait.ok) return {alreadyUp: true, pid, bootMs: 0};
		log('the running lab is not healthy; rebuilding it');
	}
	// The UML kernel very occasionally segfaults while probing ptrace at start-up; a crash before the
	// lab is ready is retried, a lab that reports a failure is not.
	const attempts = 3;
	for (let attempt = 1; ; attempt++) {
		await labDown(plan, () => {});
		log(`preparing ${plan.hosts.length} hosts in ${plan.bootDir}`);
		await prepareBoot(plan, Array.isArray(profiles) ? profiles : [profiles as Profile]);
		const pid = await bootKernel(plan);
		log(`lab kernel started (pid ${pid}); waiting for sshd, keepalived, VRRP and IPVS`);
		// Each attempt gets the whole boot deadline: a retry after a kernel that died late in its boot
		// would otherwise have seconds left and fail a lab that was about to come up.
		const wait = await waitForConsole(plan, deadlineMs);
		if (wait.ok) return {alreadyUp: false, pid, bootMs: Date.now() - started};
		const crashed = wait.crashed && !wait.text.includes(FAILED_MARKER);
		const hopeless = crashed ? hopelessBootReason(wait.text) : undefined;
		if (hopeless) {
			await labDown(plan, () => {});
			throw new LabError(hopeless);
		}
		if (crashed && attempt < attempts) {
			log(`the lab kernel exited during boot (attempt ${attempt} of ${attempts}); retrying`);
			continue;
		}
		const tail = wait.text
			.split('\n')
			.filter((l) => l.startsWith('LVSLAB') || l.includes('('))
			.slice(-25)
			.join('\n');
		await labDown(plan, () => {});
		throw new LabError(`the lab did not come up:\n${tail}`);
	}
}

/** Creates the station namespace and tap, and starts the UML kernel on it; returns its pid. */
async function bootKernel(plan: LabPlan): Promise<number> {
	// UML mounts a tmpfs here for its modules; the folder must exist on the (read-only) host root.
	mkdirSync('/usr/lib/modules', {recursive: true});
	// Each lab host mounts its own tmpfs on these (deploy's boot-time real-server setup goes there).
	for (const dir of LAB_HOST_TMPFS_DIRS) mkdirSync(dir, {recursive: true});
	const ns = plan.netns;
	await run(['ip', 'netns', 'add', ns]);
	await run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
	await run(['ip', 'netns', 'exec', ns, 'ip', 'tuntap', 'add', 'dev', plan.tap, 'mode', 'tap']);
	// nodad: an IPv6 station address is usable at once, not tentative while the kernel checks for duplicates
	const nodad = isIP(plan.operatorAddress) === 6 ? ['nodad'] : [];
	await run(['ip', '-n', ns, 'addr', 'add', `${plan.operatorAddress}/${plan.prefix}`, 'dev', plan.tap, ...nodad]);
	await run(['ip', '-n', ns, 'link', 'set', plan.tap, 'up']);
	// Internal networks (NAT real servers) through the VIP that moves with their gateway; lvslab only.
	for (const route of plan.stationRoutes) await run(['ip', '-n', ns, 'route', 'add', route.subnet, 'via', route.via]);
	const files = labFiles(plan);
	const out = openSync(files.consoleLog, 'w');
	// `ip netns exec` execs (no fork), so the child's pid is the UML kernel's main process.
	const child = spawn(
		'ip',
		[
			'netns',
			'exec',
			ns,
			'linux.uml',
			`mem=${plan.memoryMb}M`,
			'root=/dev/root',
			'rootfstype=hostfs',
			'rootflags=/',
			'ro',
			`init=${bootPaths(plan).umlInit}`,
			`vec0:transport=tap,ifname=${plan.tap}`,
			'con=null',
			'con0=null,fd:1',
		],
		{detached: true, stdio: ['ignore', out, out]},
	);
	closeSync(out);
	child.unref();
	if (child.pid === undefined) throw new LabError('could not start linux.uml');
	writeFileSync(files.pidFile, `${child.pid}\n`);
	return child.pid;

}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Leaves no UML process, namespace or tap behind. Safe to call when nothing is up. */
export async function labDown(plan: LabPlan, log: Log): Promise<void> {
	const pids = labProcesses(plan);
	const main = runningLabPid(plan);
	if (main !== undefined && !pids.includes(main)) pids.push(main);
	const foreign = umlProcessesInNamespace(plan.netns).filter((pid) => !pids.includes(pid));
	if (foreign.length > 0) log(`stopping a lab kernel booted from another folder that holds namespace ${plan.netns} (pid ${foreign.join(', ')})`);
	pids.push(...foreign);
	for (const pid of pids) {
		try {
			process.kill(pid, 'SIGTERM');
		} catch {
			// already gone
		}
	}
	const until = Date.now() + 5000;
	while (pids.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
	for (const pid of pids.filter(alive)) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
	while (labProcesses(plan).length > 0 && Date.now() < until + 3000) await new Promise((r) => setTimeout(r, 50));
	if (pids.length > 0) log(`stopped the lab kernel (${pids.length} process${pids.length > 1 ? 'es' : ''})`);
	if (netnsExists(plan.netns)) {
		await execa('ip', ['-n', plan.netns, 'link', 'del', plan.tap], {reject: false});
		await run(['ip', 'netns', 'del', plan.netns]);
		log(`removed network namespace ${plan.netns} and tap ${plan.tap}`);
	}
	const files = labFiles(plan);
	rmSync(files.pidFile, {force: true});
	rmSync(files.knownHosts, {force: true});
	rmSync(plan.bootDir, {recursive: true, force: true});
}

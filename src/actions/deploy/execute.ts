// Deploy, steps 2-4: validate on the target, back up, install atomically, reload, verify, and roll back
// when verification fails. Used by `lvsdeck deploy` and the console's guided flow (through onEvent).
import type {Host, Profile} from '../../profile/model.js';
import {sha256Hex} from '../../probes/config-hash.js';
import {ClusterStore} from '../../cluster/store.js';
import {ClusterPoller} from '../../cluster/poller.js';
import {findService, realServerKey, serviceKey} from '../../probes/ipvs.js';
import type {Transport} from '../../transport/types.js';
import {validateKeepalivedConfig} from '../validate-config.js';
import type {DeployPlan, HostPlan} from './plan.js';
import {INSTALL_SCRIPT, parseSetupChanges, REALSERVER_SETUP_SCRIPT, RESTORE_SCRIPT} from './remote-scripts.js';

export type DeployStep = 'setup' | 'validate' | 'backup-install' | 'reload' | 'verify' | 'rollback';

export interface DeployEvent {
	readonly host: string;
	readonly step: DeployStep;
	readonly status: 'start' | 'ok' | 'fail' | 'skip';
	readonly message: string;
}

export type HostOutcome = 'unchanged' | 'deployed' | 'refused' | 'rolled-back' | 'failed' | 'not-run';

export interface DeployReport {
	readonly ok: boolean;
	readonly hosts: ReadonlyArray<{host: string; outcome: HostOutcome; message: string; backup?: string; changes?: readonly string[]}>;
}

/** A store and poller that already watch the cluster (the console's); verification then adds no polling of its own. */
export interface ClusterWatch {
	readonly store: ClusterStore;
	pollHost(host: Host): Promise<void>;
}

export interface ExecuteOptions {
	readonly onEvent?: (e: DeployEvent) => void;
	readonly watch?: ClusterWatch;
	/** Upper bound for verification per director (default from the profile's health checks). */
	readonly verifyTimeoutMs?: number;
	readonly now?: () => Date;
}

function stampOf(d: Date): string {
	return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * One full health-check cycle: keepalived puts real servers in the table as up before their first
 * check, so a table can only be trusted after every check had the time to run, retry and fail.
 */
export function healthCycleMs(profile: Profile): number {
	let worst = 0;
	for (const vs of profile.virtualServers) {
		for (const rs of vs.realServers) {
			const c = rs.check;
			const perTry = c.type === 'none' ? 0 : c.connectTimeout + c.delayBeforeRetry;
			const tries = c.type === 'none' ? 0 : c.retry + 1;
			worst = Math.max(worst, vs.delayLoop + perTry * tries);
		}
	}
	return Math.min(60_000, (worst + 1) * 1000);
}

/** Time allowed to reach a matching state, before it must then hold for a health-check cycle. */
export function verifyBudgetMs(profile: Profile): number {
	return Math.min(90_000, Math.max(10_000, healthCycleMs(profile) + 5000));
}

/** What is wrong with a director after a reload, or undefined when it matches the profile. */
export function directorMismatch(profile: Profile, store: ClusterStore, director: string): string | undefined {
	const state = store.getState();
	const host = state.hosts.find((h) => h.name === director);
	if (!host?.reachable || !host.director) return `${director} did not answer: ${host?.error ?? 'no data'}`;
	const d = host.director;
	if (d.keepalivedActive !== true) return `keepalived is not running on ${director}`;
	const mine = profile.instances.filter((i) => i.members.some((m) => m.director === director));
	for (const inst of mine) {
		const v = d.vrrp?.find((x) => x.name === inst.name);
		if (!v) return `${director} reports no VRRP instance ${inst.name}`;
		if (v.state !== 'MASTER' && v.state !== 'BACKUP') return `${director}: ${inst.name} is ${v.state}`;
		const masters = state.hosts.filter((h) => h.reachable && h.director?.vrrp?.some((x) => x.name === inst.name && x.state === 'MASTER'));
		if (masters.length !== 1) return `${inst.name} has ${masters.length} masters (${masters.map((m) => m.name).join(', ') || 'none'})`;
	}
	const vips = new Set(mine.flatMap((i) => i.vips.map((v) => v.address)));
	for (const vs of profile.virtualServers.filter((v) => vips.has(v.vip))) {
		const key = serviceKey({protocol: vs.protocol, address: vs.vip, port: vs.port});
		const svc = findService(d.ipvs, vs);
		if (!svc) return `${director}: ${key} is not in the IPVS table`;
		if (svc.scheduler !== vs.scheduler) return `${director}: ${key} uses ${svc.scheduler}, not ${vs.scheduler}`;
		for (const rs of vs.realServers) {
			const entry = svc.realServers.find((r) => realServerKey(r) === realServerKey({address: rs.address, port: rs.port}));
			if (!entry) return `${director}: ${rs.host} (${rs.address}:${rs.port}) is not in ${key}`;
			if (entry.weight !== rs.weight) return `${director}: ${rs.host} has weight ${entry.weight} in ${key}, the profile says ${rs.weight}`;
		}
	}
	return undefined;
}

/** The director must match the profile, and keep matching for one full health-check cycle. */
async function verifyDirector(profile: Profile, transport: Transport, director: string, timeoutMs: number, watch?: ClusterWatch): Promise<string | undefined> {
	const store = watch?.store ?? new ClusterStore(profile);
	const poller = watch ?? new ClusterPoller(profile, transport, store, {events: false, portCheck: false});
	const directors = profile.hosts.filter((h) => h.role === 'director');
	const settleMs = healthCycleMs(profile);
	const end = Date.now() + timeoutMs + settleMs;
	let problem: string | undefined = 'not checked yet';
	let matchingSince: number | undefined;
	while (Date.now() < end) {
		await Promise.all(directors.map((h) => poller.pollHost(h)));
		problem = directorMismatch(profile, store, director);
		if (problem) matchingSince = undefined;
		else if (matchingSince === undefined) matchingSince = Date.now();
		else if (Date.now() - matchingSince >= settleMs) return undefined;
		await new Promise((r) => setTimeout(r, 500));
	}
	return problem ?? `did not stay matching for ${Math.round(settleMs / 1000)} s`;
}

export async function executeDeploy(profile: Profile, transport: Transport, plan: DeployPlan, options: ExecuteOptions = {}): Promise<DeployReport> {
	const emit = options.onEvent ?? (() => {});
	const stamp = stampOf((options.now ?? (() => new Date()))());
	const results: Array<DeployReport['hosts'][number]> = [];
	const rest = (from: number) => plan.hosts.slice(from).map((h) => ({host: h.host, outcome: 'not-run' as const, message: 'not run: an earlier host failed'}));

	for (const [i, hp] of plan.hosts.entries()) {
		if (hp.role === 'realserver') {
			emit({host: hp.host, step: 'setup', status: 'start', message: `VIPs ${hp.vips?.join(', ') || 'none'} on lo, ARP sysctls, ${hp.file.path}`});
			const r = await transport.exec(hp.host, ['sh', '-c', REALSERVER_SETUP_SCRIPT, 'lvsdeck-setup', 'apply', hp.file.path, ...(hp.vips ?? [])], {stdin: hp.file.desired});
			const changes = parseSetupChanges(r.stdout);
			if (r.code !== 0 || changes === undefined) {
				const message = `real-server setup failed: ${r.stderr.trim() || `exit ${r.code}`}`;
				emit({host: hp.host, step: 'setup', status: 'fail', message});
				return {ok: false, hosts: [...results, {host: hp.host, outcome: 'failed', message}, ...rest(i + 1)]};
			}
			emit({host: hp.host, step: 'setup', status: 'ok', message: changes.length === 0 ? 'no change' : `changed ${changes.join(', ')}`});
			results.push({host: hp.host, outcome: changes.length === 0 ? 'unchanged' : 'deployed', message: changes.length === 0 ? 'no change' : changes.join(', '), changes});
			continue;
		}
		const outcome = await deployDirector(profile, transport, hp, stamp, emit, options.verifyTimeoutMs ?? verifyBudgetMs(profile), options.watch);
		results.push(outcome);
		if (outcome.outcome !== 'deployed' && outcome.outcome !== 'unchanged') return {ok: false, hosts: [...results, ...rest(i + 1)]};
	}
	return {ok: true, hosts: results};
}

async function deployDirector(
	profile: Profile,
	transport: Transport,
	hp: HostPlan,
	stamp: string,
	emit: (e: DeployEvent) => void,
	verifyTimeoutMs: number,
	watch?: ClusterWatch,
): Promise<DeployReport['hosts'][number]> {
	const {host, file} = hp;
	if (!file.changed) {
		emit({host, step: 'backup-install', status: 'skip', message: `${file.path} already matches the profile`});
		return {host, outcome: 'unchanged', message: 'no change'};
	}
	emit({host, step: 'validate', status: 'start', message: `keepalived -t on ${host}`});
	const validation = await validateKeepalivedConfig(transport, host, file.desired);
	if (!validation.ok) {
		const message = `refused: ${validation.reason ?? 'invalid'}${validation.diagnostics.length > 0 ? `: ${validation.diagnostics.slice(0, 3).join(' | ')}` : ''}`;
		emit({host, step: 'validate', status: 'fail', message});
		return {host, outcome: 'refused', message};
	}
	emit({host, step: 'validate', status: 'ok', message: 'keepalived -t passed'});

	emit({host, step: 'backup-install', status: 'start', message: `back up and install ${file.path}`});
	const installed = await transport.exec(host, ['sh', '-c', INSTALL_SCRIPT, 'lvsdeck-install', file.path, profile.keepalived.backupDir, stamp, sha256Hex(file.desired)], {
		stdin: file.desired,
		timeoutMs: 30_000,
	});
	if (installed.code !== 0) {
		const message = `install failed (nothing changed): ${installed.stderr.trim() || (installed.timedOut ? 'timed out' : `exit ${installed.code}`)}`;
		emit({host, step: 'backup-install', status: 'fail', message});
		return {host, outcome: 'failed', message};
	}
	const backup = /^backup=(.*)$/m.exec(installed.stdout)?.[1] || undefined;
	emit({host, step: 'backup-install', status: 'ok', message: backup ? `installed; previous file kept as ${backup}` : 'installed (there was no previous file)'});

	const rollback = async (why: string): Promise<DeployReport['hosts'][number]> => {
		emit({host, step: 'rollback', status: 'start', message: why});
		if (!backup) {
			emit({host, step: 'rollback', status: 'fail', message: 'no previous file to restore'});
			return {host, outcome: 'failed', message: `${why}; no previous file to restore`};
		}
		const restored = await transport.exec(host, ['sh', '-c', RESTORE_SCRIPT, 'lvsdeck-restore', file.path, backup]);
		const reloaded = restored.code === 0 ? await transport.exec(host, profile.keepalived.reload) : undefined;
		const ok = restored.code === 0 && reloaded?.code === 0;
		emit({host, step: 'rollback', status: ok ? 'ok' : 'fail', message: ok ? `restored ${backup} and reloaded` : `restore failed: ${restored.stderr.trim() || reloaded?.stderr.trim()}`});
		return {host, outcome: ok ? 'rolled-back' : 'failed', message: `${why}; ${ok ? 'rolled back to the previous config' : 'ROLLBACK FAILED'}`, backup};
	};

	emit({host, step: 'reload', status: 'start', message: profile.keepalived.reload.join(' ')});
	const active = await transport.exec(host, profile.keepalived.status);
	const reload = await transport.exec(host, active.code === 0 ? profile.keepalived.reload : profile.keepalived.start);
	if (reload.code !== 0) return rollback(`reload failed: ${reload.stderr.trim() || `exit ${reload.code}`}`);
	emit({host, step: 'reload', status: 'ok', message: active.code === 0 ? 'reloaded' : 'started (keepalived was not running)'});

	emit({host, step: 'verify', status: 'start', message: `keepalived running, VRRP states and IPVS table as the profile says, held for a health-check cycle (${Math.round(healthCycleMs(profile) / 1000)} s)`});
	const problem = await verifyDirector(profile, transport, host, verifyTimeoutMs, watch);
	if (problem) {
		emit({host, step: 'verify', status: 'fail', message: problem});
		return rollback(`verification failed: ${problem}`);
	}
	emit({host, step: 'verify', status: 'ok', message: 'matches the profile'});
	return {host, outcome: 'deployed', message: 'deployed and verified', ...(backup ? {backup} : {})};
}

// Deploy, steps 2-4 for every host of the plan, in its order: real servers get the DR setup, directors
// are validated, installed, reloaded, verified and rolled back on failure (director.ts). Used by
// `lvsdeck deploy` and the console's guided flow (through onEvent). Every message that leaves here has
// the VRRP passwords masked.
import type {Profile} from '../../profile/model.js';
import type {Transport} from '../../transport/types.js';
import {authPassValues, redactKnownSecrets, redactSecrets} from '../../text/redact.js';
import {planRemovals, removalSubject, type DeployPlan, type HostPlan} from './plan.js';
import {BOOT_UNIT, parseSetupChanges, REALSERVER_SETUP_SCRIPT} from './realserver-script.js';
import {runStep} from './host-state.js';
import {deployDirector} from './director.js';
import type {ClusterWatch} from '../../cluster/watch.js';
import {verifyBudgetMs, verifyDirector, type VerifyResult} from './verify.js';
import type {DeployEvent, DeployReport, HostReport} from './report.js';

export type {DeployEvent, DeployReport, DeployStep, HostHolds, HostOutcome, HostReport} from './report.js';
export {deployExitCode, describeHolds} from './report.js';
export {directorMismatch, healthCycleMs, verifyBudgetMs} from './verify.js';

export interface ExecuteOptions {
	readonly onEvent?: (e: DeployEvent) => void;
	readonly watch?: ClusterWatch;
	/** Upper bound for verification per director (default from the profile's health checks). */
	readonly verifyTimeoutMs?: number;
	/** How long to keep trying to reach a host after a step whose result is unknown (default 45 s). */
	readonly reconnectDeadlineMs?: number;
	readonly now?: () => Date;
	/** Replaces the check against the cluster after a reload (unit tests drive the recovery path with it). */
	readonly verify?: (director: string) => Promise<VerifyResult>;
	/**
	 * May the deploy remove keywords only the installed configs have (`--allow-removals`, or the console's
	 * second confirmation)? Without it a plan with removals changes nothing.
	 */
	readonly allowRemovals?: boolean;
}

function stampOf(d: Date): string {
	return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Every password lvsdeck knows of: the profile's and those in the files the plan read and rendered. */
function knownSecrets(profile: Profile, plan: DeployPlan): string[] {
	return [
		...profile.instances.flatMap((i) => (i.authentication ? [i.authentication.pass] : [])),
		...plan.hosts.flatMap((h) => (h.role === 'director' ? [...authPassValues(h.file.current), ...authPassValues(h.file.desired)] : [])),
	];
}

export async function executeDeploy(profile: Profile, transport: Transport, plan: DeployPlan, options: ExecuteOptions = {}): Promise<DeployReport> {
	const secrets = knownSecrets(profile, plan);
	const remote = (text: string) => redactKnownSecrets(text, secrets);
	const onEvent = options.onEvent ?? (() => {});
	const emit = (e: DeployEvent) => onEvent({...e, message: redactSecrets(e.message)});
	const stamp = stampOf((options.now ?? (() => new Date()))());
	const verifyTimeoutMs = options.verifyTimeoutMs ?? verifyBudgetMs(profile);
	const results: HostReport[] = [];
	const rest = (from: number) => plan.hosts.slice(from).map((h) => ({host: h.host, outcome: 'not-run' as const, message: 'not run: an earlier host failed'}));
	const finish = (ok: boolean, hosts: readonly HostReport[]): DeployReport => ({ok, hosts: hosts.map((h) => ({...h, message: redactSecrets(h.message)}))});

	const removals = planRemovals(plan);
	if (removals.length > 0 && options.allowRemovals !== true) {
		// Checked here too, not only by the callers that ask: nothing is removed without a yes to removing it.
		const refused = plan.hosts.map((h): HostReport => {
			const mine = removals.find((r) => r.host === h.host);
			if (!mine) return {host: h.host, outcome: 'not-run', message: 'not run: the deploy would remove keywords on another host'};
			const message = `refused: would remove ${mine.removals.map(removalSubject).join(', ')}; nothing was changed (removals need --allow-removals)`;
			emit({host: h.host, step: 'removals', status: 'fail', message});
			return {host: h.host, outcome: 'refused', message};
		});
		return finish(false, refused);
	}
	for (const [i, hp] of plan.hosts.entries()) {
		const hostEmit = (e: Omit<DeployEvent, 'host'>) => emit({host: hp.host, ...e});
		const outcome =
			hp.role === 'realserver'
				? await setupRealServer(transport, hp, hostEmit, remote)
				: await deployDirector({
						profile,
						transport,
						plan: hp,
						stamp,
						emit: hostEmit,
						verify: () => (options.verify ? options.verify(hp.host) : verifyDirector(profile, transport, hp.host, verifyTimeoutMs, options.watch)),
						reconnectDeadlineMs: options.reconnectDeadlineMs ?? 45_000,
						remote,
					});
		results.push(outcome);
		if (outcome.outcome !== 'deployed' && outcome.outcome !== 'unchanged') return finish(false, [...results, ...rest(i + 1)]);
	}
	return finish(true, results);
}

/** The setup runs a few dozen small programs (ip, sysctl, cmp, mv for each file): slow hosts need more than the usual command time. */
const SETUP_TIMEOUT_MS = 30_000;

/** The real-server setup is idempotent: when its result never arrives, running deploy again finishes it. */
async function setupRealServer(transport: Transport, hp: HostPlan, emit: (e: Omit<DeployEvent, 'host'>) => void, remote: (t: string) => string): Promise<HostReport> {
	const host = hp.host;
	emit({step: 'setup', status: 'start', message: `${hp.vips?.join(' ') || 'no VIPs'}, sysctls, ${hp.file.path}, the boot-time setup (${BOOT_UNIT})`});
	const step = await runStep(() => transport.exec(host, ['sh', '-c', REALSERVER_SETUP_SCRIPT, 'lvsdeck-setup', 'apply', hp.file.path, ...(hp.vips ?? [])], {stdin: hp.file.desired, timeoutMs: SETUP_TIMEOUT_MS}));
	const changes = step.kind === 'ok' ? parseSetupChanges(step.value.stdout) : undefined;
	if (step.kind === 'unknown') {
		const message = `state unknown: the real-server setup did not report back (${remote(step.why)}); it may be partly applied; deploy again to finish it (the setup is idempotent)`;
		emit({step: 'setup', status: 'fail', message});
		return {host, outcome: 'unknown', message};
	}
	if (step.kind === 'failed' || changes === undefined) {
		const message = `real-server setup failed: ${step.kind === 'failed' ? remote(step.why) : 'unexpected output'}`;
		emit({step: 'setup', status: 'fail', message});
		return {host, outcome: 'failed', message};
	}
	emit({step: 'setup', status: 'ok', message: changes.length === 0 ? 'no change' : `changed ${changes.join(', ')}`});
	return {host, outcome: changes.length === 0 ? 'unchanged' : 'deployed', message: changes.length === 0 ? 'no change' : changes.join(', '), changes};
}

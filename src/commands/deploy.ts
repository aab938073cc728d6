// `lvsdeck deploy --profile FILE [--host NAME] [--dry-run] [--yes] [--json]`: show the plan (a unified
// diff per host and file), then validate, back up, install, reload, verify, and roll back on failure.
// Exit 0 done (or nothing to do), 1 verification failed and was rolled back, 2 refused, error, or a
// host's state unknown. Passwords are masked in everything written (diffs, JSON, messages).
import {createInterface} from 'node:readline/promises';
import {loadProfile} from '../profile/load.js';
import {createClusterTransport} from '../transport/cluster-transport.js';
import {runInStation} from '../station.js';
import {CliError} from '../cli-error.js';
import {planDeploy} from '../actions/deploy/plan.js';
import {planLines, reportLines} from '../actions/deploy/format.js';
import {deployExitCode, executeDeploy, type DeployEvent} from '../actions/deploy/execute.js';
import {redactSecrets} from '../text/redact.js';
import {sanitizeLine} from '../text/sanitize.js';
import {printColoured, printErr, printJson} from '../text/sink.js';
import {parseTrust} from './status.js';

export interface DeployOptions {
	readonly profile: string;
	readonly host?: string;
	readonly dryRun?: boolean;
	readonly yes?: boolean;
	readonly json?: boolean;
	readonly trustHostKey?: readonly string[];
}

async function confirm(question: string): Promise<boolean> {
	const rl = createInterface({input: process.stdin, output: process.stderr});
	try {
		return /^y(es)?$/i.test((await rl.question(sanitizeLine(question))).trim());
	} finally {
		rl.close();
	}
}

export async function deployCommand(options: DeployOptions): Promise<number> {
	const profile = loadProfile(options.profile);
	const trust = parseTrust(options.trustHostKey);
	const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
	if (!options.dryRun && !options.yes && !interactive) {
		throw new CliError('deploy changes hosts: pass --yes to confirm when not at a terminal (or --dry-run to only see the plan)', 2);
	}
	const reexec = await runInStation(profile.stationNetns);
	if (reexec !== undefined) return reexec;

	// A short reconnect backoff: after a dropped connection deploy must read the host as soon as it answers.
	const transport = createClusterTransport(profile, {trust, backoffMaxMs: 2000});
	const err = printErr;
	try {
		const plan = await planDeploy(profile, transport, options.host ? {host: options.host} : {});
		if (!options.json) printColoured(planLines(plan));
		if (options.dryRun || !plan.changed) {
			if (options.json) printJson({dryRun: options.dryRun === true, changed: plan.changed, hosts: plan.hosts.map((h) => ({host: h.host, role: h.role, path: h.file.path, changed: h.file.changed, sha256: h.file.currentSha256, newSha256: h.file.desiredSha256, diff: h.file.diff, liveChanges: h.liveChanges ?? [], staleTemporaries: h.staleTemporaries ?? []}))});
			return 0;
		}
		if (!options.yes && !(await confirm(`Apply to ${plan.hosts.filter((h) => h.file.changed || (h.liveChanges?.length ?? 0) > 0 || (h.staleTemporaries?.length ?? 0) > 0).map((h) => h.host).join(', ')}? [y/N] `))) {
			err('deploy: cancelled; nothing was changed');
			return 2;
		}
		const onEvent = (e: DeployEvent) => err(`deploy: ${e.host}: ${e.step} ${e.status}: ${redactSecrets(sanitizeLine(e.message))}`);
		const report = await executeDeploy(profile, transport, plan, {onEvent});
		if (options.json) printJson(report);
		else printColoured(reportLines(report));
		return deployExitCode(report);
	} finally {
		await transport.close();
	}
}

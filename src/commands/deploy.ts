// `lvsdeck deploy --profile FILE [--host NAME] [--dry-run] [--yes] [--allow-removals] [--force-rewrite]
// [--json]`: show the plan (per director the change in keepalived terms, then a unified diff per host
// and file), then validate, back up, install, reload, verify, and roll back on failure. A file that
// differs only in layout is left alone unless --force-rewrite; a plan that would remove keywords only
// the installed config has needs --allow-removals (--yes alone does not do), or, at a terminal, a
// second yes. Exit 0 done (or nothing to do), 1 verification failed and was rolled back, 2 refused,
// error, or a host's state unknown. Passwords are masked in everything written (diffs, JSON, messages).
import {createInterface} from 'node:readline/promises';
import {CliError} from '../cli-error.js';
import {hostHasWork, planRemovals, removalSubject} from '../actions/deploy/plan.js';
import {planJson, planLines, reportLines} from '../actions/deploy/format.js';
import {deployExitCode, type DeployEvent} from '../actions/deploy/execute.js';
import {redactSecrets} from '../text/redact.js';
import {sanitizeLine} from '../text/sanitize.js';
import {printColoured, printErr, printJson} from '../text/sink.js';
import {withCluster} from './with-cluster.js';
import type {PreflightCheck} from '../actions/preflight.js';
import {DeployRefused, deploySession, type DeploySession} from '../actions/deploy/session.js';

export interface DeployOptions {
	readonly profile: string;
	readonly host?: string;
	readonly dryRun?: boolean;
	readonly yes?: boolean;
	readonly allowRemovals?: boolean;
	readonly forceRewrite?: boolean;
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

export function deployCommand(options: DeployOptions): Promise<number> {
	const prepare = () => {
		const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
		if (!options.dryRun && !options.yes && !interactive) {
			throw new CliError('deploy changes hosts: pass --yes to confirm when not at a terminal (or --dry-run to only see the plan)', 2);
		}
	};
	// A short reconnect backoff: after a dropped connection deploy must read the host as soon as it answers.
	return withCluster({...options, backoffMaxMs: 2000}, prepare, ({profile, transport}) =>
		runDeploy(deploySession(profile, transport, {...(options.host ? {host: options.host} : {}), forceRewrite: options.forceRewrite === true, preflight: DEPLOY_PREFLIGHT}), options),
	);
}

/** Checks of the hosts deploy will change, besides the session's own (sudo rights), before it reads or asks anything. */
const DEPLOY_PREFLIGHT: readonly PreflightCheck[] = [];

/** The command line as a sink of the deploy session: the plan, the questions, the events, the report. */
async function runDeploy(session: DeploySession, options: DeployOptions): Promise<number> {
	const err = printErr;
	let plan;
	try {
		plan = await session.plan();
	} catch (error) {
		if (!(error instanceof DeployRefused)) throw error;
		err(`deploy: ${error.message}; nothing was changed`);
		return 2;
	}
	if (!options.json) printColoured(planLines(plan));
	if (options.dryRun || !plan.changed) {
		if (options.json) printJson(planJson(plan, options.dryRun === true));
		return 0;
	}
	const removals = planRemovals(plan);
	const removing = removals.map((r) => `${r.host}: ${r.removals.map(removalSubject).join(', ')}`).join('; ');
	if (removals.length > 0 && !options.allowRemovals && options.yes) {
		throw new CliError(`deploy would remove keywords the profile does not have (${removing}); nothing was changed: pass --allow-removals to remove them`, 2);
	}
	if (!options.yes && !(await confirm(`Apply to ${plan.hosts.filter(hostHasWork).map((h) => h.host).join(', ')}? [y/N] `))) {
		err('deploy: cancelled; nothing was changed');
		return 2;
	}
	if (removals.length > 0 && !options.allowRemovals && !(await confirm(`This removes keywords only the installed config has (${removing}). Remove them? [y/N] `))) {
		err('deploy: cancelled; nothing was changed (nothing is removed without a second yes, or --allow-removals)');
		return 2;
	}
	const onEvent = (e: DeployEvent) => err(`deploy: ${e.host}: ${e.step} ${e.status}: ${redactSecrets(sanitizeLine(e.message))}`);
	// Removals were allowed above: by --allow-removals or the second yes (the plan has none otherwise).
	const report = await session.execute(plan, onEvent, true);
	if (options.json) printJson(report);
	else printColoured(reportLines(report));
	return deployExitCode(report);
}

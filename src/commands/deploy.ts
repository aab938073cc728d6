// `lvsdeck deploy --profile FILE [--host NAME] [--dry-run] [--yes] [--json]`: show the plan (a unified
// diff per host and file), then validate, back up, install, reload, verify, and roll back on failure.
// Exit 0 done (or nothing to do), 1 verification failed and was rolled back, 2 refused or error.
import {createInterface} from 'node:readline/promises';
import {loadProfile} from '../profile/load.js';
import {createClusterTransport} from '../transport/cluster-transport.js';
import {runInStation} from '../station.js';
import {CliError} from '../cli-error.js';
import {planDeploy} from '../actions/deploy/plan.js';
import {planLines} from '../actions/deploy/format.js';
import {executeDeploy, type DeployEvent} from '../actions/deploy/execute.js';
import {sanitizeLine} from '../text/sanitize.js';
import {printColoured, printErr, printJson, printOut} from '../text/sink.js';
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

	const transport = createClusterTransport(profile, {trust});
	const err = printErr;
	try {
		const plan = await planDeploy(profile, transport, options.host ? {host: options.host} : {});
		if (!options.json) printColoured(planLines(plan));
		if (options.dryRun || !plan.changed) {
			if (options.json) printJson({dryRun: options.dryRun === true, changed: plan.changed, hosts: plan.hosts.map((h) => ({host: h.host, role: h.role, path: h.file.path, changed: h.file.changed, diff: h.file.diff, liveChanges: h.liveChanges ?? []}))});
			return 0;
		}
		if (!options.yes && !(await confirm(`Apply to ${plan.hosts.filter((h) => h.file.changed || (h.liveChanges?.length ?? 0) > 0).map((h) => h.host).join(', ')}? [y/N] `))) {
			err('deploy: cancelled; nothing was changed');
			return 2;
		}
		const onEvent = (e: DeployEvent) => err(`deploy: ${e.host}: ${e.step} ${e.status}: ${sanitizeLine(e.message)}`);
		const report = await executeDeploy(profile, transport, plan, {onEvent});
		if (options.json) printJson(report);
		else for (const h of report.hosts) printOut(`${h.host.padEnd(12)} ${h.outcome.padEnd(12)} ${sanitizeLine(h.message)}`);
		if (report.ok) return 0;
		return report.hosts.some((h) => h.outcome === 'rolled-back') ? 1 : 2;
	} finally {
		await transport.close();
	}
}

// `lvsdeck drill failover|hard-failover|rs-health|drain --profile FILE [...]` (scripted: no terminal needed, progress on
// stderr, JSON and JUnit reports) and `lvsdeck drill --recover --profile FILE`. Exit 0 pass, 1 an
// expectation failed, 2 error or refused by the preflight.
import type {Profile} from '../profile/model.js';
import type {Transport} from '../transport/types.js';
import {CliError} from '../cli-error.js';
import {DrillRefused, type FailoverKind} from '../actions/drills/failover.js';
import {openJournals, restoreAndClose} from '../actions/drills/journal.js';
import {DRILL_KINDS, type DrillSpec} from '../actions/drills/run.js';
import {INTERRUPTED, runDrillSession, type DrillRunner, type DrillSessionResult} from '../actions/drills/session.js';
import {toJUnit} from '../actions/drills/report.js';
import {formatDrill} from '../actions/drills/format.js';
import type {HardMethod} from '../actions/drills/faults.js';
import {sanitizeLine} from '../text/sanitize.js';
import {printErr, printOut, writeJsonFile, writeTextFile} from '../text/sink.js';
import path from 'node:path';
import {withCluster} from './with-cluster.js';
import {checkPlanAgainstProfile, loadDrillPlan} from '../actions/drills/plan-file.js';
import {planExitCode, runDrillPlan, type PlanReport} from '../actions/drills/plan-run.js';
import {abortOnSignals} from './signals.js';
import {wholeOption} from './numbers.js';
import {checkClientHost, pickVirtualService, TrafficTargetError} from '../actions/traffic.js';
import {DRILL_TIMEOUT_RANGE, type DrillTrafficChoice} from '../actions/drills/common.js';
import {trafficChoiceProblem} from '../actions/drills/traffic-choice.js';

export {DRILL_KINDS} from '../actions/drills/run.js';

export interface DrillOptions {
	/** Required unless --plan names a profile (--profile wins). */
	readonly profile?: string;
	/** A YAML drill plan: its drills in order (plan-file.ts). */
	readonly plan?: string;
	readonly instance?: string;
	readonly rs?: string;
	readonly service?: string;
	readonly json?: string;
	readonly junit?: string;
	readonly maxFailoverMs?: string;
	readonly maxFailedRequests?: string;
	readonly rate?: string;
	readonly from?: string;
	readonly method?: string;
	/** The drill's traffic: http, tcp or udp (default: by the service, as watch). */
	readonly mode?: string;
	readonly send?: string;
	readonly timeoutMs?: string;
	readonly recover?: boolean;
	readonly trustHostKey?: readonly string[];
}

export interface DrillSettings {
	readonly thresholds: {maxFailoverMs?: number; maxFailedRequests?: number};
	readonly rate: number | undefined;
	/** --mode, --send and --timeout-ms, checked (against the drilled service too). */
	readonly traffic?: DrillTrafficChoice;
}

/** --mode, --send, --timeout-ms as a traffic choice (undefined: none given). */
function trafficOption(options: DrillOptions): DrillTrafficChoice | undefined {
	const timeoutMs = wholeOption('--timeout-ms', options.timeoutMs, DRILL_TIMEOUT_RANGE.min, DRILL_TIMEOUT_RANGE.max);
	const t = {...(options.mode !== undefined ? {mode: options.mode} : {}), ...(options.send !== undefined ? {send: options.send} : {}), ...(timeoutMs !== undefined ? {timeoutMs} : {})};
	return Object.keys(t).length > 0 ? t : undefined;
}

/** The drill's options checked against the profile, before anything runs. */
function checkDrillOptions(profile: Profile, kind: string | undefined, options: DrillOptions): DrillSettings {
	if (!options.recover && !DRILL_KINDS.includes(kind as FailoverKind)) {
		throw new CliError(`drill: expected one of ${DRILL_KINDS.join(', ')} (or --recover), got ${kind ?? 'nothing'}`, 2);
	}
	const thresholds = {
		...(options.maxFailoverMs !== undefined ? {maxFailoverMs: wholeOption('--max-failover-ms', options.maxFailoverMs, 0, 3_600_000)!} : {}),
		...(options.maxFailedRequests !== undefined ? {maxFailedRequests: wholeOption('--max-failed-requests', options.maxFailedRequests, 0, 10_000_000)!} : {}),
	};
	const rate = wholeOption('--rate', options.rate, 1, 2000);
	if (options.method !== undefined && !(kind === 'hard-failover' && (options.method === 'freeze' || options.method === 'cut'))) {
		throw new CliError(`--method ${options.method}: only for hard-failover, and one of freeze, cut`, 2);
	}
	try {
		if (options.from) checkClientHost(profile, options.from);
		if (options.service !== undefined) pickVirtualService(profile, options.service);
	} catch (error) {
		if (error instanceof TrafficTargetError) throw new CliError(error.message, 2);
		throw error;
	}
	const traffic = trafficOption(options);
	if (traffic && !options.recover) {
		const problem = trafficChoiceProblem(profile, cliDrillSpec(kind, options, thresholds, traffic));
		if (problem) throw new CliError(problem.message, 2);
	}
	return {thresholds, rate, ...(traffic ? {traffic} : {})};
}

const err = (s: string) => printErr(`drill: ${sanitizeLine(s)}`);

export function drillCommand(kind: string | undefined, options: DrillOptions): Promise<number> {
	if (options.plan !== undefined) return drillPlanCommand(kind, options.plan, options);
	if (options.profile === undefined) throw new CliError('drill: --profile is required (or --plan FILE)', 2);
	// A short reconnect backoff: after a dropped connection the restore must run as soon as the host answers.
	return withCluster({...options, profile: options.profile, backoffMaxMs: 2000}, (profile) => checkDrillOptions(profile, kind, options), async ({profile, transport}, settings) => {
		try {
			return options.recover ? await recover(profile, transport) : await runOneDrill(profile, transport, kind, options, settings);
		} catch (error) {
			if (error instanceof DrillRefused) throw new CliError(`drill refused: ${error.message}`, 2);
			throw error;
		}
	});
}

/** `--recover`: restore what interrupted drills of this profile left changed. */
async function recover(profile: Profile, transport: Transport): Promise<number> {
	const journals = openJournals(profile.file);
	if (journals.length === 0) {
		err('nothing to recover: no interrupted drill for this profile');
		return 0;
	}
	let ok = true;
	for (const j of journals) {
		err(`recovering ${j.drill} drill started ${j.startedAt}`);
		ok &&= await restoreAndClose(transport, j.restore, j.id, err);
	}
	return ok ? 0 : 2;
}

/** The drill the command line asks for, as the engine takes it. */
function cliDrillSpec(kind: string | undefined, options: DrillOptions, thresholds: DrillSettings['thresholds'], traffic?: DrillTrafficChoice): DrillSpec {
	const service = {...(options.service !== undefined ? {service: options.service} : {}), ...(traffic ? {traffic} : {})};
	if (kind === 'rs-health' || kind === 'drain') return {kind, ...(options.rs ? {rs: options.rs} : {}), ...service, thresholds};
	return {kind: kind as FailoverKind, ...(options.instance ? {instance: options.instance} : {}), ...(options.method ? {method: options.method as HardMethod} : {}), ...service, thresholds};
}

/** One drill: the session, with Ctrl-C as its abort, printed and written as the options ask. `run` is for tests. */
export async function runOneDrill(profile: Profile, transport: Transport, kind: string | undefined, options: DrillOptions, {thresholds, rate, traffic}: DrillSettings, run?: DrillRunner): Promise<number> {
	// Ctrl-C: stop the fault early; the drill restores what it changed before it returns.
	const interrupt = abortOnSignals(() => err('interrupted: restoring what the drill changed…'));
	let session: DrillSessionResult;
	try {
		const common = {...(rate ? {rate} : {}), ...(options.from ? {from: options.from} : {}), signal: interrupt.signal, onProgress: err};
		session = await runDrillSession(profile, transport, cliDrillSpec(kind, options, thresholds, traffic), common, INTERRUPTED, run);
	} finally {
		interrupt.release();
	}
	const {report, aborted, text} = session;
	printOut(text);
	if (options.json) writeJsonFile(options.json, report);
	if (options.junit) writeTextFile(options.junit, toJUnit([report]));
	if (aborted) return 130;
	return report.verdict === 'pass' ? 0 : 1;
}

/** Options that belong to one drill and so have no meaning with --plan (the plan sets them per drill). */
const PER_DRILL_OPTIONS = [
	['instance', '--instance'],
	['rs', '--rs'],
	['service', '--service'],
	['method', '--method'],
	['mode', '--mode'],
	['send', '--send'],
	['timeoutMs', '--timeout-ms'],
	['maxFailoverMs', '--max-failover-ms'],
	['maxFailedRequests', '--max-failed-requests'],
	['recover', '--recover'],
] as const;

/** `lvsdeck drill --plan FILE [--json FILE] [--junit FILE]`: the plan's drills in order, one report. */
function drillPlanCommand(kind: string | undefined, planFile: string, options: DrillOptions): Promise<number> {
	if (kind !== undefined) throw new CliError(`drill --plan: the plan names the drills; remove "${kind}"`, 2);
	for (const [key, flag] of PER_DRILL_OPTIONS) if (options[key] !== undefined) throw new CliError(`drill --plan: ${flag} is set per drill in the plan`, 2);
	const plan = loadDrillPlan(planFile);
	const profileFile = options.profile ?? plan.profile;
	if (profileFile === undefined) throw new CliError(`drill --plan: ${planFile} names no profile; pass --profile`, 2);
	const prepare = (profile: Profile) => {
		checkPlanAgainstProfile(plan, profile);
		return checkDrillOptions(profile, plan.drills[0]!.kind, options);
	};
	return withCluster({...options, profile: profileFile, backoffMaxMs: 2000}, prepare, async ({profile, transport}, {rate}) => {
		const interrupt = abortOnSignals(() => err('interrupted: restoring what the drill changed…'));
		let report: PlanReport;
		try {
			const common = {...(rate ? {rate} : {}), ...(options.from ? {from: options.from} : {}), signal: interrupt.signal, onProgress: err};
			report = await runDrillPlan(profile, transport, plan, common, (r) => printOut(formatDrill(r)));
		} finally {
			interrupt.release();
		}
		if (report.error) err(report.error);
		if (report.skipped.length > 0) err(`not run: ${report.skipped.join(', ')}`);
		printOut(`drill plan ${planFile}: ${report.verdict.toUpperCase()} (${report.drills.filter((r) => r.verdict === 'pass').length} of ${report.drills.length + report.skipped.length} drills passed)`);
		if (options.json) writeJsonFile(options.json, report);
		if (options.junit) writeTextFile(options.junit, toJUnit(report.drills, `lvsdeck drill plan ${path.basename(planFile)}`));
		return planExitCode(report);
	});
}

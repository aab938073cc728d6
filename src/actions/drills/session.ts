// A drill as a session, the same for every caller (the `drill` command, drill plans, the console):
// run the spec through the engine, apply the one verdict policy for an abort (an aborted drill fails,
// with the caller's reason first, after everything was restored), and give the report and its text.
// Callers are sinks: they show the progress, ask the confirmation, and print or draw the result.
import {sudoRightsCheck} from '../sudoers/preflight.js';
import type {RuleUse} from '../sudoers/rules.js';
import type {Profile} from '../../profile/model.js';
import type {Transport} from '../../transport/types.js';
import type {DrillCommonOptions} from './common.js';
import type {DrillReport} from './drill-report.js';
import {formatDrill} from './format.js';
import {runDrill, type DrillSpec} from './run.js';

export interface DrillSessionResult {
	readonly report: DrillReport;
	/** The caller's signal fired: the drill stopped early and restored what it changed. */
	readonly aborted: boolean;
	/** The report as text (what the CLI prints and the console shows). */
	readonly text: string;
}

export type DrillRunner = typeof runDrill;

/** The abort reason of the CLI (Ctrl-C or a kill). */
export const INTERRUPTED = 'interrupted (Ctrl-C); everything was restored';
/** The abort reason of the console (its abort key, or the console closing). */
export const ABORTED_FROM_CONSOLE = 'aborted from the console; everything was restored';

/** A drill session over one cluster: what the console holds instead of a transport. */
export type DrillSessions = (spec: DrillSpec, common: DrillCommonOptions, abortReason: string) => Promise<DrillSessionResult>;

/** Drill sessions over `transport` (`run` is for tests). */
export function drillSessions(profile: Profile, transport: Transport, run: DrillRunner = runDrill): DrillSessions {
	return (spec, common, abortReason) => runDrillSession(profile, transport, spec, common, abortReason, run);
}

/** What a drill runs as root, in the sudoers rules' terms. */
function sudoUsesOf(spec: DrillSpec): RuleUse[] {
	if (spec.kind === 'hard-failover') return [spec.method === 'cut' ? 'hard-cut' : 'hard-freeze'];
	return [spec.kind];
}

/** Runs one drill; `abortReason` is the first reason of an aborted drill ("interrupted (Ctrl-C)..."). */
export async function runDrillSession(profile: Profile, transport: Transport, spec: DrillSpec, common: DrillCommonOptions, abortReason: string, run: DrillRunner = runDrill): Promise<DrillSessionResult> {
	// Every drill, from the CLI, a plan or the console, first asks sudo for the rights its fault needs.
	const withSudo = {...common, preflight: [...(common.preflight ?? []), sudoRightsCheck(sudoUsesOf(spec))]};
	let report = await run(profile, transport, spec, withSudo);
	const aborted = common.signal?.aborted === true;
	if (aborted) report = {...report, verdict: 'fail', reasons: [abortReason, ...report.reasons]};
	return {report, aborted, text: formatDrill(report)};
}

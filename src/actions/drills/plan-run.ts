// Runs a drill plan: its drills in order through runDrill, each restored before the next starts.
// A failed drill stops the plan unless it says on_failure: continue; a refused drill (the cluster is
// not fit to drill: nothing was changed) and an interrupt always stop it.
import type {Profile} from '../../profile/model.js';
import type {Transport} from '../../transport/types.js';
import {DrillRefused, type DrillCommonOptions} from './common.js';
import type {DrillReport} from './drill-report.js';
import type {DrillPlan} from './plan-file.js';
import {describeSpec, runDrill} from './run.js';
import {INTERRUPTED, runDrillSession} from './session.js';

export interface PlanReport {
	readonly plan: string;
	readonly profile: string;
	/** pass: every drill passed; fail: one failed; error: one was refused (or the run was interrupted). */
	readonly verdict: 'pass' | 'fail' | 'error';
	readonly onFailure: 'continue' | 'stop';
	readonly drills: readonly DrillReport[];
	/** Drills of the plan not run (after a stop, a refusal or an interrupt). */
	readonly skipped: readonly string[];
	readonly error: string | null;
	readonly interrupted: boolean;
}

/** Exit code of a plan run: 0 all passed, 1 a drill failed, 2 an error, 130 interrupted. */
export function planExitCode(r: PlanReport): number {
	if (r.interrupted) return 130;
	return r.verdict === 'pass' ? 0 : r.verdict === 'fail' ? 1 : 2;
}

/** `run` is the drill runner (tests pass a scripted one). */
export async function runDrillPlan(profile: Profile, transport: Transport, plan: DrillPlan, common: DrillCommonOptions, onReport: (r: DrillReport) => void = () => {}, run = runDrill): Promise<PlanReport> {
	const reports: DrillReport[] = [];
	let error: string | null = null;
	let next = 0;
	for (; next < plan.drills.length; next++) {
		const spec = plan.drills[next]!;
		if (common.signal?.aborted) break;
		common.onProgress?.(`plan: drill ${next + 1} of ${plan.drills.length}: ${describeSpec(spec)}`);
		try {
			const {report} = await runDrillSession(profile, transport, spec, common, INTERRUPTED, run);
			reports.push(report);
			onReport(report);
			if (report.verdict === 'fail' && plan.onFailure === 'stop') {
				next++;
				break;
			}
		} catch (e) {
			if (!(e instanceof DrillRefused)) throw e;
			error = `drill ${next + 1} (${describeSpec(spec)}) refused: ${e.message}`;
			next++;
			break;
		}
	}
	const interrupted = common.signal?.aborted === true;
	const verdict = error !== null || interrupted ? 'error' : reports.some((r) => r.verdict === 'fail') ? 'fail' : 'pass';
	return {plan: plan.file, profile: profile.name, verdict, onFailure: plan.onFailure, drills: reports, skipped: plan.drills.slice(next).map(describeSpec), error, interrupted};
}

// Pieces every drill shares: waiting for a condition, the timeline, and the clean-traffic preflight.
import {RoundRobinWatcher} from '../watcher.js';

/** A drill that must not run; the reason says why (exit 2). */
export class DrillRefused extends Error {}

/** Polls `check` every `stepMs` until it holds (true), the time is up or the drill is aborted (false). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, signal?: AbortSignal, stepMs = 20): Promise<boolean> {
	const end = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > end || signal?.aborted) return false;
		await new Promise((r) => setTimeout(r, stepMs));
	}
	return true;
}

/** The drill's timeline: each event with its time, also sent to the progress output. */
export function timelineRecorder(progress: (line: string) => void) {
	const events: Array<{at: number; event: string}> = [];
	return {
		events,
		mark(event: string, at = Date.now()): void {
			events.push({at, event});
			progress(event);
		},
		/** Events as the report has them: ms since `zero` (the fault), ISO time, text. */
		report(zero: number) {
			return events.map((e) => ({t: e.at - zero, at: new Date(e.at).toISOString(), event: e.event}));
		},
	};
}

/** Preflight: 1.5 s of traffic through the VIP must all succeed. Returns the baseline watcher. */
export async function cleanBaseline(url: string): Promise<RoundRobinWatcher> {
	const baseline = new RoundRobinWatcher({url, rate: 20, timeoutMs: 1000});
	baseline.start();
	await new Promise((r) => setTimeout(r, 1500));
	const base = await baseline.stop();
	if (base.failed + base.timeouts > 0 || base.ok === 0) {
		throw new DrillRefused(`preflight: the VIP is not clean before the drill (${base.ok} ok, ${base.failed + base.timeouts} failed of ${base.total})`);
	}
	return baseline;
}

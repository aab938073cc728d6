// The last result of each drill kind per cluster, kept in the state dir next to the journals
// (`<state dir>/last/<profile>.<kind>.json`), so the exporter can report it after the drill is gone.
// Only the figures the exporter serves are kept: never a timeline, never a command line.
import {readFileSync, readdirSync} from 'node:fs';
import path from 'node:path';
import type {DrillResult} from '../../cluster/metrics.js';
import type {DrillReport} from './drill-report.js';
import {journalDir} from './journal.js';
import {writeStateFile} from '../../text/state-dir.js';

/** Where the last results live (a folder inside the journals' one: its name has no `.json`). */
export function lastResultsDir(): string {
	return path.join(journalDir(), 'last');
}

/** A file name safe for any profile name: anything but letters, digits, dot, dash and underscore is encoded. */
function fileName(profile: string, drill: string, method: string): string {
	const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
	return `${safe(profile)}.${safe(method ? `${drill}-${method}` : drill)}.json`;
}

export function drillResultOf(report: DrillReport): DrillResult {
	const method = 'method' in report && typeof report.method === 'string' ? report.method : '';
	return {
		drill: report.drill,
		method,
		verdict: report.verdict,
		failoverMs: report.failoverMs,
		expectedBoundMs: report.expectedBoundMs,
		endedAt: Date.parse(report.endedAt),
	};
}

/** Keep a finished drill's result as the last of its kind for its profile (a write failure is not the drill's). */
export function recordLastResult(report: DrillReport): void {
	const result = {profile: report.profile, ...drillResultOf(report)};
	try {
		writeStateFile(path.join(lastResultsDir(), fileName(report.profile, result.drill, result.method)), result);
	} catch {
		// The report itself was printed or written already; the exporter then shows the previous result.
	}
}

function isDrillResult(v: unknown): v is DrillResult & {profile: string} {
	const r = v as Record<string, unknown>;
	return (
		typeof v === 'object' && v !== null &&
		typeof r['profile'] === 'string' && typeof r['drill'] === 'string' && typeof r['method'] === 'string' &&
		(r['verdict'] === 'pass' || r['verdict'] === 'fail') &&
		(r['failoverMs'] === null || typeof r['failoverMs'] === 'number') &&
		typeof r['expectedBoundMs'] === 'number' && typeof r['endedAt'] === 'number'
	);
}

/** The last result of each drill kind run on `profile` (unreadable or foreign files are skipped). */
export function readLastResults(profile: string): DrillResult[] {
	let names: string[];
	try {
		names = readdirSync(lastResultsDir()).filter((n) => n.endsWith('.json'));
	} catch {
		return [];
	}
	const results: DrillResult[] = [];
	for (const name of names.sort()) {
		try {
			const v: unknown = JSON.parse(readFileSync(path.join(lastResultsDir(), name), 'utf8'));
			if (isDrillResult(v) && v.profile === profile) {
				const {profile: _profile, ...result} = v;
				results.push(result);
			}
		} catch {
			// a file half written by hand or another version: not a result
		}
	}
	return results;
}

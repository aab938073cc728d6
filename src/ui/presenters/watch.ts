// The round-robin watcher as lines for any screen: totals, each backend's share against the share its
// weight predicts, and a timeline where a gap (failures, or no answers at all) stands out.
import type {BucketCounts, TallySnapshot} from '../../actions/watch-tally.js';
import {fit, humanCount} from '../format.js';
import {sanitizeLine} from '../../text/sanitize.js';
import type {Tone} from './types.js';
import {byCodeUnits} from '../../text/order.js';

export interface ToneRun {
	readonly text: string;
	readonly tone: Tone;
}

/** A line in runs of one tone each (a timeline colours each mark). */
export type WatchLine = readonly ToneRun[];

const line = (text: string, tone: Tone = 'normal'): WatchLine => [{text, tone}];

/** One mark per bucket: all answered █, some failed ▒, all failed ×, nothing finished ·. */
export function timelineRuns(buckets: readonly BucketCounts[], width: number): ToneRun[] {
	const marks = buckets.slice(-width).map((b): ToneRun => {
		if (b.ok === 0 && b.bad === 0) return {text: '·', tone: 'dim'};
		if (b.bad === 0) return {text: '█', tone: 'ok'};
		return b.ok > 0 ? {text: '▒', tone: 'warn'} : {text: '×', tone: 'bad'};
	});
	const runs: ToneRun[] = [];
	for (const m of marks) {
		const last = runs.at(-1);
		if (last && last.tone === m.tone) runs[runs.length - 1] = {text: last.text + m.text, tone: m.tone};
		else runs.push(m);
	}
	return runs;
}

const ms = (v: number | null) => (v === null ? '-' : `${v} ms`);
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

export interface WatchHeader {
	readonly url: string;
	readonly from: string;
	readonly rate: number;
	/** The service's persistence_timeout: each client sticks to one real server, so shares are per client. */
	readonly persistenceS?: number;
}

/**
 * Lines for a snapshot. `weights` maps backend names (as the responses give them) to their weight in
 * IPVS; backends the weights don't know get no expected share.
 */
export function watchLines(s: TallySnapshot, weights: Readonly<Record<string, number>>, header: WatchHeader, width: number, timelineRows = 1): WatchLine[] {
	const lines: WatchLine[] = [];
	lines.push(line(fit(sanitizeLine(`${header.url} from ${header.from} · target ${header.rate} req/s · ${Math.round(s.elapsedMs / 1000)} s`), width), 'head'));
	const bad = s.failed + s.timeouts;
	lines.push(
		line(
			fit(`requests ${humanCount(s.total)}  ok ${humanCount(s.ok)}  failed ${s.failed}  timeouts ${s.timeouts}  p50 ${ms(s.latencyP50Ms)}  p99 ${ms(s.latencyP99Ms)}  ${s.recentRps} req/s`, width),
			bad > 0 ? 'warn' : 'normal',
		),
	);
	const gap = s.openGapMs > 0 ? `NO ANSWERS for ${(s.openGapMs / 1000).toFixed(1)} s` : `longest gap ${s.longestGapMs} ms`;
	lines.push(line(fit(`${gap}${s.lastError ? `  · last error: ${sanitizeLine(s.lastError)}` : ''}`, width), s.openGapMs > 0 ? 'bad' : s.longestGapMs > 0 ? 'warn' : 'dim'));
	if (header.persistenceS !== undefined) lines.push(line(fit(`persistence_timeout ${header.persistenceS} s: shares are per client (a client stays on one real server), not flagged`, width), 'dim'));
	const names = [...new Set([...Object.keys(weights), ...s.perBackend.keys()])].sort();
	const weightTotal = Object.values(weights).reduce((a, b) => a + b, 0);
	const barWidth = Math.max(0, width - 44);
	lines.push(line(fit(`${'BACKEND'.padEnd(16)} ${'ANSWERS'.padStart(8)} ${'SHARE'.padStart(7)} ${'WEIGHT'.padStart(7)}`, width), 'head'));
	for (const name of names) {
		const count = s.perBackend.get(name) ?? 0;
		const share = s.ok === 0 ? 0 : count / s.ok;
		const weight = weights[name];
		const expected = weight === undefined || weightTotal === 0 ? undefined : weight / weightTotal;
		// A share more than 10 points (and 20 answers) away from what the weights predict is worth a look.
		const off = header.persistenceS === undefined && expected !== undefined && s.ok >= 20 && Math.abs(share - expected) > 0.1;
		const bar = '■'.repeat(Math.round(share * barWidth));
		lines.push(
			line(
				fit(`${fit(sanitizeLine(name), 16)} ${String(count).padStart(8)} ${pct(share).padStart(7)} ${(expected === undefined ? '-' : pct(expected)).padStart(7)}  ${bar}`, width),
				off ? 'warn' : expected === undefined && count > 0 ? 'dim' : 'normal',
			),
		);
	}
	const label = `timeline (${s.bucketMs / 1000} s a mark) `;
	const perRow = Math.max(1, width - label.length);
	const shown = s.buckets.slice(-perRow * timelineRows);
	for (let row = 0; row * perRow < Math.max(1, shown.length); row++) {
		const runs = timelineRuns(shown.slice(row * perRow, (row + 1) * perRow), perRow);
		lines.push([{text: row === 0 ? label : ' '.repeat(label.length), tone: 'dim'}, ...runs]);
	}
	return lines;
}

/** One plain line for logs and non-terminal output. */
export function watchProgressLine(s: TallySnapshot): string {
	const per = [...s.perBackend].sort(([a], [b]) => byCodeUnits(a, b)).map(([k, v]) => `${sanitizeLine(k)}=${v}`).join(' ');
	return `${Math.round(s.elapsedMs / 1000)}s: ${s.total} requests (${s.recentRps} req/s), ok ${s.ok}, failed ${s.failed}, timeouts ${s.timeouts}, p50 ${ms(s.latencyP50Ms)}, p99 ${ms(s.latencyP99Ms)}, longest gap ${s.longestGapMs} ms; ${per || 'no answers yet'}`;
}

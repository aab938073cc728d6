// keepalived's own events for the console: the log view of one director (key `l`: its recent lines,
// the notable ones by default, each kind in its tone) and the VRRP view's timeline per instance (the
// state each director held over the last minutes, from the transitions, and the latest changes).
import type {Profile} from '../../profile/model.js';
import type {ClusterState, ReceivedLogLine} from '../../cluster/types.js';
import type {VrrpTransition} from '../../cluster/transitions.js';
import type {LogLineKind} from '../../probes/keepalived-log.js';
import {sanitizeLine} from '../../text/sanitize.js';
import type {Row, TableModel, Tone} from './types.js';
import type {WatchLine} from './watch.js';

const s = sanitizeLine;

/** How each kind of line stands out; `other` lines show only when the operator filters for them. */
const KIND_TONE: Record<LogLineKind, Tone> = {
	transition: 'head',
	'lower-priority': 'warn',
	'higher-priority': 'normal',
	'priority-zero': 'normal',
	'auth-error': 'bad',
	'script-failure': 'bad',
	'checker-up': 'ok',
	'checker-down': 'bad',
	stopped: 'warn',
	other: 'dim',
};

const KIND_LABEL: Record<LogLineKind, string> = {
	transition: 'transition',
	'lower-priority': 'lower prio',
	'higher-priority': 'higher prio',
	'priority-zero': 'prio 0',
	'auth-error': 'AUTH ERROR',
	'script-failure': 'SCRIPT FAIL',
	'checker-up': 'checker up',
	'checker-down': 'checker DOWN',
	stopped: 'stopped',
	other: '',
};

export function directorsOf(profile: Profile): string[] {
	return profile.hosts.filter((h) => h.role === 'director').map((h) => h.name);
}

/** The director the log view shows: the index wraps around the profile's directors. */
export function logViewDirector(profile: Profile, index: number): string | undefined {
	const all = directorsOf(profile);
	return all.length === 0 ? undefined : all[((index % all.length) + all.length) % all.length];
}

function lineTime(l: ReceivedLogLine): string {
	return s(l.stamp ?? new Date(l.receivedAt).toTimeString().slice(0, 8));
}

/**
 * One director's keepalived lines, newest first. Without a filter only the notable kinds show (the
 * gratuitous ARPs and checker successes would bury them); with one, every line can match.
 */
export function keepalivedLogTable(state: ClusterState, director: string, options: {all?: boolean} = {}): TableModel {
	const lines = state.keepalivedLog?.[director] ?? [];
	const shown = options.all ? lines : lines.filter((l) => l.kind !== 'other');
	const rows: Row[] = shown
		.map((l, i) => ({key: `klog|${director}|${i}`, cells: [lineTime(l), KIND_LABEL[l.kind], s(l.message)], tone: KIND_TONE[l.kind]}))
		.reverse();
	if (rows.length === 0) {
		const why = lines.length === 0 ? `no keepalived log lines from ${director} yet (the log channel reads the profile's keepalived.log)` : `no notable lines among ${lines.length} (/ to filter all of them)`;
		rows.push({key: `klog|${director}|none`, cells: ['', '', s(why)], tone: 'dim'});
	}
	return {columns: [{title: 'TIME', width: 24}, {title: 'KIND', width: 12}, {title: `${s(director)}: KEEPALIVED LOG (newest first; l next director, Esc close)`, width: 0}], rows};
}

/** One letter per state in the timeline; `·` where the state is not known. */
const STATE_MARK: Record<string, string> = {MASTER: 'M', BACKUP: 'B', FAULT: 'F', STOP: 'S', INIT: 'I'};
const MARK_TONE: Record<string, Tone> = {M: 'ok', B: 'normal', F: 'bad', S: 'warn', I: 'dim', '·': 'dim'};

/**
 * The state one director held at the end of each of `buckets` equal slices of [from, to]: the state of
 * the last transition before that moment (the one before the window counts too).
 */
export function timelineMarks(transitions: readonly VrrpTransition[], from: number, to: number, buckets: number): string {
	const sorted = [...transitions].sort((a, b) => a.at - b.at);
	let held: string | undefined;
	let next = 0;
	let out = '';
	for (let b = 1; b <= buckets; b++) {
		const end = from + ((to - from) * b) / buckets;
		while (next < sorted.length && sorted[next]!.at <= end) held = sorted[next++]!.to;
		out += held === undefined ? '·' : (STATE_MARK[held] ?? '?');
	}
	return out;
}

/** Marks in runs of one tone each. */
function markRuns(marks: string): WatchLine {
	const runs: Array<{text: string; tone: Tone}> = [];
	for (const m of marks) {
		const tone = MARK_TONE[m] ?? 'normal';
		const last = runs.at(-1);
		if (last && last.tone === tone) last.text += m;
		else runs.push({text: m, tone});
	}
	return runs;
}

const clock = (at: number) => new Date(at).toTimeString().slice(0, 8);

/**
 * Per instance of the profile: a header, one timeline line per member director over the last
 * `minutes`, and the latest changes. At most `maxLines` lines in all (the newest changes go first).
 */
export function vrrpTimelines(state: ClusterState, profile: Profile, now: number, options: {width: number; minutes?: number; maxLines?: number}): WatchLine[] {
	const minutes = options.minutes ?? 30;
	const from = now - minutes * 60_000;
	const all = state.transitions ?? [];
	const nameWidth = Math.max(4, ...directorsOf(profile).map((d) => d.length));
	// Room for the name and " FAULT since 07:46:17" after the marks.
	const buckets = Math.max(10, Math.min(120, options.width - nameWidth - 24));
	const out: WatchLine[] = [];
	for (const inst of profile.instances) {
		const mine = all.filter((t) => t.instance === inst.name);
		out.push([{text: `${s(inst.name)} timeline, last ${minutes} min (M master, B backup, F fault, S stopped, · not known)`, tone: 'head'}]);
		for (const m of inst.members) {
			const theirs = mine.filter((t) => t.director === m.director);
			const last = theirs.at(-1);
			const since = last ? ` ${last.to} since ${clock(last.at)}` : ' no transition seen';
			out.push([{text: `${s(m.director).padEnd(nameWidth)} `, tone: 'normal'}, ...markRuns(timelineMarks(theirs, from, now, buckets)), {text: since, tone: 'dim'}]);
		}
		const latest = mine.slice(-3).reverse();
		if (latest.length > 0) out.push([{text: `  latest: ${latest.map((t) => `${clock(t.at)} ${s(t.director)} ${t.from ?? '?'}→${t.to} (${t.source})`).join(' · ')}`, tone: 'dim'}]);
	}
	return out.slice(0, options.maxLines ?? out.length);
}

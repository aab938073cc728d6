// The deploy plan and report as text: per host what changes, the unified diffs (passwords masked),
// the order; then per host the outcome and what it holds now. The diff shows the installed file, which
// is remote text: every diff line is sanitized on its own (a line separator in the file must not start
// a line of the diff that is not there), and again by whatever prints it.
import {sanitizeLine} from '../../text/sanitize.js';
import {redactSecrets} from '../../text/redact.js';
import type {Colour} from '../../text/sink.js';
import {formatDifference} from '../../keepalived-conf/index.js';
import {differenceEntry} from '../../cluster/drift.js';
import {removalSubject, writesFile, type DeployPlan, type HostPlan} from './plan.js';
import type {DeployReport} from './report.js';

export interface PlanLine {
	readonly text: string;
	/** Diff lines: added green, removed red, hunk headers cyan (at a terminal). */
	readonly colour?: Colour;
}

function diffColour(line: string): Colour | undefined {
	if (line.startsWith('+') && !line.startsWith('+++')) return 'green';
	if (line.startsWith('-') && !line.startsWith('---')) return 'red';
	if (line.startsWith('@@')) return 'cyan';
	return undefined;
}

/** A unified diff's lines without its first (Index) line, passwords masked, each line sanitized. */
function diffLines(diff: string): PlanLine[] {
	return redactSecrets(diff)
		.trimEnd()
		.split('\n')
		.slice(1)
		.map(sanitizeLine)
		.map((text) => {
			const colour = diffColour(text);
			return colour ? {text, colour} : {text};
		});
}

/** What happens to the host's file, for its heading line. */
function fileVerdict(h: HostPlan): string {
	const {file} = h;
	if (!file.changed) return `${file.path} unchanged`;
	if (file.current === null) return `${file.path} will be created`;
	if (h.layoutOnly === 'skip') return `${file.path}: no semantic change (layout only); left as it is (--force-rewrite rewrites it)`;
	if (h.layoutOnly === 'rewrite') return `${file.path}: no semantic change (layout only); rewritten (--force-rewrite)`;
	return `${file.path} changes`;
}

/** The change in keepalived terms, before the text diff: what differs, then what would be removed. */
function semanticLines(h: HostPlan): PlanLine[] {
	const semantic = h.semantic;
	if (!semantic || h.layoutOnly) return [];
	if ('error' in semantic) return [{text: `   not compared in keepalived terms: ${redactSecrets(sanitizeLine(semantic.error))}; the text diff below is all there is`}];
	const changes = semantic.differences.filter((d) => d.kind !== 'only-a');
	const out: PlanLine[] = [];
	if (changes.length > 0) out.push({text: '   in keepalived terms:'}, ...changes.map((d) => ({text: `     ${redactSecrets(sanitizeLine(formatDifference(d)))}`, colour: 'cyan' as const})));
	if (semantic.removals.length > 0) out.push({text: `   would remove: ${redactSecrets(sanitizeLine(semantic.removals.map(removalSubject).join(', ')))}`, colour: 'red'});
	return out;
}

/** The keepalived version rendered for, and each profile line it does not know (it would ignore them). */
function keepalivedLines(h: HostPlan): PlanLine[] {
	const k = h.keepalived;
	if (!k || k.version === null) return [];
	const out: PlanLine[] = [{text: `   rendered for keepalived ${sanitizeLine(k.version)} (${k.from === 'profile' ? 'profile keepalived.version' : 'reported by the director'})`}];
	for (const w of k.warnings) out.push({text: `   WARNING: ${sanitizeLine(w)}`, colour: 'red'});
	return out;
}

export function planLines(plan: DeployPlan): PlanLine[] {
	const out: PlanLine[] = [];
	for (const h of plan.hosts) {
		const live = h.liveChanges ?? [];
		out.push({text: `== ${sanitizeLine(h.host)} (${h.role}${h.holdsVip ? ', holds a VIP: goes last' : ''}): ${fileVerdict(h)}${live.length > 0 ? `; live: ${live.map(sanitizeLine).join(', ')}` : ''}`});
		out.push(...keepalivedLines(h));
		out.push(...semanticLines(h));
		if (writesFile(h)) out.push(...diffLines(h.file.diff));
		if (h.staleTemporaries?.length) out.push({text: `   stale temporaries of an interrupted run (deploy removes them): ${h.staleTemporaries.map(sanitizeLine).join(', ')}`});
	}
	const layoutOnly = plan.hosts.some((h) => h.layoutOnly === 'skip');
	out.push({text: plan.changed ? `order: ${plan.hosts.map((h) => h.host).join(' -> ')}` : `nothing to deploy: every host matches the profile${layoutOnly ? ' in keepalived terms' : ''}`});
	return out;
}

/** `deploy --json` without executing: per host the text change, the change in keepalived terms and the removals. */
export function planJson(plan: DeployPlan, dryRun: boolean): unknown {
	return {
		dryRun,
		changed: plan.changed,
		hosts: plan.hosts.map((h) => {
			const semantic = h.semantic && 'differences' in h.semantic ? h.semantic : undefined;
			return {
				host: h.host,
				role: h.role,
				path: h.file.path,
				changed: h.file.changed,
				writes: writesFile(h),
				layoutOnly: h.layoutOnly !== undefined,
				sha256: h.file.currentSha256,
				newSha256: h.file.desiredSha256,
				semantic: semantic ? semantic.differences.map(differenceEntry) : null,
				semanticError: h.semantic && 'error' in h.semantic ? h.semantic.error : null,
				removals: semantic ? semantic.removals.map(differenceEntry) : [],
				diff: h.file.diff,
				liveChanges: h.liveChanges ?? [],
				staleTemporaries: h.staleTemporaries ?? [],
				keepalivedVersion: h.keepalived?.version ?? null,
				keepalivedWarnings: h.keepalived?.warnings ?? [],
			};
		}),
	};
}

/** The plan as plain text (no colours). */
export function formatPlan(plan: DeployPlan): string {
	return planLines(plan)
		.map((l) => l.text)
		.join('\n');
}

/** One line per host (outcome and what it holds), then any diff a host stopped on. */
export function reportLines(report: DeployReport, hostWidth = 12): PlanLine[] {
	const out: PlanLine[] = [];
	for (const h of report.hosts) out.push({text: `${h.host.padEnd(hostWidth)} ${h.outcome.padEnd(12)} ${redactSecrets(sanitizeLine(h.message))}`});
	for (const h of report.hosts.filter((x) => x.diff)) {
		out.push({text: `== ${h.host}: the installed file now differs from the profile like this:`}, ...diffLines(h.diff!));
	}
	return out;
}

/** The report as plain text (no colours). */
export function formatReport(report: DeployReport, hostWidth = 12): string {
	return reportLines(report, hostWidth)
		.map((l) => l.text)
		.join('\n');
}

// `lvsdeck check` as the Monitoring Plugins development guidelines want it: one status line
// (`LVSDECK CRITICAL - split brain on VI_1 (dir1, dir2) | vips=1;;;0;1 rs_up=2;;;0;2 ...`), the other
// findings on the lines after it, performance data, and exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
// Pure: snapshots and thresholds in, text and status out.
import type {Profile} from '../profile/model.js';
import {alerts, type Range} from './check-range.js';
import type {ClusterState, Finding} from './types.js';
import {sanitizeLine} from '../text/sanitize.js';

export type PluginStatus = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

export const EXIT_CODES: Readonly<Record<PluginStatus, number>> = {OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3};

/** Worst first when clusters are combined: an unknown cluster may hide a critical one, so it outranks WARNING. */
const RANK: Readonly<Record<PluginStatus, number>> = {OK: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3};

/** The figures thresholds may name (`--warning rs_up=2:`). */
export const CHECK_METRICS = ['vips', 'rs_up', 'hosts_up', 'critical', 'warning', 'poll'] as const;
export type CheckMetric = (typeof CHECK_METRICS)[number];

export interface Thresholds {
	readonly warning: Partial<Record<CheckMetric, Range>>;
	readonly critical: Partial<Record<CheckMetric, Range>>;
}

export interface PerfValue {
	readonly metric: CheckMetric;
	readonly value: number;
	readonly uom: '' | 'ms';
	readonly max?: number;
}

export interface ClusterCheck {
	readonly cluster: string;
	readonly status: PluginStatus;
	/** What the status line says about this cluster. */
	readonly summary: string;
	/** The long output: one line per finding or breached threshold. */
	readonly details: readonly string[];
	readonly perf: readonly PerfValue[];
}

export interface ClusterCheckInput {
	readonly profile: Profile;
	readonly state: ClusterState;
	readonly pollDurationsMs: ReadonlyMap<string, number>;
}

export function worst(statuses: readonly PluginStatus[]): PluginStatus {
	return statuses.reduce<PluginStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), 'OK');
}

/** Real servers of the profile in the table of the director holding their service's VIP. */
function realServersUp({profile, state}: ClusterCheckInput): {up: number; total: number} {
	let up = 0;
	let total = 0;
	for (const vs of profile.virtualServers) {
		const holders = state.vips.find((p) => p.vip === vs.vip)?.holders ?? [];
		const active = holders.length === 1 ? state.hosts.find((h) => h.name === holders[0]) : undefined;
		const svc = active?.director?.ipvs.services.find((s) => s.protocol === vs.protocol && s.address === vs.vip && s.port === vs.port);
		for (const rs of vs.realServers) {
			total++;
			if (svc?.realServers.some((r) => r.address === rs.address && r.port === rs.port && r.weight > 0)) up++;
		}
	}
	return {up, total};
}

function perfValues(input: ClusterCheckInput): PerfValue[] {
	const {state, pollDurationsMs} = input;
	const rs = realServersUp(input);
	const count = (s: Finding['severity']) => state.findings.filter((f) => f.severity === s).length;
	return [
		{metric: 'vips', value: state.vips.filter((p) => p.holders.length === 1).length, uom: '', max: state.vips.length},
		{metric: 'rs_up', value: rs.up, uom: '', max: rs.total},
		{metric: 'hosts_up', value: state.hosts.filter((h) => h.reachable).length, uom: '', max: state.hosts.length},
		{metric: 'critical', value: count('critical'), uom: ''},
		{metric: 'warning', value: count('warning'), uom: ''},
		{metric: 'poll', value: Math.max(0, ...pollDurationsMs.values()), uom: 'ms'},
	];
}

/** A finding as the status line says it: split brain by instance and holders, the rest by its message. */
function describeFinding(f: Finding, state: ClusterState): string {
	if (f.kind === 'split-brain') {
		const p = state.vips.find((v) => v.vip === f.subject);
		const masters = p?.members.filter((m) => m.state === 'MASTER').map((m) => m.director) ?? [];
		const who = p && p.holders.length > 1 ? p.holders : masters;
		if (p) return `split brain on ${p.instance} (${who.join(', ')})`;
	}
	return f.message;
}

function thresholdBreaches(perf: readonly PerfValue[], thresholds: Thresholds): Array<{status: PluginStatus; text: string}> {
	const out: Array<{status: PluginStatus; text: string}> = [];
	for (const p of perf) {
		const critical = thresholds.critical[p.metric];
		const warning = thresholds.warning[p.metric];
		if (critical && alerts(critical, p.value)) out.push({status: 'CRITICAL', text: `${p.metric} ${p.value}${p.uom} outside ${critical.text}`});
		else if (warning && alerts(warning, p.value)) out.push({status: 'WARNING', text: `${p.metric} ${p.value}${p.uom} outside ${warning.text}`});
	}
	return out;
}

function okSummary(perf: readonly PerfValue[]): string {
	const of = (m: CheckMetric) => perf.find((p) => p.metric === m)!;
	const [vips, rs, hosts] = [of('vips'), of('rs_up'), of('hosts_up')];
	return `${vips.value}/${vips.max} VIPs held, ${rs.value}/${rs.max} real servers up, ${hosts.value}/${hosts.max} hosts up`;
}

/** One cluster's status: UNKNOWN when no director answered, else its worst finding or breached threshold. */
export function checkCluster(input: ClusterCheckInput, thresholds: Thresholds): ClusterCheck {
	const {profile, state} = input;
	const perf = perfValues(input);
	const directors = state.hosts.filter((h) => h.role === 'director');
	if (!directors.some((d) => d.reachable)) {
		const why = directors.map((d) => `${d.name}: ${d.error ?? 'no answer'}`);
		return {cluster: profile.name, status: 'UNKNOWN', summary: `no director answered (${why.join('; ')})`, details: [], perf};
	}
	const problems = [
		...state.findings.filter((f) => f.severity !== 'info').map((f) => ({status: (f.severity === 'critical' ? 'CRITICAL' : 'WARNING') as PluginStatus, text: describeFinding(f, state)})),
		...thresholdBreaches(perf, thresholds),
	].sort((a, b) => RANK[b.status] - RANK[a.status]);
	const status = worst(problems.map((p) => p.status));
	if (status === 'OK') return {cluster: profile.name, status, summary: okSummary(perf), details: [], perf};
	const more = problems.length - 1;
	return {
		cluster: profile.name,
		status,
		summary: `${problems[0]!.text}${more > 0 ? ` (+${more} more)` : ''}`,
		details: problems.map((p) => `[${p.status}] ${p.text}`),
		perf,
	};
}

/** A perf data label: quoted when it has a space; quotes and equals signs cannot appear in one. */
function perfLabel(text: string): string {
	const clean = text.replace(/['=]/g, '_');
	return /\s/.test(clean) ? `'${clean}'` : clean;
}

function formatPerf(p: PerfValue, prefix: string, thresholds: Thresholds): string {
	const fields = [thresholds.warning[p.metric]?.text ?? '', thresholds.critical[p.metric]?.text ?? '', '0', p.max === undefined ? '' : String(p.max)];
	return `${perfLabel(`${prefix}${p.metric}`)}=${p.value}${p.uom};${fields.join(';')}`.replace(/;+$/, '');
}

/** The plugin's whole output (status line, then the long output) and its status. */
export function formatPluginOutput(checks: readonly ClusterCheck[], thresholds: Thresholds): {status: PluginStatus; text: string} {
	const status = worst(checks.map((c) => c.status));
	const several = checks.length > 1;
	const shown = several ? checks.filter((c) => c.status === status) : checks;
	const summary = shown.map((c) => (several ? `${c.cluster}: ${c.summary}` : c.summary)).join('; ');
	const perf = checks.flatMap((c) => c.perf.map((p) => formatPerf(p, several ? `${c.cluster}.` : '', thresholds)));
	const details = checks.flatMap((c) => c.details.map((d) => (several ? `${c.cluster}: ${d}` : d)));
	const lines = [`LVSDECK ${status} - ${oneLine(summary)} | ${perf.join(' ')}`, ...details.map(oneLine)];
	return {status, text: lines.join('\n')};
}

/**
 * One line of plugin text: sanitized first (which turns Unicode line separators into line feeds), then
 * folded; and no `|`, which starts the performance data.
 */
function oneLine(text: string): string {
	return sanitizeLine(text).replace(/\|/g, '/');
}

/** UNKNOWN for a usage error or a profile that cannot be read: the plugin still prints one status line. */
export function unknownOutput(message: string): string {
	return `LVSDECK UNKNOWN - ${oneLine(message)}`;
}

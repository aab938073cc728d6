// The console's fleet overview (several clusters): one row per cluster with its worst finding, its VIPs
// and who holds them, and how many of its hosts answered the last poll. Pure: snapshots in, rows out.
import type {ClusterState, Finding} from '../../cluster/types.js';
import {sanitizeLine} from '../../text/sanitize.js';
import type {Row, TableModel, Tone} from './types.js';

export interface FleetMember {
	/** The cluster's name (its profile's name). */
	readonly name: string;
	readonly state: ClusterState;
}

/** What a cluster's row says about it, before it is laid out in cells. */
export interface FleetSummary {
	readonly name: string;
	/** critical, warning, ok, or waiting (no host has answered a poll yet). */
	readonly level: 'critical' | 'warning' | 'ok' | 'waiting';
	/** The worst finding's message, with how many more findings there are ("" when none). */
	readonly worst: string;
	/** `VIP holder` for each VIP (holder NONE, or a+b in a split brain). */
	readonly vips: readonly string[];
	readonly hostsReady: number;
	readonly hostsTotal: number;
	readonly tone: Tone;
}

const SEVERITY_ORDER: Record<Finding['severity'], number> = {critical: 0, warning: 1, info: 2};

/** The first most severe finding other than info, and the count of the other warnings and alarms. */
function worstFinding(findings: readonly Finding[]): {finding?: Finding; more: number} {
	const serious = findings.filter((f) => f.severity !== 'info');
	// A stable sort keeps the store's order within a severity (the console's banner shows the same one).
	const sorted = [...serious].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
	return sorted[0] ? {finding: sorted[0], more: sorted.length - 1} : {more: 0};
}

export function fleetSummary(member: FleetMember): FleetSummary {
	const {state} = member;
	const {finding, more} = worstFinding(state.findings);
	const hostsReady = state.hosts.filter((h) => h.reachable).length;
	const polled = state.hosts.some((h) => h.lastPollAt !== undefined);
	const level = finding ? (finding.severity === 'critical' ? 'critical' : 'warning') : polled || state.hosts.length === 0 ? 'ok' : 'waiting';
	const tone: Tone = level === 'critical' ? 'bad' : level === 'warning' ? 'warn' : level === 'waiting' ? 'dim' : 'ok';
	return {
		name: sanitizeLine(member.name),
		level,
		worst: finding ? `${sanitizeLine(finding.message)}${more > 0 ? ` (+${more} more)` : ''}` : level === 'waiting' ? 'waiting for the first data…' : 'healthy: no findings',
		vips: state.vips.map((v) => `${v.vip} ${v.holders.length === 0 ? 'NONE' : sanitizeLine(v.holders.join('+'))}`),
		hostsReady,
		hostsTotal: state.hosts.length,
		tone,
	};
}

const LEVEL_TEXT: Record<FleetSummary['level'], string> = {critical: 'ALARM', warning: 'WARNING', ok: 'ok', waiting: 'waiting'};

/** One row per cluster, in the order given (the order of the --profile options). */
export function fleetTable(members: readonly FleetMember[]): TableModel {
	const rows: Row[] = members.map((m, i) => {
		const s = fleetSummary(m);
		return {
			// The index keeps keys unique even if two clusters were given the same name some other way.
			key: `cluster|${i}|${s.name}`,
			cells: [s.name, LEVEL_TEXT[s.level], `${s.hostsReady}/${s.hostsTotal}`, s.vips.join(', ') || '-', s.worst],
			tone: s.tone,
		};
	});
	return {
		columns: [
			{title: 'CLUSTER', width: 16},
			{title: 'STATE', width: 7},
			{title: 'HOSTS', width: 5, align: 'right'},
			{title: 'VIPS (HOLDER)', width: 0},
			{title: 'WORST FINDING', width: 0},
		],
		rows,
	};
}

/** The line over the table: how many clusters, and how many of them are in alarm or warn. */
export function fleetHeadline(members: readonly FleetMember[]): {text: string; tone: Tone} {
	const levels = members.map((m) => fleetSummary(m).level);
	const alarms = levels.filter((l) => l === 'critical').length;
	const warnings = levels.filter((l) => l === 'warning').length;
	const waiting = levels.filter((l) => l === 'waiting').length;
	const parts = [`${members.length} clusters`, ...(alarms > 0 ? [`${alarms} in ALARM`] : []), ...(warnings > 0 ? [`${warnings} with warnings`] : []), ...(waiting > 0 ? [`${waiting} waiting for data`] : [])];
	if (alarms + warnings + waiting === 0) parts.push('all healthy');
	return {text: parts.join(' · '), tone: alarms > 0 ? 'bad' : warnings > 0 ? 'warn' : waiting > 0 ? 'dim' : 'ok'};
}

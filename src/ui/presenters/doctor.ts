// The doctor's result as the console shows it: the checks that need the operator (failures, then
// warnings), each with its evidence and fix, and where to look: the host, and the console view that
// shows it (Enter opens that view filtered to the host). Pure.
import type {DoctorCheck, DoctorReport, DoctorView} from '../../actions/doctor/check.js';
import {countLine} from '../../actions/doctor/format.js';
import {sanitizeLine} from '../../text/sanitize.js';
import {redactSecrets} from '../../text/redact.js';
import {VIEWS, VIEW_TITLES, type ViewName} from '../console/console-state.js';
import type {Tone} from './types.js';

const CONSOLE_VIEW: Record<DoctorView, ViewName> = {vrrp: 'vrrp', ipvs: 'ipvs', realservers: 'realservers', findings: 'log'};

/** The console view a check's subject shows in. */
export function consoleViewOf(c: DoctorCheck): ViewName {
	return CONSOLE_VIEW[c.view ?? 'findings'];
}

/** The checks the doctor view lists: failures, then warnings (the report is already in that order). */
export function attentionChecks(report: DoctorReport): DoctorCheck[] {
	return report.checks.filter((c) => c.status === 'fail' || c.status === 'warn');
}

/** `dir2 · 3 VRRP`: the host and the numbered view where the check's subject shows. */
export function whereToLook(c: DoctorCheck): string {
	const view = consoleViewOf(c);
	return `${c.host ? `${c.host} · ` : ''}${VIEWS.indexOf(view) + 1} ${VIEW_TITLES[view]}`;
}

export interface DoctorLine {
	readonly text: string;
	readonly tone?: Tone;
	/** Index into attentionChecks for a check's first line (the line the cursor selects). */
	readonly check?: number;
}

const clean = (s: string) => redactSecrets(sanitizeLine(s));

export function doctorLines(report: DoctorReport): DoctorLine[] {
	const checks = attentionChecks(report);
	const lines: DoctorLine[] = [{text: countLine(report.checks), tone: report.code === 2 ? 'bad' : report.code === 1 ? 'warn' : 'ok'}];
	if (checks.length === 0) lines.push({text: 'every check passed', tone: 'ok'});
	checks.forEach((c, i) => {
		lines.push({text: clean(`${c.status === 'fail' ? 'FAIL' : 'WARN'} ${c.id}  ${c.subject}  → ${whereToLook(c)}`), tone: c.status === 'fail' ? 'bad' : 'warn', check: i});
		lines.push({text: clean(`     ${c.evidence}`)});
		if (c.fix) lines.push({text: clean(`     fix: ${c.fix}`)});
	});
	return lines;
}

/** The alarm line's offer: only when a finding is critical. */
export function offersDoctor(findings: ReadonlyArray<{severity: string}>): boolean {
	return findings.some((f) => f.severity === 'critical');
}

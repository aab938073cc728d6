// The doctor report as text: failures first, one line per check, its evidence and fix indented under
// it, then a count. The sink (text/sink.ts) sanitizes and masks it on the way out.
import type {CheckStatus, DoctorCheck, DoctorReport} from './check.js';

const MARK: Record<CheckStatus, string> = {fail: 'FAIL', warn: 'WARN', ok: 'ok  ', skip: 'skip'};

export function formatCheck(c: DoctorCheck): string[] {
	const head = `${MARK[c.status]} ${c.id}  ${c.subject}`;
	return [head, `     ${c.evidence}`, ...(c.fix ? [`     fix: ${c.fix}`] : [])];
}

export function countLine(checks: readonly DoctorCheck[]): string {
	const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
	return `${checks.length} checks: ${count('fail')} failed, ${count('warn')} warnings, ${count('ok')} ok, ${count('skip')} skipped`;
}

export function formatDoctor(report: DoctorReport): string {
	return [...report.checks.flatMap(formatCheck), '', countLine(report.checks)].join('\n');
}

// A drill report as text: the verdict and the figures that matter for its kind, then the reasons.
// Reports carry remote text (error lines, backend names from HTTP bodies): each line is sanitized on its
// own, so no value can break the layout with a newline or line separator of its own.
import {isRealServerReport, type DrillReport} from './drill-report.js';
import {sanitizeLine} from '../../text/sanitize.js';

const asLines = (lines: readonly string[]) => lines.map(sanitizeLine).join('\n');

export function formatDrill(r: DrillReport): string {
	if (isRealServerReport(r)) {
		const lines = [
			`${r.drill} drill on ${r.target} in ${r.service} (active director ${r.takeover}): ${r.verdict.toUpperCase()}`,
			`  ${r.drill === 'rs-health' ? 'removed from the table' : 'weight 0 seen in the table'} after ${r.removalMs ?? '-'} ms${r.drill === 'rs-health' ? ` (expected within ${r.expectedBoundMs} ms)` : ''}; back ${r.returnMs ?? '-'} ms after the restore`,
			r.drill === 'rs-health' ? `  requests failed after the removal: ${r.failedAfterRemoval ?? '-'}` : `  new connections to ${r.target} after the drain: ${r.toTargetAfterRemoval ?? '-'}`,
			...(r.traffic ? [`  traffic: ${r.traffic}`] : []),
			`  requests ${r.requests.total}: failed ${r.requests.failed}, timeouts ${r.requests.timeouts}; per backend ${Object.entries(r.requests.perBackend).map(([k, v]) => `${k}=${v}`).join(' ') || '-'}`,
			`  restored: ${r.restored ? 'yes' : 'NO'}`,
			...r.reasons.map((x) => `  reason: ${x}`),
		];
		return asLines(lines);
	}
	const lines = [
		`${r.drill} drill${r.method ? ` (${r.method})` : ''} on ${r.instance} (${r.vip}): ${r.verdict.toUpperCase()}`,
		`  ${r.target} -> ${r.takeover ?? 'nobody'}: failover ${r.failoverMs ?? '-'} ms (expected about ${r.expectedBoundMs} ms), VIP left after ${r.vipLeftMs ?? '-'} ms`,
		`  keepalived's own transition: ${r.keepalivedTransitionAt ?? 'unknown'} (measured minus keepalived: ${r.measuredMinusKeepalivedMs ?? '-'} ms)`,
		`  split brain ${r.splitBrainMs} ms; return (${r.preempt}) ${r.returnMs ?? '-'} ms after the restore`,
		...(r.traffic ? [`  traffic: ${r.traffic}`] : []),
		`  requests ${r.requests.total}: failed ${r.requests.failed}, timeouts ${r.requests.timeouts}, longest gap ${r.longestGapMs} ms; per backend ${Object.entries(r.requests.perBackend).map(([k, v]) => `${k}=${v}`).join(' ') || '-'}`,
		`  restored: ${r.restored ? 'yes' : 'NO'}`,
		...r.reasons.map((x) => `  reason: ${x}`),
	];
	return asLines(lines);
}

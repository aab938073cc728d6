// The deploy plan and report as text: per host what changes, the unified diffs (passwords masked),
// the order; then per host the outcome and what it holds now.
import {sanitizeText} from '../../ui/sanitize.js';
import {redactSecrets} from '../../text/redact.js';
import type {DeployPlan} from './plan.js';
import type {DeployReport} from './report.js';

function paintDiff(color: boolean) {
	return (line: string) => {
		if (!color) return line;
		if (line.startsWith('+') && !line.startsWith('+++')) return `\u001B[32m${line}\u001B[0m`;
		if (line.startsWith('-') && !line.startsWith('---')) return `\u001B[31m${line}\u001B[0m`;
		if (line.startsWith('@@')) return `\u001B[36m${line}\u001B[0m`;
		return line;
	};
}

/** A unified diff's lines without its first (Index) line, safe to print. */
function diffLines(diff: string, color: boolean): string[] {
	return redactSecrets(sanitizeText(diff)).trimEnd().split('\n').slice(1).map(paintDiff(color));
}

export function formatPlan(plan: DeployPlan, color: boolean): string {
	const out: string[] = [];
	for (const h of plan.hosts) {
		const live = h.liveChanges ?? [];
		const what = h.file.changed ? `${h.file.path} ${h.file.current === null ? 'will be created' : 'changes'}` : `${h.file.path} unchanged`;
		out.push(`== ${h.host} (${h.role}${h.holdsVip ? ', holds a VIP: goes last' : ''}): ${what}${live.length > 0 ? `; live: ${live.join(', ')}` : ''}`);
		if (h.file.changed) out.push(...diffLines(h.file.diff, color));
		if (h.staleTemporaries?.length) out.push(`   stale temporaries of an interrupted run (deploy removes them): ${h.staleTemporaries.join(', ')}`);
	}
	out.push(plan.changed ? `order: ${plan.hosts.map((h) => h.host).join(' -> ')}` : 'nothing to deploy: every host matches the profile');
	return out.join('\n');
}

/** One line per host (outcome and what it holds), then any diff a host stopped on. */
export function formatReport(report: DeployReport, color: boolean, hostWidth = 12): string {
	const out: string[] = [];
	for (const h of report.hosts) out.push(`${h.host.padEnd(hostWidth)} ${h.outcome.padEnd(12)} ${redactSecrets(sanitizeText(h.message))}`);
	for (const h of report.hosts.filter((x) => x.diff)) out.push(`== ${h.host}: the installed file now differs from the profile like this:`, ...diffLines(h.diff!, color));
	return out.join('\n');
}

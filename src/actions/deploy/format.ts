// The deploy plan as text: per host what changes, the unified diffs, and the order.
import {sanitizeText} from '../../ui/sanitize.js';
import type {DeployPlan} from './plan.js';

export function formatPlan(plan: DeployPlan, color: boolean): string {
	const paint = (line: string) => {
		if (!color) return line;
		if (line.startsWith('+') && !line.startsWith('+++')) return `\u001B[32m${line}\u001B[0m`;
		if (line.startsWith('-') && !line.startsWith('---')) return `\u001B[31m${line}\u001B[0m`;
		if (line.startsWith('@@')) return `\u001B[36m${line}\u001B[0m`;
		return line;
	};
	const out: string[] = [];
	for (const h of plan.hosts) {
		const live = h.liveChanges ?? [];
		const what = h.file.changed ? `${h.file.path} ${h.file.current === null ? 'will be created' : 'changes'}` : `${h.file.path} unchanged`;
		out.push(`== ${h.host} (${h.role}${h.holdsVip ? ', holds a VIP: goes last' : ''}): ${what}${live.length > 0 ? `; live: ${live.join(', ')}` : ''}`);
		if (h.file.changed) out.push(...sanitizeText(h.file.diff).trimEnd().split('\n').slice(1).map(paint));
	}
	out.push(plan.changed ? `order: ${plan.hosts.map((h) => h.host).join(' -> ')}` : 'nothing to deploy: every host matches the profile');
	return out.join('\n');
}

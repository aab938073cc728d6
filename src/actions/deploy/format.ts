// The deploy plan as text: per host what changes, the unified diffs, and the order. The diff shows the
// installed file, which is remote text: every diff line is sanitized on its own (a line separator in the
// file must not start a line of the diff that is not there), and again by whatever prints it.
import {sanitizeLine} from '../../text/sanitize.js';
import type {Colour} from '../../text/sink.js';
import type {DeployPlan} from './plan.js';

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

export function planLines(plan: DeployPlan): PlanLine[] {
	const out: PlanLine[] = [];
	for (const h of plan.hosts) {
		const live = h.liveChanges ?? [];
		const what = h.file.changed ? `${h.file.path} ${h.file.current === null ? 'will be created' : 'changes'}` : `${h.file.path} unchanged`;
		out.push({text: `== ${sanitizeLine(h.host)} (${h.role}${h.holdsVip ? ', holds a VIP: goes last' : ''}): ${what}${live.length > 0 ? `; live: ${live.join(', ')}` : ''}`});
		if (h.file.changed) {
			for (const text of h.file.diff.trimEnd().split('\n').slice(1).map(sanitizeLine)) {
				const colour = diffColour(text);
				out.push(colour ? {text, colour} : {text});
			}
		}
	}
	out.push({text: plan.changed ? `order: ${plan.hosts.map((h) => h.host).join(' -> ')}` : 'nothing to deploy: every host matches the profile'});
	return out;
}

/** The plan as plain text (no colours). */
export function formatPlan(plan: DeployPlan): string {
	return planLines(plan)
		.map((l) => l.text)
		.join('\n');
}

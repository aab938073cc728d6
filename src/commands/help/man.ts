// `lvsdeck man`: the manual page (roff, man(7) macros) generated from the same command tree as `--help`.
import type {CommandInfo} from './command-tree.js';

/** Text safe in roff: backslashes and hyphens escaped, a leading dot or quote neutralised. */
export function roff(text: string): string {
	return text
		.replace(/\\/g, '\\e')
		.replace(/-/g, '\\-')
		.split('\n')
		.map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
		.join('\n');
}

function commandSection(c: CommandInfo): string[] {
	const lines = [`.SS "${roff(`lvsdeck ${c.path}`)}"`, roff(c.description)];
	if (c.subcommands.length > 0) lines.push('.PP', `Subcommands: ${roff(c.subcommands.join(', '))}.`);
	for (const o of c.options) lines.push('.TP', `.B ${roff(o.flags)}`, roff(o.description));
	return lines;
}

export interface ManPageInput {
	readonly version: string;
	readonly date: string;
	readonly tree: readonly CommandInfo[];
}

export function manPage({version, date, tree}: ManPageInput): string {
	const [program, ...commands] = tree;
	return [
		`.TH LVSDECK 1 "${roff(date)}" "lvsdeck ${roff(version)}" "User Commands"`,
		'.SH NAME',
		`lvsdeck \\- ${roff(program?.description ?? '')}`,
		'.SH SYNOPSIS',
		'.B lvsdeck',
		'[\\fIcommand\\fR] [\\fIoptions\\fR]',
		'.SH DESCRIPTION',
		roff('Reads and operates LVS (IPVS) directors and their keepalived pairs over SSH: a live console, a read-only wall, scripted drills with JSON and JUnit reports, a Prometheus exporter and a monitoring-plugin check. Without a command it opens the console.'),
		'.SH OPTIONS',
		...(program?.options ?? []).flatMap((o) => ['.TP', `.B ${roff(o.flags)}`, roff(o.description)]),
		'.SH COMMANDS',
		...commands.flatMap(commandSection),
		'.SH EXIT STATUS',
		roff('0 healthy or passed; 1 findings, warnings or a failed expectation; 2 an error (a bad profile names file:line:col); check follows the monitoring-plugin codes (3 UNKNOWN).'),
		'.SH ENVIRONMENT',
		'.TP', '.B NO_COLOR', roff('set and not empty: no colours (FORCE_COLOR, when also set, wins).'),
		'.TP', '.B FORCE_COLOR', roff('0 to 3: the colour level of the screens.'),
		'.TP', '.B LVSDECK_STATE_DIR', roff('the state folder: drill journals, last results, history and keepalived capabilities (default $XDG_STATE_HOME/lvsdeck, else ~/.local/state/lvsdeck).'),
		'.SH SEE ALSO',
		'.BR keepalived (8),',
		'.BR keepalived.conf (5),',
		'.BR ipvsadm (8)',
		'',
	].join('\n');
}

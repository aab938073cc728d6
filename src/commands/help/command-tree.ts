// The commands and options of the CLI as plain data, read from the commander program itself, so the
// shell completions and the man page can never disagree with `--help`.
import type {Command, Option} from 'commander';

/** What the word after an option is: a file, a folder, one of fixed words, something else, or nothing. */
export type OptionValue = {kind: 'file'} | {kind: 'dir'} | {kind: 'words'; words: readonly string[]} | {kind: 'any'} | {kind: 'none'};

export interface OptionInfo {
	readonly flags: string;
	readonly long?: string;
	readonly short?: string;
	readonly description: string;
	readonly value: OptionValue;
}

export interface CommandInfo {
	/** Words after `lvsdeck` that select it ('' for the program, 'lab up' for a subcommand). */
	readonly path: string;
	readonly description: string;
	readonly usage: string;
	readonly options: readonly OptionInfo[];
	readonly subcommands: readonly string[];
}

const SAFE_WORD = /^[A-Za-z0-9_.:-]+$/;

/** `<http|tcp|udp>` gives the words; `<file>`, `<file...>` a file; `<dir>` a folder; other values any. */
export function optionValue(option: Option): OptionValue {
	if (!option.required && !option.optional) return {kind: 'none'};
	const placeholder = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1]?.replace(/\.\.\.$/, '') ?? '';
	if (placeholder === 'file') return {kind: 'file'};
	if (placeholder === 'dir') return {kind: 'dir'};
	const words = placeholder.split('|');
	if (words.length > 1 && words.every((w) => SAFE_WORD.test(w))) return {kind: 'words', words};
	return {kind: 'any'};
}

function optionInfo(option: Option): OptionInfo {
	return {
		flags: option.flags,
		...(option.long ? {long: option.long} : {}),
		...(option.short ? {short: option.short} : {}),
		description: option.description,
		value: optionValue(option),
	};
}

/** Every command of the program, depth first, the program itself first (its path is ''). */
export function commandTree(program: Command): CommandInfo[] {
	const out: CommandInfo[] = [];
	const visit = (cmd: Command, path: string) => {
		const visible = cmd.commands.filter((c) => !(c as Command & {_hidden?: boolean})._hidden);
		out.push({
			path,
			description: cmd.description(),
			usage: cmd.usage(),
			options: [...cmd.options.map(optionInfo), {flags: '-h, --help', long: '--help', short: '-h', description: 'display help for command', value: {kind: 'none'}}],
			subcommands: visible.map((c) => c.name()),
		});
		for (const sub of visible) visit(sub, path === '' ? sub.name() : `${path} ${sub.name()}`);
	};
	visit(program, '');
	return out;
}

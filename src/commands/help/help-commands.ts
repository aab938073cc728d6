// The sinks of `lvsdeck completion` and `lvsdeck man`.
import type {Command} from 'commander';
import {CliError} from '../../cli-error.js';
import {writeOut} from '../../text/sink.js';
import {commandTree} from './command-tree.js';
import {bashCompletion, zshCompletion} from './completion.js';
import {manPage} from './man.js';

export async function completionCommand(program: Command, shell: string): Promise<number> {
	const tree = commandTree(program);
	if (shell === 'bash') writeOut(bashCompletion(tree));
	else if (shell === 'zsh') writeOut(zshCompletion(tree));
	else throw new CliError(`completion: unknown shell ${JSON.stringify(shell)} (bash or zsh)`, 2);
	return 0;
}

export async function manCommand(program: Command, version: string): Promise<number> {
	// SOURCE_DATE_EPOCH (reproducible builds) fixes the date; else today.
	const epoch = Number(process.env['SOURCE_DATE_EPOCH']);
	const date = (Number.isFinite(epoch) && epoch > 0 ? new Date(epoch * 1000) : new Date()).toISOString().slice(0, 10);
	writeOut(manPage({version, date, tree: commandTree(program)}));
	return 0;
}

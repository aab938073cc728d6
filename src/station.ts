// The operator's station can be a network namespace (the lab's is). A command that talks to the
// cluster re-runs itself inside it, so `lvsdeck status --profile profiles/lab.yaml` works from any shell.
import {spawn} from 'node:child_process';
import {isInNetns, netnsExists} from './transport/netns.js';
import {CliError} from './cli-error.js';
import {onSignals} from './commands/signals.js';

/**
 * Returns undefined when this process may go on (no namespace, or already inside); otherwise runs the
 * same command line inside the namespace and resolves with its exit code.
 */
export async function runInStation(netns: string | undefined, argv: readonly string[] = process.argv): Promise<number | undefined> {
	if (netns === undefined || isInNetns(netns)) return undefined;
	if (!netnsExists(netns)) {
		throw new CliError(`the station namespace ${netns} does not exist (for the lab: run "lvsdeck lab up" first)`, 2);
	}
	if (process.getuid?.() !== 0) throw new CliError(`entering network namespace ${netns} needs root; run with sudo`, 2);
	const [node, ...rest] = argv;
	const child = spawn('ip', ['netns', 'exec', netns, node ?? process.execPath, ...process.execArgv, ...rest], {stdio: 'inherit'});
	// The terminal sends SIGINT to the child too; this process only waits while the child cleans up.
	const release = onSignals(['SIGINT', 'SIGTERM'], (s) => {
		if (s === 'SIGTERM') child.kill('SIGTERM');
	});
	return new Promise<number>((resolve) => {
		child.on('exit', (code, signal) => {
			release();
			resolve(code ?? (signal === 'SIGINT' ? 130 : 2));
		});
	});
}

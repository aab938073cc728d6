// The operator's station can be a network namespace (the lab's is). A command that talks to the
// cluster re-runs itself inside it, so `lvsdeck status --profile profiles/lab.yaml` works from any shell.
// It also re-runs itself when its heap cap (the shebang's) is too small for the hosts it will watch.
import {isInNetns, netnsExists} from './transport/netns.js';
import {CliError} from './cli-error.js';
import {heapArgv, runChild} from './respawn.js';

/**
 * Returns undefined when this process may go on (no namespace, or already inside, and a heap cap that
 * holds `hosts` hosts); otherwise runs the same command line inside the namespace, with the heap it
 * needs, and resolves with its exit code.
 */
export async function runInStation(netns: string | undefined, argv: readonly string[] = process.argv, hosts = 0): Promise<number | undefined> {
	const inside = netns === undefined || isInNetns(netns);
	const execArgv = heapArgv(process.execArgv, hosts);
	if (inside && execArgv === undefined) return undefined;
	if (!inside) {
		if (!netnsExists(netns)) throw new CliError(`the station namespace ${netns} does not exist (for the lab: run "lvsdeck lab up" first)`, 2);
		if (process.getuid?.() !== 0) throw new CliError(`entering network namespace ${netns} needs root; run with sudo`, 2);
	}
	const [node, ...rest] = argv;
	const nodeArgv = [node ?? process.execPath, ...(execArgv ?? process.execArgv), ...rest];
	return inside ? runChild(nodeArgv[0]!, nodeArgv.slice(1)) : runChild('ip', ['netns', 'exec', netns, ...nodeArgv]);
}

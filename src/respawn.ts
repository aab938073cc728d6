// Running this same command line again in a child process: inside the station's network namespace
// (station.ts), or with a heap cap that holds the hosts it will watch. The shebang caps V8's old space
// at 64 MB, which holds about 320 hosts; a fleet console over 100 clusters needs several times that,
// and past its cap V8 aborts the process. So before anything heavy loads, the command line's profiles
// are counted roughly (one `address:` per host; no YAML parsed) and, when they need more, the command
// runs again with a cap that fits. station.ts checks again with the profiles parsed.
import {readFileSync, readdirSync, statSync} from 'node:fs';
import path from 'node:path';

/**
 * The heap a process watching `hosts` hosts keeps alive, measured on the fleet console (`npm run bench
 * -- fleet`, 10 and 100 clusters of 22 hosts: 27 and 100 MB after a collection, since profiles no longer
 * keep their YAML documents nor drift its parsed models): about 20 MB and 37 KB a host. The cap is twice
 * that: room for V8 to collect at its own pace, and for a poll's passing garbage, without letting the
 * heap grow far past what it holds (at 100 clusters the cap from the earlier 65 KB a host let RSS reach
 * 268 MB over a 100 MB live heap).
 */
const LIVE_HEAP_BASE_MB = 20;
const LIVE_HEAP_PER_HOST_MB = 0.037;

const OLD_SPACE_FLAG = /^--max-old-space-size=(\d+)$/;

/**
 * node's flags for a process watching `hosts` hosts: `execArgv` with its old-space cap raised to twice
 * the heap expected, or undefined when the cap already allows that (or there is none).
 */
export function heapArgv(execArgv: readonly string[], hosts: number): string[] | undefined {
	const current = execArgv.map((a) => OLD_SPACE_FLAG.exec(a)).find((m) => m !== null);
	if (!current) return undefined;
	const needed = Math.ceil(2 * (LIVE_HEAP_BASE_MB + LIVE_HEAP_PER_HOST_MB * hosts));
	if (Number(current[1]) >= needed) return undefined;
	return execArgv.map((a) => (OLD_SPACE_FLAG.test(a) ? `--max-old-space-size=${needed}` : a));
}

/** The profile files a command line names: each --profile (-p) file and the *.yaml, *.yml in each --profiles folder. */
export function profilesNamed(args: readonly string[]): string[] {
	const files: string[] = [];
	const dirs: string[] = [];
	for (let i = 0; i < args.length; i++) {
		const a = args[i]!;
		// What follows `--` is another command's (`lab exec -- ...`).
		if (a === '--') break;
		const inline = /^--(profiles?)=(.*)$/.exec(a);
		if (inline) (inline[1] === 'profile' ? files : dirs).push(inline[2]!);
		else if ((a === '-p' || a === '--profile') && i + 1 < args.length) files.push(args[++i]!);
		else if (a === '--profiles' && i + 1 < args.length) dirs.push(args[++i]!);
	}
	for (const dir of dirs) {
		try {
			files.push(...readdirSync(dir).filter((n) => /\.ya?ml$/.test(n) && !n.startsWith('.')).map((n) => path.join(dir, n)));
		} catch {
			// The command itself says what is wrong with the folder.
		}
	}
	return files;
}

/** About how many hosts the files name: one `address:` each (more when other keys are called so; never fewer). */
export function roughHostCount(files: readonly string[]): number {
	let n = 0;
	for (const f of files) {
		try {
			if (statSync(f).size > 16 * 1024 * 1024) continue;
			n += readFileSync(f, 'utf8').match(/\baddress\s*:/g)?.length ?? 0;
		} catch {
			// Unreadable: the command says so when it loads the profile.
		}
	}
	return n;
}

/** Runs `command args` with this terminal, and resolves with its exit code. */
export async function runChild(command: string, args: readonly string[]): Promise<number> {
	// Loaded here: --help and the rest pass through this module and must not load command modules, nor
	// child_process (a few ms of every start) unless they run again.
	const [{onSignals}, {spawn}] = await Promise.all([import('./commands/signals.js'), import('node:child_process')]);
	const child = spawn(command, args, {stdio: 'inherit'});
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

/** Runs this command line again with a heap cap for its profiles' hosts, when its cap is too small; else undefined. */
export async function respawnForHeap(argv: readonly string[] = process.argv): Promise<number | undefined> {
	const execArgv = heapArgv(process.execArgv, roughHostCount(profilesNamed(argv.slice(2))));
	if (execArgv === undefined) return undefined;
	const [node, ...rest] = argv;
	return runChild(node ?? process.execPath, [...execArgv, ...rest]);
}

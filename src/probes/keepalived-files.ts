// Reads a director's keepalived.conf and every file it includes, read-only: `cat` for the main file,
// then a constant script that prints the files and directories the include patterns need. keepalived
// expands include globs itself (with {a,b} braces, relative to the including file), so the parser
// says what it needs and this fetches it, round by round, until nothing new is asked for.
import {randomBytes} from 'node:crypto';
import {parseKeepalivedTree, type ConfigFileReader} from '../keepalived-conf/index.js';
import {READ_CONFIG_FILES_SCRIPT} from '../transport/read-only-scripts.js';
import type {Transport} from '../transport/types.js';

export {READ_CONFIG_FILES_SCRIPT} from '../transport/read-only-scripts.js';

export interface RemoteConfig {
	/** Every file read, by path (the main one included). */
	readonly files: Readonly<Record<string, string>>;
	readonly reader: ConfigFileReader;
	/** keepalived's default config id on the host: its host name up to the first dot. */
	readonly configId: string;
}

export class RemoteReadError extends Error {}

/** Parse the `M ...` records of the script's output into the cache. */
export function parseFileRecords(stdout: string, marker: string, files: Map<string, string>, dirs: Map<string, string[]>, missing: Set<string>): void {
	let at = 0;
	while (at < stdout.length) {
		const eol = stdout.indexOf('\n', at);
		const head = stdout.slice(at, eol === -1 ? undefined : eol);
		at = eol === -1 ? stdout.length : eol + 1;
		const m = /^(\S+) (dir|file|missing) (.*)$/.exec(head);
		if (!m || m[1] !== marker) continue;
		const [, , kind, path] = m as unknown as [string, string, string, string];
		if (kind === 'missing') {
			missing.add(path);
			continue;
		}
		const end = stdout.indexOf(`\n${marker} end\n`, at - 1);
		if (end === -1) throw new RemoteReadError(`output for ${path} is cut short`);
		const body = stdout.slice(at, end);
		at = end + `\n${marker} end\n`.length;
		if (kind === 'dir') dirs.set(path, body.split('\n').filter((n) => n !== '' && n !== '.' && n !== '..'));
		// The newline the script adds after a file is the one that starts the end marker: body is the file.
		else files.set(path, body);
	}
}

const MAX_ROUNDS = 20;

async function fetchRecords(transport: Transport, host: string, paths: readonly string[], files: Map<string, string>, dirs: Map<string, string[]>, missing: Set<string>): Promise<void> {
	const marker = `@@lvsdeck-${randomBytes(8).toString('hex')}`;
	const r = await transport.exec(host, ['sh', '-c', READ_CONFIG_FILES_SCRIPT, 'lvsdeck-read-conf', marker, ...paths]);
	if (r.timedOut || r.code !== 0) throw new RemoteReadError(`${host}: reading ${paths.join(' ')} failed: ${r.stderr.trim().split('\n')[0] || (r.timedOut ? 'timed out' : `exit ${r.code}`)}`);
	parseFileRecords(r.stdout, marker, files, dirs, missing);
}

export async function readRemoteKeepalivedConfig(transport: Transport, host: string, mainPath: string): Promise<RemoteConfig> {
	const name = await transport.exec(host, ['hostname']);
	const configId = (name.code === 0 ? name.stdout.trim() : '').split('.')[0] ?? '';

	// The main file comes through the same read-only script as the included ones (plain `cat` is not
	// in read-only mode's list: it would read a FIFO or a device).
	const files = new Map<string, string>();
	const firstDirs = new Map<string, string[]>();
	const firstMissing = new Set<string>();
	await fetchRecords(transport, host, [mainPath], files, firstDirs, firstMissing);
	const mainText = files.get(mainPath);
	if (mainText === undefined) throw new RemoteReadError(`${host}: cannot read ${mainPath}: ${firstDirs.has(mainPath) ? 'it is a directory' : 'no such readable file'}`);
	const main = {stdout: mainText};
	const dirs = new Map<string, string[]>();
	const missing = new Set<string>();
	const reader: ConfigFileReader = {
		readFile: (p) => files.get(p),
		listDirectory: (p) => dirs.get(p),
	};
	for (let round = 0; round < MAX_ROUNDS; round++) {
		const wanted = new Set<string>();
		const recording: ConfigFileReader = {
			readFile: (p) => {
				if (!files.has(p) && !missing.has(p)) wanted.add(p);
				return files.get(p);
			},
			listDirectory: (p) => {
				if (!dirs.has(p) && !missing.has(p) && !files.has(p)) wanted.add(p);
				return dirs.get(p);
			},
		};
		parseKeepalivedTree(main.stdout, {file: mainPath, files: recording, configId: configId || host});
		if (wanted.size === 0) break;
		await fetchRecords(transport, host, [...wanted], files, dirs, missing);
		for (const p of wanted) if (!files.has(p) && !dirs.has(p)) missing.add(p);
	}
	return {files: Object.fromEntries(files), reader, configId: configId || host};
}

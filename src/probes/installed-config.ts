// The installed keepalived config as keepalived itself would read it: the main file, then every file its
// `include` lines match (nested includes too), read with one constant script per round trip (the first
// reads the main file, each later one the include patterns found so far), then parsed with the host's
// config id. Used by the drift check (cluster) and deploy's plan. Reading only; nothing is changed.
import path from 'node:path/posix';
import {filesFromMap, formatDiagnostic, parseKeepalivedConf, type IncludeRecord, type KeepalivedConfig} from '../keepalived-conf/index.js';
import {expandBraces} from '../keepalived-conf/files.js';
import {absolutePattern} from '../transport/argv-kinds.js';
import {CONFIG_READ_LIMITS, CONFIG_READ_MARK, CONFIG_READ_SCRIPT} from '../transport/read-only-scripts.js';
import type {ExecResult} from '../transport/types.js';

// The script itself (and what it may do to a host) is in the transport's list of read-only scripts.
export {CONFIG_READ_SCRIPT} from '../transport/read-only-scripts.js';

/**
 * `sh -c CONFIG_READ_SCRIPT lvsdeck-conf FOLDER PATTERN...`: each pattern an absolute path or glob, and
 * only files whose real path lies under FOLDER are read (`/`: anywhere).
 */
export function configReadCommand(patterns: readonly string[], confineTo = '/'): string[] {
	return ['sh', '-c', CONFIG_READ_SCRIPT, 'lvsdeck-conf', confineTo, ...patterns];
}

/** The folder a sudo login's config reads are confined to (sudoers fixes it): the main config's own. */
export function sudoConfigFolder(configPath: string): string {
	return path.dirname(configPath);
}

export interface ConfigReadOutput {
	/** The host's name (`/proc/sys/kernel/hostname`), when it could be read. */
	readonly hostname?: string;
	/** Path to text, for every file printed. */
	readonly files: ReadonlyMap<string, string>;
	/** Files not printed, with why. */
	readonly refused: ReadonlyArray<{readonly path: string; readonly why: string}>;
	readonly tooMany: boolean;
	/** The end marker arrived (the output was not cut short). */
	readonly complete: boolean;
}

const SECTION = new RegExp(`\\n${CONFIG_READ_MARK} ([^\\n]*)\\n`);

/**
 * Pure: CONFIG_READ_SCRIPT's output to files. Each marker is printed as `\n MARK WHAT \n`, so a file's
 * text is exactly what lies between its marker and the next (a file without a final newline stays so).
 * Limit: a file holding a line that starts with the marker at a line start after a newline would be
 * cut there; keepalived configs do not.
 */
export function parseConfigRead(stdout: string): ConfigReadOutput {
	const parts = stdout.split(SECTION);
	const files = new Map<string, string>();
	const refused: Array<{path: string; why: string}> = [];
	let hostname: string | undefined;
	let tooMany = false;
	let complete = false;
	for (let i = 1; i < parts.length; i += 2) {
		const what = parts[i]!;
		const body = parts[i + 1] ?? '';
		const space = what.indexOf(' ');
		const word = space < 0 ? what : what.slice(0, space);
		const rest = space < 0 ? '' : what.slice(space + 1);
		if (word === 'host') {
			if (rest !== '') hostname = rest;
		} else if (word === 'file') files.set(rest, body);
		else if (word === 'too-big') refused.push({path: rest, why: `larger than ${CONFIG_READ_LIMITS.bytes / (1024 * 1024)} MB`});
		else if (word === 'refused') refused.push({path: rest, why: 'its real path is under /dev, /proc or /sys'});
		else if (word === 'outside') refused.push({path: rest, why: 'it lies outside the folder reads are confined to (with sudo: the main config\'s folder, as the lvsdeck sudoers rules allow)'});
		else if (word === 'too-many') tooMany = true;
		else if (word === 'end') complete = true;
	}
	return {...(hostname === undefined ? {} : {hostname}), files, refused, tooMany, complete};
}

export type InstalledConfig =
	| {
			readonly kind: 'parsed';
			readonly config: KeepalivedConfig;
			/** Every file read, the main one first. */
			readonly files: readonly string[];
			/** Has the config `include` lines? Then it can change without the main file changing. */
			readonly hasIncludes: boolean;
			/** The config id its `@id` conditionals were read with. */
			readonly configId: string;
			/** The text of every file read, by path. */
			readonly texts: Readonly<Record<string, string>>;
	  }
	| {readonly kind: 'missing'}
	/** The installed config does not parse: `file:line:col: message`. */
	| {readonly kind: 'invalid'; readonly error: string}
	/** It could not be read (connection, refusal, bounds). */
	| {readonly kind: 'unread'; readonly error: string};

export interface ReadInstalledOptions {
	/** Config id when the host's name cannot be read (keepalived's default is the short host name). */
	readonly fallbackConfigId: string;
	/** Round trips for nested includes before giving up (default 8). */
	readonly maxRounds?: number;
	/** Read only files under this folder (default `/`); see configReadCommand. */
	readonly confineTo?: string;
}

type Run = (argv: readonly string[]) => Promise<ExecResult>;

/** keepalived resolves an include relative to the including file's folder, and expands braces itself. */
function includePatterns(includes: readonly IncludeRecord[]): string[] {
	const out: string[] = [];
	for (const inc of includes) {
		const resolved = path.isAbsolute(inc.pattern) ? path.normalize(inc.pattern) : path.join(path.dirname(inc.loc.file), inc.pattern);
		for (const p of expandBraces(resolved)) if (!out.includes(p)) out.push(p);
	}
	return out;
}

function chunks<T>(list: readonly T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}

/** A read that did not give the files: its message says why. */
class ReadFailed extends Error {}

async function fetchPatterns(run: Run, patterns: readonly string[], into: Map<string, string>, confineTo: string): Promise<string | undefined> {
	let hostname: string | undefined;
	for (const group of chunks(patterns, CONFIG_READ_LIMITS.patterns)) {
		let r: ExecResult;
		try {
			r = await run(configReadCommand(group, confineTo));
		} catch (error) {
			throw new ReadFailed(error instanceof Error ? error.message : String(error));
		}
		if (r.timedOut) throw new ReadFailed('reading the config timed out');
		if (r.code !== 0) throw new ReadFailed(`reading the config failed (exit ${r.code ?? 'signal'}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''})`);
		const out = parseConfigRead(r.stdout);
		if (!out.complete) throw new ReadFailed('the config read was cut short');
		if (out.tooMany) throw new ReadFailed(`the config includes more than ${CONFIG_READ_LIMITS.files} files`);
		const refused = out.refused[0];
		if (refused) throw new ReadFailed(`${refused.path} was not read: ${refused.why}`);
		for (const [p, text] of out.files) into.set(p, text);
		hostname ??= out.hostname;
	}
	return hostname;
}

/**
 * Read and parse the installed config at `mainPath`, includes followed. One round trip for the main
 * file, then one per level of includes (bounded). Never throws.
 */
export async function readInstalledConfig(run: Run, mainPath: string, options: ReadInstalledOptions): Promise<InstalledConfig> {
	const files = new Map<string, string>();
	const asked = new Set<string>();
	let configId = options.fallbackConfigId;
	let pending = [mainPath];
	const maxRounds = options.maxRounds ?? 8;
	try {
		for (let round = 0; ; round++) {
			const bad = pending.find((p) => !absolutePattern.accepts(p));
			if (bad !== undefined) return {kind: 'unread', error: `include ${bad} cannot be read: it is not ${absolutePattern.description}`};
			const hostname = await fetchPatterns(run, pending, files, options.confineTo ?? '/');
			if (round === 0 && hostname) configId = hostname.split('.')[0] || configId;
			for (const p of pending) asked.add(p);
			const main = files.get(mainPath);
			if (main === undefined) return {kind: 'missing'};
			const parsed = parseKeepalivedConf(main, {file: mainPath, configId, files: filesFromMap(Object.fromEntries(files))});
			if (!parsed.ok) return {kind: 'invalid', error: formatDiagnostic(parsed.error)};
			pending = includePatterns(parsed.includes).filter((p) => !asked.has(p));
			if (pending.length === 0) return {kind: 'parsed', config: parsed.config, files: parsed.files, hasIncludes: parsed.includes.length > 0, configId, texts: Object.fromEntries(files)};
			if (round + 1 >= maxRounds) return {kind: 'unread', error: `includes nested more than ${maxRounds} deep`};
		}
	} catch (error) {
		return {kind: 'unread', error: error instanceof Error ? error.message : String(error)};
	}
}

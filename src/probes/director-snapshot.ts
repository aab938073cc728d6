// One command that reads everything about a director in a single SSH session: the IPVS table in its
// three views, the interface addresses, the hash of the installed keepalived.conf and keepalived's
// VRRP dump. One session instead of seven matters: every remote process costs real CPU on a director
// (and a lot on the lab's user-mode kernel).
import {DIRECTOR_EXTRAS_SCRIPT, DIRECTOR_SNAPSHOT_SCRIPT, DIRECTOR_STREAM_SCRIPT, DUMP_EXIT, SNAPSHOT_MARK as MARK} from '../transport/read-only-scripts.js';
import {parseIpvsList, parseIpvsRate, parseIpvsStats, mergeIpvs, type IpvsTable} from './ipvs.js';
import {parseIpAddrJson, type IfAddress} from './vip.js';
import {parseKeepalivedData, parseKeepalivedJson, type VrrpInstanceState} from './vrrp.js';
import {streamPeriodSeconds} from './stream-frames.js';

// The script itself (and what it may do to a director) is in the transport's list of read-only scripts.
export {DIRECTOR_SNAPSHOT_SCRIPT} from '../transport/read-only-scripts.js';

export type DumpKind = 'json' | 'data' | 'none';

export function directorSnapshotCommand(
	configPath: string,
	dump: {kind: DumpKind; pidFile: string; dumpDir: string; signal?: number} = {kind: 'none', pidFile: '/run/keepalived.pid', dumpDir: '/tmp'},
): readonly string[] {
	return ['sh', '-c', DIRECTOR_SNAPSHOT_SCRIPT, 'lvsdeck-probe', configPath, dump.kind, dump.pidFile, dump.dumpDir, String(dump.signal ?? '')];
}

/**
 * The snapshot's hash and dump alone (DIRECTOR_EXTRAS_SCRIPT), for a director whose stream gives the
 * rest: its output after the stream's latest frame is a whole snapshot to parseDirectorSnapshot, whose
 * later sections (config, keepalived-bin, vrrp, vrrp-exit, end) replace the frame's.
 */
export function directorExtrasCommand(configPath: string, dump: {kind: DumpKind; pidFile: string; dumpDir: string; signal?: number}): readonly string[] {
	return ['sh', '-c', DIRECTOR_EXTRAS_SCRIPT, 'lvsdeck-extras', configPath, dump.kind, dump.pidFile, dump.dumpDir, String(dump.signal ?? '')];
}

/**
 * A streamed frame's snapshot (parsed once per frame) with the extras command's output: IPVS and the
 * addresses from the frame, the rest from the extras. Only the extras' end mark says the whole output
 * arrived (cut-short extras are "incomplete", whatever the frame's own end said).
 */
export function withExtras(frame: DirectorSnapshot, extras: string, kind: DumpKind): DirectorSnapshot {
	const sections = splitSections(extras);
	const parsed = parseExtras(sections, kind);
	return {
		ipvs: frame.ipvs,
		addresses: frame.addresses,
		downLinks: frame.downLinks,
		...parsed.fields,
		problems: [...(sections.has('end') ? [] : [INCOMPLETE]), ...parsed.problems, ...frame.problems.filter((p) => p !== INCOMPLETE)],
	};
}

/**
 * The routine snapshot (no hash, no dump) every `periodMs` in one long-lived session, writing only
 * changes (DIRECTOR_STREAM_SCRIPT); each frame's text is parseDirectorSnapshot's input, kind `none`.
 */
export function directorStreamCommand(periodMs: number, pidFile: string, dumpDir: string): readonly string[] {
	return ['sh', '-c', DIRECTOR_STREAM_SCRIPT, 'lvsdeck-dir-stream', streamPeriodSeconds(periodMs), pidFile, dumpDir];
}

export interface DirectorSnapshot {
	readonly ipvs: IpvsTable;
	readonly addresses: readonly IfAddress[];
	/** Interfaces that are not up and running (keepalived faults an instance on one). */
	readonly downLinks: readonly string[];
	/** sha256 of the installed keepalived.conf, or null when the file is missing. */
	readonly configSha256: string | null | undefined;
	/**
	 * The keepalived binary as `PATH SIZE MTIME INODE`, null when there is none; undefined when not asked
	 * (the config was not hashed on this poll) or the output was cut short.
	 */
	readonly keepalivedBinary?: string | null;
	/** Is a keepalived process behind the pid file? undefined when the output was cut short. */
	readonly keepalivedRunning?: boolean;
	/** Parsed VRRP instances when a dump was asked for and read. */
	readonly vrrp?: readonly VrrpInstanceState[];
	readonly vrrpError?: string;
	readonly problems: readonly string[];
}

export function splitSections(text: string): Map<string, string> {
	const sections = new Map<string, string>();
	let name: string | undefined;
	let body: string[] = [];
	for (const line of text.split('\n')) {
		if (line.startsWith(`${MARK} `)) {
			if (name !== undefined) sections.set(name, body.join('\n'));
			name = line.slice(MARK.length + 1).trim();
			body = [];
		} else if (name !== undefined) {
			body.push(line);
		}
	}
	if (name !== undefined) sections.set(name, body.join('\n'));
	return sections;
}

const INCOMPLETE = 'snapshot output is incomplete';

export function parseDirectorSnapshot(text: string, kind: DumpKind = 'none'): DirectorSnapshot {
	const sections = splitSections(text);
	const list = parseIpvsList(sections.get('ipvs-list') ?? '');
	const ipvs = mergeIpvs(list, parseIpvsStats(sections.get('ipvs-stats') ?? ''), parseIpvsRate(sections.get('ipvs-rate') ?? ''));
	const addr = parseIpAddrJson(sections.get('addr') ?? '');
	const extras = parseExtras(sections, kind);
	return {
		ipvs,
		addresses: addr.addresses,
		downLinks: addr.downLinks ?? [],
		...extras.fields,
		problems: [...(sections.has('end') ? [] : [INCOMPLETE]), ...extras.problems, ...list.problems, ...addr.problems],
	};
}

type ExtrasFields = Pick<DirectorSnapshot, 'configSha256' | 'keepalivedBinary' | 'keepalivedRunning' | 'vrrp' | 'vrrpError'>;

/** The snapshot's keepalived part (the extras command prints it alone): the config's hash, the binary, the dump and its exit. */
function parseExtras(sections: ReadonlyMap<string, string>, kind: DumpKind): {fields: ExtrasFields; problems: string[]} {
	const problems: string[] = [];
	const config = (sections.get('config') ?? '').trim();
	// sha256sum reading stdin writes `HASH  -`.
	const hash = /^([0-9a-f]{64})(?:\s+-)?$/.exec(config)?.[1];
	const configSha256 = config === 'missing' ? null : hash;
	const binary = keepalivedBinary(sections.get('keepalived-bin'));
	const exitText = sections.get('vrrp-exit')?.trim();
	const exit = exitText !== undefined && /^\d+$/.test(exitText) ? Number(exitText) : undefined;
	let vrrp: readonly VrrpInstanceState[] | undefined;
	let vrrpError: string | undefined;
	if (exit === 0 && kind !== 'none') {
		const body = sections.get('vrrp') ?? '';
		const dump = kind === 'json' ? parseKeepalivedJson(body) : parseKeepalivedData(body);
		vrrp = dump.instances;
		if (dump.problems.length > 0) problems.push(...dump.problems.slice(0, 3));
	} else if (exit === DUMP_EXIT.notRunning) {
		vrrp = [];
		vrrpError = 'keepalived is not running';
	} else if (exit === DUMP_EXIT.noDump) {
		vrrpError = 'keepalived wrote no dump (no VRRP instances?)';
	} else if (exit === DUMP_EXIT.noSignal) {
		vrrpError = 'keepalived --signum gave no signal number';
	} else if (exit !== undefined && exit !== 0) {
		vrrpError = `VRRP dump failed (exit ${exit})`;
	}
	const fields: ExtrasFields = {
		configSha256,
		...(binary === undefined ? {} : {keepalivedBinary: binary}),
		...(exit === undefined ? {} : {keepalivedRunning: exit !== DUMP_EXIT.notRunning}),
		...(vrrp ? {vrrp} : {}),
		...(vrrpError ? {vrrpError} : {}),
	};
	return {fields, problems};
}

/** The keepalived-bin section: `PATH SIZE MTIME INODE` as the host printed it, null for `missing`. */
function keepalivedBinary(section: string | undefined): string | null | undefined {
	const text = section?.trim();
	if (text === undefined || text === 'skipped' || text === '') return undefined;
	if (text === 'missing') return null;
	return /^\/\S* \d+ \d+ \d+$/.test(text) ? text : undefined;
}

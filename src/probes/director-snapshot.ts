// One command that reads everything about a director in a single SSH session: the IPVS table in its
// three views, the interface addresses, the hash of the installed keepalived.conf and keepalived's
// VRRP dump. One session instead of seven matters: every remote process costs real CPU on a director
// (and a lot on the lab's user-mode kernel).
import {registerReadOnlyScript} from '../transport/read-only.js';
import {parseIpvsList, parseIpvsRate, parseIpvsStats, mergeIpvs, type IpvsTable} from './ipvs.js';
import {parseIpAddrJson, type IfAddress} from './vip.js';
import {DUMP_EXIT, parseKeepalivedData, parseKeepalivedJson, type VrrpInstanceState} from './vrrp.js';

const MARK = '@@lvsdeck';

/**
 * Constant script; values arrive only as positional parameters: "$1" config path ("" skips the hash), "$2" dump kind
 * (json|data|none), "$3" keepalived pid file, "$4" dump folder, "$5" the dump signal number (from
 * `keepalived --signum`, asked once per host). The dump part signals only a process whose name is
 * keepalived, removes the old dump first so a stale one is never read, and waits for the size to settle.
 */
export const DIRECTOR_SNAPSHOT_SCRIPT = registerReadOnlyScript(
	[
		`s() { printf '\\n${MARK} %s\\n' "$1"; }`,
		's ipvs-list; ipvsadm -Ln --exact 2>&1',
		's ipvs-stats; ipvsadm -Ln --stats --exact 2>&1',
		's ipvs-rate; ipvsadm -Ln --rate --exact 2>&1',
		's addr; ip -j addr show 2>&1',
		's config; if [ -z "$1" ]; then echo skipped; elif [ -r "$1" ]; then sha256sum < "$1" | cut -c1-64; else echo missing; fi',
		'dump() {',
		'  pid=; [ -r "$3" ] && read -r pid < "$3"',
		`  case "$pid" in ""|*[!0-9]*) return ${DUMP_EXIT.notRunning} ;; esac`,
		'  comm=; [ -r "/proc/$pid/comm" ] && read -r comm < "/proc/$pid/comm"',
		`  [ "$comm" = keepalived ] || return ${DUMP_EXIT.notRunning}`,
		`  [ "$2" = none ] && return 0`,
		`  case "$5" in ""|*[!0-9]*) return ${DUMP_EXIT.noSignal} ;; esac`,
		'  if [ "$2" = json ]; then f="$4/keepalived.json"; else f="$4/keepalived.data"; fi',
		'  rm -f -- "$f" || return 1',
		`  kill -"$5" "$pid" || return ${DUMP_EXIT.notRunning}`,
		'  i=0; last=',
		'  while [ $i -lt 40 ]; do',
		'    if [ -s "$f" ]; then size=$(wc -c < "$f"); [ "$size" = "$last" ] && { cat -- "$f"; return 0; }; last=$size; fi',
		'    sleep 0.05; i=$((i + 1))',
		'  done',
		`  [ -s "$f" ] && { cat -- "$f"; return 0; }; return ${DUMP_EXIT.noDump}`,
		'}',
		// One dump at a time per host: concurrent readers (two consoles, a deploy's verification) would
		// delete each other's dump files. flock is util-linux; without it, go on unlocked.
		'[ "$2" != none ] && command -v flock >/dev/null 2>&1 && exec 9>"$4/.lvsdeck-dump.lock" && flock -w 5 9',
		's vrrp; dump "$@"; rc=$?',
		's vrrp-exit; echo $rc',
		's end',
	].join('\n'),
);

export type DumpKind = 'json' | 'data' | 'none';

export function directorSnapshotCommand(
	configPath: string,
	dump: {kind: DumpKind; pidFile: string; dumpDir: string; signal?: number} = {kind: 'none', pidFile: '/run/keepalived.pid', dumpDir: '/tmp'},
): readonly string[] {
	return ['sh', '-c', DIRECTOR_SNAPSHOT_SCRIPT, 'lvsdeck-probe', configPath, dump.kind, dump.pidFile, dump.dumpDir, String(dump.signal ?? '')];
}

export interface DirectorSnapshot {
	readonly ipvs: IpvsTable;
	readonly addresses: readonly IfAddress[];
	/** sha256 of the installed keepalived.conf, or null when the file is missing. */
	readonly configSha256: string | null | undefined;
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

export function parseDirectorSnapshot(text: string, kind: DumpKind = 'none'): DirectorSnapshot {
	const sections = splitSections(text);
	const problems: string[] = [];
	if (!sections.has('end')) problems.push('snapshot output is incomplete');
	const list = parseIpvsList(sections.get('ipvs-list') ?? '');
	const ipvs = mergeIpvs(list, parseIpvsStats(sections.get('ipvs-stats') ?? ''), parseIpvsRate(sections.get('ipvs-rate') ?? ''));
	const addr = parseIpAddrJson(sections.get('addr') ?? '');
	const config = (sections.get('config') ?? '').trim();
	const configSha256 = config === 'missing' ? null : /^[0-9a-f]{64}$/.test(config) ? config : undefined;
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
	return {
		ipvs,
		addresses: addr.addresses,
		configSha256,
		...(exit === undefined ? {} : {keepalivedRunning: exit !== DUMP_EXIT.notRunning}),
		...(vrrp ? {vrrp} : {}),
		...(vrrpError ? {vrrpError} : {}),
		problems: [...problems, ...list.problems, ...addr.problems],
	};
}

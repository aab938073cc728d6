// keepalived's own log, read from a director: the commands that read it (the journal, or the file its
// syslog rule or `-l` writes) and a pure parser of one line into what it says (a VRRP transition, an
// advert with lower priority, an authentication error, a script failure, a checker up or down), with
// the time keepalived (or syslog, or the journal) stamped on it.
import type {KeepalivedLogSource} from '../profile/model.js';

export type VrrpLogState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP';

/** What a log line is about; `other` lines are kept for the log view but carry no meaning here. */
export type LogLineKind =
	| 'transition'
	| 'lower-priority'
	| 'higher-priority'
	| 'priority-zero'
	| 'auth-error'
	| 'script-failure'
	| 'checker-up'
	| 'checker-down'
	| 'stopped'
	| 'other';

export interface KeepalivedLogLine {
	/** Epoch ms of the line's own timestamp; absent when it has none. */
	readonly at?: number;
	/** The timestamp as it was written (keepalived's, syslog's or the journal's). */
	readonly stamp?: string;
	/** The message after the timestamp and the program tag. */
	readonly message: string;
	readonly kind: LogLineKind;
	/** The VRRP instance the message names (`(VI_1)` in 2.x, `VRRP_Instance(VI_1)` in 1.x). */
	readonly instance?: string;
	/** For a transition: the state entered. */
	readonly state?: VrrpLogState;
	/** A priority the message names (an advert's, or ours). */
	readonly priority?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-11-21T10:30:41.483868+0000` (journalctl short-iso-precise, RFC 3339 syslog). */
const ISO_PREFIX = /^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) (\S+) ([^\s:[]+)(?:\[\d+\])?: ?(.*)$/;
/** `Nov 21 10:30:41 dir1 Keepalived_vrrp[123]: ...` (classic syslog, no year). */
const BSD_PREFIX = /^([A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d(?:\.\d+)?) (\S+) ([^\s:[]+)(?:\[\d+\])?: ?(.*)$/;
/** `Wed Dec  2 07:45:57 2026: ...` (keepalived's own stamp with -l, and with log_file). */
const CONSOLE_PREFIX = /^((?:[A-Z][a-z]{2} )?([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d+))? (\d{4})): ?(.*)$/;

function fractionMs(fraction: string | undefined): number {
	return fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0;
}

/** An ISO stamp as epoch ms; a stamp without a zone is the station's local time. */
function isoMs(stamp: string): number | undefined {
	const m = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/.exec(stamp);
	if (!m) return undefined;
	const [, y, mo, d, h, mi, s, frac, zone] = m;
	const ms = fractionMs(frac);
	if (zone === undefined) return new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms).getTime();
	const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
	if (zone === 'Z') return utc;
	const sign = zone.startsWith('-') ? -1 : 1;
	const digits = zone.slice(1).replace(':', '');
	return utc - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

/** A syslog stamp without a year: the year that puts it closest before `now` (a day of clock skew allowed). */
function bsdMs(stamp: string, now: number): number | undefined {
	const m = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?$/.exec(stamp);
	const month = m ? MONTHS.indexOf(m[1]!) : -1;
	if (!m || month < 0) return undefined;
	const at = (year: number) => new Date(year, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), fractionMs(m[6])).getTime();
	const year = new Date(now).getFullYear();
	return at(year) > now + 86_400_000 ? at(year - 1) : at(year);
}

/** The stamp, program tag and message of a line, in any of the formats keepalived's lines reach us in. */
function splitPrefix(line: string, now: number): {at?: number; stamp?: string; tag?: string; message: string} {
	const iso = ISO_PREFIX.exec(line);
	if (iso) {
		const at = isoMs(iso[1]!);
		return {...(at !== undefined ? {at} : {}), stamp: iso[1]!, tag: iso[3]!, message: iso[4]!};
	}
	const bsd = BSD_PREFIX.exec(line);
	if (bsd) {
		const at = bsdMs(bsd[1]!, now);
		return {...(at !== undefined ? {at} : {}), stamp: bsd[1]!, tag: bsd[3]!, message: bsd[4]!};
	}
	const con = CONSOLE_PREFIX.exec(line);
	const month = con ? MONTHS.indexOf(con[2]!) : -1;
	if (con && month >= 0) {
		const at = new Date(Number(con[8]), month, Number(con[3]), Number(con[4]), Number(con[5]), Number(con[6]), fractionMs(con[7])).getTime();
		return {at, stamp: con[1]!, message: con[9]!};
	}
	return {message: line};
}

/** `(VI_1) rest` in 2.x, `VRRP_Instance(VI_1) rest` in 1.x. */
const INSTANCE = /^(?:VRRP_Instance)?\(([^()\s]{1,64})\) (.*)$/;
const ENTERING = /^(?:Entering|Transition to) (MASTER|BACKUP|FAULT) STATE\b/;
const NOW_IN = /^Now in (FAULT|MASTER|BACKUP) state\b/i;

/** What a message says, tried in order; the first that matches names its kind. */
const KINDS: ReadonlyArray<readonly [Exclude<LogLineKind, 'transition' | 'other'>, RegExp]> = [
	['lower-priority', /lower prio(?:rity)?\b/i],
	['higher-priority', /higher prio(?:rity)?\b/i],
	['priority-zero', /priority 0 advert|sent 0 priority/i],
	['auth-error', /passw(?:or)?d|authentication|auth(?:entication)? type|bad auth/i],
	['script-failure', /VRRP_Script\([^)]*\) (?:failed|timed out)|Script `[^`]*` now returning [1-9]|script\b.*\b(?:not executable|does not exist|cannot be executed|failed|exited with status [1-9])/i],
	['checker-down', /Removing service .* from VS|Lost quorum|(?:_CHECK\b|\bconnection\b|\bCheck on service\b|\bRemote Web server\b).*\b(?:failed|timeout|timed out)\b/i],
	['checker-up', /Adding service .* to VS|Gained quorum|Remote Web server .* succeed on service/i],
	['stopped', /^(?:Stopping|Stopped) Keepalived\b/],
];

/** The first priority a message names: `priority 100`, `priority (80)`, `prio 100`. */
function priorityIn(text: string): number | undefined {
	const m = /\bprio(?:rity)? \(?(\d{1,3})\)?/i.exec(text);
	return m ? Number(m[1]) : undefined;
}

/** What one message says (its kind, the instance it names, a state entered, a priority). */
export function classifyMessage(message: string): Pick<KeepalivedLogLine, 'kind' | 'instance' | 'state' | 'priority'> {
	const inst = INSTANCE.exec(message);
	const instance = inst?.[1];
	const rest = inst?.[2] ?? message;
	const named = instance !== undefined ? {instance} : {};
	const entered = ENTERING.exec(rest) ?? NOW_IN.exec(rest);
	if (entered && instance !== undefined) return {kind: 'transition', instance, state: entered[1]!.toUpperCase() as VrrpLogState};
	const kind = KINDS.find(([, re]) => re.test(message))?.[0] ?? 'other';
	const priority = kind === 'other' ? undefined : priorityIn(rest);
	return {kind, ...named, ...(priority !== undefined ? {priority} : {})};
}

/** keepalived's programs as syslog tags them (Keepalived, Keepalived_vrrp, Keepalived_healthcheckers). */
function isKeepalivedTag(tag: string): boolean {
	return /^keepalived/i.test(tag);
}

/**
 * One line of keepalived's log; undefined for lines that are not keepalived's (another program's line
 * in a shared syslog file, journalctl's `-- Boot ... --` markers, blank lines). `now` places stamps
 * without a year (classic syslog).
 */
export function parseKeepalivedLogLine(line: string, now: number): KeepalivedLogLine | undefined {
	const trimmed = line.replace(/\r$/, '');
	if (trimmed.trim() === '' || trimmed.startsWith('-- ')) return undefined;
	const {tag, ...prefix} = splitPrefix(trimmed, now);
	if (tag !== undefined && !isKeepalivedTag(tag)) return undefined;
	return {...prefix, ...classifyMessage(prefix.message)};
}

/** How many lines a read of the past takes at most (the history's look back and the log view). */
export const LOG_READ_MAX_LINES = 5000;

/** The long-lived command that prints each new line of keepalived's log as it is written. */
export function keepalivedLogFollowCommand(source: KeepalivedLogSource): string[] {
	if (source.kind === 'file') return ['tail', '-F', '-n', '0', source.path];
	return ['journalctl', '-u', source.unit, '-o', 'short-iso-precise', '--no-pager', '-f', '-n', '0'];
}

/** The last `lines` lines of keepalived's log (from the journal: since `sinceMs` too, when given). */
export function keepalivedLogReadCommand(source: KeepalivedLogSource, lines: number, sinceMs?: number): string[] {
	const n = String(Math.max(1, Math.min(LOG_READ_MAX_LINES, Math.floor(lines))));
	if (source.kind === 'file') return ['tail', '-n', n, source.path];
	const since = sinceMs !== undefined ? ['--since', `@${Math.floor(sinceMs / 1000)}`] : [];
	return ['journalctl', '-u', source.unit, '-o', 'short-iso-precise', '--no-pager', '-n', n, ...since];
}

// keepalived's health-checker lines in its log, as what they say about one real server: a check
// attempt failed with a reason, the checker gave up on it (failed after its retries), keepalived took
// it out of (or put it back into) a virtual service, or the check succeeded again. The texts are
// keepalived's own (check/check_tcp.c, check_udp.c, check_http.c, check_misc.c, check_dns.c,
// check_smtp.c and ipwrapper.c, from 1.2 to 2.3); the real server is written `[ADDR]:PROTO:PORT` from
// 2.1 on and `[ADDR]:PORT` before. Pure.
import {parseKeepalivedLogLine} from './keepalived-log.js';

export type CheckerEventKind =
	/** One attempt failed, with its reason (per attempt; 2.1+ logs these only with log_all_failures). */
	| 'attempt-failed'
	/** The checker gave up: `TCP_CHECK on service ... failed after 1 retries.` */
	| 'failed'
	/** keepalived took the real server out of a virtual service (or set its weight to 0 when inhibited). */
	| 'removed'
	/** keepalived put it back. */
	| 'added'
	/** A check succeeded again. */
	| 'succeeded';

export interface CheckerEvent {
	readonly kind: CheckerEventKind;
	/** Epoch ms of the line's stamp, when it has one. */
	readonly at?: number;
	readonly stamp?: string;
	/** The real server's address and port, as keepalived wrote them (1.3's MISC_CHECK names no port: any). */
	readonly address: string;
	readonly port?: number;
	/** `tcp` or `udp` where keepalived names it (2.1+). */
	readonly protocol?: string;
	/** The virtual service, as keepalived wrote it (`[192.168.67.100]:tcp:80`), where the line names one. */
	readonly vs?: string;
	/** The checker (`TCP_CHECK`, `HTTP_CHECK`, `MISC_CHECK` ...) where the line names it. */
	readonly checker?: string;
	/** The message itself, after the stamp. */
	readonly message: string;
}

/** `[192.168.67.10]:tcp:80`, `[fd00::10]:tcp:80`, `[192.168.67.10]:80` (1.3/2.0). */
const SERVER = String.raw`\[(?<addr>[0-9A-Fa-f.:]{2,45}(?:%[\w.-]+)?)\]:(?:(?<proto>tcp|udp|sctp):)?(?<port>\d{1,5})`;
const VS = String.raw`(?<vs>\[[^\]]{1,256}\]:(?:(?:tcp|udp|sctp):)?\d{1,5}|FWM \d+)`;

interface Pattern {
	readonly kind: CheckerEventKind;
	readonly re: RegExp;
	/** The checker a pattern names by itself (a `checker` group names it otherwise). */
	readonly checker?: string;
}

/** Tried in order; named groups: addr, proto, port, and vs and checker where the line has them. */
const PATTERNS: readonly Pattern[] = [
	// The checker gives up: 2.1+ names it, 1.3/2.0 wrote `Check on service`.
	{kind: 'failed', re: new RegExp(String.raw`^(?:(?<checker>(?:TCP|UDP|HTTP|SSL|SMTP|DNS|PING|FILE)_CHECK) on service|Check on service) ${SERVER} failed\b`)},
	{kind: 'failed', re: new RegExp(String.raw`^Misc check for \[${SERVER} VS ${VS}\] by \[[^\]]*\] (?:failed|timed out)\b`), checker: 'MISC_CHECK'},
	// 1.3: `Misc check to [ADDR] for [SCRIPT] failed.`, the address alone.
	{kind: 'failed', re: /^Misc check to \[(?<addr>[0-9A-Fa-f.:]{2,45})\] for \[[^\]]*\] (?:failed|timed out)\b/, checker: 'MISC_CHECK'},
	{kind: 'succeeded', re: /^Misc check to \[(?<addr>[0-9A-Fa-f.:]{2,45})\] for \[[^\]]*\] success\./, checker: 'MISC_CHECK'},
	{kind: 'removed', re: new RegExp(String.raw`^(?:Removing|Disabling) (?:\(inhibited\) )?service ${SERVER} (?:from|of) VS ${VS}`)},
	{kind: 'added', re: new RegExp(String.raw`^(?:Adding|Enabling) service ${SERVER} (?:to|of) VS ${VS}`)},
	{kind: 'succeeded', re: new RegExp(String.raw`^(?:TCP|UDP) connection to ${SERVER} success\.`)},
	{kind: 'succeeded', re: new RegExp(String.raw`^Remote (?:Web|SMTP) server ${SERVER} succeed on service\.`)},
	{kind: 'succeeded', re: new RegExp(String.raw`^Misc check for \[${SERVER} VS ${VS}\] by \[[^\]]*\] succeeded\b`), checker: 'MISC_CHECK'},
	// One attempt's reason.
	{kind: 'attempt-failed', re: new RegExp(String.raw`^TCP connection to ${SERVER} (?:failed|timeout)\.`), checker: 'TCP_CHECK'},
	{kind: 'attempt-failed', re: new RegExp(String.raw`^UDP (?:connection|check) to ${SERVER} (?:failed|reply data mismatch)\.`), checker: 'UDP_CHECK'},
	// check_http.c's timeout_epilog: `<what> server <RS>.` (`HTTP status code error to server [..]:tcp:80.`).
	{kind: 'attempt-failed', re: new RegExp(String.raw`^(?:Error connecting|Timeout connecting|Connection failed|HTTP status code error to|MD5 digest error to|Regex match failed|Timeout HTTP read|Timeout WEB read|Timeout WEB write|Read error with|Read, no data received from|Cannot send get request to|SSL handshake/communication error[^[]*|HTTP(?:/SSL)?_CHECK - network unreachable) +server ${SERVER}`), checker: 'HTTP_CHECK'},
	{kind: 'attempt-failed', re: new RegExp(String.raw`^Read error with server ${SERVER}:`), checker: 'HTTP_CHECK'},
	// Before 1.2.20: `HTTP status code error to [ADDR]:PORT url(/), status_code [503].`
	{kind: 'attempt-failed', re: new RegExp(String.raw`^(?:HTTP status code|MD5 digest) error to ${SERVER} url\(`), checker: 'HTTP_CHECK'},
	{kind: 'attempt-failed', re: new RegExp(String.raw`^DNS_CHECK \(${SERVER}\) (?!.*\bsucce)`), checker: 'DNS_CHECK'},
];

/** What one message says about a real server's checker, or undefined. */
export function classifyCheckerMessage(message: string): Omit<CheckerEvent, 'at' | 'stamp'> | undefined {
	for (const p of PATTERNS) {
		const m = p.re.exec(message);
		if (!m) continue;
		const g = m.groups ?? {};
		const checker = p.checker ?? g['checker'];
		const address = g['addr']!;
		const protocol = g['proto'];
		const port = g['port'] !== undefined ? Number(g['port']) : undefined;
		const vs = g['vs'];
		return {kind: p.kind, address, ...(port !== undefined ? {port} : {}), ...(protocol ? {protocol} : {}), ...(vs ? {vs} : {}), ...(checker ? {checker} : {}), message};
	}
	return undefined;
}

/** Every checker line of a log read (keepalived's lines only; others are left out), in order. */
export function parseCheckerLog(text: string, now: number): CheckerEvent[] {
	const out: CheckerEvent[] = [];
	for (const line of text.split('\n')) {
		const parsed = parseKeepalivedLogLine(line, now);
		if (!parsed) continue;
		const e = classifyCheckerMessage(parsed.message);
		if (e) out.push({...e, ...(parsed.at !== undefined ? {at: parsed.at} : {}), ...(parsed.stamp !== undefined ? {stamp: parsed.stamp} : {})});
	}
	return out;
}

/** What the log says about one real server now: down since its last removal (with the reasons before it), or not. */
export interface CheckerVerdict {
	/** The last line that took it out (or the checker's last give-up when no removal line came). */
	readonly down?: CheckerEvent;
	/** The checker's give-up and the attempt reasons that led to `down`, newest last (at most 3). */
	readonly reasons: readonly CheckerEvent[];
}

/**
 * The real server at address:port (and protocol, where both sides name one): its latest removal not
 * followed by a re-adding or a success, and the failure lines since the last success before it.
 */
export function checkerVerdict(events: readonly CheckerEvent[], address: string, port: number, protocol?: string): CheckerVerdict {
	const mine = events.filter((e) => e.address === address && (e.port === undefined || e.port === port) && (protocol === undefined || e.protocol === undefined || e.protocol === protocol.toLowerCase()));
	let down: CheckerEvent | undefined;
	let reasons: CheckerEvent[] = [];
	for (const e of mine) {
		if (e.kind === 'added' || e.kind === 'succeeded') {
			down = undefined;
			reasons = [];
		} else if (e.kind === 'removed') down = e;
		else {
			reasons.push(e);
			if (e.kind === 'failed') down ??= e;
		}
	}
	return {...(down ? {down} : {}), reasons: down ? reasons.slice(-3) : []};
}

// The kinds of value the read-only guard accepts after an option or as an operand. Each kind is a
// whole-word test: nothing is accepted by prefix, and none accepts a word starting with "-" (the guard
// also refuses those before asking a kind), so no program can read one of these values as an option.
import {isIP} from 'node:net';

export interface ValueKind {
	/** How a refusal names what was expected: 'a number of seconds'. */
	readonly description: string;
	accepts(word: string): boolean;
}

function kind(description: string, accepts: (word: string) => boolean): ValueKind {
	return {description, accepts};
}

export function pattern(description: string, re: RegExp): ValueKind {
	return kind(description, (w) => re.test(w));
}

/** Exactly one of these words. */
export function oneOf(...words: readonly string[]): ValueKind {
	const set = new Set(words);
	return kind(`one of ${words.join(', ')}`, (w) => set.has(w));
}

/** The kind, or the empty word. */
export function orEmpty(inner: ValueKind): ValueKind {
	return kind(`${inner.description} or empty`, (w) => w === '' || inner.accepts(w));
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Directories whose files are devices or kernel switches: reading one can change the machine. */
const SPECIAL_TREES = ['/dev', '/proc', '/sys'];

/**
 * An absolute path without control characters, "." or ".." components, and outside /dev, /proc and
 * /sys. Values of this kind only ever reach constant scripts as quoted positional parameters, so quotes
 * and spaces are data, never shell syntax.
 */
export const absolutePath = kind('an absolute path (not under /dev, /proc or /sys)', (w) => {
	if (!w.startsWith('/') || w.length > 1024 || CONTROL.test(w)) return false;
	const parts = w.split('/').slice(1);
	if (parts.some((p, i) => p === '.' || p === '..' || (p === '' && i < parts.length - 1))) return false;
	return !SPECIAL_TREES.some((t) => w === t || w.startsWith(`${t}/`));
});

/**
 * An absolute path that may hold glob(3) wildcards (`*`, `?`, `[...]`): keepalived's `include`
 * patterns, expanded by the host's shell. Same rules as absolutePath; a pattern can still match a file
 * under /dev, /proc or /sys, so the script that takes it checks each match's real path itself.
 */
export const absolutePattern = kind('an absolute path or glob pattern (not under /dev, /proc or /sys)', (w) => absolutePath.accepts(w));

/**
 * A log file: an absolute path (as absolutePath) that ends in `.log` or lies under /var/log, so that
 * `tail` in read-only mode reads logs, not any file a profile (or a bug) names.
 */
export const logFilePath = kind('an absolute path of a log file (ending in .log, or under /var/log)', (w) => absolutePath.accepts(w) && (w.endsWith('.log') || w.startsWith('/var/log/')) && !w.endsWith('/'));

/** journalctl's `--since @EPOCH` (seconds). */
export const journalSince = pattern('@ and seconds since the epoch', /^@\d{1,12}$/);

export const seconds = pattern('a number of seconds', /^\d{1,6}(\.\d{1,3})?$/);

/** The period of a long-lived read (REALSERVER_STREAM_SCRIPT): 0.2 s to a day, so no caller can make a host read without pause. */
export const streamPeriod = kind('a period of 0.2 to 86400 seconds', (w) => /^\d{1,5}(\.\d{1,3})?$/.test(w) && Number(w) >= 0.2 && Number(w) <= 86_400);

export const count = pattern('a whole number', /^\d{1,6}$/);

/** A signal number as `kill -N` takes it (which signal is right is the script's to check). */
export const signalNumber = pattern('a signal number (1-64)', /^([1-9]|[1-5]\d|6[0-4])$/);

export const interfaceName = pattern('an interface name', /^[A-Za-z0-9_.@][A-Za-z0-9_.@-]{0,14}$/);

/** `addr:port` as ipvsadm takes a service: IPv4 or bracketed IPv6. */
export const addressPort = kind('an address:port', (w) => {
	const m = /^(?:\[([0-9A-Fa-f:.]+)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5})$/.exec(w);
	if (!m) return false;
	const address = m[1] ?? m[2]!;
	return isIP(address) === (m[1] === undefined ? 4 : 6) && Number(m[3]) >= 1 && Number(m[3]) <= 65535;
});

/**
 * An http:// or https:// URL with a host. curl's own URL globbing ([1-9], {a,b}) is allowed after the
 * host, which cannot change the scheme; curl's guessing of a scheme from a bare host name ("ftp.x")
 * cannot happen because the scheme must be written.
 */
export const httpUrl = pattern('an http:// or https:// URL', /^https?:\/\/[A-Za-z0-9._~%!$&'()*+,;=:@[\]-]+(?:[/?#][A-Za-z0-9._~%!$&'()*+,;=:@/?#[\]{}-]*)?$/);

/** `Name: value` for curl -H. Never `@file` (curl would read headers from that file and send them). */
export const httpHeader = pattern('a "Name: value" header', /^[A-Za-z0-9-]{1,64}:[ -~]{0,200}$/);

/** curl -o may only throw the body away. */
export const devNull = oneOf('/dev/null');

export const userAgent = pattern('a user agent word', /^[A-Za-z0-9._/+()]{1,64}$/);

export const systemdUnit = pattern('a systemd unit name', /^[A-Za-z0-9_.@:\\][A-Za-z0-9_.@:\\-]{0,255}$/);

export const systemdProperty = pattern('systemd property names', /^[A-Z][A-Za-z0-9]{0,63}(,[A-Z][A-Za-z0-9]{0,63}){0,15}$/);

/** A sysctl key to read: never with "=", which makes sysctl write it. */
export const sysctlKey = pattern('a sysctl key', /^[a-z0-9_]+(?:[./][A-Za-z0-9_@:-]+){1,10}$/);

export const processName = pattern('a process name', /^[A-Za-z0-9_.:@+][A-Za-z0-9_.:@+/-]{0,63}$/);

/** `date +FORMAT`; a date operand without "+" would set the clock. */
export const dateFormat = pattern('a +FORMAT', /^\+[!-~]{1,64}$/);

/** `60/m`: curl --rate. */
export const requestRate = pattern('a rate like 60/m', /^\d{1,7}\/m$/);

/** How many curl loops the remote watcher starts (its builder allows 1 to 32). */
export const watchProcesses = pattern('1 to 32 processes', /^([1-9]|[12]\d|3[0-2])$/);

/** An IPv4 or IPv6 address, nothing else (no name to look up). */
export const ipAddress = kind('an IP address', (w) => isIP(w) !== 0);

export const portNumber = kind('a port (1-65535)', (w) => /^\d{1,5}$/.test(w) && Number(w) >= 1 && Number(w) <= 65535);

/** Requests a second for the socket watcher (1 to 5000). */
export const socketRate = kind('1 to 5000 requests a second', (w) => /^\d{1,4}$/.test(w) && Number(w) >= 1 && Number(w) <= 5000);

/** What the socket watcher sends: printable ASCII (escapes are text), at most 256 characters, may be empty. */
export const sendText = pattern('printable text of at most 256 characters', /^[ -~]{0,256}$/);

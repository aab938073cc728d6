// The VRRP password (keepalived `auth_pass`) never leaves lvsdeck: every text that may carry
// keepalived.conf lines or keepalived dumps goes through redactSecrets before it is written anywhere.
// Lowest layer: imports nothing, so the renderer, probes, actions and views can all use it.

export const REDACTED = '********';

// A value: a quoted string (spaces allowed, backslash escapes) or a run of non-blank characters.
const VALUE = String.raw`"(?:[^"\\\r\n]|\\.)*"?|[^\s{}]+`;
const AUTH_PASS = new RegExp(String.raw`(\bauth_pass\b[ \t]+)(${VALUE})`, 'gi');
/** keepalived.conf: `auth_pass VALUE` at the start of a line (any indentation), then anything. */
const AUTH_PASS_LINE = new RegExp(String.raw`^([ \t]*auth_pass[ \t]+)(${VALUE})(.*)$`, 'i');
const INSTANCE_LINE = /^[ \t]*vrrp_instance[ \t]+(\S+)/;

/**
 * Mask VRRP secrets in any text: `auth_pass X` (keepalived.conf, quoted or not; a trailing comment is
 * kept), `Password = X` (keepalived's data dump) and `"auth_data":"X"` (JSON dump, also when the JSON
 * is itself quoted inside a string).
 */
export function redactSecrets(text: string): string {
	if (typeof text !== 'string') return '';
	return text
		.replace(/(\bPassword[ \t]*=[ \t]*)[^\r\n]*/gi, `$1${REDACTED}`)
		.replace(AUTH_PASS, `$1${REDACTED}`)
		.replace(/("auth_data"[ \t]*:[ \t]*)"(?:[^"\\]|\\[\s\S])*"?/gi, `$1"${REDACTED}"`)
		.replace(/(\\"auth_data\\"[ \t]*:[ \t]*)\\"(?:[^"\\]|\\[^"])*(?:\\")?/gi, `$1\\"${REDACTED}\\"`);
}

/**
 * Also mask these exact values (passwords lvsdeck knows: the profile's, the installed file's) wherever
 * they appear, for text lvsdeck did not write itself (a remote command's error output may quote a line
 * in any form). Values shorter than 3 characters are left to the patterns: masking "1" everywhere
 * would wreck addresses and numbers without protecting anything.
 */
export function redactKnownSecrets(text: string, secrets: Iterable<string>): string {
	let out = redactSecrets(text);
	const longestFirst = [...new Set(secrets)].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
	for (const secret of longestFirst) out = out.split(secret).join(REDACTED);
	return out;
}

function unquote(value: string): string {
	return value.startsWith('"') ? value.slice(1, value.endsWith('"') && value.length > 1 ? -1 : undefined).replace(/\\(.)/g, '$1') : value;
}

/** The auth_pass value of each VRRP instance in a keepalived.conf, by instance name (`#N` outside one). */
export function authPasses(conf: string): Map<string, string> {
	const found = new Map<string, string>();
	let instance: string | undefined;
	let loose = 0;
	for (const line of conf.split('\n')) {
		const header = INSTANCE_LINE.exec(line);
		if (header) instance = header[1]!;
		const m = AUTH_PASS_LINE.exec(line);
		if (!m) continue;
		let key = instance ?? `#${loose++}`;
		while (found.has(key)) key = `${key}'`;
		found.set(key, unquote(m[2]!));
	}
	return found;
}

/** Every auth_pass value in a keepalived.conf (for redactKnownSecrets). */
export function authPassValues(conf: string | null | undefined): string[] {
	return conf ? [...authPasses(conf).values()] : [];
}

/**
 * Both sides of a keepalived.conf diff with the passwords masked, saying per instance whether the real
 * values differ: the new side reads `auth_pass ******** (changed)` or `(unchanged)`; the old side of a
 * changed one reads `auth_pass ********`, so the diff still shows the line as changed.
 */
export function redactConfPair(current: string | null, desired: string): {current: string | null; desired: string} {
	const before = current === null ? new Map<string, string>() : authPasses(current);
	const after = authPasses(desired);
	const mark = (conf: string, mine: Map<string, string>, theirs: Map<string, string>, changedNote: string) => {
		const keys = [...mine.keys()];
		let next = 0;
		return conf
			.split('\n')
			.map((line) => {
				const m = AUTH_PASS_LINE.exec(line);
				if (!m) return redactSecrets(line);
				const key = keys[next++];
				const same = key !== undefined && theirs.has(key) && theirs.get(key) === mine.get(key);
				return `${m[1]}${REDACTED}${same ? ' (unchanged)' : changedNote}${redactSecrets(m[3]!)}`;
			})
			.join('\n');
	};
	return {current: current === null ? null : mark(current, before, after, ''), desired: mark(desired, after, before, ' (changed)')};
}

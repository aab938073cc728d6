// The one sanitizer. Remote text (host output, error lines, dumps, HTTP bodies) is stripped of
// everything that can drive a terminal or hide what is printed before any writer lets it out: escape
// sequences (CSI, OSC, DCS, SOS, PM, APC, 7- and 8-bit), C0 and C1 controls, and Unicode format
// characters (bidi overrides and isolates, zero-width characters, the BOM, tag characters). The bottom
// layer: every layer may import it, it imports nothing.

// Sequences are removed whole when complete; the lengths are bounded so a hostile input cannot make
// the scan quadratic, and a string body stops at the next introducer for the same reason. What is left
// of an incomplete sequence loses its ESC/C1 introducer below and is shown as plain text.
const CSI = '(?:\\u001B\\[|\\u009B)[0-?]{0,64}[ -/]{0,16}[@-~]';
const STRING = '(?:\\u001B[\\]PX^_]|[\\u0090\\u0098\\u009D\\u009E\\u009F])[^\\u0007\\u001B\\u0090\\u0098\\u009B-\\u009F]{0,4096}(?:\\u0007|\\u001B\\\\|\\u009C)';
// Two- and three-byte escapes: ESC 7, ESC c (reset), ESC # 8 (fill the screen), ESC ( B, ...
const SHORT = '\\u001B[ -/]{0,8}[0-~]';
const ESCAPES = new RegExp(`${CSI}|${STRING}|${SHORT}`, 'g');

// Unicode line and paragraph separators end a line like a newline does.
const LINE_SEPARATORS = /[\u2028\u2029]/g;
// C0 controls except tab and newline, DEL, C1 controls, every format character (\p{Cf}: U+061C,
// U+200B-U+200F, U+202A-U+202E, U+2060-U+2064, U+2066-U+206F, U+FEFF, U+FFF9-U+FFFB, tags, ...), and the
// whole tag block U+E0000-U+E007F (its unassigned code points are not Cf, yet terminals treat them alike).
const INVISIBLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\p{Cf}\u{E0000}-\u{E007F}]/gu;
// A lone surrogate is not a character; it becomes U+FFFD as a UTF-8 encoder would make it.
const LONE_SURROGATE = /\p{Cs}/gu;
// Anything above: when none is present (nearly always), the text is returned as it is.
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029\p{Cf}\p{Cs}\u{E0000}-\u{E007F}]/u;

/** Strip escape sequences, control and format characters; keeps tabs and newlines. */
export function sanitizeText(text: string): string {
	const s = typeof text === 'string' ? text : String(text);
	if (!UNSAFE.test(s)) return s;
	return s.replace(ESCAPES, '').replace(LINE_SEPARATORS, '\n').replace(INVISIBLE, '').replace(LONE_SURROGATE, '\uFFFD');
}

/** For single-line cells and messages: also turns newlines and tabs into spaces. */
export function sanitizeLine(text: string): string {
	const s = sanitizeText(text);
	return s.includes('\n') || s.includes('\t') ? s.replace(/[\t\n]+/g, ' ') : s;
}

/**
 * A JSON-able value with every string in it (keys too) sanitized, for JSON output: JSON.stringify
 * escapes C0 controls but lets C1, bidi and zero-width characters through, and `jq -r` turns escaped
 * ones back into raw bytes on the terminal.
 */
export function sanitizeValue<T>(value: T): T {
	return clean(value, 0) as T;
}

function clean(value: unknown, depth: number): unknown {
	if (typeof value === 'string') return sanitizeText(value);
	if (value === null || typeof value !== 'object' || depth > 64) return value;
	const withJson = value as {toJSON?: () => unknown};
	if (typeof withJson.toJSON === 'function') return clean(withJson.toJSON(), depth + 1);
	if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1));
	// null prototype: a key named __proto__ in remote data stays a plain key
	const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
	for (const [k, v] of Object.entries(value)) out[sanitizeText(k)] = clean(v, depth + 1);
	return out;
}

const UNSAFE_EACH = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029\p{Cf}\p{Cs}\u{E0000}-\u{E007F}]/gu;

/**
 * Unsafe characters written out as `\uXXXX` instead of removed: for quoting a refused token in a
 * problem message, so the reader sees what was there and the terminal sees plain ASCII.
 */
export function escapeUnsafe(text: string): string {
	const s = typeof text === 'string' ? text : String(text);
	if (!UNSAFE.test(s)) return s;
	return s.replace(UNSAFE_EACH, (c) => {
		const code = c.codePointAt(0)!;
		return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
	});
}

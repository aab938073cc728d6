// Character-level rules of keepalived 2.2.7's reader (lib/parser.c): comment removal, word splitting
// (plain and quoted/escaped), and splitting a line at its first unquoted brace. Only ASCII blanks
// count as white space: a no-break space is part of a word, as it is for keepalived.

const WHITE_SPACE = ' \t\f\n\r\v';

export function isWhiteSpace(c: string | undefined): boolean {
	return c !== undefined && c !== '' && WHITE_SPACE.includes(c);
}

function isBlank(c: string | undefined): boolean {
	return c === ' ' || c === '\t';
}

export interface Decommented {
	readonly text: string;
	/** Blanks removed from the start, for column numbers. */
	readonly leading: number;
	readonly unterminatedQuote: boolean;
}

/**
 * `!` and `#` start a comment anywhere outside double quotes (even inside a word); `\#` and `\!`
 * outside quotes stand for the characters themselves; a final `\` is kept as a continuation mark.
 * Leading and trailing blanks go.
 */
export function decomment(line: string): Decommented {
	let leading = 0;
	while (isBlank(line[leading])) leading++;
	const s = line.slice(leading);
	let out = '';
	let quote = false;
	let commentAt = -1;
	let cont = false;
	for (let i = 0; i < s.length; ) {
		const c = s[i] as string;
		if (c === '"') {
			if (commentAt < 0) quote = !quote;
			out += c;
			i++;
		} else if (c === '\\') {
			if (i + 1 >= s.length) {
				cont = true;
				break;
			}
			const next = s[i + 1] as string;
			out += !quote && (next === '#' || next === '!') ? next : c + next;
			i += 2;
		} else {
			if (!quote && commentAt < 0 && (c === '!' || c === '#')) commentAt = out.length;
			out += c;
			i++;
		}
	}
	if (commentAt >= 0) out = out.slice(0, commentAt);
	let end = out.length;
	while (end > 0 && isBlank(out[end - 1])) end--;
	out = out.slice(0, end);
	if (cont) out += '\\';
	return {text: out, leading, unterminatedQuote: quote};
}

export interface Words {
	readonly words: string[];
	readonly unmatchedQuote: boolean;
}

/** keepalived's alloc_strvec_r: words split on white space; `"..."` is one word without its quotes (no escapes). */
export function splitWords(text: string): Words {
	const words: string[] = [];
	let i = 0;
	for (;;) {
		while (isWhiteSpace(text[i])) i++;
		if (i >= text.length) break;
		if (text[i] === '"') {
			const close = text.indexOf('"', i + 1);
			if (close < 0) return {words, unmatchedQuote: true};
			words.push(text.slice(i + 1, close));
			i = close + 1;
		} else {
			const start = i;
			while (i < text.length && !isWhiteSpace(text[i]) && text[i] !== '"') i++;
			words.push(text.slice(start, i));
		}
	}
	return {words, unmatchedQuote: false};
}

const SIMPLE_ESCAPES: Record<string, string> = {a: '\x07', b: '\b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v'};

function isHex(c: string | undefined): boolean {
	return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

/**
 * keepalived's alloc_strvec_quoted_escaped, used for script command lines: single and double quotes
 * group, backslash escapes (\n, \t, \xHH, \cX, octal, or the character itself). undefined on an
 * unterminated quote or a trailing backslash, where keepalived gives up on the line.
 */
export function splitQuotedEscaped(text: string): string[] | undefined {
	const words: string[] = [];
	let i = 0;
	for (;;) {
		while (isWhiteSpace(text[i])) i++;
		if (i >= text.length) break;
		let word = '';
		let quote = '';
		while (i < text.length) {
			const c = text[i] as string;
			if (c === '\\') {
				i++;
				if (i >= text.length) return undefined;
				const e = text[i] as string;
				if (e === 'x' && isHex(text[i + 1])) {
					let code = 0;
					i++;
					while (isHex(text[i])) code = ((code << 4) | parseInt(text[i++] as string, 16)) & 0xff;
					word += String.fromCharCode(code);
				} else if (e === 'c' && i + 1 < text.length) {
					word += String.fromCharCode((text.charCodeAt(i + 1) & 0x1f) >>> 0);
					i += 2;
				} else if (e >= '0' && e <= '7') {
					let code = 0;
					for (let n = 0; n < 3 && text[i] !== undefined && (text[i] as string) >= '0' && (text[i] as string) <= '7'; n++) code = (code << 3) + Number(text[i++]);
					word += String.fromCharCode(code & 0xff);
				} else {
					word += SIMPLE_ESCAPES[e] ?? e;
					i++;
				}
			} else if (quote) {
				if (c === quote) quote = '';
				else word += c;
				i++;
			} else if (c === '"' || c === "'") {
				quote = c;
				i++;
			} else if (isWhiteSpace(c)) {
				break;
			} else {
				word += c;
				i++;
			}
		}
		if (quote) return undefined;
		words.push(word);
	}
	return words;
}

export interface BraceSplit {
	/** The part to use as this logical line (trailing blanks removed). */
	readonly head: string;
	/** What follows, read by keepalived as the next line; undefined when nothing follows. */
	readonly rest?: string;
	/** Offset of `rest` within the input. */
	readonly restOffset: number;
}

/**
 * keepalived 2.2.7 reads every `{` and `}` outside double quotes as a line of its own: a line that
 * starts with a brace is cut after it, any other line is cut before its first brace.
 */
export function splitAtBrace(text: string): BraceSplit {
	let at = -1;
	if (text[0] === '{' || text[0] === '}') at = 0;
	else {
		for (let i = 0; i < text.length; i++) {
			const c = text[i];
			if (c === '"') {
				const close = text.indexOf('"', i + 1);
				if (close < 0) break;
				i = close;
			} else if (c === '{' || c === '}') {
				at = i;
				break;
			}
		}
	}
	if (at < 0) return {head: trimBlanksEnd(text), restOffset: text.length};
	let cut = at;
	if (at === 0) {
		cut = 1;
		while (isBlank(text[cut])) cut++;
	}
	if (cut >= text.length) return {head: trimBlanksEnd(text), restOffset: text.length};
	const rest = trimBlanksEnd(text.slice(cut));
	return {head: trimBlanksEnd(text.slice(0, cut)), rest: rest === '' ? undefined : rest, restOffset: cut};
}

export function trimBlanksEnd(text: string): string {
	let end = text.length;
	while (end > 0 && isBlank(text[end - 1])) end--;
	return text.slice(0, end);
}

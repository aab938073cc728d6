// Remote text cannot drive the terminal: escape sequences, control characters and invisible format
// characters (bidi, zero-width) are removed; what is left is shown.
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {escapeUnsafe, sanitizeLine, sanitizeText, sanitizeValue} from '../../../src/text/sanitize.js';
import {xmlAttr, xmlText} from '../../../src/text/xml.js';
import {fit} from '../../../src/ui/format.js';
import {findForbidden} from '../security/hostile-cluster.js';
import {xmlProblem} from '../security/xml-check.js';

describe('sanitizeText', () => {
	it.each([
		['colour', 'a\u001B[31mred\u001B[0m b', 'ared b'],
		['cursor movement and clear', '\u001B[2J\u001B[Hx\u001B[10;5Hy', 'xy'],
		['OSC title (BEL)', '\u001B]0;owned\u0007host', 'host'],
		['OSC 8 hyperlink (ST)', '\u001B]8;;http://evil\u001B\\link\u001B]8;;\u001B\\', 'link'],
		['DCS string', '\u001BPq#0;2;0;0;0\u001B\\ok', 'ok'],
		['APC and PM strings', '\u001B_cmd\u001B\\a\u001B^x\u001B\\b', 'ab'],
		['8-bit CSI', 'a\u009B31mb', 'ab'],
		['8-bit OSC and DCS with 8-bit ST', 'a\u009D0;t\u009Cb\u0090q\u009Cc', 'abc'],
		['reset, fill screen, charset, keypad', '\u001Bca\u001B#8b\u001B(Bc\u001B=d', 'abcd'],
		['an unterminated OSC loses its introducer; the rest is plain text', 'a\u001B]0;title', 'a0;title'],
		['bell, backspace, carriage return, NUL, DEL', 'a\u0007b\bc\rd\u0000e\u007Ff', 'abcdef'],
		['C1 NEL and others', 'a\u0085b\u0080c\u009Fd', 'abcd'],
		['bidi overrides, embeddings and isolates', 'x\u202Aa\u202Bb\u202Cc\u202Dd\u202Ee\u2066f\u2067g\u2068h\u2069y', 'xabcdefghy'],
		['LRM, RLM and the Arabic letter mark', 'a\u200Eb\u200Fc\u061Cd', 'abcd'],
		['zero-width space, joiner, non-joiner, word joiner, invisible operators, BOM', 'a\u200Bb\u200Cc\u200Dd\u2060e\u2061f\u2064g\uFEFFh', 'abcdefgh'],
		['tag characters (hidden text)', 'a\u{E0041}\u{E0042}b', 'ab'],
		['line and paragraph separators end lines', 'a\u2028b\u2029c', 'a\nb\nc'],
		['a lone surrogate becomes U+FFFD', 'a\uD800b', 'a\uFFFDb'],
		['keeps tabs and newlines', 'a\tb\nc', 'a\tb\nc'],
		['keeps unicode', 'dir1 → MASTER ✓ 👍 日本 مرحبا', 'dir1 → MASTER ✓ 👍 日本 مرحبا'],
	])('%s', (_name, input, expected) => {
		expect(sanitizeText(input)).toBe(expected);
	});

	it('never leaves a control, bidi or invisible character, and is idempotent (property)', () => {
		fc.assert(
			fc.property(fc.string({unit: 'binary'}), (s) => {
				const out = sanitizeText(s);
				return findForbidden(out) === undefined && sanitizeText(out) === out;
			}),
			{numRuns: 2000},
		);
	});

	it('the same on strings made of escape-sequence pieces (property)', () => {
		const piece = fc.constantFrom('\u001B', '[', ']', 'P', '\\', '\u0007', '\u009B', '\u009C', '\u009D', '0', ';', 'm', 'a', ' ', '\n', '\u202E', '\u200B', '\u2028', '\uD800');
		fc.assert(
			fc.property(fc.string({unit: piece, maxLength: 60}), (s) => {
				const out = sanitizeText(s);
				return findForbidden(out) === undefined && sanitizeText(out) === out;
			}),
			{numRuns: 2000},
		);
	});

	it('keeps every printable character of safe text (property)', () => {
		fc.assert(fc.property(fc.string({unit: fc.constantFrom(...'abc XYZ 123 -_./:→✓日')}), (s) => sanitizeText(s) === s));
	});
});

describe('sanitizeLine', () => {
	it('folds newlines, tabs and line separators into spaces for cells and one-line messages', () => {
		expect(sanitizeLine('a\nb\tc\u001B[1m')).toBe('a b c');
		expect(sanitizeLine('a\u2028b\u2029c')).toBe('a b c');
		fc.assert(fc.property(fc.string({unit: 'binary'}), (s) => !/[\n\t]/.test(sanitizeLine(s)) && findForbidden(sanitizeLine(s)) === undefined));
	});
});

describe('sanitizeValue (JSON output)', () => {
	it('sanitizes every string, keys included, and keeps everything else', () => {
		const at = new Date(0);
		const v = sanitizeValue({a: 'x\u001B[31my', ['k\u202Eey']: [1, null, true, 'z\u200B'], nested: {deep: ['\u009B1m']}, at});
		expect(v).toEqual({a: 'xy', key: [1, null, true, 'z'], nested: {deep: ['']}, at: '1970-01-01T00:00:00.000Z'});
		expect(JSON.stringify(sanitizeValue({s: 'a\u0085\u202E'}))).toBe('{"s":"a"}');
	});
});

describe('escapeUnsafe (quoting refused tokens)', () => {
	it('writes unsafe characters as \\u escapes, leaving safe text as it is', () => {
		expect(escapeUnsafe('rr\u001B[2J\u202E')).toBe('rr\\u001b[2J\\u202e');
		expect(escapeUnsafe('tag\u{E0041}')).toBe('tag\\u{e0041}');
		expect(escapeUnsafe('plain text')).toBe('plain text');
		fc.assert(fc.property(fc.string({unit: 'binary'}), (s) => findForbidden(escapeUnsafe(s)) === undefined));
	});
});

describe('XML text', () => {
	it('escapes markup, strips what XML 1.0 forbids, keeps the rest; attributes keep newlines as references', () => {
		expect(xmlText('a <b> & "c"\n\u001B[1md\uFFFF')).toBe('a &lt;b&gt; &amp; "c"\nd');
		expect(xmlAttr('a "b" \'c\'\n\td')).toBe('a &quot;b&quot; &apos;c&apos;&#10;&#9;d');
	});

	it('any string makes well-formed XML in content and in attributes (property)', () => {
		fc.assert(
			fc.property(fc.string({unit: 'binary'}), fc.string({unit: 'binary'}), (text, attr) => xmlProblem(`<r a="${xmlAttr(attr)}" b='${xmlAttr(attr)}'>${xmlText(text)}</r>`) === undefined),
			{numRuns: 1000},
		);
	});
});

describe('fit (every line the screens draw)', () => {
	it('sanitizes before it measures, so widths count what is shown', () => {
		expect(fit('rr\u001B]0;owned\u0007\u202E', 4)).toBe('rr  ');
		expect(fit('a\nb', 5)).toBe('a b  ');
		fc.assert(fc.property(fc.string({unit: 'binary'}), fc.integer({min: 1, max: 40}), (s, w) => findForbidden(fit(s, w)) === undefined));
	});
});

describe('the tag block', () => {
	// Found by the property test: U+E0002 is unassigned (not \p{Cf}) but sits in the tag block.
	it('strips every code point of U+E0000-U+E007F, assigned or not', () => {
		for (const cp of [0xe0000, 0xe0001, 0xe0002, 0xe001f, 0xe0020, 0xe007f]) expect(sanitizeText(`a${String.fromCodePoint(cp)}b`)).toBe('ab');
	});
});

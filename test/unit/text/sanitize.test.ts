// Remote text cannot drive the terminal: escape sequences and control characters are removed.
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {sanitizeLine, sanitizeText} from '../../../src/text/sanitize.js';

describe('sanitizeText', () => {
	it.each([
		['colour', 'a\u001B[31mred\u001B[0m b', 'ared b'],
		['cursor movement and clear', '\u001B[2J\u001B[Hx\u001B[10;5Hy', 'xy'],
		['OSC title (BEL)', '\u001B]0;owned\u0007host', 'host'],
		['OSC 8 hyperlink (ST)', '\u001B]8;;http://evil\u001B\\link\u001B]8;;\u001B\\', 'link'],
		['DCS string', '\u001BPq#0;2;0;0;0\u001B\\ok', 'ok'],
		['8-bit CSI', 'a\u009B31mb', 'ab'],
		['bell, backspace, carriage return', 'a\u0007b\bc\rd', 'abcd'],
		['keeps tabs and newlines', 'a\tb\nc', 'a\tb\nc'],
		['keeps unicode', 'dir1 → MASTER ✓', 'dir1 → MASTER ✓'],
	])('%s', (_name, input, expected) => {
		expect(sanitizeText(input)).toBe(expected);
	});

	it('never leaves an ESC or other control character (property)', () => {
		fc.assert(
			fc.property(fc.string({unit: 'binary'}), (s) => {
				const out = sanitizeText(s);
				// eslint-disable-next-line no-control-regex
				return !/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/.test(out);
			}),
		);
	});

	it('sanitizeLine folds newlines and tabs for table cells', () => {
		expect(sanitizeLine('a\nb\tc\u001B[1m')).toBe('a b c');
	});
});

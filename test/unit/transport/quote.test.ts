// POSIX shell quoting: whatever the string, a real `sh` reads the quoted word back byte for byte.
import {execFileSync} from 'node:child_process';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {shellJoin, shellQuote} from '../../../src/transport/quote.js';

const SHELL_SPECIALS = [..."'\"\\$`!*?[]{}()<>|&;#~=%^ \t\n\r\u000b\f-@:,./", '\u00a0', 'é', '€', '𝄞', "'\\''"];

/** Single code points, biased towards what a shell treats specially. */
const unit = fc.oneof(
	{weight: 3, arbitrary: fc.constantFrom(...SHELL_SPECIALS)},
	{weight: 2, arbitrary: fc.string({unit: 'binary-ascii', minLength: 1, maxLength: 1})},
	{weight: 1, arbitrary: fc.string({unit: 'binary', minLength: 1, maxLength: 1})},
);
const word = fc.string({unit, maxLength: 24}).filter((s) => !s.includes('\0'));

function shPrintf(script: string): string {
	return execFileSync('sh', ['-c', script], {encoding: 'utf8'});
}

describe('shellQuote', () => {
	it('leaves safe words alone and quotes everything else', () => {
		expect(shellQuote('ipvsadm')).toBe('ipvsadm');
		expect(shellQuote('192.168.67.100:80')).toBe('192.168.67.100:80');
		expect(shellQuote('/etc/keepalived/keepalived.conf')).toBe('/etc/keepalived/keepalived.conf');
		expect(shellQuote('--sort=weight,x')).toBe('--sort=weight,x');
		expect(shellQuote('')).toBe("''");
		expect(shellQuote('a b')).toBe("'a b'");
		expect(shellQuote("c'd")).toBe(`'c'\\''d'`);
		expect(shellQuote('$(reboot)')).toBe("'$(reboot)'");
		expect(shellQuote('*')).toBe("'*'");
		expect(shellQuote('~')).toBe("'~'");
	});

	it('refuses a NUL byte, which no shell word can carry', () => {
		expect(() => shellQuote('a\0b')).toThrow(/NUL/);
		fc.assert(
			fc.property(word, word, (a, b) => {
				expect(() => shellQuote(`${a}\0${b}`)).toThrow(/NUL/);
				expect(() => shellJoin(['echo', `${a}\0${b}`])).toThrow(/NUL/);
			}),
		);
	});

	it('round-trips any string through sh -c "printf %s WORD" (property)', () => {
		fc.assert(
			fc.property(word, (s) => {
				expect(shPrintf(`printf %s ${shellQuote(s)}`)).toBe(s);
			}),
			{numRuns: 150},
		);
	});

	it('round-trips whole argv lists through shellJoin (property)', () => {
		fc.assert(
			fc.property(fc.array(word, {minLength: 1, maxLength: 12}), (words) => {
				// NUL cannot occur in the words, so it separates them unambiguously
				const out = shPrintf(shellJoin(['printf', '%s\\0', ...words]));
				expect(out.split('\0').slice(0, -1)).toEqual(words);
			}),
			{numRuns: 100},
		);
	});

	it('refuses to join an empty argv', () => {
		expect(() => shellJoin([])).toThrow(/empty/);
	});
});

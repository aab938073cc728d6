// A key's text parsed once: the same text gives the same object, a new text is parsed (and replaces it).
import {describe, expect, it} from 'vitest';
import {LastParsed} from '../../../src/cluster/last-parsed.js';

describe('LastParsed', () => {
	it('parses a text once per key and gives the same object for it again', () => {
		const parses: string[] = [];
		const last = new LastParsed((key, text) => (parses.push(`${key}:${text}`), {key, length: text.length}));
		const a = last.get('rs1', 'up');
		expect(last.get('rs1', 'up')).toBe(a);
		expect(last.get('rs2', 'up')).not.toBe(a);
		const b = last.get('rs1', 'down');
		expect(b).toEqual({key: 'rs1', length: 4});
		// only the last text is kept: going back parses again
		expect(last.get('rs1', 'up')).not.toBe(a);
		expect(parses).toEqual(['rs1:up', 'rs2:up', 'rs1:down', 'rs1:up']);
	});

	it('adopts an equal value for the last text: the same text gives it, a new text is parsed', () => {
		const last = new LastParsed((_key, text) => ({text}));
		const parsed = last.get('dir1', 'frame');
		const held = {text: 'frame'};
		last.adopt('dir1', (value) => (value === parsed ? held : value));
		expect(last.get('dir1', 'frame')).toBe(held);
		expect(last.get('dir1', 'next')).toEqual({text: 'next'});
		// nothing parsed for a key: nothing to adopt
		last.adopt('dir2', () => held);
		expect(last.get('dir2', 'frame')).not.toBe(held);
	});

	it('forgets a key, or every key', () => {
		let n = 0;
		const last = new LastParsed(() => ++n);
		last.get('a', 'x');
		last.get('b', 'x');
		last.delete('a');
		expect([last.get('a', 'x'), last.get('b', 'x')]).toEqual([3, 2]);
		last.clear();
		expect(last.get('b', 'x')).toBe(4);
	});
});

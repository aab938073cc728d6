// A host's parsed fields that equal the stored ones stand for them, and the same parsed object is not
// compared deep again (a stream's frame is parsed once, then brought by every poll).
import {describe, expect, it} from 'vitest';
import {StableFields} from '../../../src/cluster/stable-fields.js';

/** An object that counts how often its fields are read (a deep compare reads them). */
function counted(value: {a: number; b: number[]}): {object: {a: number; b: number[]}; reads: () => number} {
	let reads = 0;
	const object = {} as {a: number; b: number[]};
	for (const [k, v] of Object.entries(value)) {
		Object.defineProperty(object, k, {enumerable: true, get: () => (reads++, v)});
	}
	return {object, reads: () => reads};
}

describe('StableFields', () => {
	it('gives the stored value for an equal read, and compares the same read only once', () => {
		const stable = new StableFields<'ipvs'>();
		const stored = {a: 1, b: [2, 3]};
		const read = counted({a: 1, b: [2, 3]});
		expect(stable.keep('dir1', 'ipvs', read.object, stored)).toBe(stored);
		const afterFirst = read.reads();
		expect(afterFirst).toBeGreaterThan(0);
		for (let i = 0; i < 3; i++) expect(stable.keep('dir1', 'ipvs', read.object, stored)).toBe(stored);
		expect(read.reads()).toBe(afterFirst);
	});

	it('lets a pairing go once the reader brings the stored object itself (its equal copy is then free)', () => {
		const stable = new StableFields<'ipvs'>();
		const stored = {a: 1, b: [2, 3]};
		const read = counted({a: 1, b: [2, 3]});
		expect(stable.keep('dir1', 'ipvs', read.object, stored)).toBe(stored);
		expect(stable.keep('dir1', 'ipvs', stored, stored)).toBe(stored);
		// the pairing is gone: the old read, brought again, is compared again
		const before = read.reads();
		expect(stable.keep('dir1', 'ipvs', read.object, stored)).toBe(stored);
		expect(read.reads()).toBeGreaterThan(before);
	});

	it('gives a read that differs as it is, and one with nothing stored', () => {
		const stable = new StableFields<'ipvs'>();
		const stored = {a: 1, b: [2, 3]};
		const changed = {a: 1, b: [2, 4]};
		expect(stable.keep('dir1', 'ipvs', changed, stored)).toBe(changed);
		expect(stable.keep('dir1', 'ipvs', changed, undefined)).toBe(changed);
	});

	it('keeps pairs apart by host and field, and a new stored value ends a pairing', () => {
		const stable = new StableFields<'ipvs' | 'addresses'>();
		const stored = {a: 1, b: [2]};
		const read = {a: 1, b: [2]};
		expect(stable.keep('dir1', 'ipvs', read, stored)).toBe(stored);
		const other = {a: 2, b: [2]};
		expect(stable.keep('dir2', 'ipvs', read, other)).toBe(read);
		expect(stable.keep('dir1', 'addresses', read, other)).toBe(read);
		// the stored value changed since (another read replaced it): the old pairing does not stand for it
		expect(stable.keep('dir1', 'ipvs', read, other)).toBe(read);
	});
});

import {describe, expect, it} from 'vitest';
import {byCodeUnits} from '../../../src/text/order.js';

describe('byCodeUnits', () => {
	it('orders by UTF-16 code units, the same on every machine (upper case before lower, digits before letters)', () => {
		expect(['rs10', 'b', 'B', 'rs2', 'a', '10', 'é'].sort(byCodeUnits)).toEqual(['10', 'B', 'a', 'b', 'rs10', 'rs2', 'é']);
	});

	it('is 0 only for equal strings', () => {
		expect(byCodeUnits('dir1', 'dir1')).toBe(0);
		expect(byCodeUnits('dir1', 'dir2')).toBe(-1);
		expect(byCodeUnits('dir2', 'dir1')).toBe(1);
	});
});

import {describe, expect, it} from 'vitest';
import {formatTransitionLine, transitionJson} from '../../../src/commands/history.js';
import {parseDuration} from '../../../src/commands/numbers.js';

const t = {director: 'dir2', instance: 'VI_1', from: 'BACKUP', to: 'MASTER', at: Date.UTC(2026, 11, 2, 7, 46, 9), source: 'log' as const, stamp: 'Wed Dec  2 07:46:09 2026'};

describe('history output', () => {
	it("prints one line per transition with keepalived's own stamp", () => {
		expect(formatTransitionLine(t)).toBe('2026-12-02T07:46:09.000Z  dir2  VI_1  BACKUP -> MASTER  log  keepalived: Wed Dec  2 07:46:09 2026');
		expect(formatTransitionLine({...t, from: undefined, priority: 80, source: 'fifo', stamp: undefined} as never)).toBe('2026-12-02T07:46:09.000Z  dir2  VI_1  ? -> MASTER  prio 80  fifo');
	});
	it('gives JSON with nulls for what is not known', () => {
		expect(transitionJson({...t, stamp: undefined} as never)).toEqual({time: '2026-12-02T07:46:09.000Z', director: 'dir2', instance: 'VI_1', from: 'BACKUP', to: 'MASTER', priority: null, source: 'log', logged: null});
	});
});

describe('--since', () => {
	it('reads 90s, 30m, 12h, 7d, 2w', () => {
		expect(['90s', '30m', '12h', '7d', '2w'].map((v) => parseDuration('--since', v))).toEqual([90_000, 1_800_000, 43_200_000, 604_800_000, 1_209_600_000]);
		expect(parseDuration('--since', undefined)).toBeUndefined();
	});
	it('refuses anything else in one line naming the option', () => {
		for (const bad of ['5', '5x', '-1h', '0s', '400d', '1.5h', '']) expect(() => parseDuration('--since', bad)).toThrow(/^--since .*: expected a duration like 90s, 30m, 12h, 7d or 2w/);
	});
});

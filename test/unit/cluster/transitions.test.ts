import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {parseKeepalivedLogLine} from '../../../src/probes/keepalived-log.js';
import {parseKeepalivedData} from '../../../src/probes/vrrp.js';
import {describeTransition, HISTORY_MAX, mergeTransitions, newTransitions, transitionsFromLog, transitionsFromPoll, type VrrpTransition} from '../../../src/cluster/transitions.js';
import {sharedDump} from '../../helpers/shared-dumps.js';

const NOW = new Date(2026, 11, 2, 9, 0, 0).getTime();
const lines = (text: string) => text.split('\n').map((l) => parseKeepalivedLogLine(l, NOW)).filter((l) => l !== undefined);

// dir1's log around a stop and start in the lab (keepalived 2.2.7 with -l).
const DIR1 = `Wed Dec  2 07:45:57 2026: (VI_1) Entering MASTER STATE
Wed Dec  2 07:46:07 2026: (VI_1) sent 0 priority
Wed Dec  2 07:46:07 2026: Stopped Keepalived v2.2.7 (01/16,2022)
Wed Dec  2 07:46:13 2026: (VI_1) Entering BACKUP STATE (init)
Wed Dec  2 07:46:14 2026: (VI_1) received lower priority (80) advert from 192.168.67.120 - discarding
Wed Dec  2 07:46:17 2026: (VI_1) Entering MASTER STATE`;

const at = (s: number) => new Date(2026, 11, 2, 7, 46, s).getTime();
const t = (over: Partial<VrrpTransition>): VrrpTransition => ({director: 'dir2', instance: 'VI_1', to: 'MASTER', at: at(9), source: 'log', ...over});

describe('transitionsFromLog', () => {
	it("reads each state entered, with keepalived's stamp, and a stop as STOP of the director's instances", () => {
		const got = transitionsFromLog('dir1', lines(DIR1), ['VI_1']).map((x) => [x.to, x.stamp]);
		expect(got).toEqual([
			['MASTER', 'Wed Dec  2 07:45:57 2026'],
			['STOP', 'Wed Dec  2 07:46:07 2026'],
			['BACKUP', 'Wed Dec  2 07:46:13 2026'],
			['MASTER', 'Wed Dec  2 07:46:17 2026'],
		]);
	});
	it('skips lines without a timestamp (no time to place them at)', () => {
		expect(transitionsFromLog('dir1', lines('(VI_1) Entering MASTER STATE'))).toEqual([]);
	});
});

describe('mergeTransitions', () => {
	it('fills in from, in time order per director and instance', () => {
		const merged = mergeTransitions([transitionsFromLog('dir1', lines(DIR1), ['VI_1'])]);
		expect(merged.map((x) => `${x.from ?? '?'}>${x.to}`)).toEqual(['?>MASTER', 'MASTER>STOP', 'STOP>BACKUP', 'BACKUP>MASTER']);
	});
	it('keeps one record of a change two sources saw, preferring the log and keeping the FIFO priority', () => {
		const merged = mergeTransitions([[t({source: 'fifo', at: at(9) + 700, priority: 80})], [t({stamp: 'Wed Dec  2 07:46:09 2026'})]]);
		expect(merged).toEqual([{...t({stamp: 'Wed Dec  2 07:46:09 2026'}), priority: 80}]);
	});
	it('drops the second of "Transition to" and "Entering" (1.x logs both) and a repeat of the state held', () => {
		const merged = mergeTransitions([[t({at: at(9)}), t({at: at(9)}), t({at: at(20), source: 'poll'}), t({to: 'BACKUP', at: at(30)})]]);
		expect(merged.map((x) => x.to)).toEqual(['MASTER', 'BACKUP']);
	});
	it('keeps the newest max', () => {
		const many = Array.from({length: 10}, (_, i) => t({to: i % 2 ? 'BACKUP' : 'MASTER', at: i * 10_000}));
		expect(mergeTransitions([many], 3).map((x) => x.at)).toEqual([70_000, 80_000, 90_000]);
	});
	it('is idempotent and order-blind: merging a merge with its own parts changes nothing (property)', () => {
		const arb = fc.array(
			fc.record({director: fc.constantFrom('dir1', 'dir2'), instance: fc.constantFrom('VI_1', 'VI_2'), to: fc.constantFrom('MASTER', 'BACKUP', 'FAULT'), at: fc.integer({min: 0, max: 1000}).map((n) => n * 5000), source: fc.constantFrom('log' as const, 'fifo' as const, 'poll' as const)}),
			{maxLength: 40},
		);
		fc.assert(
			fc.property(arb, arb, (a, b) => {
				const once = mergeTransitions([a, b]);
				expect(mergeTransitions([once, a, b])).toEqual(once);
				expect(mergeTransitions([b, a])).toEqual(once);
				expect(once.length).toBeLessThanOrEqual(HISTORY_MAX);
			}),
		);
	});
});

describe('newTransitions and describeTransition', () => {
	it('names only changes the store did not know (another source of a known one is not new)', () => {
		const before = [t({})];
		const merged = mergeTransitions([before, [t({source: 'fifo', at: at(10)}), t({to: 'BACKUP', at: at(40)})]]);
		expect(newTransitions(before, merged).map((x) => x.to)).toEqual(['BACKUP']);
		expect(describeTransition(merged[1]!)).toBe('dir2 VI_1 MASTER -> BACKUP (log)');
	});
});

describe('transitionsFromPoll (the shared dumps of 1.3.5 and 2.2.7)', () => {
	it.each(['v1.3.5', 'v2.2.7'])('%s: a changed state is a poll transition at the dump\'s Last transition when it has one', (version) => {
		const dump = parseKeepalivedData(sharedDump(version, 'keepalived.data')!);
		const after = dump.instances;
		expect(after.length).toBeGreaterThan(0);
		const before = after.map((i) => ({...i, state: i.state === 'MASTER' ? ('BACKUP' as const) : ('MASTER' as const)}));
		const got = transitionsFromPoll('dir1', before, after, NOW);
		expect(got.map((x) => [x.instance, x.from, x.to])).toEqual(after.map((i) => [i.name, before.find((b) => b.name === i.name)!.state, i.state]));
		for (const [i, x] of got.entries()) expect(x.at).toBe(after[i]!.lastTransition !== undefined ? Math.round(after[i]!.lastTransition! * 1000) : NOW);
		expect(transitionsFromPoll('dir1', after, after, NOW)).toEqual([]);
		expect(transitionsFromPoll('dir1', undefined, after, NOW)).toEqual([]);
	});
});

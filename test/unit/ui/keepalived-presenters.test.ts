import {describe, expect, it} from 'vitest';
import {ClusterStore} from '../../../src/cluster/store.js';
import {parseKeepalivedLogLine} from '../../../src/probes/keepalived-log.js';
import {keepalivedLogTable, logViewDirector, timelineMarks, vrrpTimelines} from '../../../src/ui/presenters/keepalived.js';
import type {VrrpTransition} from '../../../src/cluster/transitions.js';
import {labProfile} from '../cluster/fixture-state.js';

const NOW = new Date(2026, 11, 2, 8, 0, 0).getTime();
const LOG = [
	'Wed Dec  2 07:46:13 2026: (VI_1) Entering BACKUP STATE (init)',
	'Wed Dec  2 07:46:14 2026: (VI_1) received lower priority (80) advert from 192.168.67.120 - discarding',
	'Wed Dec  2 07:46:15 2026: Sending gratuitous ARP on eth0 for 192.168.67.100',
	'Wed Dec  2 07:46:16 2026: (VI_1) received an invalid passwd!',
	'Wed Dec  2 07:46:17 2026: VRRP_Script(chk_web) failed (exited with status 1)',
	'Wed Dec  2 07:46:18 2026: Removing service [192.168.67.10]:tcp:80 from VS [192.168.67.100]:tcp:80',
	'Wed Dec  2 07:46:19 2026: Adding service [192.168.67.10]:tcp:80 to VS [192.168.67.100]:tcp:80',
];

function storeWithLog(lines: readonly string[]) {
	const store = new ClusterStore(labProfile, () => NOW);
	store.recordLogLines('dir1', lines.map((l) => parseKeepalivedLogLine(l, NOW)!), NOW);
	return store;
}

describe('keepalivedLogTable', () => {
	it('shows the notable lines newest first, each kind in its tone, the ARP chatter left out', () => {
		const model = keepalivedLogTable(storeWithLog(LOG).getState(), 'dir1');
		expect(model.rows.map((r) => [r.cells[1], r.tone])).toEqual([
			['checker up', 'ok'],
			['checker DOWN', 'bad'],
			['SCRIPT FAIL', 'bad'],
			['AUTH ERROR', 'bad'],
			['lower prio', 'warn'],
			['transition', 'head'],
		]);
		expect(model.rows.at(-1)!.cells[0]).toBe('Wed Dec  2 07:46:13 2026');
	});
	it('shows every line when asked (a filter is typed), and says why when there is nothing', () => {
		expect(keepalivedLogTable(storeWithLog(LOG).getState(), 'dir1', {all: true}).rows).toHaveLength(LOG.length);
		expect(keepalivedLogTable(storeWithLog(LOG).getState(), 'dir2').rows[0]!.cells[2]).toContain('no keepalived log lines from dir2 yet');
		expect(keepalivedLogTable(storeWithLog([LOG[2]!]).getState(), 'dir1').rows[0]!.cells[2]).toContain('no notable lines among 1');
	});
	it('never shows escape sequences from the remote log', () => {
		const model = keepalivedLogTable(storeWithLog(['Wed Dec  2 07:46:16 2026: (VI_1) received an invalid passwd!\u001b]0;pwned\u0007\u001b[2J']).getState(), 'dir1');
		expect(model.rows[0]!.cells.join(' ')).not.toMatch(/[\u001b\u0007]/);
	});
	it('cycles through the directors', () => {
		expect([0, 1, 2, -1].map((i) => logViewDirector(labProfile, i))).toEqual(['dir1', 'dir2', 'dir1', 'dir2']);
	});
});

const tr = (director: string, to: string, minutesAgo: number): VrrpTransition => ({director, instance: 'VI_1', to, at: NOW - minutesAgo * 60_000, source: 'log'});

describe('VRRP timeline', () => {
	it('marks the state held at the end of each slice, including the one from before the window', () => {
		const list = [tr('dir1', 'MASTER', 60), tr('dir1', 'STOP', 20), tr('dir1', 'BACKUP', 10), tr('dir1', 'MASTER', 5)];
		expect(timelineMarks(list, NOW - 30 * 60_000, NOW, 6)).toBe('MSSBMM');
		expect(timelineMarks([], NOW - 30 * 60_000, NOW, 4)).toBe('····');
		expect(timelineMarks([tr('dir1', 'FAULT', 8)], NOW - 30 * 60_000, NOW, 3)).toBe('··F');
	});
	it('gives each instance a header, a line per member and the latest changes', () => {
		const store = new ClusterStore(labProfile, () => NOW);
		store.recordTransitions([tr('dir1', 'MASTER', 40), tr('dir2', 'BACKUP', 40), tr('dir1', 'STOP', 10), tr('dir2', 'MASTER', 10)]);
		const lines = vrrpTimelines(store.getState(), labProfile, NOW, {width: 100}).map((runs) => runs.map((r) => r.text).join(''));
		expect(lines[0]).toMatch(/^VI_1 timeline, last 30 min/);
		expect(lines[1]).toMatch(/^dir1 M+S+ STOP since /);
		expect(lines[2]).toMatch(/^dir2 B+M+ MASTER since /);
		expect(lines[3]).toMatch(/latest: .*dir2 BACKUP→MASTER \(log\) · .*dir1 MASTER→STOP \(log\)/);
		expect(vrrpTimelines(store.getState(), labProfile, NOW, {width: 100, maxLines: 2})).toHaveLength(2);
	});
});

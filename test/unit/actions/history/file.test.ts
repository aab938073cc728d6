import {mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {historyDir, historyFile, loadHistory, saveHistory} from '../../../../src/actions/history/file.js';
import {HISTORY_MAX, type VrrpTransition} from '../../../../src/cluster/transitions.js';

let tmp: string;
const saved = process.env['LVSDECK_STATE_DIR'];
beforeEach(() => {
	tmp = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-history-'));
	process.env['LVSDECK_STATE_DIR'] = tmp;
});
afterEach(() => {
	if (saved === undefined) delete process.env['LVSDECK_STATE_DIR'];
	else process.env['LVSDECK_STATE_DIR'] = saved;
	rmSync(tmp, {recursive: true, force: true});
});

const profile = {name: 'lab', file: '/etc/lvsdeck/lab.yaml'};
const t = (i: number): VrrpTransition => ({director: 'dir1', instance: 'VI_1', to: i % 2 ? 'BACKUP' : 'MASTER', at: 1_000_000 + i, source: 'log', stamp: 'Wed Dec  2 07:46:09 2026', receivedAt: 5});

describe('the history file', () => {
	it('lives in the state dir, one file per profile file', () => {
		expect(path.dirname(historyFile(profile))).toBe(path.join(tmp, 'history'));
		expect(historyDir()).toBe(path.join(tmp, 'history'));
		expect(historyFile(profile)).not.toBe(historyFile({name: 'lab', file: '/elsewhere/lab.yaml'}));
	});
	it('round-trips, bounded, without arrival times, and leaves no temporary file', () => {
		saveHistory(profile, Array.from({length: HISTORY_MAX + 5}, (_, i) => t(i)));
		const back = loadHistory(profile);
		expect(back).toHaveLength(HISTORY_MAX);
		expect(back[0]).toEqual({director: 'dir1', instance: 'VI_1', to: 'BACKUP', at: 1_000_005, source: 'log', stamp: 'Wed Dec  2 07:46:09 2026'});
		expect(readdirSync(path.join(tmp, 'history'))).toEqual([path.basename(historyFile(profile))]);
	});
	it('is empty when missing or damaged, and skips records of the wrong shape', () => {
		expect(loadHistory(profile)).toEqual([]);
		saveHistory(profile, [t(0)]);
		writeFileSync(historyFile(profile), '{not json');
		expect(loadHistory(profile)).toEqual([]);
		writeFileSync(historyFile(profile), JSON.stringify({transitions: [t(0), {director: 'dir1'}, {...t(1), source: 'guess'}, {...t(2), at: 'x'}]}));
		expect(loadHistory(profile).map((x) => x.at)).toEqual([1_000_000]);
	});
	it('sanitizes what it writes (remote text)', () => {
		saveHistory(profile, [{...t(0), instance: 'VI_1\u001b[31m'}]);
		expect(readFileSync(historyFile(profile), 'utf8')).not.toContain('\u001b');
	});
});

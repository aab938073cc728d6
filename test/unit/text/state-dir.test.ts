// The one state folder: every kept file under LVSDECK_STATE_DIR when it is set (journals, last results,
// history, capabilities), XDG otherwise; the writer replaces files whole and leaves no temporary behind.
import {mkdtempSync, readFileSync, readdirSync, rmSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {stateDir, writeStateFile} from '../../../src/text/state-dir.js';
import {journalDir} from '../../../src/actions/drills/journal.js';
import {lastResultsDir} from '../../../src/actions/drills/last-results.js';
import {historyDir} from '../../../src/actions/history/file.js';
import {defaultCapabilityCacheDir} from '../../../src/cluster/caps-cache.js';

let tmp: string;
const saved = process.env['LVSDECK_STATE_DIR'];
beforeEach(() => {
	tmp = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-state-'));
});
afterEach(() => {
	rmSync(tmp, {recursive: true, force: true});
	if (saved === undefined) delete process.env['LVSDECK_STATE_DIR'];
	else process.env['LVSDECK_STATE_DIR'] = saved;
});

describe('stateDir', () => {
	it('is LVSDECK_STATE_DIR, else XDG_STATE_HOME/lvsdeck, else ~/.local/state/lvsdeck', () => {
		expect(stateDir('history', {LVSDECK_STATE_DIR: '/s', XDG_STATE_HOME: '/x', HOME: '/h'})).toBe('/s/history');
		expect(stateDir('history', {XDG_STATE_HOME: '/x', HOME: '/h'})).toBe('/x/lvsdeck/history');
		expect(stateDir('history', {HOME: '/h'})).toBe('/h/.local/state/lvsdeck/history');
		expect(stateDir('history', {LVSDECK_STATE_DIR: '', HOME: '/h'})).toBe('/h/.local/state/lvsdeck/history');
	});

	it('holds every kept thing under one root when LVSDECK_STATE_DIR is set', () => {
		process.env['LVSDECK_STATE_DIR'] = tmp;
		const dirs = [journalDir(), lastResultsDir(), historyDir(), defaultCapabilityCacheDir({LVSDECK_STATE_DIR: tmp})];
		for (const d of dirs) expect(path.relative(tmp, d).startsWith('..')).toBe(false);
		expect(new Set(dirs).size).toBe(4);
	});
});

describe('writeStateFile', () => {
	it('creates the folders, writes the value exactly, owner-only, and leaves no temporary file', () => {
		const file = path.join(tmp, 'a', 'b', 'x.json');
		const value = {argv: ['sh', '-c', 'printf "%s\\n" x\u0007'], n: 1};
		writeStateFile(file, value);
		expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(value);
		expect(statSync(file).mode & 0o777).toBe(0o600);
		expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
		writeStateFile(file, {n: 2});
		expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({n: 2});
		expect(readdirSync(path.dirname(file))).toEqual(['x.json']);
	});

	it('throws and removes its temporary file when the rename cannot happen, keeping the old file', () => {
		const file = path.join(tmp, 'dir-in-the-way');
		writeStateFile(path.join(file, 'inner.json'), {keep: true});
		expect(() => writeStateFile(file, {n: 1})).toThrow();
		expect(readdirSync(tmp)).toEqual(['dir-in-the-way']);
		expect(JSON.parse(readFileSync(path.join(file, 'inner.json'), 'utf8'))).toEqual({keep: true});
	});
});

// A command over many hosts runs again with a heap cap that holds them (the shebang's 64 MB old space
// holds about 120; past its cap V8 aborts the process). The count is rough and taken before anything
// loads: one `address:` per host in the profiles the command line names.
import {mkdtempSync, rmSync, writeFileSync, mkdirSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {heapArgv, profilesNamed, roughHostCount} from '../../src/respawn.js';

const SHEBANG = ['--max-old-space-size=64', '--max-semi-space-size=2'];

describe('heapArgv', () => {
	it('keeps the shebang cap for a cluster or a few, and raises it to twice the expected heap for a fleet', () => {
		expect(heapArgv(SHEBANG, 5)).toBeUndefined();
		expect(heapArgv(SHEBANG, 100)).toBeUndefined();
		// 100 clusters of 22 hosts: 100 MB live measured.
		expect(heapArgv(SHEBANG, 2200)).toEqual(['--max-old-space-size=203', '--max-semi-space-size=2']);
		expect(heapArgv(SHEBANG, 550)).toEqual(['--max-old-space-size=81', '--max-semi-space-size=2']);
		// The shebang's 64 MB holds about 320 hosts.
		expect(heapArgv(SHEBANG, 320)).toBeUndefined();
		// No cap at all (node run by hand) or a larger one: nothing to do.
		expect(heapArgv([], 100_000)).toBeUndefined();
		expect(heapArgv(['--max-old-space-size=4096'], 2200)).toBeUndefined();
	});
});

describe('the rough host count', () => {
	let dir: string | undefined;
	afterEach(() => dir && rmSync(dir, {recursive: true, force: true}));

	it('reads the profiles of --profile, -p, --profile= and --profiles folders, one address: per host, flow style too', () => {
		dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-respawn-'));
		const fleet = path.join(dir, 'fleet');
		mkdirSync(fleet);
		const block = path.join(dir, 'a.yaml');
		writeFileSync(block, 'name: a\nhosts:\n  dir1:\n    address: 10.0.0.1\n  rs1:\n    address: 10.0.0.2\n');
		writeFileSync(path.join(fleet, 'b.yml'), 'name: b\nhosts: {dir1: {address: 10.0.1.1}, rs1: {address: 10.0.1.2}, rs2: {address: 10.0.1.3}}\n');
		writeFileSync(path.join(fleet, 'notes.txt'), 'address: 1\n');
		writeFileSync(path.join(fleet, '.hidden.yaml'), 'address: 1\n');
		const files = profilesNamed(['console', '-p', block, '--profiles', fleet, '--profile=/nonexistent.yaml', '--read-only']);
		expect(files).toEqual([block, '/nonexistent.yaml', path.join(fleet, 'b.yml')]);
		expect(roughHostCount(files)).toBe(5);
		expect(profilesNamed(['status', '--profiles', path.join(dir, 'missing')])).toEqual([]);
		expect(profilesNamed(['--help'])).toEqual([]);
		expect(profilesNamed(['lab', 'exec', '--', 'lvsdeck', 'status', '--profile', block])).toEqual([]);
	});
});

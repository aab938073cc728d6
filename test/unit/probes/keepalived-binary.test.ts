// The director snapshot names the keepalived binary (path, size, mtime, inode) whenever it hashes the
// config: the key under which the poller caches what that keepalived can do. Run here with sh and only
// the tools that part needs on PATH (no ipvsadm may touch this machine's kernel).
import {execFileSync} from 'node:child_process';
import {chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {directorSnapshotCommand, parseDirectorSnapshot} from '../../../src/probes/director-snapshot.js';

let dir: string;
let bin: string;
let conf: string;

beforeAll(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'lvsdeck-kabin-'));
	bin = path.join(dir, 'bin');
	mkdirSync(bin);
	for (const tool of ['sha256sum', 'cut', 'stat']) symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], {encoding: 'utf8'}).trim(), path.join(bin, tool));
	conf = path.join(dir, 'keepalived.conf');
	writeFileSync(conf, 'global_defs {}\n');
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

function snapshotBinary(configPath: string): string | null | undefined {
	const [, ...args] = directorSnapshotCommand(configPath);
	const out = execFileSync('/bin/sh', args, {encoding: 'utf8', cwd: dir, env: {PATH: bin}, stdio: ['ignore', 'pipe', 'ignore']});
	return parseDirectorSnapshot(out, 'none').keepalivedBinary;
}

describe.skipIf(process.platform !== 'linux')('the snapshot names the keepalived binary', () => {
	it('null without a keepalived on PATH', () => {
		expect(snapshotBinary(conf)).toBeNull();
	});

	it('path, size, mtime and inode of the one on PATH; a changed binary reads differently', () => {
		const keepalived = path.join(bin, 'keepalived');
		writeFileSync(keepalived, '#!/bin/sh\necho v1\n');
		chmodSync(keepalived, 0o755);
		const st = statSync(keepalived);
		const before = snapshotBinary(conf);
		expect(before).toBe(`${keepalived} ${st.size} ${Math.floor(st.mtimeMs / 1000)} ${st.ino}`);
		writeFileSync(keepalived, '#!/bin/sh\necho version 2\n');
		expect(snapshotBinary(conf)).not.toBe(before);
	});

	it('not asked when the config is not hashed', () => {
		expect(snapshotBinary('')).toBeUndefined();
	});
});

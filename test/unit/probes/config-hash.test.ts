// Config drift: the director snapshot hashes the installed keepalived.conf the way sha256Hex hashes the
// rendered one, and a hostile path never reaches a shell as code.
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, it, expect} from 'vitest';
import {sha256Hex} from '../../../src/probes/config-hash.js';
import {directorSnapshotCommand, parseDirectorSnapshot} from '../../../src/probes/director-snapshot.js';
import {isReadOnlyCommand} from '../../../src/transport/read-only.js';

describe('config hash', () => {
	it('hashes UTF-8 text like sha256sum', () => {
		expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
		expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
	});

	it('the snapshot takes the path as $1 and stays read-only whatever the path', () => {
		const argv = directorSnapshotCommand("/etc/keepalived/keepalived.conf'; reboot");
		expect(argv.slice(3, 5)).toEqual(['lvsdeck-probe', "/etc/keepalived/keepalived.conf'; reboot"]);
		expect(isReadOnlyCommand(argv)).toBe(true);
	});

	it.skipIf(process.platform !== 'linux')('the snapshot\'s hash agrees with sha256Hex, even for hostile file names', () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'lvsdeck-hash-'));
		// Only what the config section needs is on PATH: ipvsadm must not touch this machine's kernel.
		const bin = path.join(dir, 'bin');
		mkdirSync(bin);
		for (const tool of ['sha256sum', 'cut']) symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], {encoding: 'utf8'}).trim(), path.join(bin, tool));
		try {
			const run = (p: string) => {
				const [cmd, ...args] = directorSnapshotCommand(p);
				// An injection would land in dir.
				const out = execFileSync('/bin/sh', args.slice(0), {encoding: 'utf8', cwd: dir, env: {PATH: bin}, stdio: ['ignore', 'pipe', 'ignore']});
				expect(cmd).toBe('sh');
				return parseDirectorSnapshot(out, 'none').configSha256;
			};
			const content = 'vrrp_instance VI_1 {\n  state MASTER\n}\nümlaut\n';
			for (const name of ['keepalived.conf', "we'ird $(touch pwned) \\ name\nx", '-n']) {
				const file = path.join(dir, name);
				writeFileSync(file, content);
				expect(run(file)).toBe(sha256Hex(content));
			}
			expect(run(path.join(dir, 'absent.conf'))).toBeNull();
			expect(() => execFileSync('ls', [path.join(dir, 'pwned')], {stdio: 'ignore'})).toThrow();
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});
});

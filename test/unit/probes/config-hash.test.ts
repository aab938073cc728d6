import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, it, expect} from 'vitest';
import {parseRemoteFileHash, REMOTE_FILE_HASH_SCRIPT, remoteFileHashCommand, sha256Hex} from '../../../src/probes/config-hash.js';
import {isReadOnlyCommand} from '../../../src/transport/read-only.js';

describe('config-hash', () => {
	it('builds a constant script with the path as $1', () => {
		const p = "/etc/keepalived/keepalived.conf'; reboot";
		expect(remoteFileHashCommand(p)).toEqual(['sh', '-c', REMOTE_FILE_HASH_SCRIPT, 'lvsdeck-probe', p]);
		expect(isReadOnlyCommand(remoteFileHashCommand(p))).toBe(true);
	});

	it('parses missing, a digest and garbage', () => {
		expect(parseRemoteFileHash('missing\n')).toEqual({exists: false, problems: []});
		const h = sha256Hex('x');
		expect(parseRemoteFileHash(`${h.toUpperCase()}\n`)).toEqual({exists: true, sha256: h, problems: []});
		expect(parseRemoteFileHash('').problems).toHaveLength(1);
		expect(parseRemoteFileHash('sha256sum: /x: Permission denied').exists).toBe(false);
	});

	it('hashes UTF-8 text like sha256sum', () => {
		expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
		expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
	});

	it.skipIf(process.platform !== 'linux')('the script agrees with sha256Hex, even for hostile file names', () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'lvsdeck-hash-'));
		try {
			const run = (p: string): string => {
				const [cmd, ...args] = remoteFileHashCommand(p);
				return execFileSync(cmd!, args, {encoding: 'utf8', cwd: dir}); // an injection would land in dir
			};
			const content = 'vrrp_instance VI_1 {\n  state MASTER\n}\nümlaut\n';
			for (const name of ['keepalived.conf', "we'ird $(touch pwned) \\ name\nx", '-n']) {
				const file = path.join(dir, name);
				writeFileSync(file, content);
				expect(parseRemoteFileHash(run(file))).toEqual({exists: true, sha256: sha256Hex(content), problems: []});
			}
			expect(parseRemoteFileHash(run(path.join(dir, 'absent.conf')))).toEqual({exists: false, problems: []});
			expect(() => execFileSync('ls', [path.join(dir, 'pwned')], {stdio: 'ignore'})).toThrow();
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});
});

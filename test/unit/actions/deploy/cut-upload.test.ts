// A cut SSH connection as the remote script sees it: stdin ends early and stderr is gone (sshd exited),
// or a hang-up arrives. The upload's temporary file (it holds the VRRP password) must go either way.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {INSTALL_SCRIPT, TEMP_MARK} from '../../../../src/actions/deploy/remote-scripts.js';
import {VALIDATE_SCRIPT} from '../../../../src/actions/validate-config.js';
import {sha256Hex as sha} from '../../../../src/probes/config-hash.js';
import {waitFor} from '../../../helpers/wait-for.js';

let dir: string;
beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-cut-'));
});
afterEach(() => fs.rmSync(dir, {recursive: true, force: true}));

const temporaries = (folder: string, name: string) => fs.readdirSync(folder).filter((f) => f.startsWith(`.${name}.${TEMP_MARK}.`));

/**
 * Start a script, feed it half an upload, then cut: `pipes` closes stderr then stdin (sshd gone),
 * `hangup` sends SIGHUP to its process group (a pty's hang-up reaches the running `cat` too).
 */
async function cutMidUpload(args: readonly string[], upload: string, how: 'pipes' | 'hangup', tempsIn: () => string[]) {
	const child = spawn('sh', ['-c', ...args], {stdio: ['pipe', 'ignore', 'pipe'], detached: true});
	const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((r) => child.on('exit', (code, signal) => r({code, signal})));
	child.stdin.write(upload.slice(0, upload.length / 2));
	await waitFor(async () => tempsIn().length, (n) => n === 1, {timeoutMs: 5000, what: 'the temporary file created'});
	if (how === 'pipes') {
		child.stderr.destroy();
		child.stdin.end();
	} else {
		process.kill(-child.pid!, 'SIGHUP');
	}
	return exited;
}

describe('a connection cut mid-upload leaves no temporary file behind', () => {
	for (const how of ['pipes', 'hangup'] as const) {
		it(`install (${how}): the old file stays, the temporary goes`, async () => {
			const target = path.join(dir, 'keepalived.conf');
			fs.writeFileSync(target, 'old\n');
			const next = `new ${'x'.repeat(100_000)}\n`;
			const args = [INSTALL_SCRIPT, 'lvsdeck-install', target, path.join(dir, 'backup'), 'cut-test', sha(next), sha('old\n')];
			const end = await cutMidUpload(args, next, how, () => temporaries(dir, 'keepalived.conf'));
			expect(end.code).not.toBe(0);
			expect(temporaries(dir, 'keepalived.conf')).toEqual([]);
			expect(fs.readFileSync(target, 'utf8')).toBe('old\n');
		});
	}

	it('validate (hangup): the temporary copy in /tmp goes', async () => {
		const name = `cut-${path.basename(dir)}.conf`;
		const end = await cutMidUpload([VALIDATE_SCRIPT, 'lvsdeck-validate', name, 'cut-test'], 'global_defs {\n}\n', 'hangup', () => temporaries(os.tmpdir(), name));
		expect(end.code).toBe(129);
		expect(temporaries(os.tmpdir(), name)).toEqual([]);
	});
});

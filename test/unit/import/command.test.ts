// `lvsdeck import --conf` and `lvsdeck render` as an operator runs them: exit codes, what is written
// (and what is not), backups, redaction.
import {existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest';
import {main} from '../../../src/main.js';
import {ROOT} from './helpers.js';

const tutorial = path.join(ROOT, 'test/fixtures/import/tutorial');
let dir: string;
let stdout: string;
let stderr: string;

beforeAll(() => {
	dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-import-'));
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));
afterEach(() => vi.restoreAllMocks());

async function run(...argv: string[]): Promise<number> {
	stdout = '';
	stderr = '';
	vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
	vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
	try {
		return await main(['node', 'lvsdeck', ...argv]);
	} finally {
		vi.restoreAllMocks();
	}
}

const importPair = (out: string, ...more: string[]) =>
	run('import', '--conf', `dir1=${tutorial}/dir1.conf`, '--conf', `dir2=${tutorial}/dir2.conf`, '--address', 'dir1=192.168.67.110', '--address', 'dir2=192.168.67.120', '--out', out, ...more);

describe('lvsdeck import --conf', () => {
	it('writes the profile (mode 0600, it holds the password), warns on stderr, and render prints the director config', async () => {
		const out = path.join(dir, 'cluster.yaml');
		expect(await importPair(out)).toBe(0);
		expect(statSync(out).mode & 0o777).toBe(0o600);
		expect(stderr).toMatch(/conf\.d\/web\.conf:13:13: nb_get_retry is obsolete .*\(fix: retry N\)/);
		expect(stderr).toContain(`wrote ${out}`);
		const text = readFileSync(out, 'utf8');
		expect(text).toMatch(/^name: cluster$/m);
		expect(text).toContain('pass: "1111"');

		expect(await run('render', '--profile', out, '--host', 'dir2')).toBe(0);
		expect(stdout).toMatch(/^# Rendered by lvsdeck from profile "cluster" for dir2\./);
		expect(stdout).toContain('state BACKUP');
		expect(stdout).toContain('auth_pass ********');
		expect(stdout).not.toContain('1111');

		expect(await run('render', '--profile', out, '--host', 'dir2', '--show-secrets')).toBe(0);
		expect(stdout).toContain('auth_pass 1111');
	});

	it('refuses to overwrite without --force; with it, keeps the old file as FILE.bak.<UTC stamp>', async () => {
		const out = path.join(dir, 'again.yaml');
		writeFileSync(out, 'old profile\n');
		expect(await importPair(out)).toBe(2);
		expect(stderr).toContain('exists: pass --force');
		expect(readFileSync(out, 'utf8')).toBe('old profile\n');

		expect(await importPair(out, '--force')).toBe(0);
		const backups = readdirSync(dir).filter((f) => f.startsWith('again.yaml.bak.'));
		expect(backups).toHaveLength(1);
		expect(backups[0]).toMatch(/^again\.yaml\.bak\.\d{8}T\d{6}Z$/);
		expect(readFileSync(path.join(dir, backups[0]!), 'utf8')).toBe('old profile\n');
		expect(readFileSync(out, 'utf8')).toMatch(/^name: again$/m);
	});

	it('a config keepalived would not read: one line file:line:col, exit 2, nothing written', async () => {
		const broken = path.join(dir, 'broken.conf');
		writeFileSync(broken, 'vrrp_instance VI_1 {\n  state MASTER\n}\n}\n');
		const out = path.join(dir, 'never.yaml');
		expect(await run('import', '--conf', `dir1=${broken}`, '--out', out)).toBe(2);
		expect(stderr.trim().split('\n')).toEqual([`lvsdeck: ${broken}:4:1: unbalanced braces: '}' closes no block`]);
		expect(existsSync(out)).toBe(false);
	});

	it('without --out prints the profile with the password redacted (unless --show-secrets)', async () => {
		expect(await run('import', '--conf', `dir1=${tutorial}/dir1.conf`)).toBe(0);
		expect(stdout).toContain('pass: <redacted>');
		expect(stdout).not.toContain('1111');
		expect(stderr).toContain('passwords are redacted');
		expect(await run('import', '--conf', `dir1=${tutorial}/dir1.conf`, '--show-secrets')).toBe(0);
		expect(stdout).toContain('pass: "1111"');
	});

	it('--json reports what was read and written, with the warnings, on stdout only, and never the password', async () => {
		const out = path.join(dir, 'json.yaml');
		expect(await importPair(out, '--json')).toBe(0);
		expect(stderr).toBe('');
		const report = JSON.parse(stdout) as Record<string, unknown>;
		expect(report).toMatchObject({directors: ['dir1', 'dir2'], written: out, backup: null, profile: null});
		expect(report['virtualServers']).toBeGreaterThan(0);
		expect((report['warnings'] as string[]).some((w) => /web\.conf:13:13: nb_get_retry is obsolete/.test(w))).toBe(true);
		expect(readFileSync(out, 'utf8')).toContain('pass: "1111"');

		expect(await run('import', '--conf', `dir1=${tutorial}/dir1.conf`, '--json')).toBe(0);
		const printed = JSON.parse(stdout) as {written: null; profile: string};
		expect(printed.written).toBeNull();
		expect(printed.profile).toMatch(/^name: imported$/m);
		expect(stdout).not.toContain('1111');
	});

	it('bad arguments are one line and exit 2', async () => {
		expect(await run('import')).toBe(2);
		expect(stderr).toContain('give at least one --director');
		expect(await run('import', '--conf', 'dir 1=x.conf')).toBe(2);
		expect(await run('import', '--conf', `dir1=${tutorial}/dir1.conf`, '--address', 'dir9=10.0.0.1')).toBe(2);
		expect(stderr).toContain('dir9 is not a director');
		expect(await run('import', '--director', 'dir1=root@')).toBe(2);
	});
});

describe('lvsdeck render', () => {
	it('without --host: every director and real server after a header line', async () => {
		expect(await run('render', '--profile', path.join(ROOT, 'profiles/lab.yaml'))).toBe(0);
		const headers = stdout.split('\n').filter((l) => l.startsWith('# ---- '));
		expect(headers).toEqual(['# ---- dir1: /etc/keepalived/keepalived.conf ----', '# ---- dir2: /etc/keepalived/keepalived.conf ----', '# ---- rs1: /etc/sysctl.d/90-lvsdeck-lvs-dr.conf ----', '# ---- rs2: /etc/sysctl.d/90-lvsdeck-lvs-dr.conf ----']);
		expect(stdout).toContain('sets up VIPs 192.168.67.100 on lo');
		expect(stdout).not.toContain('1111');
	});

	it('--host of a director prints the file deploy installs, byte for byte (with --show-secrets)', async () => {
		expect(await run('render', '--profile', path.join(ROOT, 'profiles/lab.yaml'), '--host', 'dir1', '--show-secrets')).toBe(0);
		expect(stdout).toBe(readFileSync(path.join(ROOT, 'test/golden/lab-dir1.conf'), 'utf8'));
	});

	it('refuses a client host and an unknown one', async () => {
		expect(await run('render', '--profile', path.join(ROOT, 'profiles/lab.yaml'), '--host', 'client1')).toBe(2);
		expect(stderr).toContain('client1 is a client');
		expect(await run('render', '--profile', path.join(ROOT, 'profiles/lab.yaml'), '--host', 'nope')).toBe(2);
	});

	it('refuses, in one line, to render unicast peers whose address is still unknown', async () => {
		const file = path.join(dir, 'unknown.yaml');
		const lab = readFileSync(path.join(ROOT, 'profiles/lab.yaml'), 'utf8').replace('address: 192.168.67.120', 'address: unknown');
		writeFileSync(file, lab);
		expect(await run('render', '--profile', file, '--host', 'dir1')).toBe(2);
		expect(stderr.trim()).toBe('lvsdeck: render dir1: hosts.dir2.address is unknown: set it before rendering (unicast VRRP of VI_1 needs it)');
	});
});

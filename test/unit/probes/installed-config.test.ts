// The installed-config read: the pure parser of CONFIG_READ_SCRIPT's output, and the whole read (the real
// script run by the local `sh` in a temporary folder) with includes, globs, nesting, config ids, bounds
// and failures.
import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {configReadCommand, parseConfigRead, readInstalledConfig, type InstalledConfig} from '../../../src/probes/installed-config.js';
import {TransportError, type ExecResult} from '../../../src/transport/types.js';

const M = '@@lvsdeck-conf';

describe('parseConfigRead', () => {
	it('gives each file its exact text, with or without a final newline, empty files too', () => {
		const out = `\n${M} host dir1\n\n${M} file /a.conf\nline 1\n# not a mark: ${M} file /x\n\n${M} file /b.conf\nno newline\n${M} file /empty.conf\n\n${M} end\n`;
		const r = parseConfigRead(out);
		expect(r.hostname).toBe('dir1');
		expect(r.complete).toBe(true);
		expect([...r.files]).toEqual([
			['/a.conf', `line 1\n# not a mark: ${M} file /x\n`],
			['/b.conf', 'no newline'],
			['/empty.conf', ''],
		]);
		expect(r.refused).toEqual([]);
		expect(r.tooMany).toBe(false);
	});

	it('reports refused and too-big files, too many files, and output cut short', () => {
		const r = parseConfigRead(`\n${M} host \n\n${M} refused /etc/k/x.conf\n\n${M} too-big /etc/k/huge.conf\n\n${M} too-many\n`);
		expect(r.hostname).toBeUndefined();
		expect(r.refused).toEqual([
			{path: '/etc/k/x.conf', why: 'its real path is under /dev, /proc or /sys'},
			{path: '/etc/k/huge.conf', why: 'larger than 4 MB'},
		]);
		expect(r.tooMany).toBe(true);
		expect(r.complete).toBe(false);
	});
});

/** This machine's name as the script reads it (keepalived's default config id is its first label). */
const HOSTNAME = existsSync('/proc/sys/kernel/hostname') ? readFileSync('/proc/sys/kernel/hostname', 'utf8').trim() : '';
const SHORT = HOSTNAME.split('.')[0]!;

describe.skipIf(process.platform !== 'linux' || SHORT === '')('readInstalledConfig with the real script', () => {
	let root: string;
	let calls: string[][];
	const run = async (argv: readonly string[]): Promise<ExecResult> => {
		calls.push(argv.slice(5));
		const r = spawnSync(argv[0]!, argv.slice(1), {encoding: 'utf8', timeout: 10_000});
		return {code: r.status, stdout: r.stdout, stderr: r.stderr, timedOut: false, durationMs: 1};
	};
	const file = (rel: string, text: string) => {
		mkdirSync(path.dirname(path.join(root, rel)), {recursive: true});
		writeFileSync(path.join(root, rel), text);
	};
	const read = (rel = 'etc/keepalived.conf', maxRounds?: number): Promise<InstalledConfig> =>
		readInstalledConfig(run, path.join(root, rel), {fallbackConfigId: 'fallback', ...(maxRounds ? {maxRounds} : {})});

	beforeEach(() => {
		root = mkdtempSync(path.join(tmpdir(), 'lvsdeck-conf-read-'));
		calls = [];
	});
	afterEach(() => rmSync(root, {recursive: true, force: true}));

	it('follows relative, globbed, braced and nested includes, one round trip per level', async () => {
		file('etc/keepalived.conf', 'global_defs {\n  router_id main\n}\ninclude conf.d/{10,20}-*.conf\n');
		file('etc/conf.d/10-vrrp.conf', 'vrrp_instance VI_1 {\n  priority 90\n  include ../common/advert.conf\n}\n');
		file('etc/conf.d/20-a b.conf', 'vrrp_instance VI_2 {\n  priority 50\n}');
		file('etc/conf.d/30-ignored.conf', 'vrrp_instance VI_3 {\n}\n');
		mkdirSync(path.join(root, 'etc/conf.d/20-dir.conf'));
		file('etc/common/advert.conf', 'advert_int 3\n');
		const r = await read();
		expect(r.kind).toBe('parsed');
		if (r.kind !== 'parsed') return;
		expect(r.config.vrrpInstances.map((i) => [i.name, i.priority, i.advertInt])).toEqual([
			['VI_1', 90, 3],
			['VI_2', 50, undefined],
		]);
		expect(r.files.map((f) => path.relative(root, f))).toEqual(['etc/keepalived.conf', 'etc/conf.d/10-vrrp.conf', 'etc/common/advert.conf', 'etc/conf.d/20-a b.conf']);
		expect(r.hasIncludes).toBe(true);
		expect(calls.map((c) => c.map((p) => path.relative(root, p)))).toEqual([['etc/keepalived.conf'], ['etc/conf.d/10-*.conf', 'etc/conf.d/20-*.conf'], ['etc/common/advert.conf']]);
	});

	it('a pattern with a space stays one pattern on the host (never split into two)', async () => {
		file('etc/keepalived.conf', 'include my conf/*.conf\n');
		file('etc/my conf/a.conf', 'vrrp_instance VI_1 {\n}\n');
		file('etc/my', 'vrrp_instance VI_WRONG {\n}\n');
		const r = await read();
		expect(r.kind === 'parsed' && r.config.vrrpInstances.map((i) => i.name)).toEqual(['VI_1']);
		expect(calls[1]).toEqual([path.join(root, 'etc/my conf/*.conf')]);
	});

	it('a config without includes takes one round trip', async () => {
		file('etc/keepalived.conf', 'vrrp_instance VI_1 {\n  priority 100\n}\n');
		const r = await read();
		expect(r).toMatchObject({kind: 'parsed', hasIncludes: false});
		expect(calls).toHaveLength(1);
	});

	it("evaluates @id conditionals with the host's short name", async () => {
		file('etc/keepalived.conf', `vrrp_instance VI_1 {\n  @${SHORT} priority 91\n  @^${SHORT} priority 11\n  @fallback advert_int 7\n}\n`);
		const r = await read();
		expect(r).toMatchObject({kind: 'parsed', configId: SHORT});
		if (r.kind === 'parsed') expect([r.config.vrrpInstances[0]!.priority, r.config.vrrpInstances[0]!.advertInt]).toEqual([91, undefined]);
	});

	it('a missing main file is missing; a broken one is invalid with file:line:col', async () => {
		expect(await read()).toEqual({kind: 'missing'});
		file('etc/keepalived.conf', 'vrrp_instance VI_1 {\n  priority 100\n');
		const r = await read();
		expect(r.kind).toBe('invalid');
		if (r.kind === 'invalid') expect(r.error).toMatch(new RegExp(`^${path.join(root, 'etc/keepalived.conf')}:\\d+:\\d+: `));
	});

	it('never reads a file whose real path is under /proc, nor a FIFO, nor a name with a newline', async () => {
		file('etc/keepalived.conf', 'include conf.d/*.conf\n');
		file('etc/conf.d/a.conf', 'vrrp_instance VI_1 {\n}\n');
		file('etc/conf.d/b\n.conf', 'vrrp_instance VI_BAD {\n}\n');
		spawnSync('mkfifo', [path.join(root, 'etc/conf.d/fifo.conf')]);
		const fine = await read();
		expect(fine.kind === 'parsed' && fine.config.vrrpInstances.map((i) => i.name)).toEqual(['VI_1']);
		symlinkSync('/proc/self/status', path.join(root, 'etc/conf.d/z.conf'));
		expect(await read()).toEqual({kind: 'unread', error: `${path.join(root, 'etc/conf.d/z.conf')} was not read: its real path is under /dev, /proc or /sys`});
	});

	it('refuses a file over 4 MB without printing it', async () => {
		file('etc/keepalived.conf', `# ${'x'.repeat(4 * 1024 * 1024)}\n`);
		expect(await read()).toEqual({kind: 'unread', error: `${path.join(root, 'etc/keepalived.conf')} was not read: larger than 4 MB`});
	});

	it('includes nested deeper than the bound are not followed forever', async () => {
		for (let i = 0; i < 5; i++) file(`etc/n${i}.conf`, `include n${i + 1}.conf\n`);
		file('etc/keepalived.conf', 'include n0.conf\n');
		expect(await read('etc/keepalived.conf', 3)).toEqual({kind: 'unread', error: 'includes nested more than 3 deep'});
	});

	it('an include that read-only mode would refuse is named, not read', async () => {
		file('etc/keepalived.conf', 'include /proc/self/environ\n');
		expect(await read()).toEqual({kind: 'unread', error: 'include /proc/self/environ cannot be read: it is not an absolute path or glob pattern (not under /dev, /proc or /sys)'});
	});
});

describe('readInstalledConfig when the read fails', () => {
	const result = (r: Partial<ExecResult>): ExecResult => ({code: 0, stdout: '', stderr: '', timedOut: false, durationMs: 1, ...r});
	const opts = {fallbackConfigId: 'dir1'};

	it('a connection error, a timeout, a failed exit or cut output are unread, with why', async () => {
		const thrown = await readInstalledConfig(async () => {
			throw new TransportError('unreachable', 'dir1', 'dir1: connect ECONNREFUSED');
		}, '/etc/k.conf', opts);
		expect(thrown).toEqual({kind: 'unread', error: 'dir1: connect ECONNREFUSED'});
		expect(await readInstalledConfig(async () => result({timedOut: true, code: null}), '/etc/k.conf', opts)).toEqual({kind: 'unread', error: 'reading the config timed out'});
		expect(await readInstalledConfig(async () => result({code: 126, stderr: 'sh: denied\nmore'}), '/etc/k.conf', opts)).toEqual({kind: 'unread', error: 'reading the config failed (exit 126: sh: denied)'});
		expect(await readInstalledConfig(async () => result({stdout: `\n${M} host dir1\n\n${M} file /etc/k.conf\nvrrp_instance`}), '/etc/k.conf', opts)).toEqual({kind: 'unread', error: 'the config read was cut short'});
	});

	it('builds the command with every pattern as its own word', () => {
		expect(configReadCommand(['/etc/a b/*.conf']).slice(3)).toEqual(['lvsdeck-conf', '/', '/etc/a b/*.conf']);
		expect(configReadCommand(['/etc/a b/*.conf'], '/etc/keepalived').slice(3)).toEqual(['lvsdeck-conf', '/etc/keepalived', '/etc/a b/*.conf']);
	});
});

// Runs the dump part of DIRECTOR_SNAPSHOT_SCRIPT against a fake keepalived (a shell script called
// `keepalived`, so /proc/PID/comm matches) in a temp dir: the read-only director read creates and
// truncates nothing (its lock is the dump folder opened read-only), and it signals keepalived only with
// the dump's own signal, whatever number it is given. Only processes started here are signalled.
import {execFileSync, spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {createHash} from 'node:crypto';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {directorExtrasCommand, directorSnapshotCommand, parseDirectorSnapshot, splitSections, withExtras, type DumpKind} from '../../../src/probes/director-snapshot.js';
import {DUMP_EXIT} from '../../../src/probes/vrrp.js';

const FAKE = `#!/bin/sh
case "$1" in
  --signum=JSON) echo 36 ;;
  --fake-daemon)
    dir=$2
    trap 'echo 36 >> "$dir/bin/signals"; printf "%s" "$(cat "$dir/json.src")" > "$dir/keepalived.json"' 36
    trap 'if [ -f "$dir/slow" ]; then { printf "first half, "; sleep 0.4; printf "second half\\n"; } > "$dir/keepalived.data"; else printf "x\\n" > "$dir/keepalived.data"; fi' 10
    echo ready > "$dir/ready"
    while :; do sleep 0.1 & wait $!; done ;;
esac
`;

/** A streamed frame with nothing in it: the extras alone decide the rest. */
const EMPTY_FRAME = parseDirectorSnapshot('', 'none');

const linux = process.platform === 'linux' && existsSync('/proc/self/comm');
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

describe.skipIf(!linux || !has('flock'))('DIRECTOR_SNAPSHOT_SCRIPT dump part', () => {
	let root: string;
	let daemon: ChildProcess | undefined;
	let env: NodeJS.ProcessEnv;

	beforeEach(() => {
		root = mkdtempSync(path.join(tmpdir(), 'lvsdeck-snap-'));
		const bin = path.join(root, 'bin');
		mkdirSync(bin);
		writeFileSync(path.join(bin, 'keepalived'), FAKE);
		chmodSync(path.join(bin, 'keepalived'), 0o755);
		// Only what the dump part needs: ipvsadm and ip are absent, so nothing touches this machine's kernel.
		for (const tool of ['flock', 'rm', 'cat', 'wc', 'sleep', 'sha256sum', 'cut']) {
			symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], {encoding: 'utf8'}).trim(), path.join(bin, tool));
		}
		env = {PATH: bin};
		writeFileSync(path.join(root, 'json.src'), '[{"data":{"iname":"VI_1","state":2}}]');
	});

	afterEach(() => {
		if (daemon?.pid !== undefined && daemon.exitCode === null) {
			try {
				process.kill(-daemon.pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
		daemon = undefined;
		rmSync(root, {recursive: true, force: true});
	});

	/** The fake daemon writes its dumps into root, the dump folder (like keepalived into /tmp). */
	async function startDaemon(): Promise<string> {
		daemon = spawn(path.join(root, 'bin', 'keepalived'), ['--fake-daemon', root], {detached: true, stdio: 'ignore', env: {...process.env, PATH: `${path.join(root, 'bin')}:${process.env.PATH ?? ''}`}});
		for (let i = 0; i < 100 && !existsSync(path.join(root, 'ready')); i++) await new Promise((r) => setTimeout(r, 20));
		const pidFile = path.join(root, 'keepalived.pid');
		writeFileSync(pidFile, `${daemon.pid}\n`);
		return pidFile;
	}

	function run(kind: DumpKind, pidFile: string, signal: number | undefined, dir = root): {exit: string | undefined; vrrp: string | undefined; complete: boolean} {
		const [, ...args] = directorSnapshotCommand('', {kind, pidFile, dumpDir: dir, ...(signal === undefined ? {} : {signal})});
		const r = spawnSync('/bin/sh', args, {encoding: 'utf8', env, timeout: 10_000});
		const sections = splitSections(r.stdout);
		return {exit: sections.get('vrrp-exit')?.trim(), vrrp: sections.get('vrrp')?.trim(), complete: sections.has('end')};
	}

	function runAsync(kind: DumpKind, pidFile: string, signal: number): Promise<{vrrp: string | undefined; exit: string | undefined}> {
		const [, ...args] = directorSnapshotCommand('', {kind, pidFile, dumpDir: root, signal});
		return new Promise((resolve) => {
			const child = spawn('/bin/sh', args, {env, stdio: ['ignore', 'pipe', 'ignore']});
			let out = '';
			child.stdout.on('data', (c: Buffer) => (out += c.toString()));
			child.on('close', () => {
				const sections = splitSections(out);
				resolve({vrrp: sections.get('vrrp')?.trim(), exit: sections.get('vrrp-exit')?.trim()});
			});
		});
	}

	it('dumps with the right signal and creates no lock file or any other file', async () => {
		const pidFile = await startDaemon();
		const before = readdirSync(root).sort();
		const r = run('json', pidFile, 36);
		expect(r).toEqual({exit: '0', vrrp: '[{"data":{"iname":"VI_1","state":2}}]', complete: true});
		// keepalived's own dump is the only new file
		expect(readdirSync(root).sort()).toEqual([...before, 'keepalived.json'].sort());
		expect(run('data', pidFile, 10)).toEqual({exit: '0', vrrp: 'x', complete: true});
		expect(readdirSync(root).filter((f) => f.includes('lock'))).toEqual([]);
	});

	it('asks keepalived for the dump before the other reads, and reads it after them (keepalived writes it meanwhile)', () => {
		for (const argv of [directorSnapshotCommand('', {kind: 'json', pidFile: '/run/keepalived.pid', dumpDir: root, signal: 36}), directorExtrasCommand('/etc/keepalived/keepalived.conf', {kind: 'json', pidFile: '/run/keepalived.pid', dumpDir: root, signal: 36})]) {
			const lines = argv[2]!.split('\n');
			const ask = lines.indexOf('ask "$@"; rc=$?');
			const firstRead = lines.findIndex((l) => /^s (ipvs-list|config);/.test(l));
			const collect = lines.findIndex((l) => l.startsWith('s vrrp;'));
			expect(ask).toBeGreaterThan(0);
			expect(ask).toBeLessThan(firstRead);
			expect(lines[collect]).toContain('collect "$@"');
			expect(firstRead).toBeLessThan(collect);
		}
	});

	it('the extras script alone: the same dump and the config\'s hash, no IPVS or address read, the same files', async () => {
		const pidFile = await startDaemon();
		const config = path.join(root, 'keepalived.conf');
		writeFileSync(config, 'global_defs {}\n');
		const before = readdirSync(root).sort();
		const [, ...args] = directorExtrasCommand(config, {kind: 'json', pidFile, dumpDir: root, signal: 36});
		const r = spawnSync('/bin/sh', args, {encoding: 'utf8', env, timeout: 10_000});
		const sections = splitSections(r.stdout);
		expect([...sections.keys()]).toEqual(['config', 'keepalived-bin', 'vrrp', 'vrrp-exit', 'end']);
		// sha256sum's own line (HASH  -); the station takes the hash from it.
		expect(sections.get('config')?.trim()).toBe(`${createHash('sha256').update('global_defs {}\n').digest('hex')}  -`);
		expect(withExtras(EMPTY_FRAME, r.stdout, 'json').configSha256).toBe(createHash('sha256').update('global_defs {}\n').digest('hex'));
		expect(sections.get('vrrp')?.trim()).toBe('[{"data":{"iname":"VI_1","state":2}}]');
		expect(sections.get('vrrp-exit')?.trim()).toBe('0');
		expect(readFileSync(path.join(root, 'bin', 'signals'), 'utf8').trim().split('\n')).toEqual(['36']);
		expect(readdirSync(root).sort()).toEqual([...before, 'keepalived.json'].sort());
	});

	it('a reader that waited for the lock reads the dump the holder made this second; a reader alone always asks keepalived', async () => {
		const bin = path.join(root, 'bin');
		for (const tool of ['date', 'stat']) symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], {encoding: 'utf8'}).trim(), path.join(bin, tool));
		const pidFile = await startDaemon();
		const signals = () => (existsSync(path.join(bin, 'signals')) ? readFileSync(path.join(bin, 'signals'), 'utf8').trim().split('\n').length : 0);
		// alone: a dump made this second is not read again, keepalived is asked
		expect(run('json', pidFile, 36).exit).toBe('0');
		expect(run('json', pidFile, 36).exit).toBe('0');
		expect(signals()).toBe(2);
		// another reader holds the lock and writes its dump (other text) just before letting go
		let reused = false;
		for (let i = 0; i < 5 && !reused; i++) {
			const holder = spawn('flock', [root, 'sh', '-c', `sleep 0.4; printf '%s' '[{"data":{"iname":"VI_2","state":1}}]' > ${root}/keepalived.json`], {stdio: 'ignore'});
			await new Promise((r) => setTimeout(r, 100));
			const r = runAsync('json', pidFile, 36);
			const [result] = await Promise.all([r, new Promise((resolve) => holder.on('exit', resolve))]);
			reused = result.vrrp === '[{"data":{"iname":"VI_2","state":1}}]';
			if (!reused) expect(result.vrrp).toBe('[{"data":{"iname":"VI_1","state":2}}]'); // crossed a second: asked keepalived
		}
		expect(reused).toBe(true);
	});

	it('reads a dump keepalived writes in pieces only once keepalived has closed it', async () => {
		const pidFile = await startDaemon();
		// the fake writes half, holds the file open for 0.4 s, then writes the rest (a big dump through stdio)
		writeFileSync(path.join(root, 'slow'), '');
		expect(run('data', pidFile, 10)).toEqual({exit: '0', vrrp: 'first half, second half', complete: true});
	});

	it('does not truncate what a planted lock-file symlink points at', async () => {
		const pidFile = await startDaemon();
		const victim = path.join(root, 'victim.conf');
		writeFileSync(victim, 'precious\n');
		symlinkSync(victim, path.join(root, '.lvsdeck-dump.lock'));
		expect(run('json', pidFile, 36).exit).toBe('0');
		expect(readFileSync(victim, 'utf8')).toBe('precious\n');
	});

	it('never sends keepalived a signal other than the dump\'s own, and leaves the old dump in place', async () => {
		const pidFile = await startDaemon();
		writeFileSync(path.join(root, 'keepalived.json'), 'stale');
		for (const [kind, signal] of [['json', 15], ['json', 1], ['json', 10], ['json', 37], ['data', 15], ['data', 36], ['data', 12]] as const) {
			expect(run(kind, pidFile, signal).exit, `${kind} ${signal}`).toBe(String(DUMP_EXIT.noSignal));
		}
		expect(daemon?.exitCode).toBeNull();
		expect(daemon?.signalCode).toBeNull();
		expect(readFileSync(path.join(root, 'keepalived.json'), 'utf8')).toBe('stale');
	});

	it('reads neither a FIFO as the pid file nor a missing dump folder, and still finishes its output', async () => {
		await startDaemon();
		const fifo = path.join(root, 'pid.fifo');
		execFileSync('mkfifo', [fifo]);
		expect(run('json', fifo, 36)).toMatchObject({exit: String(DUMP_EXIT.notRunning), complete: true});
		expect(run('json', path.join(root, 'keepalived.pid'), 36, path.join(root, 'no-such-dir'))).toMatchObject({exit: String(DUMP_EXIT.noDump), complete: true});
	});
});

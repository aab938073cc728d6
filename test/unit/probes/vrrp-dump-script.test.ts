// Runs KEEPALIVED_DUMP_SCRIPT against a fake keepalived (a shell script called `keepalived`, so
// /proc/PID/comm matches) in a temp dir. Only processes started here are signalled or killed.
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, it, expect} from 'vitest';
import {DUMP_EXIT, keepalivedDumpCommand, keepalivedSignumCommand, parseKeepalivedJson, parseSignum} from '../../../src/probes/vrrp.js';

const FAKE = `#!/bin/sh
case "$1" in
  --signum=DATA) echo 10 ;;
  --signum=STATS) echo 12 ;;
  --signum=JSON) echo 36 ;;
  --signum=*) echo "Unknown sigfunc \${1#--signum=}" ;;
  --fake-daemon)
    dir=$2
    if [ "$3" = silent ]; then
      trap ':' 10 36
    elif [ "$3" = pieces ]; then
      trap '{ printf "first half, "; sleep 0.4; printf "second half\\n"; } > "$dir/keepalived.data"' 10
    else
      trap 'printf "%s" "$(cat "$dir/json.src")" > "$dir/keepalived.json"' 36
      trap 'printf "x\\n" > "$dir/keepalived.data"' 10
    fi
    echo ready > "$dir/ready"
    while :; do sleep 0.1 & wait $!; done ;;
esac
`;

const linux = process.platform === 'linux' && existsSync('/proc/self/comm');

describe.skipIf(!linux)('KEEPALIVED_DUMP_SCRIPT', () => {
	let dir: string;
	let daemon: ChildProcess | undefined;
	let env: NodeJS.ProcessEnv;

	beforeEach(() => {
		dir = mkdtempSync(path.join(tmpdir(), 'lvsdeck-dump-'));
		mkdirSync(path.join(dir, 'bin'));
		writeFileSync(path.join(dir, 'bin', 'keepalived'), FAKE);
		chmodSync(path.join(dir, 'bin', 'keepalived'), 0o755);
		env = {...process.env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? ''}`};
	});

	afterEach(() => {
		// The fake daemon leads its own process group, so this also ends its sleep children.
		if (daemon?.pid !== undefined && daemon.exitCode === null) {
			try {
				process.kill(-daemon.pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
		daemon = undefined;
		rmSync(dir, {recursive: true, force: true});
	});

	async function startDaemon(mode = 'normal'): Promise<number> {
		daemon = spawn(path.join(dir, 'bin', 'keepalived'), ['--fake-daemon', dir, mode], {detached: true, stdio: 'ignore', env});
		const pid = daemon.pid;
		if (pid === undefined) throw new Error('fake keepalived did not start');
		for (let i = 0; i < 100 && !existsSync(path.join(dir, 'ready')); i++) await new Promise((r) => setTimeout(r, 20));
		writeFileSync(path.join(dir, 'keepalived.pid'), `${pid}\n`);
		return pid;
	}

	function run(kind: 'json' | 'data', pidFile = path.join(dir, 'keepalived.pid')): {code: number | null; stdout: string; stderr: string} {
		const [cmd, ...args] = keepalivedDumpCommand(kind, pidFile, dir);
		const r = spawnSync(cmd!, args, {encoding: 'utf8', env, timeout: 10_000});
		return {code: r.status, stdout: r.stdout, stderr: r.stderr};
	}

	it('signals the pid, replaces a stale dump and prints the fresh one', async () => {
		const json = JSON.stringify([{data: {iname: 'VI_1', state: 2, auth_data: 'secret'}}]);
		writeFileSync(path.join(dir, 'json.src'), json);
		writeFileSync(path.join(dir, 'keepalived.json'), '[{"data":{"iname":"STALE","state":1}}]');
		await startDaemon();
		const r = run('json');
		expect(r.stderr).toBe('');
		expect(r.code).toBe(0);
		expect(r.stdout).toBe(json);
		expect(parseKeepalivedJson(r.stdout).instances.map((i) => [i.name, i.state])).toEqual([['VI_1', 'MASTER']]);
		expect(run('data')).toMatchObject({code: 0, stdout: 'x\n'});
		expect(daemon?.exitCode).toBeNull(); // the signals were handled, not fatal
	});

	it('reads a dump keepalived writes in pieces only once keepalived has closed it', async () => {
		await startDaemon('pieces');
		expect(run('data')).toMatchObject({code: 0, stdout: 'first half, second half\n'});
	});

	it('exits 3 without a pid file or with a dead pid', async () => {
		expect(run('json', path.join(dir, 'none.pid')).code).toBe(DUMP_EXIT.notRunning);
		writeFileSync(path.join(dir, 'dead.pid'), '999999999\n');
		expect(run('json', path.join(dir, 'dead.pid')).code).toBe(DUMP_EXIT.notRunning);
		writeFileSync(path.join(dir, 'junk.pid'), '12; rm -rf /\n');
		expect(run('json', path.join(dir, 'junk.pid')).code).toBe(DUMP_EXIT.notRunning);
	});

	it('exits 3 and sends nothing when the pid is not a keepalived process', async () => {
		const other = spawn('sleep', ['30'], {stdio: 'ignore'});
		try {
			writeFileSync(path.join(dir, 'other.pid'), `${other.pid}\n`);
			expect(run('json', path.join(dir, 'other.pid')).code).toBe(DUMP_EXIT.notRunning);
			expect(other.exitCode).toBeNull();
			expect(other.signalCode).toBeNull();
		} finally {
			other.kill('SIGKILL');
		}
	});

	it('exits 4 when the dump never appears', async () => {
		await startDaemon('silent');
		const t0 = Date.now();
		const r = run('json');
		expect(r.code).toBe(DUMP_EXIT.noDump);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
		expect(r.stdout).toBe('');
	});

	it('rejects an unknown kind', () => {
		const [cmd, ...args] = keepalivedDumpCommand('json', 'x', dir);
		args[3] = 'clear';
		expect(spawnSync(cmd!, args, {env}).status).toBe(DUMP_EXIT.badArgs);
	});

	it('the signum script reports what the binary says', () => {
		const [cmd, ...args] = keepalivedSignumCommand();
		const out = spawnSync(cmd!, args, {encoding: 'utf8', env}).stdout;
		expect(out).toBe('DATA=10\nSTATS=12\nJSON=36\n');
		expect(parseSignum(out)).toEqual({data: 10, stats: 12, json: 36});
	});
});

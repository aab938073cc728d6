// A director's long-lived read (DIRECTOR_STREAM_SCRIPT) run by this machine's own sh, with ipvsadm and
// ip stand-ins on PATH answering the lab's captured output: a whole frame first (the routine snapshot,
// no hash and no dump), then one line per period while nothing changes, a frame when the IPVS table
// changes, and no life after its reader is gone.
import {copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {directorStreamCommand, parseDirectorSnapshot} from '../../../src/probes/director-snapshot.js';
import {readOnlyVerdict} from '../../../src/transport/read-only.js';
import {needsRoot} from '../../../src/transport/sudo.js';
import {runStream} from '../../helpers/stream-child.js';
import {waitFor} from '../../helpers/wait-for.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'lab');

describe('the director stream command', () => {
	it('is on the read-only allow-list with a period, a pid file and a dump folder, and needs root', () => {
		const argv = directorStreamCommand(1000, '/run/keepalived.pid', '/tmp');
		expect(argv.slice(3)).toEqual(['lvsdeck-dir-stream', '1', '/run/keepalived.pid', '/tmp']);
		expect(directorStreamCommand(10, '/run/keepalived.pid', '/tmp')[4]).toBe('0.2');
		expect(readOnlyVerdict(argv)).toEqual({allowed: true});
		expect(needsRoot(argv)).toBe(true);
		const bad: Array<[number, string]> = [
			[4, '0.1'],
			[4, '1;reboot'],
			[5, 'run/keepalived.pid'],
			[6, '$(reboot)'],
		];
		for (const [at, word] of bad) {
			const changed = [...argv];
			changed[at] = word;
			expect(readOnlyVerdict(changed).allowed, word).toBe(false);
		}
		expect(readOnlyVerdict([...argv, 'extra']).allowed).toBe(false);
	});
});

describe('the director stream script, run by sh', () => {
	let dir: string | undefined;
	afterEach(() => dir && rmSync(dir, {recursive: true, force: true}));

	it('writes the routine snapshot, then "same" while nothing changes, a frame when IPVS changes, and dies with its reader', async () => {
		dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-dir-stream-'));
		const list = path.join(dir, 'list.txt');
		copyFileSync(path.join(FIXTURES, 'ipvsadm-Ln-dir1.txt'), list);
		copyFileSync(path.join(FIXTURES, 'ip-j-addr-dir1.json'), path.join(dir, 'addr.json'));
		// ipvsadm: the list from a file the test edits; its stats and rate views empty. ip: the captured JSON.
		writeFileSync(path.join(dir, 'ipvsadm'), `#!/bin/sh\ncase "$*" in *--stats*|*--rate*) exit 0 ;; esac\ncat "${list}"\n`, {mode: 0o755});
		writeFileSync(path.join(dir, 'ip'), `#!/bin/sh\ncat "${dir}/addr.json"\n`, {mode: 0o755});
		const argv = directorStreamCommand(200, path.join(dir, 'keepalived.pid'), dir);
		const stream = runStream(argv, {...process.env, PATH: `${dir}:${process.env['PATH']}`});
		const {reads, frames} = stream;
		await waitFor(async () => reads.length, (n) => n >= 3, {timeoutMs: 10_000, intervalMs: 20, what: 'three reads'});
		expect(reads.slice(0, 3).map((r) => r.kind)).toEqual(['changed', 'same', 'same']);
		const first = parseDirectorSnapshot(frames()[0]!, 'none');
		expect(first.problems).toEqual([]);
		expect(first.ipvs.services.length).toBeGreaterThan(0);
		expect(first.addresses.length).toBeGreaterThan(0);
		// No pid file: keepalived is not running, said without a dump; nothing hashed.
		expect(first.keepalivedRunning).toBe(false);
		expect(first.configSha256).toBeUndefined();
		const rs = first.ipvs.services[0]!.realServers[0]!;
		writeFileSync(list, readFileSync(list, 'utf8').replace(new RegExp(`(${rs.address}:${rs.port}\\s+Route\\s+)${rs.weight}`), '$1 7'));
		await waitFor(async () => frames().length, (n) => n === 2, {timeoutMs: 10_000, intervalMs: 20, what: 'a second frame'});
		expect(parseDirectorSnapshot(frames()[1]!, 'none').ipvs.services[0]!.realServers[0]!.weight).toBe(7);
		expect(await stream.stop()).toBe('SIGPIPE');
	});
});

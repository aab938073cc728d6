// A real server's long-lived read (REALSERVER_STREAM_SCRIPT) run by this machine's own sh: a whole
// frame first, then one line per period while nothing changes, a frame again when something does, and
// no life after its reader is gone. The reader that turns its lines into reads is pure.
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {realServerStreamCommand, splitRealServerPoll} from '../../../src/probes/realserver.js';
import {StreamFrameReader, type StreamRead} from '../../../src/probes/stream-frames.js';
import {readOnlyVerdict} from '../../../src/transport/read-only.js';
import {runStream} from '../../helpers/stream-child.js';
import {waitFor} from '../../helpers/wait-for.js';

describe('the stream reader', () => {
	it('gives a frame\'s text at its end mark and a "same" for each unchanged read', () => {
		const r = new StreamFrameReader();
		const reads = ['a=1', 'b=2', '', '@@lvsdeck-service 0', '@@lvsdeck-frame', '@@lvsdeck-same', 'a=3', '@@lvsdeck-frame'].map((l) => r.push(l));
		expect(reads.filter((x) => x !== undefined)).toEqual([{kind: 'changed', text: 'a=1\nb=2\n\n@@lvsdeck-service 0'}, {kind: 'same'}, {kind: 'changed', text: 'a=3'}]);
		expect(splitRealServerPoll('a=1\nb=2\n\n@@lvsdeck-service 0')).toEqual({check: 'a=1\nb=2\n', serviceCode: 0});
	});

	it('drops a frame too long to keep and says so, so an unchanged read after it is not taken for it', () => {
		const r = new StreamFrameReader();
		for (let i = 0; i < 60_000; i++) r.push(`line ${i}`);
		expect(r.push('@@lvsdeck-frame')).toEqual({kind: 'lost'});
		r.push('x');
		expect(r.push('@@lvsdeck-frame')).toEqual({kind: 'changed', text: 'x'});
	});
});

describe('the stream command', () => {
	it('runs the service status or `true`, at a period read-only mode accepts', () => {
		expect(realServerStreamCommand(1000, ['systemctl', 'is-active', 'httpd']).slice(3)).toEqual(['lvsdeck-rs-stream', '1', 'systemctl', 'is-active', 'httpd']);
		expect(realServerStreamCommand(1500, []).slice(3)).toEqual(['lvsdeck-rs-stream', '1.5', 'true']);
		// A period below 0.2 s is never asked for: the host would read without pause.
		expect(realServerStreamCommand(10, []).slice(3, 5)).toEqual(['lvsdeck-rs-stream', '0.2']);
		expect(readOnlyVerdict(realServerStreamCommand(1000, ['systemctl', 'is-active', 'httpd']))).toEqual({allowed: true});
		expect(readOnlyVerdict(realServerStreamCommand(1000, []))).toEqual({allowed: true});
		expect(readOnlyVerdict(realServerStreamCommand(1000, ['systemctl', 'stop', 'httpd'])).allowed).toBe(false);
		for (const period of ['0', '0.1', '100000', '1e3', '-1', '1;reboot']) {
			const argv = realServerStreamCommand(1000, []);
			expect(readOnlyVerdict([...argv.slice(0, 4), period, ...argv.slice(5)]).allowed, period).toBe(false);
		}
	});
});

describe('the stream script, run by sh', () => {
	let dir: string | undefined;
	afterEach(() => dir && rmSync(dir, {recursive: true, force: true}));

	it('writes a whole frame, then "same" while nothing changes, a frame when the status changes, and dies with its reader', async () => {
		dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-stream-'));
		const flag = path.join(dir, 'up');
		const argv = realServerStreamCommand(200, ['stat', flag]);
		const stream = runStream(argv);
		const {reads, frames} = stream;
		await waitFor(async () => reads.length, (n) => n >= 3, {timeoutMs: 10_000, intervalMs: 20, what: 'three reads'});
		expect(reads.slice(0, 3).map((r) => r.kind)).toEqual(['changed', 'same', 'same']);
		const first = splitRealServerPoll(frames()[0]!);
		expect(first.serviceCode).not.toBe(0);
		expect(first.check).toMatch(/^net\.ipv4\.conf\.all\.arp_ignore=\d/m);
		writeFileSync(flag, '');
		await waitFor(async () => frames().length, (n) => n === 2, {timeoutMs: 10_000, intervalMs: 20, what: 'a second frame'});
		expect(splitRealServerPoll(frames()[1]!)).toEqual({check: first.check, serviceCode: 0});
		// Its next write after the reader went ends it.
		expect(await stream.stop()).toBe('SIGPIPE');
	});

	it('where sleep takes no fractions, reads once a second instead of without pause', async () => {
		dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-stream-'));
		// An old busybox's sleep: whole seconds only.
		writeFileSync(path.join(dir, 'sleep'), '#!/bin/sh\ncase "$1" in *.*) echo "sleep: invalid number" >&2; exit 1;; esac\nexec /bin/sleep "$1"\n', {mode: 0o755});
		const argv = realServerStreamCommand(300, []);
		const child = spawn(argv[0]!, argv.slice(1), {stdio: ['ignore', 'pipe', 'ignore'], env: {...process.env, PATH: `${dir}:${process.env['PATH']}`}});
		const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
		const reader = new StreamFrameReader();
		let reads = 0;
		let rest = '';
		child.stdout.on('data', (chunk: Buffer) => {
			const lines = (rest + chunk.toString()).split('\n');
			rest = lines.pop()!;
			for (const l of lines) if (reader.push(l)) reads++;
		});
		await waitFor(async () => reads, (n) => n >= 2, {timeoutMs: 10_000, intervalMs: 20, what: 'two reads'});
		await new Promise((r) => setTimeout(r, 1500));
		// One or two more in 1.5 s at one a second; a busy loop would have written hundreds.
		expect(reads).toBeLessThanOrEqual(4);
		child.stdout.destroy();
		await exited;
	});

	it('where sleep cannot run at all, ends after its first read instead of reading without pause', async () => {
		dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-stream-'));
		const argv = realServerStreamCommand(300, []);
		const child = spawn('/bin/sh', argv.slice(1), {stdio: ['ignore', 'pipe', 'ignore'], env: {PATH: dir}});
		let out = '';
		child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
		expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
		expect(out.split('\n').filter((l) => l === '@@lvsdeck-frame' || l === '@@lvsdeck-same')).toEqual(['@@lvsdeck-frame']);
	});
});

// Bounded output, over ssh2 against an in-process server and on the station: a command's stdout and
// stderr are kept up to 8 MB each and past that the command is killed with a clear error; a streamed
// command (onStdoutLine) keeps no stdout at all, however much it sends; a line without an end is cut.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {ServerChannel} from 'ssh2';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Host} from '../../../src/profile/model.js';
import {SshPool} from '../../../src/transport/ssh-pool.js';
import {LocalTransport} from '../../../src/transport/local.js';
import {LineSplitter, MAX_LINE} from '../../../src/transport/line-splitter.js';
import {commandLabel, MAX_OUTPUT_BYTES, OutputCollector} from '../../../src/transport/output-limit.js';
import {TransportError} from '../../../src/transport/types.js';
import {waitFor} from '../../helpers/wait-for.js';
import {generateKey, SshTestServer, type TestKey} from './ssh-test-server.js';

let dir: string;
let clientKey: TestKey;
let server: SshTestServer;
let pool: SshPool;

/** Writes `total` bytes of `line`s, waiting for the window like a real process blocked on a pipe; stops when the channel closes. */
function pump(ch: ServerChannel, total: number, line: string, to: 'stdout' | 'stderr', end: boolean): void {
	const chunk = Buffer.from(line.repeat(Math.max(1, Math.floor(65_536 / line.length))));
	const out = to === 'stdout' ? ch : ch.stderr;
	let sent = 0;
	let closed = false;
	ch.on('close', () => (closed = true));
	const more = () => {
		while (!closed && sent < total) {
			sent += chunk.length;
			if (!out.write(chunk)) {
				out.once('drain', more);
				return;
			}
		}
		if (!closed && end) {
			ch.exit(0);
			ch.end();
		}
	};
	more();
}

beforeAll(async () => {
	dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-output-limit-'));
	clientKey = generateKey();
	writeFileSync(path.join(dir, 'id'), clientKey.privateKey, {mode: 0o600});
	server = await SshTestServer.start({
		authorizedKeys: [clientKey],
		commands: {
			// never ends by itself: 64 MB unless stopped
			flood: (ch) => pump(ch, 64 * 1024 * 1024, 'x'.repeat(99) + '\n', 'stdout', true),
			'flood-stderr': (ch) => pump(ch, 64 * 1024 * 1024, 'e'.repeat(99) + '\n', 'stderr', true),
			// just under the limit, then exit 0
			'almost-8mb': (ch) => pump(ch, MAX_OUTPUT_BYTES - 65_536 * 2, 'y'.repeat(63) + '\n', 'stdout', true),
			// 24 MB of lines, then exit
			stream: (ch) => pump(ch, 24 * 1024 * 1024, 'a'.repeat(99) + '\n', 'stdout', true),
			// one 200 KB line without an end, then a short one
			'long-line': (ch) => {
				ch.write('z'.repeat(200_000));
				ch.write('\nshort\n');
				ch.exit(0);
				ch.end();
			},
		},
	});
	const host: Host = {
		name: 'lb1',
		address: '127.0.0.1',
		role: 'director',
		ssh: {
			hostName: '127.0.0.1',
			user: 'operator',
			port: server.port,
			identityFiles: [path.join(dir, 'id')],
			knownHostsFiles: [],
			fingerprints: [server.hostKey.fingerprint],
			sudo: false,
			connectTimeoutMs: 5000,
			commandTimeoutMs: 60_000,
			keepaliveIntervalMs: 0,
			maxChannels: 4,
		},
	};
	pool = new SshPool([host]);
});

afterAll(async () => {
	await pool.close();
	await server.stop();
	rmSync(dir, {recursive: true, force: true});
});

async function rejection(promise: Promise<unknown>): Promise<TransportError> {
	const error = await promise.then(
		(r) => new Error(`expected an error, got ${JSON.stringify(r).slice(0, 200)}`),
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(TransportError);
	return error as TransportError;
}

describe('over SSH', () => {
	it('stdout past 8 MB kills the command and fails with a clear error', async () => {
		const e = await rejection(pool.exec('lb1', ['flood']));
		expect(e.kind).toBe('output-limit');
		expect(e.message).toBe('output of `flood` on lb1 exceeded 8 MB');
		await waitFor(async () => server.closedChannels.includes('flood'), Boolean, {timeoutMs: 5000, what: 'the flood channel closed'});
		expect(server.signals).toContain('KILL');
	});

	it('stderr past 8 MB too', async () => {
		const e = await rejection(pool.exec('lb1', ['flood-stderr']));
		expect(e.message).toBe('output of `flood-stderr` on lb1 exceeded 8 MB');
	});

	it('output just under the limit is kept whole', async () => {
		const r = await pool.exec('lb1', ['almost-8mb']);
		expect(r.code).toBe(0);
		expect(r.stdout.length).toBeGreaterThan(MAX_OUTPUT_BYTES - 65_536 * 3);
		expect(r.stdout.length).toBeLessThanOrEqual(MAX_OUTPUT_BYTES);
	});

	it('a streamed command delivers every line and keeps no stdout, past the limit too', async () => {
		let lines = 0;
		let bytes = 0;
		const r = await pool.exec('lb1', ['stream'], {onStdoutLine: (l) => ((lines += 1), (bytes += l.length + 1))});
		expect(r.code).toBe(0);
		expect(r.stdout).toBe('');
		expect(bytes).toBeGreaterThan(3 * MAX_OUTPUT_BYTES);
		expect(bytes % 100).toBe(0);
		expect(lines).toBe(bytes / 100);
	});

	it('a streamed line without an end is cut at 64 KiB; the next line arrives whole', async () => {
		const lines: string[] = [];
		await pool.exec('lb1', ['long-line'], {onStdoutLine: (l) => lines.push(l)});
		expect(lines.map((l) => l.length)).toEqual([MAX_LINE, 5]);
		expect(lines[1]).toBe('short');
	});
});

describe('on the station', () => {
	const local = new LocalTransport(undefined, 60_000);

	it('stdout or stderr past 8 MB kills the command (and its pipeline) and fails with a clear error', async () => {
		for (const [script, name] of [
			['yes', 'flood'],
			['yes | cat >&2', 'flood-stderr'],
		] as const) {
			const e = await rejection(local.exec('local', ['sh', '-c', script, name]));
			expect(e.kind).toBe('output-limit');
			expect(e.message).toBe(`output of \`sh -c … ${name}\` on local exceeded 8 MB`);
		}
	});

	it('a streamed command keeps no stdout and delivers every line', async () => {
		let lines = 0;
		const r = await local.exec('local', ['sh', '-c', 'yes abcdefghi | head -n 2000000'], {onStdoutLine: () => (lines += 1)});
		expect(r).toMatchObject({code: 0, stdout: ''});
		expect(lines).toBe(2_000_000);
	});

	it('ordinary output is as before', async () => {
		await expect(local.exec('local', ['sh', '-c', 'printf "a\\n"; printf "e" >&2; exit 3'])).resolves.toMatchObject({code: 3, stdout: 'a\n', stderr: 'e'});
	});
});

describe('the pieces', () => {
	it('a collector keeps up to its limit, then only says it was exceeded; one that does not keep, keeps nothing', () => {
		const c = new OutputCollector(true, 10);
		expect(c.push(Buffer.from('12345'))).toBe(true);
		expect(c.push(Buffer.from('67890'))).toBe(true);
		expect(c.push(Buffer.from('x'))).toBe(false);
		expect(c.exceeded).toBe(true);
		expect(c.text()).toBe('1234567890');
		const streamed = new OutputCollector(false, 10);
		expect(streamed.push(Buffer.alloc(100))).toBe(true);
		expect(streamed.text()).toBe('');
	});

	it('the line splitter decodes UTF-8 across chunks and cuts long lines', () => {
		const lines: string[] = [];
		const s = new LineSplitter((l) => lines.push(l), 4);
		const euro = Buffer.from('€\n');
		s.push(euro.subarray(0, 1));
		s.push(euro.subarray(1));
		s.push('abcdefgh\r\nxy');
		s.flush();
		expect(lines).toEqual(['€', 'abcd', 'xy']);
	});

	it('commands are named shortly', () => {
		expect(commandLabel(['ipvsadm', '-Ln', '--exact'])).toBe('ipvsadm -Ln --exact');
		expect(commandLabel(['sh', '-c', 'long script\nwith lines', 'lvsdeck-probe', 'json'])).toBe('sh -c … lvsdeck-probe');
		expect(commandLabel(['sudo', '-n', '--', 'ip', '-j', 'addr'])).toBe('ip -j addr');
		expect(commandLabel(['x'.repeat(100)])).toHaveLength(60);
	});
});

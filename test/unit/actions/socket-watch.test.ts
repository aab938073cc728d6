// The tcp and udp watchers against loopback services, the remote watcher's lines and command, backends
// from connection tables, and the drain's persistence templates.
import net from 'node:net';
import dgram from 'node:dgram';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {SocketWatcher} from '../../../src/actions/socket-watcher.js';
import {parseSocketLine, remoteSocketWatchCommand, REMOTE_SOCKET_WATCH_SCRIPT} from '../../../src/actions/remote-socket-watcher.js';
import {backendOfRecord, backendsByClient, TableAttributedWatcher} from '../../../src/actions/table-attribution.js';
import {newTemplateClients, templateClients} from '../../../src/actions/drills/persistence.js';
import {parseConnectionTable} from '../../../src/probes/ipvs-connections.js';
import {RecordingWatcher, type WatcherSummary} from '../../../src/actions/watcher.js';
import type {RequestRecord} from '../../../src/actions/request-record.js';
import type {ExecResult, Transport} from '../../../src/transport/types.js';
import {isReadOnlyCommand, readOnlyVerdict} from '../../../src/transport/read-only.js';
import {needsRoot} from '../../../src/transport/sudo.js';
import {waitFor} from '../../helpers/wait-for.js';
import type {VirtualServer} from '../../../src/profile/model.js';

let tcp: net.Server;
let silent: net.Server;
let udp: dgram.Socket;
const received: string[] = [];
beforeAll(async () => {
	tcp = net.createServer((s) => s.once('data', (d) => (received.push(d.toString('latin1')), s.end('backend-a here\r\nmore\n'))));
	silent = net.createServer(() => {});
	udp = dgram.createSocket('udp4');
	udp.on('message', (m, from) => udp.send(`udp-b ${m.toString().trim()}\n`, from.port, from.address));
	await Promise.all([new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r)), new Promise<void>((r) => silent.listen(0, '127.0.0.1', r)), new Promise<void>((r) => udp.bind(0, '127.0.0.1', r))]);
});
afterAll(() => {
	tcp.close();
	silent.close();
	udp.close();
});
const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;

describe('station socket watcher', () => {
	it('tcp: connects, sends the decoded --send, names the backend from the first line', async () => {
		const w = new SocketWatcher({url: `tcp://127.0.0.1:${portOf(tcp)}`, rate: 50, send: 'PING\\r\\n'});
		w.start();
		await waitFor(async () => w.records.length, (n: number) => n >= 5, {timeoutMs: 5000, what: '5 tcp answers'});
		const s = await w.stop();
		expect(s.failed + s.timeouts).toBe(0);
		expect(Object.keys(s.perBackend)).toEqual(['backend-a']);
		expect(received[0]).toBe('PING\r\n');
		expect(w.records.every((r) => r.localPort! > 0 && r.clientAddress === '127.0.0.1')).toBe(true);
	});

	it('udp: one datagram from a new port each time, the reply names the backend', async () => {
		const w = new SocketWatcher({url: `udp://127.0.0.1:${(udp.address() as net.AddressInfo).port}`, rate: 50});
		w.start();
		await waitFor(async () => w.records.length, (n: number) => n >= 5, {timeoutMs: 5000, what: '5 udp replies'});
		const s = await w.stop();
		expect(s.ok).toBe(s.total);
		expect(s.perBackend['udp-b']).toBe(s.ok);
		expect(new Set(w.records.map((r) => r.localPort)).size).toBe(w.records.length);
	});

	it('tcp: a refused connect fails, a service that says nothing times out', async () => {
		const closed = net.createServer();
		await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
		const port = portOf(closed);
		closed.close();
		const refused = new SocketWatcher({url: `tcp://127.0.0.1:${port}`, rate: 20});
		refused.start();
		await waitFor(async () => refused.records.length, (n: number) => n >= 2, {timeoutMs: 5000, what: 'refusals'});
		expect((await refused.stop()).failed).toBeGreaterThan(0);
		expect(refused.records[0]!.error).toBe('ECONNREFUSED');
		const quiet = new SocketWatcher({url: `tcp://127.0.0.1:${portOf(silent)}`, rate: 20, timeoutMs: 100});
		quiet.start();
		await waitFor(async () => quiet.records.length, (n: number) => n >= 2, {timeoutMs: 5000, what: 'timeouts'});
		const q = await quiet.stop();
		expect(q.timeouts).toBe(q.total);
	});
});

describe('remote socket watcher', () => {
	const name = (a: string) => a.split(' ')[0] ?? '';
	it('parses its lines: ok with the answer, failures with errno, the client port and address', () => {
		expect(parseSocketLine('@@LVSDECK-SOCK ok 0.012 192.168.67.30 41234 - rs1 says hi', 10_000, name)).toEqual({start: 9988, end: 10_000, outcome: 'ok', backend: 'rs1', localPort: 41234, clientAddress: '192.168.67.30'});
		expect(parseSocketLine('@@LVSDECK-SOCK failed 0.002 - 0 ECONNREFUSED ', 5000, name)).toEqual({start: 4998, end: 5000, outcome: 'failed', error: 'ECONNREFUSED'});
		expect(parseSocketLine('@@LVSDECK-SOCK timeout 1.000 192.168.67.30 5000 timeout ', 5000, name)).toMatchObject({outcome: 'timeout', error: 'timeout', localPort: 5000});
		expect(parseSocketLine('@@LVSDECK-TICK', 1, name)).toBeUndefined();
		expect(parseSocketLine('@@LVSDECK-SOCK weird 1 - 0 - x', 1, name)).toBeUndefined();
		expect(parseSocketLine('@@LVSDECK-SOCK ok NaN - 0 - x', 1, name)).toBeUndefined();
	});

	it('its command is on the read-only list, runs as the login user, and only with checked arguments', () => {
		const argv = remoteSocketWatchCommand('udp://192.168.67.100:9053', 20, '1.000', undefined);
		expect(argv.slice(3)).toEqual(['lvsdeck-sockwatch', 'udp', '192.168.67.100', '9053', '20', '1.000', 'lvsdeck\\n']);
		expect(isReadOnlyCommand(argv)).toBe(true);
		expect(needsRoot(argv)).toBe(false);
		expect(isReadOnlyCommand(remoteSocketWatchCommand('tcp://[2001:db8::1]:9000', 5, '0.500', ''))).toBe(true);
		const bad = (i: number, v: string) => readOnlyVerdict(argv.map((w, j) => (j === i ? v : w)));
		expect(bad(4, 'icmp')).toMatchObject({allowed: false});
		expect(bad(5, 'vip.example.com')).toMatchObject({allowed: false, reason: expect.stringContaining('is not an IP address')});
		expect(bad(6, '0')).toMatchObject({allowed: false});
		expect(bad(7, '6000')).toMatchObject({allowed: false});
		expect(bad(9, 'x\u0007')).toMatchObject({allowed: false});
		expect(isReadOnlyCommand(['sh', '-c', `${REMOTE_SOCKET_WATCH_SCRIPT}\nrm -rf /`, ...argv.slice(3)])).toBe(false);
		expect(() => remoteSocketWatchCommand('http://192.168.67.100/', 5, '1', undefined)).toThrow('expected tcp://');
	});
});

const TABLE = ['IPVS connection entries', 'pro expire state       source             virtual            destination',
	'TCP 01:58  FIN_WAIT    192.168.67.1:41000 192.168.67.100:9000 192.168.67.10:9000',
	'TCP 01:58  FIN_WAIT    192.168.67.30:41001 192.168.67.100:9000 192.168.67.20:9000',
	'TCP 01:58  FIN_WAIT    192.168.67.1:41002 192.168.67.100:80 192.168.67.20:80',
	'TCP 04:58  NONE        192.168.67.1:0     192.168.67.100:9000 192.168.67.20:9000', ''].join('\n');
const VS = {vip: '192.168.67.100', port: 9000, protocol: 'TCP', realServers: [{host: 'rs1', address: '192.168.67.10', port: 9000}, {host: 'rs2', address: '192.168.67.20', port: 9000}]} as unknown as VirtualServer;
const NAMES = new Map([['192.168.67.10:9000', 'rs1'], ['192.168.67.20:9000', 'rs2']]);

describe('backends from the connection table', () => {
	it('by client address and port, by port alone when the address is unknown, never from a template', () => {
		const found = backendsByClient([parseConnectionTable(TABLE)], NAMES);
		const r = (localPort: number, clientAddress?: string): RequestRecord => ({start: 0, end: 1, outcome: 'ok', localPort, ...(clientAddress ? {clientAddress} : {})});
		expect(backendOfRecord(r(41000, '192.168.67.1'), found)).toBe('rs1');
		expect(backendOfRecord(r(41000, '::ffff:192.168.67.1'), found)).toBe('rs1');
		expect(backendOfRecord(r(41001), found)).toBe('rs2');
		expect(backendOfRecord(r(41002, '192.168.67.1'), found)).toBe('192.168.67.20:80');
		expect(backendOfRecord(r(0, '192.168.67.1'), found)).toBeUndefined();
		expect(backendOfRecord(r(41999, '192.168.67.1'), found)).toBeUndefined();
	});

	it('the wrapper records answers with the table\'s backend, once the table has them, and the rest at stop', async () => {
		class Inner extends RecordingWatcher {
			emit(r: RequestRecord) {
				this.record(r);
			}
			start() {}
			async stop(): Promise<WatcherSummary> {
				return this.summary();
			}
		}
		const inner = new Inner(false);
		let table = 'IPVS connection entries\n';
		const asked: string[] = [];
		const transport = {
			exec: async (host: string, argv: readonly string[]): Promise<ExecResult> => (asked.push(`${host} ${argv.join(' ')}`), {code: 0, stdout: table, stderr: '', timedOut: false, durationMs: 1}),
		} as unknown as Transport;
		const w = new TableAttributedWatcher(inner, {transport, directors: ['dir1', 'dir2'], vs: VS, names: NAMES, pollMs: 20}, true);
		w.start();
		inner.emit({start: 1, end: 2, outcome: 'ok', backend: 'banner', localPort: 41000, clientAddress: '192.168.67.1'});
		inner.emit({start: 1, end: 2, outcome: 'failed', error: 'ECONNREFUSED'});
		inner.emit({start: 1, end: 2, outcome: 'ok', localPort: 42000, clientAddress: '192.168.67.1'});
		expect(w.records.map((r) => r.outcome)).toEqual(['failed']);
		await waitFor(async () => asked.length, (n: number) => n >= 4, {timeoutMs: 5000, what: 'table reads'});
		expect(w.records).toHaveLength(1);
		expect(asked[0]).toBe('dir1 ipvsadm -L -n -c');
		table = TABLE;
		await waitFor(async () => w.records.length, (n: number) => n >= 2, {timeoutMs: 5000, what: 'the answer attributed'});
		expect(w.records[1]).toMatchObject({backend: 'rs1', localPort: 41000});
		const s = await w.stop();
		expect(s.total).toBe(3);
		expect(s.perBackend).toEqual({rs1: 1});
		expect(w.records[2]!.backend).toBeUndefined();
	});
});

describe('persistence templates', () => {
	it('the clients tied to a real server, and the ones tied since', () => {
		const rs2 = VS.realServers[1]!;
		const before = templateClients(parseConnectionTable(TABLE), VS, rs2);
		expect([...before]).toEqual(['192.168.67.1']);
		expect(templateClients(parseConnectionTable(TABLE), VS, VS.realServers[0]!).size).toBe(0);
		const later = parseConnectionTable(`${TABLE}TCP 04:59  NONE        192.168.67.30:0    192.168.67.100:9000 192.168.67.20:9000\n`);
		expect(newTemplateClients(before, templateClients(later, VS, rs2))).toEqual(['192.168.67.30']);
	});
});

// The station's probe of a real server's service port, against loopback servers: UDP is asked with a
// datagram (a TCP connect would say nothing about it), TCP with a connect; only a refusal is "down".
import dgram from 'node:dgram';
import net from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {portAnswers, tcpAnswers, udpAnswers} from '../../../src/cluster/port-probe.js';
import {servicePorts} from '../../../src/cluster/rs-expectations.js';
import {parseProfile} from '../../../src/profile/load.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
	while (closers.length > 0) await closers.pop()!();
});

function udpServer(reply: boolean): Promise<number> {
	const socket = dgram.createSocket('udp4');
	if (reply) socket.on('message', (_m, from) => socket.send('rs1\n', from.port, from.address));
	closers.push(() => new Promise((r) => socket.close(() => r())));
	return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve(socket.address().port)));
}

function tcpServer(): Promise<number> {
	// The probe hangs up at once: the server sees a reset, which is expected here.
	const server = net.createServer((c) => c.on('error', () => undefined).end('rs1\n'));
	closers.push(() => new Promise((r) => server.close(() => r())));
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

/** A port nothing listens on (bound, then closed), for a refusal. */
async function closedPort(kind: 'tcp' | 'udp'): Promise<number> {
	if (kind === 'tcp') {
		const server = net.createServer();
		const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
		await new Promise<void>((r) => server.close(() => r()));
		return port;
	}
	const socket = dgram.createSocket('udp4');
	const port = await new Promise<number>((resolve) => socket.bind(0, '127.0.0.1', () => resolve(socket.address().port)));
	await new Promise<void>((r) => socket.close(() => r()));
	return port;
}

describe('port probes', () => {
	it('UDP: a service that answers datagrams answers; a closed port is refused (ICMP port unreachable)', async () => {
		expect(await udpAnswers('127.0.0.1', await udpServer(true), 2000)).toBe(true);
		expect(await udpAnswers('127.0.0.1', await closedPort('udp'), 2000)).toBe(false);
	});

	it('UDP: a service that stays silent is no evidence either way, not a down service', async () => {
		expect(await udpAnswers('127.0.0.1', await udpServer(false), 300)).toBeUndefined();
	});

	it('TCP: a listener answers, a closed port is refused', async () => {
		expect(await tcpAnswers('127.0.0.1', await tcpServer(), 2000)).toBe(true);
		expect(await tcpAnswers('127.0.0.1', await closedPort('tcp'), 2000)).toBe(false);
	});

	it('picks the probe by protocol: a UDP-only service is not asked with TCP', async () => {
		const port = await udpServer(true);
		expect(await portAnswers('127.0.0.1', {protocol: 'UDP', port}, 2000)).toBe(true);
		// Nothing listens on TCP at that port: the TCP probe would have called the service down.
		expect(await portAnswers('127.0.0.1', {protocol: 'TCP', port}, 2000)).toBe(false);
	});
});

/** A TCP service speaking a line protocol: answers PONG to PING, ERR to anything else; or silent. */
function pingServer(mode: 'pong' | 'silent' | 'greeting'): Promise<number> {
	const open = new Set<net.Socket>();
	const server = net.createServer((c) => {
		open.add(c);
		c.on('close', () => open.delete(c));
		c.on('error', () => undefined);
		if (mode === 'greeting') c.write('+OK rs1 ready\r\n');
		if (mode !== 'pong') return;
		let line = '';
		c.on('data', (d) => {
			line += d.toString();
			if (line.includes('\n')) c.end(line.startsWith('PING') ? '+PONG\r\n' : '-ERR\r\n');
		});
	});
	// the silent one keeps its side open: closed here, so the server can close
	closers.push(() => new Promise((r) => (server.close(() => r()), open.forEach((c) => c.destroy()))));
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

/** A UDP service answering every datagram with `reply`. */
function udpReplying(reply: string): Promise<number> {
	const socket = dgram.createSocket('udp4');
	socket.on('message', (_m, from) => socket.send(reply, from.port, from.address));
	closers.push(() => new Promise((r) => socket.close(() => r())));
	return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve(socket.address().port)));
}

describe('port probes with a send/expect pair (a virtual server\'s probe)', () => {
	it('TCP: the sent text must be answered with the expected one', async () => {
		const port = await pingServer('pong');
		expect(await tcpAnswers('127.0.0.1', port, 2000, {send: 'PING\\r\\n', expect: '+PONG'})).toBe(true);
		// the service answers, but not what a healthy one says
		expect(await tcpAnswers('127.0.0.1', port, 2000, {send: 'HELLO\\r\\n', expect: '+PONG'})).toBe(false);
		// a plain connect still only asks for the connect
		expect(await tcpAnswers('127.0.0.1', port, 2000)).toBe(true);
	});

	it('TCP: a greeting is read without sending; a connected service that never says it is down', async () => {
		expect(await tcpAnswers('127.0.0.1', await pingServer('greeting'), 2000, {expect: 'ready'})).toBe(true);
		expect(await tcpAnswers('127.0.0.1', await pingServer('silent'), 300, {send: 'PING\\n', expect: '+PONG'})).toBe(false);
		// refused stays refused; nothing to expect from a closed port
		expect(await tcpAnswers('127.0.0.1', await closedPort('tcp'), 2000, {send: 'PING\\n', expect: '+PONG'})).toBe(false);
	});

	it('UDP: the datagram is the sent text, and the reply must hold the expected text', async () => {
		const port = await udpReplying('rs1 ok\n');
		expect(await udpAnswers('127.0.0.1', port, 2000, {send: 'status\\n', expect: 'ok'})).toBe(true);
		expect(await udpAnswers('127.0.0.1', port, 2000, {expect: 'healthy'})).toBe(false);
	});

	it('portAnswers hands the service port\'s exchange to its probe', async () => {
		const port = await pingServer('pong');
		expect(await portAnswers('127.0.0.1', {protocol: 'TCP', port, exchange: {send: 'PING\\n', expect: 'PONG'}}, 2000)).toBe(true);
		expect(await portAnswers('127.0.0.1', {protocol: 'TCP', port, exchange: {send: 'QUIT\\n', expect: 'PONG'}}, 2000)).toBe(false);
	});
});

describe('the profile\'s probe: a virtual server\'s send/expect pair for its real servers\' port', () => {
	const profileWith = (probe: string) => `name: t
hosts:
  d1: {address: 10.0.0.1, role: director}
  r1: {address: 10.0.0.11, role: realserver}
vrrp_instances:
  - {name: VI_1, vrid: 1, interface: eth0, directors: {d1: {state: MASTER, priority: 100}}, vips: [{address: 10.0.0.100/24}]}
virtual_servers:
  - vip: 10.0.0.100
    port: 6379
    scheduler: rr
    forwarding: DR
${probe}    real_servers:
      - {host: r1, port: 6379, check: {type: TCP_CHECK}}
`;
	const errorOf = (probe: string): string => {
		try {
			parseProfile(profileWith(probe), 't.yaml');
		} catch (error) {
			return (error as Error).message;
		}
		throw new Error('the profile was accepted');
	};

	it('reaches the station\'s probe of the real server\'s port', () => {
		const profile = parseProfile(profileWith('    probe: {send: "PING\\\\r\\\\n", expect: "+PONG"}\n'), 't.yaml');
		expect(servicePorts(profile, 'r1')).toEqual([{protocol: 'TCP', port: 6379, exchange: {send: 'PING\\r\\n', expect: '+PONG'}}]);
		expect(servicePorts(parseProfile(profileWith(''), 't.yaml'), 'r1')).toEqual([{protocol: 'TCP', port: 6379}]);
	});

	it('refuses a bad pair in one line with file, line, column and field', () => {
		expect(errorOf('    probe: {}\n')).toMatch(/^t\.yaml:12:\d+: virtual_servers\[0\]\.probe: needs send, expect or both/);
		expect(errorOf('    probe: {send: "a\\tb"}\n')).toMatch(/^t\.yaml:12:\d+: virtual_servers\[0\]\.probe\.send: at most 256 printable ASCII characters/);
		expect(errorOf('    probe: {expect: "\\\\q"}\n')).toMatch(/^t\.yaml:12:\d+: virtual_servers\[0\]\.probe\.expect: the only escapes are/);
		expect(errorOf('    probe: {expect: ""}\n')).toMatch(/^t\.yaml:12:\d+: virtual_servers\[0\]\.probe\.expect: must not be empty/);
		expect(errorOf('    probe: {send: x, reply: y}\n')).toMatch(/^t\.yaml:12:\d+: virtual_servers\[0\]\.probe\.reply: unknown key/);
	});
});

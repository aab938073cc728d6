// The station's probe of a real server's service port, against loopback servers: UDP is asked with a
// datagram (a TCP connect would say nothing about it), TCP with a connect; only a refusal is "down".
import dgram from 'node:dgram';
import net from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {portAnswers, tcpAnswers, udpAnswers} from '../../../src/cluster/port-probe.js';

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

// Does a real server's service port answer the station? TCP: a connect. UDP: a datagram, answered by
// a datagram. true: it answered; false: the host refused (TCP reset, ICMP port unreachable); undefined:
// no evidence either way (a timeout, no route from the station, a UDP service that ignores the probe).
import dgram from 'node:dgram';
import net from 'node:net';
import type {ServicePort} from './rs-expectations.js';

/** Errors that mean the host itself said no. */
const REFUSED = new Set(['ECONNREFUSED', 'ECONNRESET']);

function verdict(error: unknown): boolean | undefined {
	const code = (error as NodeJS.ErrnoException | undefined)?.code;
	return code !== undefined && REFUSED.has(code) ? false : undefined;
}

export function tcpAnswers(address: string, port: number, timeoutMs: number): Promise<boolean | undefined> {
	return new Promise((resolve) => {
		const socket = net.connect({host: address, port});
		const done = (ok: boolean | undefined) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(timeoutMs, () => done(undefined));
		socket.once('connect', () => done(true));
		socket.once('error', (e) => done(verdict(e)));
	});
}

/** A short datagram; services like the lab's port 9053 answer any datagram. */
const UDP_PROBE = Buffer.from('lvsdeck\n');

export function udpAnswers(address: string, port: number, timeoutMs: number): Promise<boolean | undefined> {
	return new Promise((resolve) => {
		const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
		let settled = false;
		const done = (ok: boolean | undefined) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			socket.close();
			resolve(ok);
		};
		const timer = setTimeout(() => done(undefined), timeoutMs);
		socket.once('message', () => done(true));
		// On a connected socket an ICMP port unreachable arrives as ECONNREFUSED.
		socket.once('error', (e) => done(verdict(e)));
		socket.connect(port, address, () => socket.send(UDP_PROBE, (e) => e && done(verdict(e))));
	});
}

export function portAnswers(address: string, service: ServicePort, timeoutMs: number): Promise<boolean | undefined> {
	return service.protocol === 'UDP' ? udpAnswers(address, service.port, timeoutMs) : tcpAnswers(address, service.port, timeoutMs);
}

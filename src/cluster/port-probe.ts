// Does a real server's service port answer the station? TCP: a connect. UDP: a datagram, answered by
// a datagram. With the virtual server's send/expect pair (`probe`), the service must also answer the
// sent text with the expected one. true: it answered; false: the host refused (TCP reset, ICMP port
// unreachable) or answered without the expected text; undefined: no evidence either way (a timeout
// before the connect, no route from the station, a UDP service that ignores the probe).
import dgram from 'node:dgram';
import net from 'node:net';
import type {PortExchange} from '../profile/model.js';
import {decodeSendText} from '../text/send-text.js';
import type {ServicePort} from './rs-expectations.js';

/** Errors that mean the host itself said no. */
const REFUSED = new Set(['ECONNREFUSED', 'ECONNRESET']);

/** How much of a TCP answer is searched for the expected text: a greeting, not a stream. */
const MAX_ANSWER_BYTES = 4096;

function verdict(error: unknown): boolean | undefined {
	const code = (error as NodeJS.ErrnoException | undefined)?.code;
	return code !== undefined && REFUSED.has(code) ? false : undefined;
}

/**
 * A connect, then (with an exchange) the sent text and the answer searched for the expected text.
 * Connected but no expected text (the answer ended, grew too long, or the time ran out): false.
 */
export function tcpAnswers(address: string, port: number, timeoutMs: number, exchange: PortExchange = {}): Promise<boolean | undefined> {
	const expect = exchange.expect !== undefined ? decodeSendText(exchange.expect) : undefined;
	return new Promise((resolve) => {
		const socket = net.connect({host: address, port});
		let connected = false;
		let answer = '';
		let settled = false;
		const done = (ok: boolean | undefined) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			socket.destroy();
			resolve(ok);
		};
		const timer = setTimeout(() => done(connected && expect !== undefined ? false : undefined), timeoutMs);
		socket.once('connect', () => {
			connected = true;
			if (exchange.send !== undefined) socket.write(decodeSendText(exchange.send), 'latin1');
			if (expect === undefined) done(true);
		});
		socket.on('data', (chunk: Buffer) => {
			answer += chunk.toString('latin1');
			if (answer.includes(expect!)) done(true);
			else if (answer.length > MAX_ANSWER_BYTES) done(false);
		});
		socket.once('end', () => done(false));
		socket.once('error', (e) => done(connected ? false : verdict(e)));
	});
}

/** A short datagram; services like the lab's port 9053 answer any datagram. */
const UDP_PROBE = 'lvsdeck\\n';

/** A datagram (the exchange's text, else a short default); any reply answers, or one holding the expected text. */
export function udpAnswers(address: string, port: number, timeoutMs: number, exchange: PortExchange = {}): Promise<boolean | undefined> {
	const expect = exchange.expect !== undefined ? decodeSendText(exchange.expect) : undefined;
	const payload = Buffer.from(decodeSendText(exchange.send ?? UDP_PROBE), 'latin1');
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
		socket.once('message', (reply: Buffer) => done(expect === undefined || reply.toString('latin1').includes(expect)));
		// On a connected socket an ICMP port unreachable arrives as ECONNREFUSED.
		socket.once('error', (e) => done(verdict(e)));
		socket.connect(port, address, () => socket.send(payload, (e) => e && done(verdict(e))));
	});
}

export function portAnswers(address: string, service: ServicePort, timeoutMs: number): Promise<boolean | undefined> {
	return service.protocol === 'UDP' ? udpAnswers(address, service.port, timeoutMs, service.exchange) : tcpAnswers(address, service.port, timeoutMs, service.exchange);
}

// The watcher for services that are not HTTP, from the station: tcp connects (a new connection per
// request, so IPVS schedules each), sends the --send text if any, and reads the first answer; udp sends
// one datagram from a new socket (a new source port, so IPVS schedules each) and reads the reply.
import net from 'node:net';
import dgram from 'node:dgram';
import {isIPv6} from 'node:net';
import type {Outcome} from './request-record.js';
import {backendFromBody, PacedWatcher, type WatcherOptions} from './watcher.js';
import {decodeSendText, DEFAULT_UDP_PAYLOAD, socketTarget, type SocketTarget} from './watch-mode.js';

/** Answers longer than this are cut: only the first line names anything. */
const MAX_ANSWER = 4096;

interface Attempt {
	finish(outcome: Outcome, answer?: string, error?: string): void;
	readonly local: {port?: number; address?: string};
}

/** The first line of an answer (the whole of it when it has no newline). */
export function firstLine(answer: string): string {
	const nl = answer.indexOf('\n');
	return (nl < 0 ? answer : answer.slice(0, nl)).replace(/\r$/, '');
}

export class SocketWatcher extends PacedWatcher {
	private readonly target: SocketTarget;
	private readonly payload: string | undefined;

	constructor(private readonly options: WatcherOptions) {
		super(options);
		const target = socketTarget(options.url);
		if (!target) throw new Error(`watcher target ${options.url}: expected tcp://HOST:PORT or udp://HOST:PORT`);
		this.target = target;
		const send = options.send ?? (target.mode === 'udp' ? DEFAULT_UDP_PAYLOAD : undefined);
		this.payload = send === undefined ? undefined : decodeSendText(send);
	}

	protected request(start: number): Promise<void> {
		return new Promise<void>((resolve) => {
			let settled = false;
			const local: Attempt['local'] = {};
			let cleanup = () => {};
			const finish = (outcome: Outcome, answer?: string, error?: string) => {
				// A socket closed on timeout also reports an error: count each request once.
				if (settled) return;
				settled = true;
				clearTimeout(deadline);
				cleanup();
				const backend = outcome === 'ok' ? backendFromBody(firstLine(answer ?? ''), this.options.backendPattern) : undefined;
				this.record({start, end: Date.now(), outcome, ...(backend ? {backend} : {}), ...(error ? {error} : {}), ...(local.port ? {localPort: local.port} : {}), ...(local.address ? {clientAddress: local.address} : {})});
				resolve();
			};
			// The whole request, connect included (a SYN lost while a VIP moves is retried for seconds).
			const deadline = setTimeout(() => finish('timeout', undefined, 'timeout'), this.options.timeoutMs ?? 1000);
			cleanup = this.target.mode === 'tcp' ? this.tcp({finish, local}) : this.udp({finish, local});
		});
	}

	/** Connect, send, read until a newline, the end, or the first chunk that came in one go. */
	private tcp({finish, local}: Attempt): () => void {
		const socket = net.connect({host: this.target.host, port: this.target.port, ...(this.options.localAddress ? {localAddress: this.options.localAddress} : {})});
		let answer = '';
		socket.setEncoding('latin1');
		socket.once('connect', () => {
			local.port = socket.localPort;
			local.address = socket.localAddress;
			if (this.payload !== undefined) socket.write(this.payload, 'latin1');
		});
		// A banner (a database's greeting) arrives in one piece and may hold no newline: the first
		// chunk is the answer, as is a line or an answer ended by the server.
		socket.on('data', (chunk: string) => {
			answer = (answer + chunk).slice(0, MAX_ANSWER);
			finish('ok', answer);
		});
		socket.once('end', () => finish('ok', answer));
		socket.once('error', (e: NodeJS.ErrnoException) => finish('failed', undefined, e.code ?? e.message));
		return () => socket.destroy();
	}

	/** One datagram from a fresh socket; the reply (or an ICMP refusal) ends it. */
	private udp({finish, local}: Attempt): () => void {
		const socket = dgram.createSocket(isIPv6(this.target.host) ? 'udp6' : 'udp4');
		socket.once('error', (e: NodeJS.ErrnoException) => finish('failed', undefined, e.code ?? e.message));
		socket.on('message', (msg) => finish('ok', msg.subarray(0, MAX_ANSWER).toString('latin1')));
		const connected = () => {
			const a = socket.address();
			local.port = a.port;
			local.address = a.address;
			socket.send(Buffer.from(this.payload ?? '', 'latin1'), (e) => e && finish('failed', undefined, (e as NodeJS.ErrnoException).code ?? e.message));
		};
		const connect = () => socket.connect(this.target.port, this.target.host, connected);
		if (this.options.localAddress) socket.bind({address: this.options.localAddress, port: 0}, connect);
		else connect();
		return () => {
			try {
				socket.close();
			} catch {
				// already closed
			}
		};
	}
}

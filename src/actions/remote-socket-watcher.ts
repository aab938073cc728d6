// The tcp and udp watcher run from a client host over SSH: the perl loop of REMOTE_SOCKET_WATCH_SCRIPT
// makes the requests and streams one line per request back; the parser turns them into the same
// records the station's socket watcher makes (with the client address and port IPVS keys on).
import {REMOTE_SOCKET_MARK as MARK, REMOTE_SOCKET_WATCH_SCRIPT} from '../transport/read-only-scripts.js';
import type {Transport} from '../transport/types.js';
import type {Outcome, RequestRecord} from './request-record.js';
import {backendFromBody, type WatcherOptions} from './watcher.js';
import {RemoteLineWatcher} from './remote-line-watcher.js';
import {DEFAULT_UDP_PAYLOAD, socketTarget} from './watch-mode.js';

export {REMOTE_SOCKET_WATCH_SCRIPT} from '../transport/read-only-scripts.js';

/** `sh -c REMOTE_SOCKET_WATCH_SCRIPT lvsdeck-sockwatch MODE ADDRESS PORT RATE TIMEOUT_S SEND`. */
export function remoteSocketWatchCommand(url: string, rate: number, timeoutS: string, send: string | undefined): readonly string[] {
	const target = socketTarget(url);
	if (!target) throw new Error(`watcher target ${url}: expected tcp://ADDRESS:PORT or udp://ADDRESS:PORT`);
	const payload = send ?? (target.mode === 'udp' ? DEFAULT_UDP_PAYLOAD : '');
	return ['sh', '-c', REMOTE_SOCKET_WATCH_SCRIPT, 'lvsdeck-sockwatch', target.mode, target.host, String(target.port), String(rate), timeoutS, payload];
}

const OUTCOMES = new Set<Outcome>(['ok', 'failed', 'timeout']);

/** Pure: one line of the script's output → a request record (`at`: when it arrived); else undefined. */
export function parseSocketLine(line: string, at: number, backendOf: (answer: string) => string): RequestRecord | undefined {
	if (!line.startsWith(`${MARK} `)) return undefined;
	const [outcome, seconds, ip, port, error, ...answer] = line.slice(MARK.length + 1).split(' ');
	if (!OUTCOMES.has(outcome as Outcome) || !/^\d+(\.\d+)?$/.test(seconds ?? '')) return undefined;
	const localPort = Number(port);
	const start = Math.round(at - Number(seconds) * 1000);
	const known = Number.isInteger(localPort) && localPort > 0 && localPort < 65536;
	return {
		start,
		end: at,
		outcome: outcome as Outcome,
		...(outcome === 'ok' ? {backend: backendOf(answer.join(' '))} : {}),
		...(outcome !== 'ok' ? {error: outcome === 'timeout' ? 'timeout' : (error ?? 'failed')} : {}),
		...(known ? {localPort} : {}),
		...(known && ip && ip !== '-' ? {clientAddress: ip} : {}),
	};
}

export interface RemoteSocketWatcherOptions extends Omit<WatcherOptions, 'localAddress'> {
	readonly transport: Transport;
	readonly host: string;
}

export class RemoteSocketWatcher extends RemoteLineWatcher {
	constructor(private readonly options: RemoteSocketWatcherOptions) {
		super(options);
	}

	protected command() {
		const timeoutS = ((this.options.timeoutMs ?? 1000) / 1000).toFixed(3);
		const backendOf = (answer: string) => backendFromBody(answer, this.options.backendPattern);
		return {
			argv: remoteSocketWatchCommand(this.options.url, Math.min(5000, this.options.rate ?? 20), timeoutS, this.options.send),
			parse: (line: string, at: number) => parseSocketLine(line, at, backendOf),
		};
	}
}

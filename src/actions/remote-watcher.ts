// The round-robin watcher run from a client host over SSH: curl on the client makes the requests (each
// on a new connection, at the chosen rate, from `concurrency` processes) and streams one line per request
// back; the parser turns them into the same records the station's watcher makes.
import {REMOTE_WATCH_MARK as MARK, REMOTE_WATCH_SCRIPT} from '../transport/read-only-scripts.js';
import type {Transport} from '../transport/types.js';
import {backendFromBody, type Outcome, type RequestRecord, type WatcherOptions} from './watcher.js';
import {RemoteLineWatcher} from './remote-line-watcher.js';

// The script (curl GETs in short chunks, nothing written on the host) is in the transport's list of
// read-only scripts.
export {REMOTE_WATCH_SCRIPT} from '../transport/read-only-scripts.js';

/** `sh -c REMOTE_WATCH_SCRIPT lvsdeck-watch URL_WITH_GLOB PER_PROCESS_RATE TIMEOUT_S PROCESSES`. */
export function remoteWatchCommand(url: string, perMinute: number, timeoutS: string, procs: number): readonly string[] {
	return ['sh', '-c', REMOTE_WATCH_SCRIPT, 'lvsdeck-watch', url, `${perMinute}/m`, timeoutS, String(procs)];
}

/** curl exit codes that mean the request ran out of time. */
const CURL_TIMEOUT = new Set([28]);

/** Pure: tagged curl output lines → request records. `at` is when the line arrived. */
export class CurlStreamParser {
	private readonly bodies = new Map<string, string[]>();

	constructor(private readonly backendOf: (body: string) => string) {}

	push(line: string, at: number): RequestRecord | undefined {
		const space = line.indexOf(' ');
		if (space < 0) return undefined;
		const tag = line.slice(0, space);
		// Tags are curl process numbers (at most 32 processes): anything else is not ours, and keeping
		// it would let the stream grow the map without bound.
		if (!/^\d{1,2}$/.test(tag)) return undefined;
		const rest = line.slice(space + 1);
		if (!rest.startsWith(`${MARK} `)) {
			const body = this.bodies.get(tag) ?? [];
			if (body.length < 64) body.push(rest.slice(0, 4096));
			this.bodies.set(tag, body);
			return undefined;
		}
		const body = (this.bodies.get(tag) ?? []).join('\n');
		this.bodies.delete(tag);
		const [status, total, exitcode, port] = rest.slice(MARK.length + 1).split(' ');
		const code = Number(status);
		const seconds = Number(total);
		const exit = Number(exitcode);
		if (!Number.isFinite(code) || !Number.isFinite(seconds) || !Number.isFinite(exit)) return undefined;
		const start = Math.round(at - seconds * 1000);
		const localPort = Number(port) || undefined;
		let outcome: Outcome;
		let error: string | undefined;
		if (exit === 0 && code > 0 && code < 400) outcome = 'ok';
		else if (CURL_TIMEOUT.has(exit)) {
			outcome = 'timeout';
			error = 'timeout';
		} else {
			outcome = 'failed';
			error = exit !== 0 ? `curl exit ${exit}` : `HTTP ${code}`;
		}
		return {
			start,
			end: at,
			outcome,
			...(outcome === 'ok' ? {backend: this.backendOf(body)} : {}),
			...(error ? {error} : {}),
			...(localPort ? {localPort} : {}),
		};
	}
}

/** The station watcher's options (concurrency: curl processes), plus where curl runs. */
export interface RemoteWatcherOptions extends Omit<WatcherOptions, 'localAddress'> {
	readonly transport: Transport;
	readonly host: string;
}

/**
 * URLs go to curl as a glob (`?lvsdeck=[1-N]` repeats it), so they must not hold glob characters,
 * except the brackets of an IPv6 host, which curl's glob parser recognizes and leaves alone.
 */
export function remoteWatchUrl(url: string, count: number): string {
	const u = new URL(url);
	if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`watcher URL ${url}: only http and https`);
	const outsideHost = u.hostname.startsWith('[') ? url.replace(`//${u.hostname}`, '//') : url;
	if (/[[\]{}\s]/.test(outsideHost)) throw new Error(`watcher URL ${url}: must not contain brackets, braces or spaces`);
	return `${url}${u.search ? '&' : '?'}lvsdeck=[1-${count}]`;
}

export class RemoteWatcher extends RemoteLineWatcher {
	constructor(private readonly options: RemoteWatcherOptions) {
		super(options);
	}

	protected command() {
		const rate = this.options.rate ?? 20;
		// One curl keeps a steady rate while answers are quick; more share the load when some time out.
		const procs = Math.max(1, Math.min(this.options.concurrency ?? Math.ceil(rate / 25), 32));
		const perMinute = Math.max(1, Math.round((rate * 60) / procs));
		const timeoutS = ((this.options.timeoutMs ?? 1000) / 1000).toFixed(3);
		// about 2 s of requests per curl run (see REMOTE_WATCH_SCRIPT)
		const url = remoteWatchUrl(this.options.url, Math.max(1, Math.ceil((perMinute / 60) * 2)));
		const parser = new CurlStreamParser((body) => backendFromBody(body, this.options.backendPattern));
		return {argv: remoteWatchCommand(url, perMinute, timeoutS, procs), parse: (line: string, at: number) => parser.push(line, at)};
	}
}

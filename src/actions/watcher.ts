// The round-robin watcher: real HTTP requests to a VIP, each on a new TCP connection so IPVS schedules
// every one, at a fixed rate with bounded concurrency. It records which backend answered (from the
// response body), failures, timeouts, latency, and the gaps where nothing succeeded.
import http from 'node:http';
import {sanitizeText} from '../text/sanitize.js';
import type {Outcome, RequestRecord} from './request-record.js';
import {WatchTally} from './watch-tally.js';

export interface WatcherOptions {
	readonly url: string;
	/** Requests per second to start (default 20). */
	readonly rate?: number;
	/** Requests in flight at most (default 64). */
	readonly concurrency?: number;
	readonly timeoutMs?: number;
	/** Backend name from the body: the first capture group, or the whole match (default: first word). */
	readonly backendPattern?: RegExp;
	/** Optional source address to bind (e.g. the station's address). */
	readonly localAddress?: string;
	/** Keep every record (default true); long live runs turn it off and tally through onRecord. */
	readonly keepRecords?: boolean;
}

export type {Outcome, RequestRecord} from './request-record.js';

export interface WatcherSummary {
	readonly total: number;
	readonly ok: number;
	readonly failed: number;
	readonly timeouts: number;
	readonly perBackend: Record<string, number>;
	readonly latencyP50Ms: number | null;
	readonly latencyP99Ms: number | null;
	/** Longest stretch between two successful responses that contains failures (ms). */
	readonly longestGapMs: number;
	readonly firstFailureAt: number | null;
	readonly lastFailureAt: number | null;
	readonly requestsPerSecond: number;
	readonly durationMs: number;
}

/**
 * Pure: a summary of request records (completed ones) over [from, to]. The figures come from the one
 * statistics core, WatchTally, fed the records; only the failure times are counted here.
 */
export function summarize(records: readonly RequestRecord[], from: number, to: number): WatcherSummary {
	const tally = new WatchTally(from);
	let firstFailureAt: number | null = null;
	let lastFailureAt: number | null = null;
	for (const r of records) {
		tally.add(r);
		if (r.outcome === 'ok') continue;
		firstFailureAt = firstFailureAt === null ? r.start : Math.min(firstFailureAt, r.start);
		lastFailureAt = lastFailureAt === null ? r.start : Math.max(lastFailureAt, r.start);
	}
	const s = tally.snapshot(to);
	// Backend names come from HTTP bodies: a null prototype keeps "__proto__" or "constructor" a plain key.
	const perBackend: Record<string, number> = Object.create(null) as Record<string, number>;
	for (const [name, n] of s.perBackend) perBackend[name] = n;
	const durationMs = Math.max(1, to - from);
	return {
		total: s.total,
		ok: s.ok,
		failed: s.failed,
		timeouts: s.timeouts,
		perBackend,
		latencyP50Ms: s.latencyP50Ms,
		latencyP99Ms: s.latencyP99Ms,
		longestGapMs: s.longestGapMs,
		firstFailureAt,
		lastFailureAt,
		requestsPerSecond: +((records.length * 1000) / durationMs).toFixed(1),
		durationMs,
	};
}

/** Shares the weights predict for each backend (name → fraction). */
export function expectedShares(weights: Record<string, number>): Record<string, number> {
	const total = Object.values(weights).reduce((a, b) => a + b, 0);
	return Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, total === 0 ? 0 : w / total]));
}

/** Backend names longer than this are cut: they become map keys, report fields and screen cells. */
export const MAX_BACKEND_NAME = 64;

/**
 * The backend's name in a response body: the pattern's first group or whole match, else the first word.
 * The body is remote text: it is sanitized first, so a name can never carry escapes or invisible
 * characters (and two names that differ only in those are one backend).
 */
export function backendFromBody(rawBody: string, pattern?: RegExp): string {
	const body = sanitizeText(rawBody);
	const match = pattern?.exec(body);
	const name = pattern ? (match?.[1] ?? match?.[0] ?? '') : (body.trim().split(/\s+/)[0] ?? '');
	return [...name.trim()].slice(0, MAX_BACKEND_NAME).join('').replace(/\s+/g, ' ');
}

/**
 * What every watcher (station or client host) shares: the records it keeps (unless told not to),
 * listeners for each finished request, and the summary over its running time.
 */
export abstract class RecordingWatcher {
	readonly records: RequestRecord[] = [];
	private readonly listeners = new Set<(r: RequestRecord) => void>();
	protected started = 0;
	protected stopped = 0;

	constructor(private readonly keepRecords = true) {}

	onRecord(listener: (r: RequestRecord) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	protected record(r: RequestRecord): void {
		if (this.keepRecords) this.records.push(r);
		for (const l of this.listeners) l(r);
	}

	summary(): WatcherSummary {
		return summarize(this.records, this.started, this.stopped || Date.now());
	}
}

export class RoundRobinWatcher extends RecordingWatcher {
	private timer: NodeJS.Timeout | undefined;
	private inFlight = 0;
	private readonly pending = new Set<Promise<void>>();
	private readonly url: URL;

	constructor(private readonly options: WatcherOptions) {
		super(options.keepRecords !== false);
		this.url = new URL(options.url);
	}

	private backendOf(body: string): string {
		return backendFromBody(body, this.options.backendPattern);
	}

	private one(): void {
		const start = Date.now();
		this.inFlight++;
		const done = new Promise<void>((resolve) => {
			let settled = false;
			let localPort: number | undefined;
			let deadline: NodeJS.Timeout | undefined;
			const finish = (outcome: Outcome, backend?: string, error?: string) => {
				// A request destroyed on timeout also reports an error: count each request once.
				if (settled) return;
				settled = true;
				clearTimeout(deadline);
				this.inFlight--;
				this.record({start, end: Date.now(), outcome, ...(backend !== undefined ? {backend} : {}), ...(error ? {error} : {}), ...(localPort ? {localPort} : {})});
				resolve();
			};
			const req = http.get(
				{
					// an IPv6 VIP is bracketed in the URL, not in the address to connect to
					host: this.url.hostname.replace(/^\[(.*)\]$/, '$1'),
					port: this.url.port || 80,
					path: `${this.url.pathname}${this.url.search}`,
					agent: false,
					headers: {connection: 'close'},
					...(this.options.localAddress ? {localAddress: this.options.localAddress} : {}),
				},
				(res) => {
					let body = '';
					res.setEncoding('utf8');
					res.on('data', (c: string) => {
						if (body.length < 4096) body += c;
					});
					res.on('end', () => (res.statusCode !== undefined && res.statusCode < 400 ? finish('ok', this.backendOf(body)) : finish('failed', undefined, `HTTP ${res.statusCode}`)));
					res.on('error', (e) => finish('failed', undefined, e.message));
				},
			);
			req.on('socket', (socket) => socket.once('connect', () => (localPort = socket.localPort)));
			// The whole request, connect included: a socket timeout would only start after the connect,
			// and a SYN lost while a VIP moves is retried for seconds.
			deadline = setTimeout(() => {
				finish('timeout', undefined, 'timeout');
				req.destroy();
			}, this.options.timeoutMs ?? 1000);
			req.on('error', (e: NodeJS.ErrnoException) => finish('failed', undefined, e.code ?? e.message));
		});
		const tracked = done.finally(() => this.pending.delete(tracked));
		this.pending.add(tracked);
	}

	start(): void {
		if (this.timer) return;
		this.started = Date.now();
		const rate = this.options.rate ?? 20;
		const limit = this.options.concurrency ?? 64;
		// A 10 ms tick starting as many requests as the schedule is behind keeps the rate exact.
		let sent = 0;
		this.timer = setInterval(() => {
			const due = Math.floor(((Date.now() - this.started) * rate) / 1000);
			while (sent < due && this.inFlight < limit) {
				this.one();
				sent++;
			}
			if (sent < due && this.inFlight >= limit) sent = due; // skipped, not queued: the rate is a ceiling
		}, 10);
	}

	/** Stop starting requests and wait for those in flight. */
	async stop(): Promise<WatcherSummary> {
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
		await Promise.all([...this.pending]);
		this.stopped = Date.now();
		return this.summary();
	}
}

/** A source of watcher traffic, from the station or from a client host (see traffic.ts). */
export interface TrafficWatcher {
	readonly records: readonly RequestRecord[];
	/** Called for each finished request. */
	onRecord(listener: (r: RequestRecord) => void): () => void;
	start(): void;
	/** Stop starting requests and wait for those in flight. */
	stop(): Promise<WatcherSummary>;
	summary(): WatcherSummary;
	/** Set when the traffic source died on its own (remote watcher). */
	readonly error?: string | undefined;
}

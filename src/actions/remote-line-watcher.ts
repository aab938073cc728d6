// What both watchers that run on a client host over SSH share (curl for http, the perl loop for tcp and
// udp): one long-lived command whose stdout lines become request records, the reason it ended early if
// it did, and a stop that aborts it and waits for it.
import type {Argv} from '../profile/model.js';
import type {Transport} from '../transport/types.js';
import type {RequestRecord} from './request-record.js';
import {RecordingWatcher, type TrafficWatcher, type WatcherSummary} from './watcher.js';

export interface RemoteLineWatcherOptions {
	readonly transport: Transport;
	readonly host: string;
	readonly keepRecords?: boolean;
}

export abstract class RemoteLineWatcher extends RecordingWatcher implements TrafficWatcher {
	private readonly controller = new AbortController();
	private running: Promise<void> | undefined;
	/** Why the remote side ended early, if it did. */
	error: string | undefined;

	constructor(private readonly remote: RemoteLineWatcherOptions) {
		super(remote.keepRecords !== false);
	}

	/** The command to run on the host and the parser of its stdout lines (undefined: not a record). */
	protected abstract command(): {readonly argv: Argv; readonly parse: (line: string, at: number) => RequestRecord | undefined};

	start(): void {
		if (this.running) return;
		this.started = Date.now();
		const {argv, parse} = this.command();
		const where = `the watcher on ${this.remote.host}`;
		this.running = this.remote.transport
			.exec(this.remote.host, argv, {
				timeoutMs: 0,
				signal: this.controller.signal,
				onStdoutLine: (line) => {
					const r = parse(line, Date.now());
					if (r) this.record(r);
				},
			})
			.then(
				(r) => {
					if (!this.controller.signal.aborted) this.error = `${where} ended: ${r.stderr.trim() || `exit ${r.code}`}`;
				},
				(e: unknown) => {
					if (!this.controller.signal.aborted) this.error = `${where} failed: ${e instanceof Error ? e.message : String(e)}`;
				},
			);
	}

	async stop(): Promise<WatcherSummary> {
		this.controller.abort();
		await this.running;
		this.stopped = Date.now();
		return this.summary();
	}
}

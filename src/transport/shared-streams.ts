// Long-lived followers shared between clusters. A screen over several clusters keeps one follower per
// director and command (`ip -o monitor address`, keepalived's log); when two clusters name the same
// host, the same command on the same connection is one channel whose lines go to every follower. Two
// followers of the same stream would otherwise hold two channels of the host's max_channels each, and
// the polls of both clusters queue behind them (the lab's two-cluster screen timed out that way).
import type {ExecOptions, ExecResult} from './types.js';

type Run = (signal: AbortSignal, onLine: (line: string) => void) => Promise<ExecResult>;

interface Stream {
	readonly listeners: Set<(line: string) => void>;
	readonly controller: AbortController;
	readonly done: Promise<ExecResult>;
}

/** A follower that stopped: what the transport gives an aborted command. */
function abortedResult(started: number): ExecResult {
	return {code: null, stdout: '', stderr: '', timedOut: false, aborted: true, durationMs: Date.now() - started};
}

/** Commands shared are followers: stdout lines wanted, no time limit, nothing written to them. */
export function isSharedStream(options: ExecOptions | undefined): options is ExecOptions & {onStdoutLine: (line: string) => void} {
	return options?.onStdoutLine !== undefined && options.timeoutMs === 0 && options.stdin === undefined;
}

export class SharedStreams {
	private readonly streams = new Map<string, Stream>();

	/**
	 * Joins the stream `key` names (started with `run` when nobody follows it yet). Resolves with the
	 * stream's result when it ends, or as aborted when this follower's signal aborts; the stream is
	 * stopped when its last follower leaves.
	 */
	follow(key: string, options: ExecOptions & {onStdoutLine: (line: string) => void}, run: Run): Promise<ExecResult> {
		const started = Date.now();
		if (options.signal?.aborted) return Promise.resolve(abortedResult(started));
		const stream = this.streams.get(key) ?? this.start(key, run);
		const listener = (line: string) => options.onStdoutLine(line);
		stream.listeners.add(listener);
		return new Promise<ExecResult>((resolve, reject) => {
			const leave = () => {
				options.signal?.removeEventListener('abort', onAbort);
				stream.listeners.delete(listener);
				if (stream.listeners.size === 0) {
					if (this.streams.get(key) === stream) this.streams.delete(key);
					stream.controller.abort();
				}
			};
			const onAbort = () => {
				leave();
				resolve(abortedResult(started));
			};
			options.signal?.addEventListener('abort', onAbort, {once: true});
			stream.done.then(
				(r) => (leave(), resolve(r)),
				(e: unknown) => (leave(), reject(e)),
			);
		});
	}

	/** How many streams run now (for tests and diagnostics). */
	get size(): number {
		return this.streams.size;
	}

	private start(key: string, run: Run): Stream {
		const controller = new AbortController();
		const listeners = new Set<(line: string) => void>();
		const done = run(controller.signal, (line) => {
			for (const l of [...listeners]) l(line);
		});
		const stream: Stream = {listeners, controller, done};
		this.streams.set(key, stream);
		// An ended stream is not joined again: the next follower starts a new one.
		const forget = () => {
			if (this.streams.get(key) === stream) this.streams.delete(key);
		};
		done.then(forget, forget);
		return stream;
	}
}

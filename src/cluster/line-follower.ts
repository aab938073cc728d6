// One long-lived command per director whose stdout lines are events (`ip -o monitor address`,
// `tail -F` of keepalived's log, `journalctl -f`), attached again when it ends, with a back-off after
// runs that ended early. Each line is timed when it arrived. The address monitor and keepalived's log
// channel both run on this; each says only its command and what a line means.
import {setMaxListeners} from 'node:events';
import type {Transport} from '../transport/types.js';

export interface LineFollowerOptions {
	/** The command to run on the director. */
	readonly command: (director: string) => readonly string[];
	/** Each stdout line of `director`'s command, with the time it arrived. */
	readonly onLine: (director: string, line: string, at: number) => void;
	/**
	 * After attaching again (not the first time): catch up on what was missed while detached.
	 * False when the host did not answer, which counts as a short run.
	 */
	readonly onReattach?: (director: string) => Promise<boolean>;
	/** The wait before attaching again, by the number of short runs in a row (0 after a long one). */
	readonly retryDelayMs: (shortRuns: number) => number;
	/** A command that ran at least this long ended normally, not in a failure. */
	readonly longRunMs: number;
	/** Each time a director's command ends (or cannot start), with why, for a status line. */
	readonly onDetach?: (director: string, why: string) => void;
}

/**
 * The back-off for a follower of a host that may be down: 0.5 s, 1 s, 2 s ... 10 s after runs that ended
 * early; a run of 10 s was fine.
 */
export const HOST_DOWN_BACKOFF: Pick<LineFollowerOptions, 'retryDelayMs' | 'longRunMs'> = {
	retryDelayMs: (shortRuns) => Math.min(10_000, 500 * 2 ** Math.min(shortRuns, 5)),
	longRunMs: 10_000,
};

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
	if (ms <= 0 || signal.aborted) return Promise.resolve();
	return new Promise((resolve) => {
		const done = () => {
			clearTimeout(timer);
			signal.removeEventListener('abort', done);
			resolve();
		};
		const timer = setTimeout(done, ms);
		signal.addEventListener('abort', done, {once: true});
	});
}

/** One command per director for the life of this follower, attached again whenever it ends. */
export class LineFollower {
	private readonly controller = new AbortController();
	private readonly runs: Array<Promise<void>> = [];

	constructor(
		private readonly transport: Transport,
		private readonly directors: readonly string[],
		private readonly options: LineFollowerOptions,
	) {
		// Every host's run listens on this one signal for as long as it runs.
		setMaxListeners(0, this.controller.signal);
	}

	start(): void {
		for (const d of this.directors) this.runs.push(this.follow(d));
	}

	/** Detaches every command; resolves when they have ended. */
	async stop(): Promise<void> {
		this.controller.abort();
		await Promise.all(this.runs);
	}

	private attach(director: string): Promise<unknown> {
		return this.transport
			.exec(director, this.options.command(director), {
				timeoutMs: 0,
				signal: this.controller.signal,
				onStdoutLine: (line) => this.options.onLine(director, line, Date.now()),
			})
			.then(
				(r) => {
					if (!this.controller.signal.aborted) this.options.onDetach?.(director, r.stderr.trim() || `exit ${r.code}`);
				},
				// Unreachable for now (or refused): attach again later.
				(e: unknown) => {
					if (!this.controller.signal.aborted) this.options.onDetach?.(director, e instanceof Error ? e.message : String(e));
				},
			);
	}

	/** One director's command for the life of this one. */
	private async follow(director: string): Promise<void> {
		const {signal} = this.controller;
		let shortRuns = 0;
		for (let round = 0; !signal.aborted; round++) {
			const started = Date.now();
			const ended = this.attach(director);
			const caughtUp = round > 0 && this.options.onReattach ? await this.options.onReattach(director) : true;
			await ended;
			if (signal.aborted) return;
			shortRuns = caughtUp && Date.now() - started >= this.options.longRunMs ? 0 : shortRuns + 1;
			await pause(this.options.retryDelayMs(shortRuns), signal);
		}
	}
}

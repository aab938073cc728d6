// One long-lived read per host (REALSERVER_STREAM_SCRIPT for real servers, DIRECTOR_STREAM_SCRIPT for
// directors): the host reads itself every period and writes its poll's text only when it changed, else
// one line. The poller's routine polls then take the latest text from here instead of opening a session
// each: a fleet's hosts cost the station a line a second each. Runs on LineFollower (attached again when
// a run ends, with a back-off). Any doubt (no run attached, no line for a while, a frame too long to
// keep) leaves the host without a fresh text, and the poller reads it the old way.
import type {Argv} from '../profile/model.js';
import {StreamFrameReader} from '../probes/stream-frames.js';
import type {Transport} from '../transport/types.js';
import {HOST_DOWN_BACKOFF, LineFollower} from './line-follower.js';

/**
 * A host's streamed text is used while its last report is at most this many stream periods old
 * (a slow host's period stretches to its read's time). Older, the host must answer a read of its own
 * within what is left of its command timeout, counted from that report: a host that says nothing for
 * a command timeout is unreachable, as when each poll was a command of its own.
 */
const STREAM_FRESH_PERIODS = 3;

/**
 * A host's latest streamed text while its stream reports on time (`at`: its last report, a frame or
 * "same", so what the host held then), else how long it has said nothing.
 */
export type StreamedText = {readonly text: string; readonly at: number} | {readonly silentMs: number};

export interface HostStreamsOptions {
	/** The stream command of a host (realServerStreamCommand, directorStreamCommand). */
	readonly command: (host: string) => Argv;
	/** The period the command reads at (its text is fresh for STREAM_FRESH_PERIODS of them). */
	readonly periodMs: number;
	/** A host's poll text changed (its first text of a run included). */
	readonly onChange: (host: string) => void;
}

interface Latest {
	/** The host's poll text as last written; undefined until a run's first frame, or after a lost one. */
	text?: string;
	/** When the host last reported a read (a frame or "same"). */
	at: number;
}

export class HostStreams {
	private readonly follower: LineFollower;
	private readonly readers = new Map<string, StreamFrameReader>();
	private readonly latest = new Map<string, Latest>();

	private readonly periodMs: number;

	constructor(transport: Transport, hosts: readonly string[], options: HostStreamsOptions) {
		this.periodMs = options.periodMs;
		this.follower = new LineFollower(transport, hosts, {
			command: options.command,
			onLine: (host, line, at) => {
				const read = this.reader(host).push(line);
				if (read === undefined) return;
				const latest = this.latest.get(host);
				if (read.kind === 'changed') {
					this.latest.set(host, {text: read.text, at});
					options.onChange(host);
				} else if (read.kind === 'same') {
					if (latest) latest.at = at;
				} else this.latest.delete(host);
			},
			// A new run starts with a whole frame; nothing of the old one may stand for it.
			onDetach: (host) => this.forget(host),
			...HOST_DOWN_BACKOFF,
		});
	}

	start(): void {
		this.follower.start();
	}

	/** Ends every host's run; resolves when they have ended. */
	stop(): Promise<void> {
		return this.follower.stop();
	}

	/**
	 * The host's latest poll text while its run reported a read (a frame or "same") within the last
	 * STREAM_FRESH_PERIODS periods, else how long ago it last did; undefined without a text.
	 */
	latestText(host: string): StreamedText | undefined {
		const latest = this.latest.get(host);
		if (latest?.text === undefined) return undefined;
		const silentMs = Date.now() - latest.at;
		return silentMs > STREAM_FRESH_PERIODS * this.periodMs ? {silentMs} : {text: latest.text, at: latest.at};
	}

	private reader(host: string): StreamFrameReader {
		let r = this.readers.get(host);
		if (!r) this.readers.set(host, (r = new StreamFrameReader()));
		return r;
	}

	private forget(host: string): void {
		this.latest.delete(host);
		this.readers.delete(host);
	}
}

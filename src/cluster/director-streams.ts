// One long-lived read per director (DIRECTOR_STREAM_SCRIPT): IPVS and the addresses every period,
// written only when they changed. The poller's routine polls that ask keepalived for no dump and hash
// no config take the latest frame from here instead of opening a session each; those that dump or hash
// run only that as a command (DIRECTOR_EXTRAS_SCRIPT), on the poller's cadence, and read the rest here.
// A director's stream starts once its keepalived's pid file is known (from the capabilities of its
// first poll), and starts again when that changes.
import {directorStreamCommand, parseDirectorSnapshot, type DirectorSnapshot} from '../probes/director-snapshot.js';
import type {Transport} from '../transport/types.js';
import {HostStreams} from './host-streams.js';
import {LastParsed} from './last-parsed.js';

export interface DirectorStreamsOptions {
	readonly periodMs: number;
	/** keepalived's dump folder (the snapshot names it; the stream asks for no dump). */
	readonly dumpDir: string;
	/** A director's frame changed (its first frame of a run included). */
	readonly onChange: (director: string) => void;
}

/** A director's latest streamed read: its snapshot as of `at` (its last report), or how long its stream has said nothing. */
export type StreamedDirector = {readonly snapshot: DirectorSnapshot; readonly at: number} | {readonly silentMs: number};

export class DirectorStreams {
	private readonly running = new Map<string, {readonly pidFile: string; readonly streams: HostStreams}>();
	/** Each director's snapshot, parsed once per frame (a frame that did not change is not parsed again). */
	private readonly parsed = new LastParsed((_director, text) => parseDirectorSnapshot(text, 'none'));

	constructor(
		private readonly transport: Transport,
		private readonly options: DirectorStreamsOptions,
	) {}

	/** The director's stream runs, reading keepalived's pid from `pidFile` (started again if it read another). */
	ensure(director: string, pidFile: string): void {
		const current = this.running.get(director);
		if (current?.pidFile === pidFile) return;
		void current?.streams.stop();
		this.parsed.delete(director);
		const streams = new HostStreams(this.transport, [director], {
			command: () => directorStreamCommand(this.options.periodMs, pidFile, this.options.dumpDir),
			periodMs: this.options.periodMs,
			onChange: (host) => this.options.onChange(host),
		});
		this.running.set(director, {pidFile, streams});
		streams.start();
	}

	/** The director's latest frame, parsed, or how long its stream has been silent; undefined when it has none (not started, or a run lost). */
	latest(director: string): StreamedDirector | undefined {
		const latest = this.running.get(director)?.streams.latestText(director);
		if (latest === undefined || 'silentMs' in latest) return latest;
		return {snapshot: this.parsed.get(director, latest.text), at: latest.at};
	}

	/**
	 * The store kept its own copies of parts equal to those the director's frame parsed into (a first
	 * read by a whole snapshot, then the stream's frames): the frame's parse now holds the kept ones, so
	 * a table lives once instead of twice, and the next poll of the same frame brings the store's own
	 * objects (nothing compared). Parts that are not the frame's (`read`'s) are left alone.
	 */
	settle(director: string, read: Pick<DirectorSnapshot, 'ipvs' | 'addresses'>, kept: Pick<DirectorSnapshot, 'ipvs' | 'addresses'>): void {
		this.parsed.adopt(director, (frame) => {
			const ipvs = frame.ipvs === read.ipvs ? kept.ipvs : frame.ipvs;
			const addresses = frame.addresses === read.addresses ? kept.addresses : frame.addresses;
			return ipvs === frame.ipvs && addresses === frame.addresses ? frame : {...frame, ipvs, addresses};
		});
	}

	/** Ends every director's run; resolves when they have ended. */
	stop(): Promise<void> {
		const all = [...this.running.values()].map((r) => r.streams.stop());
		this.running.clear();
		this.parsed.clear();
		return Promise.all(all).then(() => undefined);
	}
}


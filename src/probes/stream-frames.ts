// The lines of a host's long-lived read (REALSERVER_STREAM_SCRIPT, DIRECTOR_STREAM_SCRIPT) into reads:
// a frame's text when it changed, "same" when the host read itself and nothing changed. Pure apart
// from the lines it holds until a frame ends.
import {STREAM_MARKS} from '../transport/read-only-scripts.js';

/**
 * One read a host's stream reported: its poll text when it changed, that nothing changed, or ('lost')
 * a changed text too long to keep, so the reads that follow cannot be told from it.
 */
export type StreamRead = {readonly kind: 'changed'; readonly text: string} | {readonly kind: 'same'} | {readonly kind: 'lost'};

/** A stream's period as its script's argument, in seconds: at least 0.2 s (what the read-only guard allows). */
export function streamPeriodSeconds(periodMs: number): string {
	return String(Math.max(200, Math.round(periodMs)) / 1000);
}

/** More lines than a host's poll ever has (a real server's sysctls, a director's IPVS table of thousands of real servers). */
const MAX_FRAME_LINES = 50_000;

/** Every "same" line reads alike: one object for them all (a fleet's streams bring thousands a second). */
const SAME: StreamRead = Object.freeze({kind: 'same'});

export class StreamFrameReader {
	private lines: string[] = [];
	/** A frame longer than MAX_FRAME_LINES is dropped whole, never kept growing. */
	private overflow = false;

	/** The read a line completes, if any. */
	push(line: string): StreamRead | undefined {
		if (line === STREAM_MARKS.same) {
			// Lines before a "same" (none, from a well-behaved host) belong to no frame.
			if (this.lines.length > 0) this.lines = [];
			this.overflow = false;
			return SAME;
		}
		if (line === STREAM_MARKS.frame) {
			const text = this.lines.join('\n');
			const dropped = this.overflow;
			this.lines = [];
			this.overflow = false;
			return dropped ? {kind: 'lost'} : {kind: 'changed', text};
		}
		if (this.lines.length >= MAX_FRAME_LINES) this.overflow = true;
		else this.lines.push(line);
		return undefined;
	}
}

// Ink's line caches kept across two frames (render.ts gives them to Ink's frames): a line seen last
// frame is carried over instead of tokenized and measured again, and what neither this frame nor the
// last used is dropped, so the memory held is that of a screen or two.
import type {FrameCaches} from './ink-frame.js';

export type CacheName = 'styledChars' | 'widths' | 'blockWidths';
const CACHE_NAMES: readonly CacheName[] = ['styledChars', 'widths', 'blockWidths'];

/** Ink's per-frame caches (`OutputCaches` in ink/build/output.js): three maps and their getters. */
export interface InkCaches extends FrameCaches {
	readonly styledChars: Map<string, unknown>;
	readonly widths: Map<string, number>;
	readonly blockWidths: Map<string, number>;
}

/** Whether `value` has the shape of Ink's caches (an Ink other than the one checked may not). */
export function isInkCaches(value: unknown): value is InkCaches {
	const caches = value as Partial<InkCaches> | undefined;
	return (
		typeof caches === 'object' &&
		CACHE_NAMES.every((name) => caches[name] instanceof Map) &&
		typeof caches.getStyledChars === 'function' &&
		typeof caches.getStringWidth === 'function' &&
		typeof caches.getWidestLine === 'function'
	);
}

/**
 * Caches for this frame that remember the last frame's: a line already seen last frame is carried over
 * (kept one more frame) instead of computed again. `nextFrame` starts a frame.
 */
export class TwoFrameCaches {
	private previous: InkCaches;
	private current: InkCaches;

	constructor(private readonly fresh: () => InkCaches) {
		this.previous = fresh();
		this.current = fresh();
	}

	nextFrame(): InkCaches {
		this.previous = this.current;
		this.current = this.fresh();
		return this.current;
	}

	/** Entries held now, in all three caches of both frames (for tests and memory checks). */
	get size(): number {
		return CACHE_NAMES.reduce((n, name) => n + this.previous[name].size + this.current[name].size, 0);
	}

	/** Whether the styled characters of `line` are kept (from this frame or the last). */
	holds(line: string): boolean {
		return this.current.styledChars.has(line) || this.previous.styledChars.has(line);
	}

	/** Copies `key`'s entry from the last frame into this one, if the last frame had it. */
	carryOver(name: CacheName, key: string): void {
		const current = this.current[name] as Map<string, unknown>;
		if (current.has(key)) return;
		const kept = (this.previous[name] as Map<string, unknown>).get(key);
		if (kept !== undefined) current.set(key, kept);
	}
}

/** Wraps a frame's caches so that each lookup first carries the last frame's entry over. */
export function carryingOver(frames: TwoFrameCaches, caches: InkCaches): InkCaches {
	return Object.assign(Object.create(caches) as InkCaches, {
		getStyledChars: (line: string) => (frames.carryOver('styledChars', line), caches.getStyledChars(line)),
		getStringWidth: (text: string) => (frames.carryOver('widths', text), caches.getStringWidth(text)),
		getWidestLine: (text: string) => (frames.carryOver('blockWidths', text), caches.getWidestLine(text)),
	});
}

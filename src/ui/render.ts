// The one way lvsdeck draws a screen with Ink: Ink's own `render`, after Ink's frame drawing has been
// given memory of the last frame.
//
// Why: Ink 6 builds each frame in a fresh `Output`, whose caches of the lines written to it (styled
// characters, widths) start empty. So every frame tokenized every line of the screen again (ANSI
// tokenizer, then a style object per character) and turned every row of cells back into text, though
// from one frame to the next nearly all lines are the same. At 200x60 with 1,000 real-server rows that
// was most of a frame (`npm run bench -- consoleRender`). Here:
// - the line caches are kept for two frames (frame-caches.ts): what this frame used stays, what neither this nor the
//   last frame used is dropped, so memory stays that of a screen or two;
// - `Output.get` is `frameText` (ink-frame.ts): Ink's, but an unchanged row keeps last frame's text.
//
// Ink does not export `Output`; its module is reached by path next to Ink's entry point (the same
// module instance Ink uses, since ESM keeps one instance per URL). Only the Ink version this was
// checked against is changed; any other draws as Ink does (`frameMemoryInstalled` says which, and a unit
// test fails then, so an upgrade of Ink is noticed and checked again).
import {createRequire} from 'node:module';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {render} from 'ink';
import {frameText, RowMemo, type FrameOperation} from './ink-frame.js';
import {carryingOver, isInkCaches, TwoFrameCaches, type InkCaches} from './frame-caches.js';

/** Ink's `Output` (ink/build/output.js): one frame's writes and clips, turned into text by `get`. */
export interface InkOutput {
	readonly width: number;
	readonly height: number;
	readonly operations: FrameOperation[];
	caches: InkCaches;
	get(): {output: string; height: number};
}

/** The Ink version whose `Output.get` ink-frame.ts follows. */
const CHECKED_INK = '6.8.0';

export type OutputClass = {prototype: InkOutput} & (new (options: {width: number; height: number}) => InkOutput);

async function inkOutputClass(): Promise<OutputClass | undefined> {
	try {
		const entry = pathToFileURL(createRequire(import.meta.url).resolve('ink'));
		const {version} = createRequire(import.meta.url)(fileURLToPath(new URL('../package.json', entry))) as {version?: string};
		if (version !== CHECKED_INK) return undefined;
		const module = (await import(new URL('./output.js', entry).href)) as {default?: unknown};
		return typeof module.default === 'function' ? (module.default as OutputClass) : undefined;
	} catch {
		return undefined;
	}
}

/** Gives Ink's frames memory of the last frame (once per process); false if this Ink is not the one checked. */
async function installFrameMemory(): Promise<boolean> {
	const Output = await inkOutputClass();
	if (!Output || typeof Output.prototype.get !== 'function') return false;
	const probe = new Output({width: 1, height: 1}).caches;
	if (!isInkCaches(probe)) return false;
	const CachesClass = probe.constructor as new () => InkCaches;
	const frames = new TwoFrameCaches(() => new CachesClass());
	const inkGet = Output.prototype.get;
	const rows = new RowMemo();
	// Each Output is one frame (of the screen or of <Static>), and `get` is where it is drawn.
	Output.prototype.get = function (this: InkOutput) {
		if (!memoryOn) return inkGet.call(this);
		return frameText(this.operations, this.width, this.height, carryingOver(frames, frames.nextFrame()), rows);
	};
	sharedFrames = frames;
	ink = {Output, inkGet};
	return true;
}

let sharedFrames: TwoFrameCaches | undefined;
let ink: {Output: OutputClass; inkGet: () => {output: string; height: number}} | undefined;
let memoryOn = true;

/** Turns the frame memory off (Ink's own drawing) or on again: for the bench's side-by-side. */
export function rememberFrames(on: boolean): void {
	memoryOn = on;
}

/** Ink's Output class and its own `get`, for the test that compares frames with Ink's (undefined when not kept). */
export function inkOutputForTests(): typeof ink {
	return ink;
}

/** Whether Ink's frames remember the last one in this process (false: not the Ink version checked). */
export const frameMemoryInstalled: boolean = await installFrameMemory();

/** The caches shared by all frames, for tests (undefined when not kept). */
export function sharedFrameCaches(): TwoFrameCaches | undefined {
	return sharedFrames;
}

/** Ink's render, with frames that remember the last one. Every screen lvsdeck draws goes through here. */
export const renderScreen: typeof render = render;

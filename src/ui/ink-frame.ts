// One Ink frame's text from the writes and clips Ink's renderer made: Ink 6.8's `Output.get`
// (ink/build/output.js, MIT) with two changes, both for the console's large screens:
// - a blank cell is one shared object, not a new object per cell of the screen each frame;
// - a row whose cells are the very objects of the same row last frame keeps last frame's text. Cells
//   come from the line caches (kept across frames by render.ts), so an unchanged line gives the same
//   objects, and only rows that changed are turned into text again (ANSI codes from cell styles, the
//   costliest step left once lines are no longer tokenized each frame).
// Everything else (clipping, transformers, wide characters) is Ink's logic as it was; a property test
// checks that the text equals Ink's own `get` for random writes and clips.
import sliceAnsi from 'slice-ansi';
import {styledCharsToString, type StyledChar} from '@alcalzone/ansi-tokenize';

export interface FrameCaches {
	getStyledChars(line: string): StyledChar[];
	getStringWidth(text: string): number;
	getWidestLine(text: string): number;
}

interface Clip {
	x1?: number;
	x2?: number;
	y1?: number;
	y2?: number;
}

export type FrameOperation =
	| {type: 'write'; x: number; y: number; text: string; transformers: ReadonlyArray<(line: string, index: number) => string>}
	| {type: 'clip'; clip: Clip}
	| {type: 'unclip'};

type Cell = StyledChar | undefined;

const BLANK: StyledChar = Object.freeze({type: 'char', value: ' ', fullWidth: false, styles: Object.freeze([]) as unknown as StyledChar['styles']});

/** The cell after a wide character (it covers two columns): one per character, so rows stay comparable. */
const paddingAfter = new WeakMap<StyledChar, StyledChar>();
function padding(character: StyledChar): StyledChar {
	let cell = paddingAfter.get(character);
	if (cell === undefined) {
		cell = Object.freeze({type: 'char', value: '', fullWidth: false, styles: character.styles});
		paddingAfter.set(character, cell);
	}
	return cell;
}

/**
 * The columns each of a line's characters takes (at least 1, as Ink counts them), or undefined when
 * every one takes one: measured once per line's characters (which the caches keep), not per frame.
 */
const widthsOfLine = new WeakMap<readonly StyledChar[], Uint8Array | null>();
function widthsOf(characters: readonly StyledChar[], caches: FrameCaches): Uint8Array | undefined {
	let widths = widthsOfLine.get(characters);
	if (widths === undefined) {
		const measured = Uint8Array.from(characters, (character) => Math.max(1, caches.getStringWidth(character.value)));
		widths = measured.every((w) => w === 1) ? null : measured;
		widthsOfLine.set(characters, widths);
	}
	return widths ?? undefined;
}

/** Last frame's rows, cell by cell, and their text. */
export class RowMemo {
	private cells: Cell[][] = [];
	private texts: string[] = [];

	text(y: number, row: Cell[]): string {
		const last = this.cells[y];
		if (last !== undefined && sameCells(last, row)) return this.texts[y]!;
		// Ink's own step: holes dropped, styles to ANSI codes, trailing blanks trimmed.
		const text = styledCharsToString(row.filter((cell): cell is StyledChar => cell !== undefined)).trimEnd();
		this.cells[y] = row;
		this.texts[y] = text;
		return text;
	}
}

function sameCells(a: readonly Cell[], b: readonly Cell[]): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}

/** The frame's text and height, as Ink's `Output.get` returns them. */
export function frameText(operations: readonly FrameOperation[], width: number, height: number, caches: FrameCaches, memo: RowMemo): {output: string; height: number} {
	const output: Cell[][] = [];
	for (let y = 0; y < height; y++) output.push(new Array<Cell>(width).fill(BLANK));
	const clips: Clip[] = [];
	for (const operation of operations) {
		if (operation.type === 'clip') clips.push(operation.clip);
		else if (operation.type === 'unclip') clips.pop();
		else writeText(output, operation, clips.at(-1), caches);
	}
	return {output: output.map((row, y) => memo.text(y, row)).join('\n'), height: output.length};
}

function writeText(output: Cell[][], operation: Extract<FrameOperation, {type: 'write'}>, clip: Clip | undefined, caches: FrameCaches): void {
	const {text, transformers} = operation;
	let {x, y} = operation;
	let lines = text.split('\n');
	if (clip) {
		const clipHorizontally = typeof clip.x1 === 'number' && typeof clip.x2 === 'number';
		const clipVertically = typeof clip.y1 === 'number' && typeof clip.y2 === 'number';
		if (clipHorizontally) {
			const width = caches.getWidestLine(text);
			if (x + width < clip.x1! || x > clip.x2!) return;
		}
		if (clipVertically && (y + lines.length < clip.y1! || y > clip.y2!)) return;
		if (clipHorizontally) {
			lines = lines.map((line) => {
				const from = x < clip.x1! ? clip.x1! - x : 0;
				const width = caches.getStringWidth(line);
				const to = x + width > clip.x2! ? clip.x2! - x : width;
				return sliceAnsi(line, from, to);
			});
			if (x < clip.x1!) x = clip.x1!;
		}
		if (clipVertically) {
			const from = y < clip.y1! ? clip.y1! - y : 0;
			const to = y + lines.length > clip.y2! ? clip.y2! - y : lines.length;
			lines = lines.slice(from, to);
			if (y < clip.y1!) y = clip.y1!;
		}
	}
	let offsetY = 0;
	for (let [index, line] of lines.entries()) {
		const currentLine = output[y + offsetY];
		// A line below the frame (text taller than the frame) is dropped, as Ink does.
		if (!currentLine) continue;
		for (const transformer of transformers) line = transformer(line, index);
		const characters = caches.getStyledChars(line);
		const widths = widthsOf(characters, caches);
		let offsetX = x;
		for (let c = 0; c < characters.length; c++) {
			const character = characters[c]!;
			currentLine[offsetX] = character;
			const characterWidth = widths === undefined ? 1 : widths[c]!;
			for (let i = 1; i < characterWidth; i++) currentLine[offsetX + i] = padding(character);
			offsetX += characterWidth;
		}
		offsetY++;
	}
}

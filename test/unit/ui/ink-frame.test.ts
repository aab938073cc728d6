// The frame memory in src/ui/render.ts replaces Ink's `Output.get`: every frame must be the text Ink's
// own `get` makes from the same writes and clips, including frames drawn after other frames (the row
// memory and the caches carried over), and memory must stay that of the last two frames.
import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {frameMemoryInstalled, inkOutputForTests, rememberFrames, sharedFrameCaches, type InkOutput} from '../../../src/ui/render.js';

const ink = inkOutputForTests();

const piece = fc.oneof(
	fc.constantFrom('a', 'b', 'xyz', ' ', '  ', '界', '🙂', 'é', '->', '…'),
	fc.constantFrom('\u001B[31m', '\u001B[39m', '\u001B[1m', '\u001B[22m', '\u001B[2m', '\u001B[7m', '\u001B[27m', '\u001B[42m', '\u001B[49m', '\u001B[0m'),
);
const text = fc.array(fc.oneof({weight: 6, arbitrary: piece}, {weight: 1, arbitrary: fc.constant('\n')}), {maxLength: 14}).map((xs) => xs.join(''));
const transformers = fc.constantFrom<ReadonlyArray<(line: string, index: number) => string>>([], [(line) => line.toUpperCase()], [(line, index) => (index === 0 ? `>${line}` : line)]);
const clipEdge = fc.option(fc.integer({min: -2, max: 24}), {nil: undefined});
const operation = fc.oneof(
	{weight: 5, arbitrary: fc.record({type: fc.constant('write' as const), x: fc.integer({min: 0, max: 22}), y: fc.integer({min: 0, max: 8}), text, transformers})},
	{weight: 1, arbitrary: fc.record({type: fc.constant('clip' as const), clip: fc.record({x1: clipEdge, x2: clipEdge, y1: clipEdge, y2: clipEdge}, {requiredKeys: []})})},
	{weight: 1, arbitrary: fc.constant({type: 'unclip' as const})},
);
const frame = fc.record({width: fc.integer({min: 1, max: 20}), height: fc.integer({min: 1, max: 7}), operations: fc.array(operation, {maxLength: 10})});

function outputOf(f: {width: number; height: number; operations: InkOutput['operations']}): InkOutput {
	const output = new ink!.Output({width: f.width, height: f.height});
	output.operations.push(...f.operations);
	return output;
}

describe('Ink frames with memory of the last frame', () => {
	it('is installed on the Ink this project locks (an Ink upgrade must be checked against ink-frame.ts again)', () => {
		expect(frameMemoryInstalled).toBe(true);
		expect(ink).toBeDefined();
	});

	it("draws every frame of a sequence exactly as Ink's own Output.get does", () => {
		fc.assert(
			fc.property(fc.array(frame, {minLength: 1, maxLength: 6}), fc.array(fc.nat(5), {maxLength: 6}), (frames, repeats) => {
				// Frames repeated (the same writes again) exercise the rows and caches kept from the last frame.
				const sequence = frames.flatMap((f, i) => [f, ...(repeats[i] ? [f] : [])]);
				for (const f of sequence) expect(outputOf(f).get()).toEqual(ink!.inkGet.call(outputOf(f)));
			}),
			{numRuns: 400},
		);
	});

	it("leaves drawing to Ink's own Output.get when turned off (the bench's side-by-side)", () => {
		const line = '\u001B[31mnever seen\u001B[39m';
		const f = {width: 12, height: 2, operations: [{type: 'write' as const, x: 0, y: 0, text: line, transformers: []}]};
		rememberFrames(false);
		try {
			expect(outputOf(f).get()).toEqual(ink!.inkGet.call(outputOf(f)));
			expect(sharedFrameCaches()!.holds(line)).toBe(false);
		} finally {
			rememberFrames(true);
		}
		outputOf(f).get();
		expect(sharedFrameCaches()!.holds(line)).toBe(true);
	});

	it('keeps what the last two frames used, and nothing older', () => {
		const draw = (line: string) => outputOf({width: 10, height: 1, operations: [{type: 'write', x: 0, y: 0, text: line, transformers: []}]}).get();
		draw('older');
		draw('last');
		draw('this');
		const caches = sharedFrameCaches()!;
		expect([caches.holds('older'), caches.holds('last'), caches.holds('this')]).toEqual([false, true, true]);
		// A line drawn in every frame is carried over each time, however many frames pass.
		for (let i = 0; i < 200; i++) outputOf({width: 10, height: 2, operations: [{type: 'write', x: 0, y: 0, text: `kept\nline ${i}`, transformers: []}]}).get();
		expect(caches.holds('kept')).toBe(true);
		expect(caches.holds('line 0')).toBe(false);
		// Two frames' worth of entries (lines and the widths of their characters), not two hundred frames' (over 400).
		expect(caches.size).toBeLessThan(60);
	});
});

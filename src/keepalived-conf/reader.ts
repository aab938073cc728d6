// keepalived 2.2.7's line reader (lib/parser.c read_line): turns files into logical lines, one per
// keyword or brace. It removes comments, applies `@id` conditionals, `$NAME=value` definitions and
// their use, `~SEQ`/`~LST` repetitions, follows `include` globs, and cuts lines at braces.
import path from 'node:path/posix';
import {decomment, splitAtBrace, splitWords} from './lexer.js';
import {Definitions, expandLst, expandSeq, type Definition} from './definitions.js';
import {globInclude, type ConfigFileReader} from './files.js';
import type {Condition, Diagnostic, Loc} from './types.js';

export interface ReadOptions {
	/**
	 * keepalived's config id (`-i`; keepalived defaults to the short host name). `@id` lines apply
	 * when it matches, `@^id` lines when it does not. Undefined: no id, so only `@^id` lines apply.
	 */
	readonly configId?: string;
	/** `evaluate` (default) drops lines whose condition fails, as keepalived does; `keep` keeps every conditional line, annotated. */
	readonly conditionals?: 'evaluate' | 'keep';
	/** `follow` (default) reads included files in place; `keep` leaves `include` lines as nodes. */
	readonly includes?: 'follow' | 'keep';
	/** Needed to follow includes; without it an include is reported and skipped. */
	readonly files?: ConfigFileReader;
	/** For `${_RANDOM}`; defaults to Math.random. */
	readonly random?: () => number;
}

export interface LogicalLine {
	readonly text: string;
	readonly words: string[];
	readonly loc: Loc;
	readonly condition?: Condition;
}

export interface IncludeRecord {
	readonly pattern: string;
	readonly loc: Loc;
	/** Files read for it, in order. */
	readonly files: readonly string[];
}

export interface ReadResult {
	readonly lines: LogicalLine[];
	readonly diagnostics: Diagnostic[];
	readonly includes: IncludeRecord[];
	/** Every file read, the main one first. */
	readonly files: string[];
	readonly definitions: ReadonlyArray<{readonly name: string; readonly value: string}>;
}

/** Bounds on multi-line definition expansion (keepalived's own reader has none and never ends). */
const MAX_EXPANSION_DEPTH = 64;
const MAX_EXPANDED_LINES = 100_000;

const MAX_INCLUDE_DEPTH = 32;
/** Files read in all: a glob that includes itself would otherwise multiply without end. */
const MAX_FILES = 1000;
const INCLUDE_LINE = /^include([rmwba]?)[ \t\n\r\f\v]/;

interface FileFrame {
	readonly file: string;
	readonly lines: string[];
	index: number;
	/** Files still to read for the same include glob. */
	readonly queue: string[];
	readonly depth: number;
}

interface Pending {
	readonly text: string;
	readonly loc: Loc;
	readonly condition?: Condition;
	readonly bindings?: ReadonlyArray<readonly [string, string]>;
}

interface Generator {
	readonly items: Pending[];
}

function physicalLines(text: string): string[] {
	const lines = text.split('\n');
	if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
	return lines;
}

class LineReader {
	private readonly frames: FileFrame[] = [];
	private readonly generators: Generator[] = [];
	private expandedLines = 0;
	private expansionStopped = false;
	private residue: Pending | undefined;
	private multilineDef: Definition | undefined;
	private readonly defs: Definitions;
	readonly out: LogicalLine[] = [];
	readonly diagnostics: Diagnostic[] = [];
	readonly includes: IncludeRecord[] = [];
	readonly files: string[] = [];

	constructor(
		private readonly options: ReadOptions,
		mainFile: string,
		mainText: string,
	) {
		this.defs = new Definitions({
			configId: options.configId,
			cwd: () => path.dirname(this.frames[this.frames.length - 1]?.file ?? mainFile),
			random: options.random ?? Math.random,
		});
		this.pushFile(mainFile, mainText, [], 0);
	}

	definitions(): Array<{name: string; value: string}> {
		return this.defs.list().map((d) => ({name: d.name, value: d.value}));
	}

	private pushFile(file: string, text: string, queue: string[], depth: number): void {
		this.files.push(file);
		this.frames.push({file, lines: physicalLines(text), index: 0, queue, depth});
	}

	/**
	 * A multi-line definition that uses itself would expand for ever (and run out of memory): bound the
	 * nesting of expansions and the lines they produce, and say where it stopped.
	 */
	private pushExpansion(lines: number, loc: Loc): boolean {
		this.expandedLines += lines;
		if (this.generators.length < MAX_EXPANSION_DEPTH && this.expandedLines <= MAX_EXPANDED_LINES) return true;
		if (!this.expansionStopped) {
			this.expansionStopped = true;
			this.warn('definition-loop', `a multi-line definition expands without end (nested ${MAX_EXPANSION_DEPTH} deep or over ${MAX_EXPANDED_LINES} lines): does it use itself? The rest of its expansion is not read`, loc);
		}
		return false;
	}

	private warn(code: string, message: string, loc: Loc, fix?: string): void {
		this.diagnostics.push({severity: 'warning', code, message, loc, ...(fix ? {fix} : {})});
	}

	/** Next raw line: the rest of a line cut at a brace, a repetition or definition line, or a file line. */
	private nextRaw(): (Pending & {fromFile: boolean}) | undefined {
		if (this.residue) {
			const r = this.residue;
			this.residue = undefined;
			return {...r, fromFile: false};
		}
		while (this.generators.length > 0) {
			const top = this.generators[this.generators.length - 1] as Generator;
			const item = top.items.shift();
			if (!item) {
				this.generators.pop();
				continue;
			}
			for (const [name, value] of item.bindings ?? []) this.defs.set(name, value);
			return {...item, fromFile: false};
		}
		for (;;) {
			const frame = this.frames[this.frames.length - 1];
			if (!frame) return undefined;
			if (frame.index >= frame.lines.length) {
				this.frames.pop();
				this.openNextQueued(frame);
				continue;
			}
			const raw = (frame.lines[frame.index++] as string).replace(/[\r\n]+$/, '');
			const loc = {file: frame.file, line: frame.index, col: 1};
			if (raw === '') {
				if (this.multilineDef) {
					this.defs.endMultiline(this.multilineDef);
					this.multilineDef = undefined;
				}
				continue;
			}
			const d = decomment(raw);
			if (d.text === '') continue;
			return {text: d.text, loc: {...loc, col: d.leading + 1}, fromFile: true};
		}
	}

	private openNextQueued(frame: FileFrame): void {
		const next = frame.queue.shift();
		if (next === undefined || this.files.length >= MAX_FILES) return;
		const text = this.options.files?.readFile(next);
		if (text === undefined) return this.openNextQueued(frame);
		this.pushFile(next, text, frame.queue, frame.depth);
	}

	run(): void {
		for (;;) {
			const raw = this.nextRaw();
			if (!raw) break;
			this.process(raw);
		}
		if (this.multilineDef) this.defs.endMultiline(this.multilineDef);
	}

	private process(raw: Pending): void {
		let text = raw.text;
		let loc = raw.loc;
		let condition = raw.condition;
		if (this.multilineDef) {
			if (!this.defs.continueMultiline(this.multilineDef, text)) this.multilineDef = undefined;
			return;
		}
		if (text === '') return;
		for (let recheck = true; recheck; ) {
			recheck = false;
			if (text[0] === '@') {
				const cond = this.condition(text);
				if (!cond) return;
				condition = cond.condition;
				if (!cond.applies) return;
				text = cond.rest;
				loc = {...loc, col: loc.col + cond.offset};
			}
			if (text[0] === '$') {
				const def = this.defs.define(text);
				if (def) {
					if (def.multiline) this.multilineDef = def;
					return;
				}
			}
			if (text.startsWith('~SEQ') || text.startsWith('~LST')) {
				const reps = text.startsWith('~SEQ') ? expandSeq(text, this.defs) : expandLst(text);
				if (!reps) this.warn('invalid-repetition', `invalid ${text.slice(0, 4)} specification`, loc);
				else this.generators.push({items: reps.map((r) => ({text: r.text, loc, condition, bindings: r.bindings}))});
				return;
			}
			if (text[0] === '~') break;
			if (text.includes('$')) {
				const sub = this.defs.substitute(text);
				if (!sub) break;
				if (sub.overflow) this.warn('line-too-long', 'substituting a definition would make the line longer than keepalived reads (1023 bytes)', loc);
				if (sub.more.length > 0 && !this.pushExpansion(sub.more.length, loc)) return;
				if (sub.more.length > 0) this.generators.push({items: sub.more.map((t) => ({text: t, loc, condition}))});
				text = decomment(sub.text).text;
				if (text[0] === '@' || text.includes('$')) recheck = true;
			}
		}
		if (text === '') return;
		if (INCLUDE_LINE.test(text)) return this.include(text, loc, condition);
		const split = splitAtBrace(text);
		if (split.rest !== undefined) this.residue = {text: split.rest, loc: {...loc, col: loc.col + split.restOffset}, condition};
		this.emit(split.head, loc, condition);
	}

	private emit(text: string, loc: Loc, condition: Condition | undefined): void {
		const {words, unmatchedQuote} = splitWords(text);
		if (unmatchedQuote) this.warn('unmatched-quote', 'unmatched double quote: keepalived ignores the rest of the line', loc);
		if (words.length === 0) return;
		this.out.push({text, words, loc, ...(condition ? {condition} : {})});
	}

	private condition(text: string): {condition: Condition; applies: boolean; rest: string; offset: number} | undefined {
		const negate = text[1] === '^';
		const start = negate ? 2 : 1;
		const m = /[ \t]/.exec(text.slice(start));
		if (!m) return undefined;
		const id = text.slice(start, start + m.index);
		let restAt = start + m.index;
		while (text[restAt] === ' ' || text[restAt] === '\t') restAt++;
		const mismatch = this.options.configId === undefined || id !== this.options.configId;
		const applies = this.options.conditionals === 'keep' || mismatch === negate;
		return {condition: {id, negate}, applies, rest: text.slice(restAt), offset: restAt};
	}

	private include(text: string, loc: Loc, condition: Condition | undefined): void {
		const m = INCLUDE_LINE.exec(text) as RegExpExecArray;
		const keyword = `include${m[1] ?? ''}`;
		const pattern = text.slice(m[0].length).replace(/^[ \t]+/, '');
		if (this.options.includes === 'keep') {
			this.out.push({text, words: [keyword, pattern], loc, ...(condition ? {condition} : {})});
			return;
		}
		const frame = this.frames[this.frames.length - 1];
		const depth = (frame?.depth ?? 0) + 1;
		if (!this.options.files) {
			this.warn('include-not-read', `include ${pattern} not followed: no file reader given`, loc);
			this.includes.push({pattern, loc, files: []});
			return;
		}
		if (depth > MAX_INCLUDE_DEPTH || this.files.length >= MAX_FILES) {
			this.warn('include-too-deep', `include ${pattern} not followed: nested more than ${MAX_INCLUDE_DEPTH} deep or more than ${MAX_FILES} files read`, loc);
			return;
		}
		const found = globInclude(pattern, loc.file, this.options.files);
		this.includes.push({pattern, loc, files: found.files});
		for (const skipped of found.skipped) this.warn('include-skipped', `include ${pattern}: ${skipped} is not a readable file - skipped`, loc);
		if (found.files.length > 0) for (const missing of found.missing) this.warn('include-missing', `include ${pattern}: ${missing} does not exist`, loc);
		if (found.files.length === 0) {
			this.warn('include-missing', `include ${pattern}: no config file matched`, loc);
			return;
		}
		const [first, ...rest] = found.files;
		const firstText = this.options.files.readFile(first as string) ?? '';
		this.pushFile(first as string, firstText, rest, depth);
	}
}

/** Read keepalived.conf text (and, if a reader is given, its includes) into logical lines. */
export function readLogicalLines(text: string, file: string, options: ReadOptions = {}): ReadResult {
	const reader = new LineReader(options, file, text);
	reader.run();
	return {lines: reader.out, diagnostics: reader.diagnostics, includes: reader.includes, files: reader.files, definitions: reader.definitions()};
}

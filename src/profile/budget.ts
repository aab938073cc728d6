// How much YAML a profile may hold. The CLI runs with a 64 MB old space (cli.ts). The yaml library
// builds a syntax tree and then a document, which together cost 40-400 bytes of heap per byte of a
// dense profile, so a file well under 1 MB can exhaust the heap, and V8 then aborts the process
// with no message an operator can use. One streaming pass over the lexer's tokens (it keeps
// nothing) estimates the heap the parse will take and refuses a profile over the budget, with the
// line where the budget ran out, before anything big is built.

import {CST, Lexer} from 'yaml';

/**
 * Heap bytes per element of the YAML, fitted (minimax) to the retained size of the syntax tree plus
 * the document for 26 shapes (profiles in flow and block style, long lists of scalars, quoted and
 * block scalars, empty and nested collections, nested block maps and sequences, comments), then
 * scaled so that the estimate is at or above the measured size for every one of them (1.0-1.5x).
 */
const WEIGHTS = {
	blockScalar: 436,
	flowScalar: 556,
	blockCollection: 402,
	flowCollection: 983,
	blockPair: 249,
	flowPair: 20,
	blockItem: 368,
	flowItem: 437,
	/** Spaces, line breaks, comments, indicators: each is a token object in the tree. */
	separator: 105,
	perByte: 1.13,
} as const;

/**
 * What the parse may take. The CLI starts with about 21 MB of its 64 MB in use, and the heaviest
 * shapes at this budget load within it (measured; at about 42 MB of parse V8 aborts). Profiles of
 * 2,000 real servers spread over hundreds of hosts are a fraction of it; 2,000 real servers each on
 * its own host, with its own service block, are at its limit.
 */
export const PARSE_BUDGET_BYTES = 36 * 1024 * 1024;

/** Nested flow collections ([[[...]]]) deeper than this would overflow the parser's stack. */
export const MAX_FLOW_DEPTH = 64;

export interface BudgetProblem {
	/** Offset in the text where the budget ran out. */
	readonly offset: number;
	readonly reason: string;
}

/** The lexer inserts these before documents and scalars; they are not in the source. */
const MARKERS = new Set<string>([CST.DOCUMENT, CST.SCALAR, CST.FLOW_END]);
const SCALARS = new Set(['single-quoted-scalar', 'double-quoted-scalar', 'block-scalar-header']);

/**
 * Block collections are not tokens: a key or a "-" opens one when it is further right than the
 * collection it would belong to. Tracking the columns of open collections is enough to count them.
 */
class BlockCollections {
	private readonly open: Array<{column: number; kind: 'map' | 'seq'}> = [];
	/** True when the entry at `column` starts a new collection. */
	entry(kind: 'map' | 'seq', column: number): boolean {
		while (this.open.length > 0 && this.open[this.open.length - 1]!.column > column) this.open.pop();
		const top = this.open[this.open.length - 1];
		if (top && top.column === column && top.kind === kind) return false;
		if (top && top.column === column) this.open.pop();
		this.open.push({column, kind});
		return true;
	}
}

/** The heap the parse of `text` is estimated to take (bytes), and the first problem found. */
export function estimateParseHeap(text: string): {readonly bytes: number; readonly problem?: BudgetProblem} {
	let bytes = text.length * WEIGHTS.perByte;
	let depth = 0;
	let offset = 0;
	let lineStart = 0;
	let keyColumn = -1;
	let scalarText = false;
	const blocks = new BlockCollections();
	for (const token of new Lexer().lex(text)) {
		const type = CST.tokenType(token);
		const column = offset - lineStart;
		const inFlow = depth > 0;
		if (token === CST.SCALAR) {
			scalarText = true;
		} else if (scalarText || (type && SCALARS.has(type))) {
			// A scalar's text follows its marker; quoted and block scalars come without one.
			scalarText = false;
			bytes += inFlow ? WEIGHTS.flowScalar : WEIGHTS.blockScalar;
			if (!inFlow) keyColumn = column;
		} else if (type === 'flow-map-start' || type === 'flow-seq-start') {
			bytes += WEIGHTS.flowCollection;
			if (++depth > MAX_FLOW_DEPTH) return {bytes, problem: {offset, reason: `collections are nested more than ${MAX_FLOW_DEPTH} deep`}};
		} else if (type === 'flow-map-end' || type === 'flow-seq-end') {
			depth = Math.max(0, depth - 1);
			bytes += WEIGHTS.separator;
		} else if (type === 'map-value-ind') {
			if (inFlow) bytes += WEIGHTS.flowPair;
			else bytes += WEIGHTS.blockPair + (blocks.entry('map', keyColumn >= 0 ? keyColumn : column) ? WEIGHTS.blockCollection : 0);
		} else if (type === 'seq-item-ind') {
			bytes += WEIGHTS.blockItem + (blocks.entry('seq', column) ? WEIGHTS.blockCollection : 0);
		} else if (type === 'comma') {
			bytes += WEIGHTS.flowItem;
		} else if (!MARKERS.has(token)) {
			bytes += WEIGHTS.separator;
		}
		if (bytes > PARSE_BUDGET_BYTES) {
			const reason = 'the profile is too large to load within the CLI\'s 64 MB heap (spread real servers over fewer hosts, or split the cluster)';
			return {bytes, problem: {offset, reason}};
		}
		if (!MARKERS.has(token)) offset += token.length;
		if (type === 'newline') {
			lineStart = offset;
			keyColumn = -1;
		}
	}
	return {bytes};
}

export function yamlBudgetProblem(text: string): BudgetProblem | undefined {
	return estimateParseHeap(text).problem;
}

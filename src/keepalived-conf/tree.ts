// Logical lines to a syntax tree: a `{` line opens a block on the line before it, a `}` line closes
// the innermost block. Unbalanced braces are the one error that stops parsing.
import type {LogicalLine} from './reader.js';
import type {ConfigError, SyntaxNode} from './types.js';

interface OpenBlock {
	readonly node: MutableNode;
	readonly children: MutableNode[];
}

interface MutableNode {
	keyword: string;
	args: string[];
	children?: MutableNode[];
	loc?: SyntaxNode['loc'];
	text?: string;
	condition?: SyntaxNode['condition'];
}

/** The keyword given to a block that follows no line (a stray `{`). */
export const ANONYMOUS_BLOCK = '{';

export type TreeResult = {readonly ok: true; readonly nodes: SyntaxNode[]} | {readonly ok: false; readonly error: ConfigError};

export function buildTree(lines: readonly LogicalLine[]): TreeResult {
	const root: MutableNode[] = [];
	const stack: OpenBlock[] = [];
	let current = root;
	for (const line of lines) {
		if (line.text === '{') {
			const last = current[current.length - 1];
			const opener: MutableNode =
				last && last.children === undefined && last.keyword !== ANONYMOUS_BLOCK ? last : {keyword: ANONYMOUS_BLOCK, args: [], loc: line.loc, text: '{'};
			if (opener !== last) current.push(opener);
			opener.children = [];
			stack.push({node: opener, children: opener.children});
			current = opener.children;
			continue;
		}
		if (line.text === '}') {
			if (!stack.pop()) {
				return {ok: false, error: {code: 'unbalanced-braces', message: "unbalanced braces: '}' closes no block", loc: line.loc}};
			}
			current = stack[stack.length - 1]?.children ?? root;
			continue;
		}
		const [keyword, ...args] = line.words as [string, ...string[]];
		current.push({keyword, args, loc: line.loc, text: line.text, ...(line.condition ? {condition: line.condition} : {})});
	}
	const unclosed = stack[stack.length - 1];
	if (unclosed) {
		const what = [unclosed.node.keyword, ...unclosed.node.args].join(' ');
		const loc = unclosed.node.loc ?? {file: '<input>', line: 0, col: 0};
		return {ok: false, error: {code: 'unbalanced-braces', message: `unbalanced braces: block '${what}' is never closed`, loc}};
	}
	return {ok: true, nodes: root};
}

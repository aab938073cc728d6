// Syntax tree back to keepalived.conf: one keyword per line, blocks indented, braces on the keyword
// line. A node's original line text is kept when it reads back to the same words (so script
// quoting survives); otherwise words are quoted as keepalived's reader needs.
import {decomment, isWhiteSpace, splitAtBrace, splitWords} from './lexer.js';
import {Definitions} from './definitions.js';
import {ANONYMOUS_BLOCK} from './tree.js';
import type {SyntaxNode} from './types.js';

export interface SerializeOptions {
	/** Replace secret values (auth_pass, SSL password) with a placeholder, for display only. */
	readonly redactSecrets?: boolean;
	/** Indentation unit; two spaces by default. */
	readonly indent?: string;
}

export const SECRET_KEYWORDS: ReadonlySet<string> = new Set(['auth_pass', 'password']);
export const REDACTED = '<redacted>';

export class UnrepresentableWordError extends Error {
	constructor(readonly word: string) {
		super(`a word containing a double quote cannot be written to keepalived.conf: ${JSON.stringify(word)}`);
	}
}

const INCLUDE_LINE = /^include[rmwba]?[ \t\n\r\f\v]/;

function needsQuotes(word: string, first: boolean): boolean {
	if (word === '') return true;
	for (const c of word) if (isWhiteSpace(c) || c === '#' || c === '!' || c === '{' || c === '}') return true;
	return first && /^[@$~]/.test(word);
}

export function quoteWord(word: string, first = false): string {
	if (word.includes('"')) throw new UnrepresentableWordError(word);
	return needsQuotes(word, first) ? `"${word}"` : word;
}

function sameWords(a: readonly string[], b: readonly string[]): boolean {
	return a.length === b.length && a.every((w, i) => w === b[i]);
}

/** Does `text`, written as a line, read back as exactly these words and nothing else? */
export function readsBackAs(text: string, words: readonly string[], isInclude = false): boolean {
	if (text === '' || /^[@$~]/.test(text) || INCLUDE_LINE.test(text) !== isInclude) return false;
	if (decomment(text).text !== text) return false;
	const split = splitAtBrace(text);
	if (split.rest !== undefined || split.head !== text) return false;
	if (text.includes('$') && new Definitions({configId: undefined, cwd: () => '', random: () => 0}).substitute(text)) return false;
	const read = splitWords(text);
	return !read.unmatchedQuote && sameWords(read.words, words);
}

function conditionPrefix(node: SyntaxNode): string {
	return node.condition ? `@${node.condition.negate ? '^' : ''}${node.condition.id} ` : '';
}

function lineText(node: SyntaxNode, options: SerializeOptions): string {
	if (node.keyword === ANONYMOUS_BLOCK && node.children !== undefined && node.args.length === 0) return '';
	const secret = options.redactSecrets && SECRET_KEYWORDS.has(node.keyword);
	const args = secret ? node.args.map(() => REDACTED) : node.args;
	const words = [node.keyword, ...args];
	const isInclude = INCLUDE_LINE.test(`${node.keyword} `) && node.args.length === 1;
	if (!secret && node.text !== undefined && readsBackAs(node.text, words, isInclude)) return node.text;
	if (isInclude) return `${node.keyword} ${node.args[0]}`;
	return words.map((w, i) => quoteWord(w, i === 0)).join(' ');
}

function writeNode(node: SyntaxNode, depth: number, options: SerializeOptions, out: string[]): void {
	const pad = (options.indent ?? '  ').repeat(depth);
	const prefix = conditionPrefix(node);
	const text = lineText(node, options);
	if (node.children === undefined) {
		out.push(`${pad}${prefix}${text}`);
		return;
	}
	out.push(`${pad}${prefix}${text === '' ? '{' : `${text} {`}`);
	for (const child of node.children) writeNode(child, depth + 1, options, out);
	out.push(`${pad}${prefix}}`);
}

/** keepalived.conf text for these nodes; top-level blocks are separated by a blank line. */
export function serializeNodes(nodes: readonly SyntaxNode[], options: SerializeOptions = {}): string {
	const out: string[] = [];
	nodes.forEach((node, i) => {
		if (i > 0 && (node.children !== undefined || nodes[i - 1]?.children !== undefined)) out.push('');
		writeNode(node, 0, options, out);
	});
	return out.length > 0 ? `${out.join('\n')}\n` : '';
}

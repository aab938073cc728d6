// "Nothing lost": every line of a syntax tree as (enclosing keywords, keyword, words), normalized
// only where the model legitimately rewrites (aliases, number and on/off spelling, option order).
import type {SyntaxNode} from '../../../src/keepalived-conf/index.js';

const ALIASES: Record<string, string> = {lvs_sched: 'lb_algo'};
const BOOLEAN_WORDS: Record<string, string> = {on: 'on', true: 'on', yes: 'on', off: 'off', false: 'off', no: 'off'};

function normalizeWord(w: string): string {
	return /^\d+(\.\d+)?$/.test(w) ? String(Number(w)) : w;
}

function normalizeKeyword(parents: readonly string[], keyword: string): string {
	const parent = parents[parents.length - 1];
	if (keyword === 'lvs_method' && parent === 'virtual_server') return 'lb_kind';
	if (keyword === 'nb_get_retry' && (parent === 'HTTP_GET' || parent === 'SSL_GET')) return 'retry';
	return ALIASES[keyword] ?? keyword;
}

function normalizeArgs(args: readonly string[]): string[] {
	let words = args.map(normalizeWord);
	if (words.length === 1 && BOOLEAN_WORDS[words[0] as string] === 'on') words = [];
	else if (words.length === 1 && BOOLEAN_WORDS[words[0] as string] === 'off') words = ['off'];
	return words.flatMap((w) => w.split(/[ \t]+/)).filter((w) => w !== '').sort();
}

export function flatten(nodes: readonly SyntaxNode[], parents: string[] = []): string[] {
	const out: string[] = [];
	for (const n of nodes) {
		const keyword = normalizeKeyword(parents, n.keyword);
		// Repeated arg-less blocks (two track_script blocks) merge in the model; their lines keep the path.
		if (n.args.length > 0 || !n.children || n.children.length === 0) out.push([...parents, '|', keyword, ...normalizeArgs(n.args)].join(' '));
		if (n.children) out.push(...flatten(n.children, [...parents, keyword]));
	}
	return out.sort();
}

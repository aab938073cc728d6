// Keyword diagnostics: what keepalived 2.2.7 would call unknown, deprecated or misplaced, each with
// its file:line and, where known, the fix. Values are checked by the model (schema.ts) instead.
import {NOT_IN_DEBIAN, OBSOLETE, VALUES, deprecatedAt, keywordsAt, lookupKeyword} from './keywords.js';
import {ANONYMOUS_BLOCK} from './tree.js';
import type {Diagnostic, SyntaxNode} from './types.js';

const INCLUDE_KEYWORD = /^include[rmwba]?$/;

function distance(a: string, b: string): number {
	const d: number[] = Array.from({length: b.length + 1}, (_, i) => i);
	for (let i = 1; i <= a.length; i++) {
		let prev = d[0] as number;
		d[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const tmp = d[j] as number;
			d[j] = Math.min((d[j] as number) + 1, (d[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
			prev = tmp;
		}
	}
	return d[b.length] as number;
}

function suggestion(blockPath: readonly string[], keyword: string): string | undefined {
	const known = keywordsAt(blockPath);
	if (known.includes(`vrrp_${keyword}`)) return `vrrp_${keyword}`;
	const normalized = keyword.replace(/-/g, '_').toLowerCase();
	const exact = known.find((k) => k.toLowerCase() === normalized);
	if (exact) return exact;
	if (keyword.length < 4) return undefined;
	let best: string | undefined;
	let bestDistance = 3;
	for (const k of known) {
		const dist = distance(keyword, k);
		if (dist < bestDistance) {
			best = k;
			bestDistance = dist;
		}
	}
	return best;
}

function where(blockPath: readonly string[]): string {
	return blockPath.length === 0 ? 'at the top level' : `in ${blockPath[blockPath.length - 1]}`;
}

function push(out: Diagnostic[], node: SyntaxNode, code: string, message: string, fix?: string): void {
	out.push({severity: 'warning', code, message, keyword: node.keyword, ...(node.loc ? {loc: node.loc} : {}), ...(fix ? {fix} : {})});
}

function checkNode(node: SyntaxNode, blockPath: readonly string[], out: Diagnostic[]): void {
	if (INCLUDE_KEYWORD.test(node.keyword) && node.children === undefined) return;
	if (node.keyword === ANONYMOUS_BLOCK && node.children !== undefined) {
		push(out, node, 'stray-block', `'{' follows no keyword ${where(blockPath)}: keepalived ignores it and reads the block's lines as part of the enclosing block`, 'delete the braces or add the missing keyword');
		for (const child of node.children) checkNode(child, blockPath, out);
		return;
	}
	const kind = lookupKeyword(blockPath, node.keyword);
	if (kind === undefined) {
		const advice = OBSOLETE[node.keyword];
		const fix = advice?.fix ?? suggestion(blockPath, node.keyword);
		const message = advice ? `${advice.message} ${where(blockPath)}` : `unknown keyword '${node.keyword}' ${where(blockPath)}: keepalived 2.2.7 ignores it`;
		push(out, node, advice ? 'obsolete-keyword' : 'unknown-keyword', message, fix);
		if (node.children !== undefined) {
			push(out, node, 'unknown-block', `keepalived reads the lines of the unknown block '${node.keyword}' as part of ${blockPath.length === 0 ? 'the top level' : `the enclosing ${blockPath[blockPath.length - 1]}`}, and its '}' ends that block early`);
			for (const child of node.children) checkNode(child, blockPath, out);
		}
		return;
	}
	if (NOT_IN_DEBIAN.has(node.keyword)) push(out, node, 'not-built', `'${node.keyword}' needs a keepalived built with an option Debian's 2.2.7 package lacks: it reports it as unknown`);
	const deprecated = deprecatedAt(blockPath, node.keyword);
	if (deprecated) push(out, node, 'deprecated-keyword', `${deprecated.message} ${where(blockPath)}`, deprecated.fix);
	if (node.keyword === 'auth_pass' && (node.args[0]?.length ?? 0) > 8) push(out, node, 'auth-pass-truncated', 'auth_pass is longer than 8 characters: keepalived uses only the first 8', 'an auth_pass of at most 8 characters');
	if (typeof kind === 'object') {
		for (const child of node.children ?? []) checkNode(child, [...blockPath, node.keyword], out);
		return;
	}
	if (kind === VALUES) return;
	if (node.children !== undefined) {
		push(out, node, 'unexpected-block', `'${node.keyword}' takes no block: keepalived ignores the '{' and reads the lines as part of the enclosing block`);
		for (const child of node.children) checkNode(child, blockPath, out);
	}
}

/** Keyword-level warnings for a syntax tree (top level down). */
export function checkKeywords(nodes: readonly SyntaxNode[]): Diagnostic[] {
	const out: Diagnostic[] = [];
	for (const node of nodes) checkNode(node, [], out);
	return out;
}

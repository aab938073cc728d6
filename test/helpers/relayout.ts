// A keepalived.conf with the same meaning and another layout, as an operator might write it by hand:
// tabs and odd indents, braces on their own lines, comments, blank lines, and blocks and keywords in
// reverse order where keepalived does not care about order (top level, vrrp_instance, authentication,
// health checks). virtual_server and real_server keep their order: keepalived copies a virtual server's
// lb_kind into each real_server as it reads it, so there order matters.
import {parseKeepalivedTree, type SyntaxNode} from '../../src/keepalived-conf/index.js';

const KEEP_ORDER = new Set(['virtual_server', 'real_server']);

function word(w: string): string {
	return /[\s!#{}]/.test(w) || w === '' ? `"${w}"` : w;
}

function write(nodes: readonly SyntaxNode[], depth: number, reorder: boolean, out: string[]): void {
	const list = reorder ? [...nodes].reverse() : nodes;
	for (const n of list) {
		const indent = `${'\t'.repeat(depth)}${depth % 2 === 1 ? '   ' : ''}`;
		const condition = n.condition ? `@${n.condition.negate ? '^' : ''}${n.condition.id} ` : '';
		const line = `${indent}${condition}${[n.keyword, ...n.args].map(word).join('    ')}`;
		if (n.children === undefined) {
			out.push(line);
			continue;
		}
		out.push(`${line}   # a block`, `${indent}{`);
		write(n.children, depth + 1, !KEEP_ORDER.has(n.keyword), out);
		out.push(`${indent}${condition}}`, '');
	}
}

/** The same config in another layout and order (throws when the text does not parse). */
export function relayout(text: string): string {
	const parsed = parseKeepalivedTree(text, {includes: 'keep', conditionals: 'keep'});
	if (!parsed.ok) throw new Error(`relayout: ${parsed.error.message}`);
	const out = ['! re-indented and reordered by hand', ''];
	write(parsed.tree, 0, true, out);
	return `${out.join('\n')}\n`;
}

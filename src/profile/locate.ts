// Maps a field path (as zod reports it) back to a line and column in the YAML source.
import {isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node} from 'yaml';

export type FieldPath = ReadonlyArray<string | number>;

export interface Position {
	readonly line: number;
	readonly col: number;
}

function offsetOf(node: unknown): number | undefined {
	const range = (node as {range?: [number, number, number]} | null)?.range;
	return range?.[0];
}

/**
 * The position of the deepest node on `path` that exists. With `asKey`, a last path element that
 * names a map key points at the key itself (used for unknown keys).
 */
export function locate(doc: Document, counter: LineCounter, path: FieldPath, asKey = false): Position {
	let node: unknown = doc.contents;
	let offset = offsetOf(node) ?? 0;
	for (const [i, part] of path.entries()) {
		const last = i === path.length - 1;
		if (isMap(node)) {
			const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part));
			if (!pair) break;
			if (last && asKey) {
				offset = offsetOf(pair.key) ?? offset;
				break;
			}
			node = pair.value;
			offset = offsetOf(node) ?? offsetOf(pair.key) ?? offset;
		} else if (isSeq(node) && typeof part === 'number') {
			const item = node.items[part] as Node | undefined;
			if (!item) break;
			node = item;
			offset = offsetOf(item) ?? offset;
		} else {
			break;
		}
	}
	const pos = counter.linePos(offset);
	return {line: pos.line, col: pos.col};
}

/**
 * `vrrp_instances[0].vrid` style, as operators read it. A key that is not a plain name (it holds
 * spaces, shell syntax or control characters) is shown quoted: `hosts["dir1;rm -rf /"]`.
 */
export function formatPath(path: FieldPath): string {
	let out = '';
	for (const part of path) {
		if (typeof part === 'number') out += `[${part}]`;
		else if (!/^[A-Za-z0-9_-][A-Za-z0-9_.:-]*$/.test(part)) out += `[${JSON.stringify(part)}]`;
		else out += out === '' ? part : `.${part}`;
	}
	return out === '' ? '(top level)' : out;
}

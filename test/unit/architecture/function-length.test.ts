// No function in src/ over 80 lines (issue #12). STILL_LONG held the functions that were over it while
// they were split; it is empty now and stays so: any function over 80 lines fails.
import {readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import {describe, expect, it} from 'vitest';

const MAX_LINES = 80;
const root = path.resolve(import.meta.dirname, '..', '..', '..');

/** Known long functions, to be split (file -> function names): none left; a new one fails. */
const STILL_LONG: Readonly<Record<string, readonly string[]>> = {};

function sources(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const p = path.join(dir, name);
		return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(name) ? [p] : [];
	});
}

function nameOf(node: ts.Node): string {
	const named = (node as {name?: ts.Node}).name;
	if (named) return named.getText();
	const parent = node.parent;
	if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent))) return parent.name.getText();
	return '(anonymous)';
}

/** Every function, method, arrow and constructor longer than `max` lines in `text`, by name. */
export function longFunctions(file: string, text: string, max = MAX_LINES): string[] {
	const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
	const found: string[] = [];
	const visit = (node: ts.Node): void => {
		if (ts.isFunctionLike(node) && 'body' in node && node.body) {
			const lines = sf.getLineAndCharacterOfPosition(node.getEnd()).line - sf.getLineAndCharacterOfPosition(node.getStart()).line + 1;
			if (lines > max) found.push(nameOf(node));
		}
		ts.forEachChild(node, visit);
	};
	visit(sf);
	return found;
}

describe('function length', () => {
	it(`no function in src/ is over ${MAX_LINES} lines but the listed ones, and each listed one still is`, () => {
		const found: Record<string, string[]> = {};
		for (const file of sources(path.join(root, 'src'))) {
			const rel = path.relative(root, file).split(path.sep).join('/');
			const long = longFunctions(rel, readFileSync(file, 'utf8'));
			if (long.length > 0) found[rel] = long;
		}
		expect(found).toEqual(STILL_LONG);
	});

	it('the scan finds a long function, arrow or method, and lets a short one be', () => {
		const body = Array.from({length: MAX_LINES}, (_, i) => `\tconst v${i} = ${i};`).join('\n');
		expect(longFunctions('a.ts', `function long() {\n${body}\n}\nfunction short() {\n\treturn 1;\n}\n`)).toEqual(['long']);
		expect(longFunctions('b.ts', `const arrow = () => {\n${body}\n};\nclass C {\n\tm() {\n${body}\n\t}\n}\n`)).toEqual(['arrow', 'm']);
	});
});

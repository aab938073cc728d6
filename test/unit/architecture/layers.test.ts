// The layering rule (.dependency-cruiser.cjs, run by scripts/check-layers.sh from `npm test`): the real
// tree passes, and the checker fails on an upward import and on a cycle in a small temporary tree laid
// out like src/. Needs dependency-cruiser (a devDependency); LVSDECK_DEPCRUISE names another binary.
import {execFileSync} from 'node:child_process';
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const depcruise = process.env['LVSDECK_DEPCRUISE'] ?? path.join(root, 'node_modules', '.bin', 'depcruise');
const installed = existsSync(depcruise);

interface Run {
	readonly code: number;
	readonly output: string;
}

function check(cwd: string): Run {
	try {
		const output = execFileSync(depcruise, ['--config', '.dependency-cruiser.cjs', '--output-type', 'err', 'src'], {cwd, encoding: 'utf8', stdio: 'pipe'});
		return {code: 0, output};
	} catch (error) {
		const e = error as {status: number; stdout: string; stderr: string};
		return {code: e.status, output: `${e.stdout}${e.stderr}`};
	}
}

const trees: string[] = [];

/** A temporary project with the real rule and `files` (path under the project -> text). */
function tree(files: Record<string, string>): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'lvsdeck-layers-'));
	trees.push(dir);
	copyFileSync(path.join(root, '.dependency-cruiser.cjs'), path.join(dir, '.dependency-cruiser.cjs'));
	writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({compilerOptions: {module: 'NodeNext', moduleResolution: 'NodeNext', strict: true}, include: ['src']}));
	for (const [file, text] of Object.entries(files)) {
		mkdirSync(path.dirname(path.join(dir, file)), {recursive: true});
		writeFileSync(path.join(dir, file), text);
	}
	return dir;
}

afterAll(() => {
	for (const dir of trees) rmSync(dir, {recursive: true, force: true});
});

describe.skipIf(!installed)('the layering rule', () => {
	it('holds for src/', () => {
		const run = check(root);
		expect(run.output).toContain('no dependency violations found');
		expect(run.code).toBe(0);
	});

	it('lets a layer import the layers below it', () => {
		const run = check(tree({'src/ui/view.ts': "import {clean} from '../text/clean.js';\nexport const v = clean;\n", 'src/text/clean.ts': 'export const clean = 1;\n'}));
		expect(run.output).toContain('no dependency violations found');
		expect(run.code).toBe(0);
	});

	it('fails on an upward import, naming the rule and the files', () => {
		const run = check(tree({'src/probes/probe.ts': "import {view} from '../ui/view.js';\nexport const p = view;\n", 'src/ui/view.ts': 'export const view = 1;\n'}));
		expect(run.code).not.toBe(0);
		expect(run.output).toContain('layer-probes-imports-upward');
		expect(run.output).toContain('src/probes/probe.ts');
	});

	it('fails on a type-only upward import too', () => {
		const run = check(tree({'src/transport/t.ts': "import type {Op} from '../actions/op.js';\nexport type T = Op;\n", 'src/actions/op.ts': 'export type Op = number;\n'}));
		expect(run.code).not.toBe(0);
		expect(run.output).toContain('layer-transport-imports-upward');
	});

	it('fails when a view imports the transport (views get sessions, never a transport)', () => {
		const run = check(tree({'src/ui/flow.ts': "import type {Transport} from '../transport/types.js';\nexport type F = Transport;\n", 'src/transport/types.ts': 'export type Transport = number;\n'}));
		expect(run.code).not.toBe(0);
		expect(run.output).toContain('views-import-no-transport');
	});

	it('fails on an import cycle inside one layer', () => {
		const run = check(tree({'src/cluster/a.ts': "import type {B} from './b.js';\nexport type A = B;\n", 'src/cluster/b.ts': "import type {A} from './a.js';\nexport type B = A | 1;\n"}));
		expect(run.code).not.toBe(0);
		expect(run.output).toContain('no-circular');
	});
});

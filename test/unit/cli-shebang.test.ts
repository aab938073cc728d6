// The CLI's first line is how the installed command starts: `env -S`, the environment it sets, node and
// its flags. Kernels before 5.1 read only the first 127 bytes of it, so it must fit in those; and env
// must hand node exactly the settings written there.
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';

const first = readFileSync(path.resolve(import.meta.dirname, '../../src/cli.ts'), 'utf8').split('\n', 1)[0]!;

describe('the CLI shebang', () => {
	it('fits in the 127 bytes older kernels read', () => {
		expect(Buffer.byteLength(first)).toBeLessThanOrEqual(127);
	});

	it('env starts node with its settings, as written', () => {
		const m = /^#!\/usr\/bin\/env -S ((?:[A-Z_]+=\S+ )*)node((?: --[a-z-]+(?:=\S+)?)*)$/.exec(first);
		expect(m, first).not.toBeNull();
		const assignments = m![1]!.trim().split(' ').filter(Boolean);
		const flags = m![2]!.trim().split(' ').filter(Boolean);
		expect(assignments).toContain('MALLOC_ARENA_MAX=1');
		// The same words through env -S, node printing what it was given.
		const seen = JSON.parse(
			execFileSync('/usr/bin/env', ['-S', `${m![1]}node${m![2]} -p JSON.stringify({arena:process.env.MALLOC_ARENA_MAX,flags:process.execArgv})`], {encoding: 'utf8'}),
		) as {arena: string; flags: string[]};
		expect(seen.arena).toBe('1');
		expect(seen.flags.slice(0, flags.length)).toEqual(flags);
	});

	it('npm start and npm run demo start the CLI as the shebang does', () => {
		const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as {scripts: Record<string, string>};
		const asShebang = first.replace('#!/usr/bin/env -S ', '');
		expect(pkg.scripts['start']).toBe(`${asShebang} dist/cli.js`);
		expect(pkg.scripts['demo']).toBe(`${asShebang} dist/cli.js demo`);
	});
});

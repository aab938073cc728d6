// Fast start: `lvsdeck --help` and the commands that draw nothing must not load React or Ink (their
// load is most of the CLI's start-up time). Each case runs the CLI from source in a child node that
// records every module it resolves; the console, which draws, is the control that must load both.
import {execFile} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const recorder = path.join(root, 'test/helpers/record-imports.mjs');
const cli = path.join(root, 'src/cli.ts');
let dir: string;

beforeAll(() => {
	dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-startup-'));
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** The module URLs the CLI resolves for `args` (whatever its exit code). */
function importsOf(name: string, args: readonly string[]): Promise<string[]> {
	const file = path.join(dir, `${name}.txt`);
	writeFileSync(file, '');
	return new Promise((resolve) => {
		execFile(process.execPath, ['--import', 'tsx', '--import', recorder, cli, ...args], {cwd: root, env: {...process.env, LVSDECK_RECORD_IMPORTS: file}, timeout: 60_000}, () =>
			resolve(readFileSync(file, 'utf8').split('\n').filter(Boolean)),
		);
	});
}

const packageLoaded = (urls: readonly string[], pkg: string) => urls.some((u) => u.includes(`/node_modules/${pkg}/`));

describe('start-up imports', () => {
	it('--help loads neither React nor Ink, nor any command module', async () => {
		const urls = await importsOf('help', ['--help']);
		expect(urls.some((u) => u.endsWith('/src/main.tsx'))).toBe(true);
		expect(packageLoaded(urls, 'ink')).toBe(false);
		expect(packageLoaded(urls, 'react')).toBe(false);
		expect(urls.filter((u) => u.includes('/src/commands/'))).toEqual([]);
	});

	it('status (here with a missing profile) loads neither React nor Ink', async () => {
		const urls = await importsOf('status', ['status', '--profile', path.join(dir, 'missing.yaml')]);
		expect(urls.some((u) => u.endsWith('/src/commands/status.ts'))).toBe(true);
		expect(packageLoaded(urls, 'ink')).toBe(false);
		expect(packageLoaded(urls, 'react')).toBe(false);
	});

	it('the console, which draws, does load Ink (the recorder sees it)', async () => {
		const urls = await importsOf('console', ['console', '--profile', path.join(dir, 'missing.yaml')]);
		expect(packageLoaded(urls, 'ink')).toBe(true);
	});
});

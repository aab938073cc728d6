// --profiles DIR (exporter, check): every profile of a folder, with the --profile files, once each.
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {profileFiles} from '../../../src/commands/clusters.js';
import {CliError} from '../../../src/cli-error.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-profiles-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe('profileFiles', () => {
	it('takes *.yaml and *.yml of the folder by name (no hidden files, no other files, no subfolders), after the --profile files, each once', () => {
		const fleet = path.join(dir, 'fleet');
		mkdirSync(path.join(fleet, 'sub'), {recursive: true});
		for (const f of ['b.yaml', 'a.yml', '.hidden.yaml', 'notes.txt', 'sub/c.yaml']) writeFileSync(path.join(fleet, f), 'name: x\n');
		const single = path.join(dir, 'single.yaml');
		expect(profileFiles([single, path.join(fleet, 'b.yaml')], [fleet])).toEqual([single, path.join(fleet, 'b.yaml'), path.join(fleet, 'a.yml')]);
		expect(profileFiles(undefined, [fleet])).toEqual([path.join(fleet, 'a.yml'), path.join(fleet, 'b.yaml')]);
		expect(profileFiles([single])).toEqual([single]);
	});

	it('a folder with no profile, a missing folder or a file: one line naming the option and the folder', () => {
		const empty = path.join(dir, 'empty');
		mkdirSync(empty);
		const message = (f: () => unknown) => {
			try {
				f();
			} catch (error) {
				expect(error).toBeInstanceOf(CliError);
				return (error as Error).message;
			}
			throw new Error('no error');
		};
		expect(message(() => profileFiles([], [empty]))).toBe(`--profiles ${empty}: no profile (*.yaml, *.yml) in this folder`);
		expect(message(() => profileFiles([], [path.join(dir, 'missing')]))).toBe(`--profiles ${path.join(dir, 'missing')}: ENOENT`);
		writeFileSync(path.join(dir, 'file.yaml'), '');
		expect(message(() => profileFiles([], [path.join(dir, 'file.yaml')]))).toBe(`--profiles ${path.join(dir, 'file.yaml')}: not a folder`);
	});
});

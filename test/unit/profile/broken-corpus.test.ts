// The broken-profile corpus: every file in test/fixtures/profiles/broken/ is test/fixtures/profiles/base.yaml
// with exactly one mistake, and expected.json holds the exact one-line message an operator gets.
// The paths are relative (as an operator types them), so the tests run from the project root.
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseProfile, ProfileError} from '../../../src/profile/load.js';

const root = path.resolve(import.meta.dirname, '../../..');
const corpusDir = 'test/fixtures/profiles/broken';
const basePath = 'test/fixtures/profiles/base.yaml';
const expected = JSON.parse(readFileSync(path.join(root, corpusDir, 'expected.json'), 'utf8')) as Record<string, string>;
const files = readdirSync(path.join(root, corpusDir))
	.filter((f) => f.endsWith('.yaml'))
	.sort();
// A fixed HOME: nothing may depend on the machine's ~/.ssh.
const options = {env: {HOME: '/nonexistent-home'}};

function errorFor(file: string): unknown {
	try {
		parseProfile(readFileSync(path.join(root, file), 'utf8'), file, options);
	} catch (error) {
		return error;
	}
	return undefined;
}

describe('broken-profile corpus', () => {
	it('has at least 35 cases, named NN-short-name.yaml', () => {
		expect(files.length).toBeGreaterThanOrEqual(35);
		for (const f of files) expect(f).toMatch(/^\d{2}-[a-z0-9]+(-[a-z0-9]+)*\.yaml$/);
	});

	it('has an expected message for every .yaml file, and a file for every expected message', () => {
		expect(Object.keys(expected).sort()).toEqual(files);
	});

	it('varies a profile that is itself valid', () => {
		expect(() => parseProfile(readFileSync(path.join(root, basePath), 'utf8'), basePath, options)).not.toThrow();
	});

	it('has no two cases with the same message', () => {
		const reasons = Object.values(expected).map((m) => m.replace(/^[^:]+:\d+:\d+: /, ''));
		expect(new Set(reasons).size).toBe(reasons.length);
	});

	for (const f of files) {
		it(f, () => {
			const file = `${corpusDir}/${f}`;
			const error = errorFor(file);
			expect(error, 'the profile loaded without an error').toBeInstanceOf(ProfileError);
			const message = (error as ProfileError).message;
			expect(message).toBe(expected[f]);
			expect(message).not.toContain('\n');
			expect(message).not.toMatch(/\bat .+:\d+:\d+\)?$|\n\s+at |node_modules|\.ts:\d+/);
			expect(message).toMatch(/^test\/fixtures\/profiles\/broken\/\d{2}-[a-z0-9-]+\.yaml:\d+:\d+: \S.*: \S.*$/);
			const e = error as ProfileError;
			expect(e.file).toBe(file);
			expect(message.startsWith(`${file}:${e.line}:${e.col}: ${e.field}: ${e.reason}`)).toBe(true);
		});
	}
});

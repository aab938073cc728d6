// The console and the wall over several profiles: the checks that come before any host is reached
// (in this process, which has no terminal, so nothing would ever draw or connect).
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {consoleCommand, wallCommand} from '../../../src/commands/console.js';

const root = path.resolve(import.meta.dirname, '../../..');
const lab = path.join(root, 'profiles', 'lab.yaml');
const dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-screen-clusters-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** The lab profile under another name (paths made absolute so the copy can live elsewhere). */
function renamed(name: string, profileName = name, folder = dir): string {
	mkdirSync(folder, {recursive: true});
	const file = path.join(folder, `${name}.yaml`);
	writeFileSync(file, readFileSync(lab, 'utf8').replaceAll('../.lab/', `${path.join(root, '.lab')}/`).replace(/^name: lab$/m, `name: ${profileName}`));
	return file;
}

const NO_TERMINAL = (mode: string) => `the ${mode} needs a terminal; for scripts use "lvsdeck status --json" (or the drill commands)`;

describe('console and wall with several profiles', () => {
	it('two profiles with one name: refused, naming both files', async () => {
		const other = renamed('other', 'lab');
		for (const command of [consoleCommand, wallCommand]) await expect(command({profile: [lab, other]})).rejects.toThrow(`--profile ${other}: profile name "lab" is also the name of ${lab}; each cluster needs its own name`);
	});

	it('several clusters still need a terminal; --rotate must be whole seconds from 1 to 3600', async () => {
		const fleet = path.join(dir, 'fleet');
		const b = renamed('lab-b', 'lab-b', fleet);
		expect(process.stdout.isTTY).toBeFalsy();
		await expect(wallCommand({profile: [lab, b]})).rejects.toThrow(NO_TERMINAL('wall'));
		await expect(consoleCommand({profile: [lab], profiles: [fleet]})).rejects.toThrow(NO_TERMINAL('console'));
		await expect(wallCommand({profile: [lab, b], rotate: '0'})).rejects.toThrow('--rotate 0: expected a whole number from 1 to 3600');
		await expect(wallCommand({profile: [lab, b], rotate: '2.5'})).rejects.toThrow('--rotate 2.5: expected a whole number from 1 to 3600');
	});

	it('no profile at all: one line naming the options', async () => {
		await expect(wallCommand({})).rejects.toThrow('--profile or --profiles: at least one profile is needed');
		await expect(consoleCommand({profile: []})).rejects.toThrow('--profile or --profiles: at least one profile is needed');
	});
});

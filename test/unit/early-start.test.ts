// Which command lines start their connections before the program loads (cli.ts, early-start.ts): only
// `status` over exactly one profile file, however the option is written.
import {describe, expect, it} from 'vitest';
import {earlyStatusProfile} from '../../src/early-start.js';

describe('earlyStatusProfile', () => {
	it('names the one profile of a status command line, in each spelling of the option', () => {
		expect(earlyStatusProfile(['status', '--profile', 'a.yaml'])).toBe('a.yaml');
		expect(earlyStatusProfile(['status', '-p', 'a.yaml', '--json'])).toBe('a.yaml');
		expect(earlyStatusProfile(['status', '--json', '--profile=a.yaml'])).toBe('a.yaml');
		expect(earlyStatusProfile(['status', '--watch', '--interval', '500', '-p', 'a.yaml'])).toBe('a.yaml');
	});

	it('leaves every other command line to start as before', () => {
		expect(earlyStatusProfile([])).toBeUndefined();
		expect(earlyStatusProfile(['console', '--profile', 'a.yaml'])).toBeUndefined();
		expect(earlyStatusProfile(['doctor', '-p', 'a.yaml'])).toBeUndefined();
		// A subcommand's profile after another word is not status's.
		expect(earlyStatusProfile(['--json', 'status', '-p', 'a.yaml'])).toBeUndefined();
		expect(earlyStatusProfile(['status'])).toBeUndefined();
		expect(earlyStatusProfile(['status', '-p', 'a.yaml', '-p', 'b.yaml'])).toBeUndefined();
		expect(earlyStatusProfile(['status', '--profiles', 'dir'])).toBeUndefined();
		expect(earlyStatusProfile(['status', '--profiles=dir', '-p', 'a.yaml'])).toBeUndefined();
		expect(earlyStatusProfile(['status', '-p', 'a.yaml', '--help'])).toBeUndefined();
		expect(earlyStatusProfile(['status', '-h', '-p', 'a.yaml'])).toBeUndefined();
		// What follows `--` is not an option of status.
		expect(earlyStatusProfile(['status', '--', '-p', 'a.yaml'])).toBeUndefined();
	});
});

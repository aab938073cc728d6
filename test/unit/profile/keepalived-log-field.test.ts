// keepalived.log in a profile: journal by default, a file path, a clear error otherwise; read-only mode
// refuses to start on a log path it would not read.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseProfile, ProfileError} from '../../../src/profile/load.js';
import {readOnlyProfileErrors} from '../../../src/transport/read-only-profile.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const LAB_TEXT = readFileSync(path.join(ROOT, 'profiles', 'lab.yaml'), 'utf8');
const FILE = path.join(ROOT, 'profiles', 'x.yaml');
const withLog = (value: string | undefined) =>
	LAB_TEXT.replace(/^ {2}log: \/run\/keepalived\.log\n/m, value === undefined ? '' : `  log: ${value}\n`);

describe('keepalived.log', () => {
	it('defaults to the journal of the keepalived unit; the lab names its file', () => {
		expect(parseProfile(withLog(undefined), FILE).keepalived.log).toEqual({kind: 'journal', unit: 'keepalived'});
		expect(parseProfile(LAB_TEXT, FILE).keepalived.log).toEqual({kind: 'file', path: '/run/keepalived.log'});
		expect(parseProfile(withLog('/var/log/keepalived.log'), FILE).keepalived.log).toEqual({kind: 'file', path: '/var/log/keepalived.log'});
	});
	it('refuses anything else with file:line:col and the field', () => {
		const text = withLog('keepalived.log');
		const line = text.split('\n').findIndex((l) => l.startsWith('  log: ')) + 1;
		let error: unknown;
		try {
			parseProfile(text, FILE);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(ProfileError);
		expect((error as Error).message).toMatch(new RegExp(`x\\.yaml:${line}:\\d+: keepalived\\.log: must be "journal" or an absolute path`));
	});
	it('read-only mode names a log path it would not read', () => {
		const errors = readOnlyProfileErrors(parseProfile(withLog('/etc/keepalived/keepalived.conf'), FILE));
		expect(errors.map((e) => `${e.field}: ${e.reason}`)).toEqual([
			'keepalived.log: read-only mode would refuse to read /etc/keepalived/keepalived.conf: it is not an absolute path of a log file (ending in .log, or under /var/log)',
		]);
		expect(readOnlyProfileErrors(parseProfile(LAB_TEXT, FILE))).toEqual([]);
	});
});

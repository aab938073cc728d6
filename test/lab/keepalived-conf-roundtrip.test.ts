// Serializing a parsed keepalived.conf keeps it valid for real keepalived 2.2.7: every corpus file
// that `keepalived -t` accepts on a lab director as written is accepted again after
// parse -> serialize. Files keepalived rejects as written are skipped with keepalived's reason.
// Lab directors have only lo and eth0, and keepalived -t fails on a missing interface alone, so
// interface names of other machines (eth1, ens33, em1, ...) are renamed to eth0 in every file first.
// Files with includes are checked flattened only (their included files are not on the director).
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {validateKeepalivedConfig, type ValidationResult} from '../../src/actions/validate-config.js';
import {parseKeepalivedConf, serializeKeepalivedConf} from '../../src/keepalived-conf/index.js';
import {labProfile} from '../helpers/lab.js';
import {ownConfigs, ownFiles, sharedConfigs, SHARED_UNBALANCED} from '../unit/keepalived-conf/fixtures.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
afterAll(() => pool.close());

/** The director checked on; its host name is keepalived's default config id for @ lines. */
const DIRECTOR = 'dir1';
const FOREIGN_INTERFACE = /\b(?:eth[1-9]\d*|ens\d+(?:f\d+)?|em\d+|enp\w+|eno\d+|bond\d+)\b/g;

interface Candidate {
	readonly name: string;
	readonly file: string;
	readonly text: string;
}

const candidates: Candidate[] = [
	...ownConfigs().map((file) => ({name: `own/${path.basename(file)}`, file, text: fs.readFileSync(file, 'utf8')})),
	...sharedConfigs()
		.filter((f) => !(f.name in SHARED_UNBALANCED))
		.map((f) => ({name: `shared/${f.name}`, file: f.path, text: f.text})),
].map((c) => ({...c, text: c.text.replace(FOREIGN_INTERFACE, 'eth0')}));

const accepted: string[] = [];

function reason(r: ValidationResult): string {
	return `${r.reason ?? 'rejected'}: ${r.diagnostics.slice(0, 2).join(' / ')}`;
}

describe(`parse -> serialize keeps configs valid for keepalived -t on ${DIRECTOR}`, () => {
	it.for(candidates)('$name', async (c, ctx) => {
		const before = await validateKeepalivedConfig(pool, DIRECTOR, c.text);
		if (!before.ok) {
			ctx.skip(`keepalived -t rejects the file as written (${reason(before)})`);
			return;
		}
		const parsed = parseKeepalivedConf(c.text, {file: c.file, files: ownFiles, configId: DIRECTOR});
		if (!parsed.ok) throw new Error(parsed.error.message);
		const after = await validateKeepalivedConfig(pool, DIRECTOR, serializeKeepalivedConf(parsed.config));
		expect(after.diagnostics).toEqual([]);
		expect(after.ok).toBe(true);
		accepted.push(c.name);
	});

	it('a config with include globs, flattened by the parser, is accepted', async () => {
		const c = candidates.find((x) => x.name === 'own/24-lab-include-main.conf') as Candidate;
		const parsed = parseKeepalivedConf(c.text, {file: c.file, files: ownFiles, configId: DIRECTOR});
		if (!parsed.ok) throw new Error(parsed.error.message);
		expect(parsed.files.length).toBeGreaterThan(3);
		const result = await validateKeepalivedConfig(pool, DIRECTOR, serializeKeepalivedConf(parsed.config));
		expect(result.diagnostics).toEqual([]);
		expect(result.ok).toBe(true);
	});

	it('the check covered the own lab-ready files and a good share of the rest', () => {
		const ownLab = candidates.filter((c) => /^own\/\d\d-lab-/.test(c.name) && !c.name.includes('include')).map((c) => c.name);
		expect(ownLab.filter((n) => !accepted.includes(n))).toEqual([]);
		expect(accepted.length).toBeGreaterThanOrEqual(35);
	});
});

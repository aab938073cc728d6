// Every corpus file (the project's own and other people's, read from shared/ at test time): it
// parses or fails with one located error, warnings point at the right line, nothing is lost, and
// serializing then parsing again gives the same model.
import {describe, expect, it} from 'vitest';
import {
	compareKeepalivedConf,
	formatDifference,
	parseKeepalivedConf,
	parseKeepalivedTree,
	serializeKeepalivedConf,
	type ParseResult,
} from '../../../src/keepalived-conf/index.js';
import {SHARED_UNBALANCED, ownBroken, ownConfigs, ownFiles, sharedConfigs, withoutLocations} from './fixtures.js';
import {flatten} from './flatten.js';
import fs from 'node:fs';
import path from 'node:path';

interface Case {
	readonly name: string;
	readonly file: string;
	readonly text: string;
}

const shared: Case[] = sharedConfigs().map((f) => ({name: f.name, file: f.path, text: f.text}));
const own: Case[] = ownConfigs().map((p) => ({name: path.basename(p), file: p, text: fs.readFileSync(p, 'utf8')}));
const balanced = [...own, ...shared.filter((c) => !(c.name in SHARED_UNBALANCED))];

function parse(c: Case): ParseResult {
	return parseKeepalivedConf(c.text, {file: c.file, files: ownFiles, configId: 'dir1', random: () => 0});
}

describe('the corpora are there', () => {
	it('own corpus has at least 30 configs and the shared one has doc samples and wild files', () => {
		expect(own.length).toBeGreaterThanOrEqual(30);
		expect(shared.filter((c) => c.name.startsWith('wild/')).length).toBe(30);
		expect(shared.filter((c) => c.name.startsWith('doc-samples/')).length).toBeGreaterThan(20);
	});
});

describe.each(balanced)('$name', (c) => {
	const result = parse(c);

	it('parses', () => {
		expect(result.ok ? 'ok' : result.error.message).toBe('ok');
	});

	it('every keyword warning points at the line and column of that keyword', () => {
		if (!result.ok) throw new Error('did not parse');
		for (const d of result.diagnostics.filter((x) => x.keyword !== undefined && x.loc !== undefined && x.loc.file === c.file)) {
			const line = c.text.split('\n')[(d.loc?.line ?? 0) - 1] ?? '';
			expect(line.slice((d.loc?.col ?? 1) - 1), `${d.code} at ${d.loc?.line}`).toMatch(new RegExp(`^"?${d.keyword?.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
		}
	});

	it('nothing is lost: every line of the source is in the serialized model', () => {
		if (!result.ok) throw new Error('did not parse');
		const again = parseKeepalivedTree(serializeKeepalivedConf(result.config), {file: 'serialized.conf'});
		if (!again.ok) throw new Error(again.error.message);
		expect(flatten(again.tree)).toEqual(flatten(result.tree));
	});

	it('parse(serialize(parse(x))) equals parse(x)', () => {
		if (!result.ok) throw new Error('did not parse');
		const again = parseKeepalivedConf(serializeKeepalivedConf(result.config), {file: 'serialized.conf', configId: 'dir1'});
		if (!again.ok) throw new Error(again.error.message);
		expect(withoutLocations(again.config)).toEqual(withoutLocations(result.config));
		expect(compareKeepalivedConf(result.config, again.config).map((d) => formatDifference(d))).toEqual([]);
	});
});

describe('files keepalived cannot read give one error with file:line:col', () => {
	it.each(Object.entries(SHARED_UNBALANCED))('%s', (name, {line}) => {
		const c = shared.find((x) => x.name === name) as Case;
		const r = parse(c);
		expect(r.ok).toBe(false);
		expect(!r.ok && r.error).toMatchObject({code: 'unbalanced-braces', loc: {file: c.file, line}});
		expect(!r.ok && r.error.loc.col).toBeGreaterThanOrEqual(1);
	});

	it.each(ownBroken())('%s', (file) => {
		const r = parseKeepalivedConf(fs.readFileSync(file, 'utf8'), {file});
		expect(r.ok).toBe(false);
		expect(!r.ok && r.error.code).toBe('unbalanced-braces');
		expect(!r.ok && r.error.loc.line).toBeGreaterThan(0);
	});
});

describe('unknown and obsolete keywords are kept and warned with file:line', () => {
	const expectations: Array<[string, string, number]> = [
		['wild/10-chaihuo-document.conf', 'bal_defs', 1],
		['wild/12-ansible-lvs-nginx.conf', 'lb-kind', 35],
		['wild/05-python-script.conf', 'weigth', 24],
		['wild/06-coregear-linux.conf', 'lvs_sync_daemon_inteface', 28],
		['wild/18-init.conf', 'lvs_sync_daemon_inteface', 17],
		['wild/15-dpvs.conf', 'local_address_group', 6],
		['wild/02-devops.conf', 'nb_get_retry', 34],
	];
	it.each(expectations)('%s: %s at line %i', (name, keyword, line) => {
		const c = shared.find((x) => x.name === name) as Case;
		const r = parse(c);
		if (!r.ok) throw new Error(r.error.message);
		const d = r.diagnostics.find((x) => x.keyword === keyword && x.loc?.line === line);
		expect(d?.loc?.file).toBe(c.file);
		expect(d?.fix ?? d?.message).toBeTruthy();
		expect(serializeKeepalivedConf(r.config)).toContain(keyword);
	});

	it('the fix is named for the obsolete keywords of the own corpus', () => {
		const c = own.find((x) => x.name === '30-obsolete-and-typos.conf') as Case;
		const r = parse(c);
		if (!r.ok) throw new Error(r.error.message);
		const fixes = Object.fromEntries(r.diagnostics.map((d) => [`${d.keyword}@${d.loc?.line}`, d.fix]));
		expect(fixes).toMatchObject({
			'lvs_id@4': expect.stringContaining('router_id'),
			'lvs_sync_daemon_inteface@10': expect.stringContaining('lvs_sync_daemon'),
			'lb_kind@22': 'lb_kind DR',
			'nat_mask@23': 'delete the line',
			'persistence_timeout@24': 'delete the line',
			'weigth@27': 'weight N',
			'nb_get_retry@30': 'retry N',
			'nb_get_retry@41': 'retry N',
		});
	});
});

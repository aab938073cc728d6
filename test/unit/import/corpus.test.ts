// Every config of both corpora (the project's own, and other people's read from shared/ at test
// time): imported as one director, then rendered from the written profile, it is semantically the
// config the director had; and as two directors (the config and a variant with another state,
// priority, unicast source, router_id, and @ lines for each), each renders back to its own.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {SHARED_UNBALANCED, ownConfigs, sharedConfigs} from '../keepalived-conf/fixtures.js';
import {differences, importDirectors, loadYaml, overlayFiles} from './helpers.js';

interface Case {
	readonly name: string;
	readonly file: string;
}

const own: Case[] = ownConfigs().map((p) => ({name: path.basename(p), file: p}));
const shared: Case[] = sharedConfigs()
	.filter((f) => !(f.name in SHARED_UNBALANCED))
	.map((f) => ({name: f.name, file: f.path}));
const cases = [...own, ...shared];

describe('the corpora are there', () => {
	it('own and shared configs', () => {
		expect(own.length).toBeGreaterThanOrEqual(30);
		expect(shared.length).toBeGreaterThanOrEqual(50);
	});
});

describe.each(cases)('one director: $name', (c) => {
	it('renders back what the director had', () => {
		const result = importDirectors([{name: 'dir1', file: c.file}]);
		const profile = loadYaml(result.yaml);
		expect(differences(profile, {name: 'dir1', file: c.file})).toEqual([]);
	});
});

/** The second director's copy: other state, priority, unicast source and router_id. */
function variant(text: string): string {
	return text
		.replace(/\bstate(\s+)MASTER\b/g, 'state$1BACKUP')
		.replace(/\bpriority(\s+)(\d+)/g, (_, sp: string, n: string) => `priority${sp}${Math.max(1, Number(n) - 7)}`)
		.replace(/\brouter_id(\s+)(\S+)/g, 'router_id$1$2-b')
		.replace(/\bunicast_src_ip(\s+)\S+/g, 'unicast_src_ip$1192.0.2.99');
}

/** Lines only one of the two directors reads (`@id`), inside the first instance and at top level. */
function withConditionals(text: string): string {
	const lines = text.split('\n');
	const at = lines.findIndex((l) => /^\s*vrrp_instance\s+\S+\s*\{\s*$/.test(l));
	if (at >= 0) lines.splice(at + 1, 0, '@dir2 notify_master "/bin/true dir2"', '@dir1 garp_master_delay 3');
	lines.push('', '@dir2 static_routes {', '@dir2   192.0.2.0/24 via 192.168.67.1 dev eth0', '@dir2 }', '');
	return lines.join('\n');
}

describe.each(cases)('two directors: $name', (c) => {
	it('each renders back what it had', () => {
		const text = withConditionals(fs.readFileSync(c.file, 'utf8'));
		const dir1 = path.join(path.dirname(c.file), `VARIANT1-${path.basename(c.file)}`);
		const dir2 = path.join(path.dirname(c.file), `VARIANT2-${path.basename(c.file)}`);
		const files = overlayFiles({[dir1]: text, [dir2]: variant(text)});
		const directors = [
			{name: 'dir1', file: dir1, files},
			{name: 'dir2', file: dir2, files},
		];
		const profile = loadYaml(importDirectors(directors).yaml);
		expect(differences(profile, directors[0]!)).toEqual([]);
		expect(differences(profile, directors[1]!)).toEqual([]);
	});
});

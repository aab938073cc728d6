// Properties over generated configs: serialize/parse round trips, and no input makes the parser throw.
import fs from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {
	parseKeepalivedConf,
	parseKeepalivedTree,
	serializeKeepalivedConf,
	serializeNodes,
	type SyntaxNode,
} from '../../../src/keepalived-conf/index.js';
import {ownConfigs, withoutLocations} from './fixtures.js';

const KNOWN = [
	'global_defs', 'router_id', 'vrrp_instance', 'state', 'interface', 'priority', 'virtual_router_id', 'advert_int', 'nopreempt',
	'virtual_ipaddress', 'track_script', 'unicast_peer', 'authentication', 'auth_pass', 'notify_master', 'virtual_server',
	'real_server', 'weight', 'TCP_CHECK', 'HTTP_GET', 'url', 'path', 'lb_algo', 'lvs_sched', 'lb_kind', 'persistence_timeout',
	'sorry_server', 'vrrp_script', 'script', 'virtual_server_group', 'vrrp_sync_group', 'group', 'smtp_alert', 'delay_loop',
];

const plainWord = fc.stringMatching(/^[A-Za-z0-9._\/:-]{1,10}$/);
// Words that need quoting or are otherwise awkward for keepalived's reader.
const oddWord = fc.constantFrom('', 'a b', 'x#y', 'bang!', '{', '}', 'a{b}', '中文', 'MASTER', '100', '0', '-20', 'on', 'off', '10.0.0.1/24', 'dev', 'eth0');
const word = fc.oneof({weight: 4, arbitrary: plainWord}, {weight: 1, arbitrary: oddWord});
const keyword = fc.oneof({weight: 3, arbitrary: fc.constantFrom(...KNOWN)}, {weight: 1, arbitrary: fc.stringMatching(/^[a-z][a-z_]{0,11}$/)});

const nodeArb: fc.Memo<SyntaxNode> = fc.memo((depth) =>
	fc.record(
		{
			keyword,
			args: fc.array(word, {maxLength: 3}),
			children: depth <= 1 ? fc.constant(undefined) : fc.option(fc.array(nodeArb(depth - 1), {maxLength: 4}), {nil: undefined}),
		},
		{requiredKeys: ['keyword', 'args']},
	).map((n) => (n.children === undefined ? {keyword: n.keyword, args: n.args} : n)),
);
const treeArb = fc.array(nodeArb(4), {maxLength: 6});

function words(nodes: readonly SyntaxNode[]): unknown[] {
	return nodes.map((n) => [n.keyword, n.args, n.children === undefined ? null : words(n.children)]);
}

describe('generated configs', () => {
	it('a serialized syntax tree reads back as the same tree', () => {
		fc.assert(
			fc.property(treeArb, (tree) => {
				const back = parseKeepalivedTree(serializeNodes(tree), {file: 'gen.conf'});
				expect(back.ok).toBe(true);
				expect(back.ok && words(back.tree)).toEqual(words(tree));
			}),
			{numRuns: 300},
		);
	});

	it('parse(serialize(parse(x))) equals parse(x)', () => {
		fc.assert(
			fc.property(treeArb, (tree) => {
				const first = parseKeepalivedConf(serializeNodes(tree), {file: 'gen.conf'});
				if (!first.ok) throw new Error(first.error.message);
				const second = parseKeepalivedConf(serializeKeepalivedConf(first.config), {file: 'again.conf'});
				if (!second.ok) throw new Error(second.error.message);
				expect(withoutLocations(second.config)).toEqual(withoutLocations(first.config));
			}),
			{numRuns: 300},
		);
	});
});

describe('no input makes the parser throw', () => {
	const alphabet = fc.constantFrom('a', 'z', '0', '9', ' ', '\t', '\n', '\r', '{', '}', '"', "'", '#', '!', '\\', '$', '@', '^', '~', '=', '(', ')', ',', '/', '*', 'include ', '~SEQ(', '~LST(', '$X=', '${', '\u00a0', '中');
	const junk = fc.array(alphabet, {maxLength: 200}).map((parts) => parts.join(''));

	it('random text gives a result or a located error, never an exception', () => {
		fc.assert(
			fc.property(junk, fc.constantFrom('evaluate', 'keep'), (text, conditionals) => {
				const r = parseKeepalivedConf(text, {file: 'junk.conf', conditionals: conditionals as 'evaluate' | 'keep', configId: 'a'});
				if (!r.ok) {
					expect(r.error.code).not.toBe('internal-error');
					expect(r.error.loc.file).toBe('junk.conf');
				}
			}),
			{numRuns: 1000},
		);
	});

	it('every truncation of every own corpus file parses or gives one located error', () => {
		for (const file of ownConfigs()) {
			const text = fs.readFileSync(file, 'utf8');
			for (let cut = 0; cut < text.length; cut += 7) {
				const r = parseKeepalivedConf(text.slice(0, cut), {file});
				if (!r.ok) {
					expect(r.error.code).toBe('unbalanced-braces');
					expect(r.error.loc.line).toBeGreaterThanOrEqual(1);
				}
			}
		}
	});
});

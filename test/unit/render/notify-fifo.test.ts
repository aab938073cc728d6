// keepalived.notify_fifo: deploy adds lvsdeck's own notify FIFO to global_defs (README, VRRP history),
// with fifo_write_vrrp_states_on_reload where the keepalived version knows it (2.2.5).
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseProfile} from '../../../src/profile/load.js';
import {renderKeepalivedConf, renderForVersion} from '../../../src/render/keepalived-conf.js';
import {readFileSync} from 'node:fs';

const root = path.resolve(import.meta.dirname, '../../..');
const labText = readFileSync(path.join(root, 'profiles', 'lab.yaml'), 'utf8');
const withFifo = (extra = '') => labText.replace('keepalived:\n', `keepalived:\n  notify_fifo: /run/lvsdeck.fifo\n${extra}`);
const load = (text: string) => parseProfile(text, path.join(root, 'profiles', 'lab-fifo.yaml'), {env: {HOME: '/nonexistent-home'}});
const globalDefs = (conf: string) => /global_defs \{\n([\s\S]*?)\n\}/.exec(conf)?.[1] ?? '';

describe('notify_fifo in the rendered keepalived.conf', () => {
	it('adds vrrp_notify_fifo and fifo_write_vrrp_states_on_reload to global_defs; without the field nothing', () => {
		expect(labText).toContain('keepalived:\n');
		const conf = renderKeepalivedConf(load(withFifo()), 'dir1');
		expect(globalDefs(conf)).toMatch(/^\s+vrrp_notify_fifo \/run\/lvsdeck\.fifo$/m);
		expect(globalDefs(conf)).toMatch(/^\s+fifo_write_vrrp_states_on_reload$/m);
		expect(renderKeepalivedConf(load(labText), 'dir1')).not.toMatch(/fifo/);
	});

	it('for a keepalived before 2.2.5 the reload keyword is named in a version warning (that keepalived ignores the line)', () => {
		const old = renderForVersion(load(withFifo()), 'dir1', '2.1.5');
		const keywords = old.nodes.flatMap((n) => (n.keyword === 'global_defs' ? (n.children ?? []).map((c) => c.keyword) : []));
		expect(keywords).toContain('vrrp_notify_fifo');
		expect(old.warnings.map((w) => [w.keyword, w.since])).toEqual([['fifo_write_vrrp_states_on_reload', '2.2.5']]);
		expect(renderForVersion(load(withFifo()), 'dir1', '2.2.7').warnings).toEqual([]);
	});

	it('leaves global_defs alone when it names a vrrp_notify_fifo itself', () => {
		const text = withFifo('  global_defs: |\n    vrrp_notify_fifo /run/theirs.fifo\n');
		const conf = renderKeepalivedConf(load(text), 'dir1');
		expect(conf.match(/vrrp_notify_fifo/g)).toHaveLength(1);
		expect(conf).toContain('vrrp_notify_fifo /run/theirs.fifo');
	});
});

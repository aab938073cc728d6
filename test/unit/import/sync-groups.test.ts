// Import lifts vrrp_sync_group blocks into the profile's vrrp_sync_groups when they are only a list
// of typed instances on exactly the directors that run them; any other group (notify scripts, track
// lines, one instance, on some of its directors only) stays keepalived text, every keyword kept.
// The configs are read from shared/keepalived-corpus at test time.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {sharedCorpusDir} from '../keepalived-conf/fixtures.js';
import {differences, importDirectors, loadYaml, overlayFiles} from './helpers.js';

const corpus = (name: string) => path.join(sharedCorpusDir(), name);
const GATEWAY = corpus('wild/23-linuxgateway.conf');
const SYNC = corpus('doc-samples/keepalived.conf.vrrp.sync');
const ONE_INSTANCE = corpus('wild/18-init.conf');

describe('vrrp_sync_group lifted', () => {
	it('a group of two typed instances becomes vrrp_sync_groups, and renders back', () => {
		const result = importDirectors([{name: 'dir1', file: GATEWAY}]);
		const profile = loadYaml(result.yaml);
		expect(profile.syncGroups).toEqual([{name: 'G1', instances: ['pub_a', 'pvt_a']}]);
		expect(result.yaml).toMatch(/^vrrp_sync_groups:\n {2}- name: G1\n {4}instances: \[pub_a, pvt_a\]\n/m);
		// Typed, so not also kept as text.
		expect(JSON.stringify(profile.keepalived.extra ?? [])).not.toContain('vrrp_sync_group');
		expect(result.notes.filter((n) => n.includes('vrrp_sync_group'))).toEqual([]);
		expect(differences(profile, {name: 'dir1', file: GATEWAY})).toEqual([]);
	});

	it('on two directors running both instances: one typed group, each director renders back', () => {
		const dirs = [
			{name: 'dir1', file: GATEWAY},
			{name: 'dir2', file: GATEWAY},
		];
		const profile = loadYaml(importDirectors(dirs).yaml);
		expect(profile.syncGroups).toEqual([{name: 'G1', instances: ['pub_a', 'pvt_a']}]);
		for (const d of dirs) expect(differences(profile, d)).toEqual([]);
	});

	it('a group with notify scripts stays text whole beside a plain group that is lifted', () => {
		const result = importDirectors([{name: 'dir1', file: SYNC}]);
		const profile = loadYaml(result.yaml);
		expect(profile.syncGroups).toEqual([{name: 'G2', instances: ['VI_3', 'VI_4']}]);
		for (const line of ['vrrp_sync_group G1 {', 'notify_master "/usr/local/bin/vrrp.mast arg1 arg2"', 'notify_backup "/usr/local/bin/vrrp.back arg1 arg2"', 'notify_fault "/usr/local/bin/vrrp.fault arg1 arg2"']) expect(result.yaml).toContain(line);
		expect(result.notes).toContainEqual(expect.stringMatching(/^vrrp_sync_group G1 stays keepalived text: /));
		expect(differences(profile, {name: 'dir1', file: SYNC})).toEqual([]);
	});

	it('a group of one instance stays text (the profile needs two), with the reason', () => {
		const result = importDirectors([{name: 'dir1', file: ONE_INSTANCE}]);
		const profile = loadYaml(result.yaml);
		expect(profile.syncGroups).toBeUndefined();
		expect(result.yaml).toContain('vrrp_sync_group VGM');
		expect(result.notes).toContainEqual(expect.stringMatching(/^vrrp_sync_group VGM stays keepalived text: .*at least two instances/));
		expect(differences(profile, {name: 'dir1', file: ONE_INSTANCE})).toEqual([]);
	});

	it('a group on one of the directors that run its instances stays that director\'s text', () => {
		const text = readFileSync(GATEWAY, 'utf8');
		const without = text.replace(/vrrp_sync_group G1 \{[^]*?\n\}\n/, '');
		expect(without).not.toContain('vrrp_sync_group');
		const other = '/nonexistent/dir2/keepalived.conf';
		const dirs = [
			{name: 'dir1', file: GATEWAY},
			{name: 'dir2', file: other, files: overlayFiles({[other]: without})},
		];
		const result = importDirectors(dirs);
		const profile = loadYaml(result.yaml);
		expect(profile.syncGroups).toBeUndefined();
		expect(profile.hosts.find((h) => h.name === 'dir1')!.keepalived?.extra?.map((n) => `${n.keyword} ${n.args.join(' ')}`)).toContain('vrrp_sync_group G1');
		for (const d of dirs) expect(differences(profile, d)).toEqual([]);
	});
});

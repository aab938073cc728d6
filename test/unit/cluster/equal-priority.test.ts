// Equal priorities are legal VRRP: the member with the higher primary address wins the election.
// The expected holder follows that rule, and status and the console say why it wins.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {deriveFindings, deriveVips} from '../../../src/cluster/findings.js';
import {buildStatusReport, formatStatusReport} from '../../../src/cluster/report.js';
import type {ClusterState, HostState} from '../../../src/cluster/types.js';
import {parseProfile} from '../../../src/profile/load.js';
import {vipTable} from '../../../src/ui/presenters/presenters.js';
import type {IfAddress} from '../../../src/probes/vip.js';
import {healthyHosts, renderedHashes, withHost} from './fixture-state.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const labText = readFileSync(path.join(ROOT, 'profiles', 'lab.yaml'), 'utf8');
const WHY = 'equal priority 100: dir2 wins by higher address 192.168.67.120';
const VIP: IfAddress = {ifname: 'eth0', family: 'inet', address: '192.168.67.100', prefix: 24, label: 'eth0:1', scope: 'global', secondary: true};

/** The lab with both directors at priority 100 (dir1 .110, dir2 .120), both starting as BACKUP. */
function equalProfile() {
	const text = labText
		.replace('dir1: {state: MASTER, priority: 100}', 'dir1: {state: BACKUP, priority: 100}')
		.replace('dir2: {state: BACKUP, priority: 80}', 'dir2: {state: BACKUP, priority: 100}');
	expect(text).not.toBe(labText);
	return parseProfile(text, path.join(ROOT, 'profiles', 'lab.yaml'));
}

/** The lab's captured state, with dir2's keepalived at priority 100 as the profile says (elections follow the dumps). */
function equalHosts(): Map<string, HostState> {
	return withHost(healthyHosts(), 'dir2', (h) => ({...h, director: {...h.director!, vrrp: h.director!.vrrp!.map((v) => ({...v, priority: 100, effectivePriority: 100}))}}));
}

function state(hosts: Map<string, HostState>, profile = equalProfile()): ClusterState {
	const vips = deriveVips(profile, hosts);
	const findings = deriveFindings({profile, hosts, vips, renderedSha256: renderedHashes()});
	return {profileName: profile.name, at: 0, generation: 1, hosts: [...hosts.values()], vips, findings, events: []};
}

describe('equal priorities', () => {
	it('load, with the higher address first among the members', () => {
		const members = equalProfile().instances[0]!.members;
		expect(members.map((m) => [m.director, m.priority])).toEqual([
			['dir2', 100],
			['dir1', 100],
		]);
	});

	it('make the higher-address director the expected holder, and say why', () => {
		const [vip] = state(equalHosts()).vips;
		expect(vip).toMatchObject({expected: 'dir2', expectedWhy: WHY});
	});

	it('the winner is the higher address among those still running keepalived', () => {
		const hosts = withHost(equalHosts(), 'dir2', (h) => ({...h, director: {...h.director!, keepalivedActive: false}}));
		const [vip] = state(hosts).vips;
		expect(vip!.expected).toBe('dir1');
		expect(vip!.expectedWhy).toBeUndefined();
	});

	it('a VIP on the lower address is reported with the reason the other one wins', () => {
		// healthy lab: dir1 holds the VIP; with preempt, dir2 (higher address) should take it
		const f = state(equalHosts()).findings.find((x) => x.kind === 'vip-not-on-preferred');
		expect(f?.message).toBe(`192.168.67.100 is on dir1, but dir2 wins the election (${WHY}) and is up`);
		const moved = withHost(
			withHost(equalHosts(), 'dir1', (h) => ({...h, director: {...h.director!, addresses: h.director!.addresses.filter((a) => a.address !== VIP.address)}})),
			'dir2',
			(h) => ({...h, director: {...h.director!, addresses: [...h.director!.addresses, VIP]}}),
		);
		expect(state(moved).findings.filter((x) => x.kind === 'vip-not-on-preferred')).toEqual([]);
	});

	it('status (JSON and text) and the console VIP detail name the winner and the reason', () => {
		const s = state(equalHosts());
		const report = buildStatusReport(s, 0);
		expect(report.vips[0]).toMatchObject({expected: 'dir2', expectedWhy: WHY});
		expect(formatStatusReport(report)).toContain(`192.168.67.100 (VI_1): ${WHY}`);
		const detail = vipTable(s, equalProfile()).rows[0]!.detail!();
		expect(detail).toContain(`holder: dir1; preferred: dir2 (${WHY})`);
	});

	it('distinct priorities carry no tie note', () => {
		const report = buildStatusReport(state(healthyHosts(), parseProfile(labText, path.join(ROOT, 'profiles', 'lab.yaml'))), 0);
		expect(report.vips[0]).toMatchObject({expected: 'dir1', expectedWhy: null});
		expect(formatStatusReport(report)).not.toContain('equal priority');
	});
});

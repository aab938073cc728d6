// Derived findings on states built from captured lab output: each alarm appears exactly when its
// condition holds.
import {describe, expect, it} from 'vitest';
import {deriveFindings, deriveVips, isHealthy} from '../../../src/cluster/findings.js';
import type {HostState} from '../../../src/cluster/types.js';
import type {IfAddress} from '../../../src/probes/vip.js';
import {healthyHosts, labProfile, renderedHashes, withHost} from './fixture-state.js';

const VIP: IfAddress = {ifname: 'eth0', family: 'inet', address: '192.168.67.100', prefix: 24, label: 'eth0:1', scope: 'global', secondary: true};

function findings(hosts: Map<string, HostState>) {
	const vips = deriveVips(labProfile, hosts);
	return {vips, findings: deriveFindings({profile: labProfile, hosts, vips, renderedSha256: renderedHashes()})};
}
const kinds = (hosts: Map<string, HostState>) => findings(hosts).findings.map((f) => `${f.kind}:${f.subject}`);

const dropVip = (h: HostState): HostState => ({...h, director: {...h.director!, addresses: h.director!.addresses.filter((a) => a.address !== VIP.address)}});
const addVip = (h: HostState): HostState => ({...h, director: {...h.director!, addresses: [...h.director!.addresses, VIP]}});

describe('deriveVips', () => {
	it('places the VIP on dir1 with both members and their VRRP states', () => {
		const {vips} = findings(healthyHosts());
		expect(vips).toEqual([
			{
				vip: '192.168.67.100',
				instance: 'VI_1',
				holders: ['dir1'],
				expected: 'dir1',
				members: [
					{director: 'dir1', configuredPriority: 100, state: 'MASTER', priority: 100, effectivePriority: 100},
					{director: 'dir2', configuredPriority: 80, state: 'BACKUP', priority: 80, effectivePriority: 80},
				],
			},
		]);
	});

	it('prefers the highest-priority director that is up and running keepalived', () => {
		const hosts = withHost(healthyHosts(), 'dir1', (h) => ({...h, director: {...h.director!, keepalivedActive: false}}));
		expect(deriveVips(labProfile, hosts)[0]!.expected).toBe('dir2');
	});
});

describe('deriveFindings', () => {
	it('finds nothing in the healthy lab', () => {
		const {findings: f} = findings(healthyHosts());
		expect(f).toEqual([]);
		expect(isHealthy(f)).toBe(true);
	});

	it('split brain when the VIP is on both directors', () => {
		expect(kinds(withHost(healthyHosts(), 'dir2', addVip))).toContain('split-brain:192.168.67.100');
	});

	it('split brain when two directors report MASTER', () => {
		const hosts = withHost(healthyHosts(), 'dir2', (h) => ({
			...h,
			director: {...h.director!, vrrp: h.director!.vrrp!.map((v) => ({...v, state: 'MASTER' as const}))},
		}));
		const f = findings(hosts).findings.find((x) => x.kind === 'split-brain');
		expect(f?.message).toBe('split brain: dir1 and dir2 are both MASTER of VI_1');
	});

	it('no master when no director holds the VIP and none is MASTER', () => {
		let hosts = withHost(healthyHosts(), 'dir1', dropVip);
		hosts = withHost(hosts, 'dir1', (h) => ({...h, director: {...h.director!, vrrp: h.director!.vrrp!.map((v) => ({...v, state: 'BACKUP' as const}))}}));
		expect(kinds(hosts)).toContain('no-master:192.168.67.100');
	});

	it('VIP not on the preferred director after a failover (preempt expected)', () => {
		const hosts = withHost(withHost(healthyHosts(), 'dir1', dropVip), 'dir2', addVip);
		expect(kinds(hosts)).toEqual(['vip-not-on-preferred:192.168.67.100']);
		expect(isHealthy(findings(hosts).findings)).toBe(false);
	});

	it('keepalived down on a director', () => {
		const hosts = withHost(healthyHosts(), 'dir2', (h) => ({...h, director: {...h.director!, keepalivedActive: false}}));
		expect(kinds(hosts)).toEqual(['keepalived-down:dir2']);
	});

	it('a real server missing from a table, and at weight 0', () => {
		const drop = (h: HostState): HostState => ({
			...h,
			director: {
				...h.director!,
				ipvs: {
					...h.director!.ipvs,
					services: h.director!.ipvs.services.map((s) => ({
						...s,
						realServers: s.realServers.filter((r) => r.address !== '192.168.67.10').map((r) => ({...r, weight: 0})),
					})),
				},
			},
		});
		const k = kinds(withHost(healthyHosts(), 'dir1', drop));
		expect(k).toContain('rs-missing:rs1');
		expect(k).toContain('rs-weight-zero:rs2');
		expect(k).toContain('ipvs-differs:dir1/dir2');
	});

	it('a virtual service missing from a table', () => {
		const hosts = withHost(healthyHosts(), 'dir2', (h) => ({...h, director: {...h.director!, ipvs: {services: [], problems: []}}}));
		expect(kinds(hosts)).toContain('service-missing:dir2');
	});

	it('config drift when the installed file differs from the rendering, or is missing', () => {
		const drift = withHost(healthyHosts(), 'dir1', (h) => ({...h, director: {...h.director!, configSha256: 'f'.repeat(64)}}));
		expect(kinds(drift)).toEqual(['config-drift:dir1']);
		const missing = withHost(healthyHosts(), 'dir1', (h) => ({...h, director: {...h.director!, configSha256: null}}));
		expect(findings(missing).findings[0]!.message).toBe('dir1 has no /etc/keepalived/keepalived.conf');
	});

	it('real-server problems: VIP not on lo, ARP sysctls, service down', () => {
		const hosts = withHost(healthyHosts(), 'rs2', (h) => ({
			...h,
			realServer: {...h.realServer!, vipsOnLo: [], missingVips: ['192.168.67.100'], arpIgnore: {all: 0, lo: 0}, arpOk: false, serviceActive: false},
		}));
		expect(kinds(hosts)).toEqual(['rs-vip-not-on-lo:rs2', 'rs-arp-sysctls:rs2', 'rs-service-down:rs2']);
	});

	it('an unreachable host, whose stale data is not trusted', () => {
		const hosts = withHost(healthyHosts(), 'dir1', (h) => ({...h, reachable: false, error: 'timed out'}));
		const {vips, findings: f} = findings(hosts);
		// Only the unreachable host is reported: dir1 may still hold the VIP, so "no master" would be a guess.
		expect(f.map((x) => `${x.kind}:${x.subject}`)).toEqual(['host-unreachable:dir1']);
		// dir1's last data still says it holds the VIP, but an unreachable host is not counted as a holder.
		expect(vips[0]!.holders).toEqual([]);
	});
});

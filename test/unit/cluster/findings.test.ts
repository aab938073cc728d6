// Derived findings on states built from captured lab output: each alarm appears exactly when its
// condition holds.
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {parseKeepalivedData, parseKeepalivedJson} from '../../../src/probes/vrrp.js';
import {checkRealServer} from '../../../src/probes/realserver.js';
import {realServerExpectations, servicePorts} from '../../../src/cluster/rs-expectations.js';
import {loadProfile, parseProfile} from '../../../src/profile/load.js';
import {parseIpAddrJson} from '../../../src/probes/vip.js';
import {hostByName, type Profile} from '../../../src/profile/model.js';
import {deriveFindings, deriveVips, isHealthy} from '../../../src/cluster/findings.js';
import type {HostState, RealServerData} from '../../../src/cluster/types.js';
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

// Dumps captured on the lab (keepalived 2.2.7): a track script (weight -50) lowering dir1 from 100 to
// 50, below dir2's 80, and dir2 in FAULT because the dummy interface it tracks went down.
describe('VRRP by effective priority, FAULT members', () => {
	const lab = (name: string) => readFileSync(new URL(`../../fixtures/lab/${name}`, import.meta.url), 'utf8');
	const withDump = (file: string) => (h: HostState): HostState => ({...h, director: {...h.director!, vrrp: parseKeepalivedJson(lab(file)).instances}});

	function trackScriptMovedVip(): Map<string, HostState> {
		let hosts = withHost(withHost(healthyHosts(), 'dir1', dropVip), 'dir2', addVip);
		hosts = withHost(hosts, 'dir1', withDump('keepalived-json-dir1-track-script.json'));
		return withHost(hosts, 'dir2', withDump('keepalived-json-dir2-master-after-track.json'));
	}

	it('a track script that lowers dir1 below dir2 and moves the VIP raises no vip-not-on-preferred', () => {
		const hosts = trackScriptMovedVip();
		const {vips, findings: f} = findings(hosts);
		expect(vips[0]).toMatchObject({holders: ['dir2'], expected: 'dir2'});
		expect(f.map((x) => `${x.severity}:${x.kind}:${x.subject}`)).toEqual(['info:vrrp-priority-reduced:dir1']);
		expect(f[0]!.message).toBe('dir1 runs VI_1 at effective priority 50, below the configured 100: keepalived tracks script /usr/bin/false');
		expect(isHealthy(f)).toBe(true);
		// The same placement with dir1 at full priority is the failure it looked like before.
		const full = withHost(hosts, 'dir1', (h) => ({...h, director: {...h.director!, vrrp: h.director!.vrrp!.map((v) => ({...v, effectivePriority: 100}))}}));
		expect(kinds(full)).toEqual(['vip-not-on-preferred:192.168.67.100']);
	});

	it('names the failing script when the text dump says which one', () => {
		const hosts = withHost(trackScriptMovedVip(), 'dir1', (h) => ({...h, director: {...h.director!, vrrp: parseKeepalivedData(lab('keepalived-data-dir1-track-script.txt')).instances}}));
		expect(findings(hosts).findings[0]!.message).toBe('dir1 runs VI_1 at effective priority 50, below the configured 100: track script chk_down failing');
		expect(findings(hosts).vips[0]!.members[0]!.lowered).toBe('effective priority 50, below the configured 100: track script chk_down failing');
	});

	it('a BACKUP in FAULT is a warning (the master has no working backup); both in FAULT is critical', () => {
		let hosts = withHost(healthyHosts(), 'dir2', withDump('keepalived-json-dir2-fault.json'));
		hosts = withHost(hosts, 'dir1', withDump('keepalived-json-dir1-master-dir2-fault.json'));
		const f = findings(hosts).findings;
		expect(f).toEqual([
			{kind: 'vrrp-fault', severity: 'warning', subject: 'dir2', message: 'dir2 is in FAULT for VI_1 (keepalived tracks interface dummy9): dir1 has no working backup'},
		]);
		expect(isHealthy(f)).toBe(false);
		const both = withHost(withHost(hosts, 'dir1', dropVip), 'dir1', withDump('keepalived-json-dir2-fault.json'));
		const all = findings(both).findings;
		expect(all.filter((x) => x.kind === 'vrrp-fault').map((x) => `${x.severity}:${x.subject}`)).toEqual(['critical:dir1', 'critical:dir2']);
		expect(findings(both).vips[0]!.expected).toBeUndefined();
	});

	// Captured on the NAT lab with dir2's eth1 (VI_GW's own interface) taken down: keepalived faults
	// VI_GW, and VI_1 with it through the sync group SG_NAT. The JSON dump names neither the interface's
	// state nor the group; `ip -j addr` (the link's flags) and the profile do.
	it("a member whose own VRRP interface is down, and its sync group's other instance, say why", () => {
		const nat = loadProfile(new URL('../../../profiles/lab-nat.yaml', import.meta.url).pathname);
		const downLinks = parseIpAddrJson(lab('ip-j-addr-nat-dir2-eth1-down.json')).downLinks;
		expect(downLinks).toEqual(['eth1']);
		const fromJson = withHost(healthyHosts(), 'dir2', (h) => ({...h, director: {...h.director!, downLinks, vrrp: parseKeepalivedJson(lab('keepalived-json-nat-dir2-eth1-down.json')).instances}}));
		const why = (hosts: Map<string, HostState>) => deriveVips(nat, hosts).map((p) => `${p.instance}: ${p.members.find((m) => m.director === 'dir2')!.faultWhy}`);
		const expected = ['VI_1: sync group SG_NAT: VI_GW is in FAULT: interface eth1 down', 'VI_GW: interface eth1 down'];
		expect(why(fromJson)).toEqual(expected);
		// The text dump says both by itself (its Interfaces section and each instance's sync group).
		const fromText = withHost(healthyHosts(), 'dir2', (h) => ({...h, director: {...h.director!, vrrp: parseKeepalivedData(lab('keepalived-data-nat-dir2-eth1-down.txt')).instances}}));
		expect(why(fromText)).toEqual(expected);
		// Without the link state, keepalived's dump alone does not say.
		const blind = withHost(fromJson, 'dir2', (h) => ({...h, director: {...h.director!, downLinks: []}}));
		expect(why(blind)).toEqual(['VI_1: sync group SG_NAT in FAULT with VI_GW; keepalived does not say why', 'VI_GW: sync group SG_NAT in FAULT with VI_1; keepalived does not say why']);
	});

	it('a FAULT member is never the expected holder, whatever its priority', () => {
		const hosts = withHost(withHost(withHost(healthyHosts(), 'dir1', dropVip), 'dir2', addVip), 'dir1', withDump('keepalived-json-dir2-fault.json'));
		const {vips, findings: f} = findings(hosts);
		expect(vips[0]!.expected).toBe('dir2');
		expect(f.map((x) => x.kind)).toEqual(['vrrp-fault']);
	});
});

// Real servers checked by the modes of the services they serve, on output of the real-server check
// captured on the lab's real servers; each case was a false finding when every host was taken for DR on lo.
describe('real servers by forwarding mode (no false findings)', () => {
	const lab = (name: string) => readFileSync(new URL(`../../fixtures/lab/${name}`, import.meta.url), 'utf8');
	const labText = readFileSync(new URL('../../../profiles/lab.yaml', import.meta.url), 'utf8');
	const variant = (change: (t: string) => string) => {
		const text = change(labText);
		expect(text).not.toBe(labText);
		// Only the port-80 service, as in the captured directors' tables (fixture-state.ts).
		const parsed = parseProfile(text, labProfile.file);
		return {...parsed, virtualServers: parsed.virtualServers.filter((vs) => vs.port === 80)};
	};
	/** Every real server's state as the poller would store it for `profile`, from one captured readout. */
	function withReadout(profile: Profile, readout: string, extra: Partial<RealServerData> = {}): Map<string, HostState> {
		let hosts = healthyHosts();
		for (const rs of ['rs1', 'rs2']) {
			const check = checkRealServer(readout, realServerExpectations(profile, hostByName(profile, rs)));
			hosts = withHost(hosts, rs, (h) => ({...h, realServer: {...check, serviceActive: true, portAnswering: true, ...extra}}));
		}
		return hosts;
	}
	const derive = (profile: Profile, hosts: Map<string, HostState>) => deriveFindings({profile, hosts, vips: deriveVips(profile, hosts), renderedSha256: new Map()});

	it('a NAT real server without ARP sysctls or a VIP: no ARP or VIP finding; its default route is checked', () => {
		const nat = variant((t) => t.replace('forwarding: DR', 'forwarding: NAT'));
		const routed = derive(nat, withReadout(nat, `${lab('rs-check-nat-plain.txt')}route=default via 192.168.67.100 dev eth0 \n`));
		expect(routed).toEqual([]);
		// The same readout taken for DR, as before: both false findings.
		const asDr = derive(labProfile, withReadout(labProfile, lab('rs-check-nat-plain.txt')));
		expect(asDr.filter((f) => f.subject === 'rs1').map((f) => f.kind)).toEqual(['rs-vip-not-on-lo', 'rs-arp-sysctls']);
		const unrouted = derive(nat, withReadout(nat, lab('rs-check-nat-plain.txt')));
		expect(unrouted.map((f) => `${f.kind}:${f.subject}`)).toEqual(['rs-nat-route:rs1', 'rs-nat-route:rs2']);
		expect(unrouted[0]!.message).toBe("rs1: the default route must go via the directors' gateway 192.168.67.100, not nothing (no default route)");
	});

	it('a DR VIP on the dummy device the profile names: no missing-VIP finding; the message names the device', () => {
		const named = variant((t) => t.replaceAll('    role: realserver\n', '    role: realserver\n    vip_device: dummy0\n'));
		expect(derive(named, withReadout(named, lab('rs-check-dr-dummy0.txt')))).toEqual([]);
		const onLo = derive(named, withReadout(named, lab('rs-check-dr-lo.txt')));
		expect(onLo.find((f) => f.subject === 'rs1')?.message).toBe('rs1 lacks 192.168.67.100/32 on dummy0');
	});

	it('ARP sysctls set on the real interface only (all = 0): no ARP finding, as max(all, eth0) is what counts', () => {
		const named = variant((t) => t.replaceAll('    role: realserver\n', '    role: realserver\n    vip_device: dummy0\n'));
		expect(derive(named, withReadout(named, lab('rs-check-dr-arp-eth0.txt')))).toEqual([]);
		const cleared = lab('rs-check-dr-arp-eth0.txt').replace('eth0.arp_ignore=1', 'eth0.arp_ignore=0');
		const f = derive(named, withReadout(named, cleared)).find((x) => x.subject === 'rs1');
		expect(f?.message).toBe('rs1: arp_ignore=0 (all 0, eth0 0, lo 0) arp_announce=2 (all 0, eth0 2, lo 0) on eth0, where the kernel uses max(all, eth0); DR needs arp_ignore=1, arp_announce=2');
	});

	it('a TUN real server: tunl0 with the VIP and rp_filter 2 is ready; with strict rp_filter it is not', () => {
		const tun = variant((t) => t.replace('forwarding: DR', 'forwarding: TUN'));
		const ready = lab('rs-check-tun.txt').replace(/arp_ignore=0\nnet.ipv4.conf.all.arp_announce=0/, 'arp_ignore=1\nnet.ipv4.conf.all.arp_announce=2');
		expect(derive(tun, withReadout(tun, ready))).toEqual([]);
		const strict = derive(tun, withReadout(tun, ready.replace('tunl0.rp_filter=2', 'tunl0.rp_filter=1')));
		expect(strict.find((f) => f.subject === 'rs2')?.message).toBe('rs2 is not ready for TUN: rp_filter is 1 (max of all 0 and tunl0 1); TUN needs 0 or 2');
	});

	it('a UDP service is probed with UDP, and only a refusal is a down service', () => {
		const udp = variant((t) => t.replace('    protocol: TCP\n', '    protocol: UDP\n'));
		expect(servicePorts(udp, 'rs1')).toEqual([{protocol: 'UDP', port: 80}]);
		const readout = lab('rs-check-dr-lo.txt');
		const silent = withReadout(udp, readout, {portAnswering: undefined, ports: [{protocol: 'UDP', port: 80, answering: null}]});
		// (The captured directors' tables hold the TCP service: only the real servers' findings count here.)
		const ofRealServers = (hosts: Map<string, HostState>) => derive(udp, hosts).filter((f) => f.subject === 'rs1' || f.subject === 'rs2');
		expect(ofRealServers(silent)).toEqual([]);
		const refused = withReadout(udp, readout, {portAnswering: false, ports: [{protocol: 'UDP', port: 80, answering: false}]});
		expect(ofRealServers(refused).map((f) => f.message)).toEqual(['rs1: UDP 80 refused', 'rs2: UDP 80 refused']);
	});
});

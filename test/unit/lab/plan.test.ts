// The lab's plan and boot script for each topology: which bridge every interface joins, the NAT
// gateway route, forwarding, tunl0 for TUN, IPv6 without duplicate address detection, and the station's
// route to the internal network through the VIP.
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadProfile, parseProfile} from '../../../src/profile/load.js';
import {planLab, LabPlanError} from '../../../src/lab/plan.js';
import {hostEnvFile, umlInitScript} from '../../../src/lab/scripts.js';
import {readFileSync} from 'node:fs';

const root = path.resolve(import.meta.dirname, '../../..');
const env = {HOME: '/home/operator'};
const plan = (name: string) => planLab(loadProfile(path.join(root, 'profiles', name), {env}), '/var/lib/lvsdeck-lab');
const host = (p: ReturnType<typeof plan>, name: string) => p.hosts.find((h) => h.name === name)!;

describe('lab plan: NAT', () => {
	const p = plan('lab-nat.yaml');
	const script = umlInitScript(p);

	it('puts the station\'s network on br0 and the internal one on br1', () => {
		expect(p.networks).toEqual([
			{bridge: 'br0', subnet: '192.168.67.0/24', prefix: 24},
			{bridge: 'br1', subnet: '10.67.1.0/24', prefix: 24},
		]);
		expect(host(p, 'dir1').links).toEqual([
			{dev: 'eth0', bridge: 'br0', address: '192.168.67.110', prefix: 24},
			{dev: 'eth1', bridge: 'br1', address: '10.67.1.2', prefix: 24},
		]);
		expect(host(p, 'rs1').links).toEqual([{dev: 'eth0', bridge: 'br1', address: '10.67.1.10', prefix: 24}]);
		expect(script).toContain('ip link add veth0n1 type veth peer name eth1 netns dir1\nip link set veth0n1 master br1');
	});

	it('gives real servers the floating gateway as default route, directors forwarding, and no VIP on lo', () => {
		expect(host(p, 'rs1')).toMatchObject({gateway: '10.67.1.1', forward: false, loVips: [], tunVips: []});
		expect(host(p, 'dir1')).toMatchObject({forward: true});
		expect(host(p, 'client1').gateway).toBeUndefined();
		expect(script).toContain('ip -n rs1 route add default via 10.67.1.1');
		expect(script).toContain('ip netns exec dir2 sysctl -qw net.ipv4.ip_forward=1');
		expect(hostEnvFile(p, host(p, 'rs1'))).toContain("LO_VIPS=''");
	});

	it('routes the station to the internal network via the VIP that moves with the gateway', () => {
		expect(p.stationRoutes).toEqual([{subnet: '10.67.1.0/24', via: '192.168.67.100'}]);
	});

	it('waits for both instances\' addresses on dir1 before it is ready', () => {
		expect(script).toContain("grep -qF ' 10.67.1.1/'");
		expect(script).toContain("grep -qF ' 192.168.67.100/'");
	});

	it('refuses an internal network the station cannot reach through a VIP', () => {
		const text = readFileSync(path.join(root, 'profiles', 'lab-nat.yaml'), 'utf8').replace(/\nvrrp_sync_groups:\n(?:.*\n){2}/, '\n');
		const profile = parseProfile(text, path.join(root, 'profiles', 'x.yaml'), {env});
		expect(() => planLab(profile, '/var/lib/lvsdeck-lab')).toThrow(LabPlanError);
		expect(() => planLab(profile, '/var/lib/lvsdeck-lab')).toThrow(/the station cannot reach 10\.67\.1\.0\/24: put VI_GW in a vrrp_sync_groups entry/);
	});

	it('refuses a host on no lab network', () => {
		const text = readFileSync(path.join(root, 'profiles', 'lab-nat.yaml'), 'utf8').replace('address: 10.67.1.20', 'address: 10.99.0.20');
		const profile = parseProfile(text, path.join(root, 'profiles', 'x.yaml'), {env});
		expect(() => planLab(profile, '/var/lib/lvsdeck-lab')).toThrow(/hosts\.rs2\.address 10\.99\.0\.20 is on no lab network \(192\.168\.67\.0\/24, 10\.67\.1\.0\/24\)/);
	});
});

describe('lab plan: TUN', () => {
	const p = plan('lab-tun.yaml');
	const script = umlInitScript(p);

	it('loads ipip and puts the VIP on tunl0 (not lo) with reverse-path filtering off', () => {
		expect(p.kernelModules).toContain('ipip');
		expect(host(p, 'rs1')).toMatchObject({tunVips: ['192.168.67.100'], loVips: [], forward: false});
		expect(script).toContain('ip -n rs2 link set tunl0 up');
		expect(script).toContain("ip -n rs2 addr add 192.168.67.100/32 dev tunl0");
		expect(script).toContain('ip netns exec rs1 sysctl -qw net.ipv4.conf.tunl0.rp_filter=0 net.ipv4.conf.all.rp_filter=0');
		expect(p.stationRoutes).toEqual([]);
	});

	it('DR stays as it was: lo VIPs, no ipip, no tunl0', () => {
		const dr = plan('lab.yaml');
		expect(dr.kernelModules).not.toContain('ipip');
		expect(host(dr, 'rs1')).toMatchObject({loVips: ['192.168.67.100'], tunVips: []});
		expect(umlInitScript(dr)).not.toContain('tunl0');
	});
});

describe('lab plan: IPv6', () => {
	const p = plan('lab-ipv6.yaml');
	const script = umlInitScript(p);

	it('adds IPv6 addresses without duplicate address detection and counts bracketed IPv6 real servers', () => {
		expect(script).toContain('ip -n rs1 addr add fd67::10/64 dev eth0 nodad');
		expect(script).toContain('ip netns exec rs1 sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0');
		expect(script).toContain("grep -c '^  -> [[0-9]'");
		expect(host(p, 'rs1').loVips).toEqual(['fd67::100']);
	});
});

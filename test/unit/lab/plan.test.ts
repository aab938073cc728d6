// The lab's plan and boot script for each topology: which bridge every interface joins, the NAT
// gateway route, forwarding, tunl0 for TUN, IPv6 without duplicate address detection, and the station's
// route to the internal network through the VIP.
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadProfile, parseProfile} from '../../../src/profile/load.js';
import {planLab, planLabs, LabPlanError} from '../../../src/lab/plan.js';
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

describe('lab plan: two clusters (lab.yaml + lab-b.yaml)', () => {
	const load = (name: string) => loadProfile(path.join(root, 'profiles', name), {env});
	const two = planLabs([load('lab.yaml'), load('lab-b.yaml')], '/var/lib/lvsdeck-lab');
	const script = umlInitScript(two);
	const one = plan('lab.yaml');

	it('boots every host of both profiles on the one station network, each tagged with its cluster', () => {
		expect(two.hosts.map((h) => `${h.cluster}/${h.name}`)).toEqual(['lab/dir1', 'lab/dir2', 'lab/rs1', 'lab/rs2', 'lab/client1', 'lab-b/dir3', 'lab-b/dir4', 'lab-b/rs3', 'lab-b/rs4']);
		expect(two.networks).toEqual(one.networks);
		expect(host(two, 'dir3').links).toEqual([{dev: 'eth0', bridge: 'br0', address: '192.168.67.130', prefix: 24}]);
		expect(host(two, 'rs3')).toMatchObject({loVips: ['192.168.67.200'], webService: 'httpd', webPort: 80, nameUnits: []});
		expect(host(two, 'rs1').loVips).toEqual(['192.168.67.100']);
		expect(script).toContain('ip netns add rs4');
	});

	it('is ready only when each cluster\'s master holds its VIP and each director lists its own real servers', () => {
		expect(two.expectedMasters).toEqual([
			{director: 'dir1', vips: ['192.168.67.100']},
			{director: 'dir3', vips: ['192.168.67.200']},
		]);
		expect(two.expectedRealServers).toEqual({dir1: 6, dir2: 6, dir3: 2, dir4: 2});
		expect(script).toContain("ip -n dir3 -o addr show | grep -qF ' 192.168.67.200/'");
		expect(script).toContain(`ipvsadm -Ln | grep -c '^  -> [[0-9]')" -ge 2 ] || return 1`);
	});

	it('gives the kernel each cluster\'s memory and boot time; one profile keeps 512 MB and 25 s', () => {
		expect(two.memoryMb).toBe(512 + 256);
		expect(two.bootDeadlineSec).toBe(75);
		expect(script).toContain('while [ $i -lt 375 ]');
		expect(one).toMatchObject({memoryMb: 512, bootDeadlineSec: 25});
		expect(umlInitScript(one)).toContain('while [ $i -lt 125 ]');
	});

	const text = readFileSync(path.join(root, 'profiles', 'lab-b.yaml'), 'utf8');
	const cases: ReadonlyArray<{what: string; edits: ReadonlyArray<readonly [string, string]>; error: RegExp}> = [
		{what: 'a host name', edits: [['  dir3:\n', '  dir1:\n'], ['dir3: {state', 'dir1: {state']], error: /b2\.yaml hosts\.dir1: host name dir1 is also in .*lab\.yaml hosts\.dir1/},
		{what: 'a host address', edits: [['address: 192.168.67.40', 'address: 192.168.67.10']], error: /address 192\.168\.67\.10 is also in .*lab\.yaml hosts\.rs1/},
		{what: 'a VIP', edits: [['192.168.67.200', '192.168.67.100']], error: /b2\.yaml VI_B: address 192\.168\.67\.100 is also in .*lab\.yaml VI_1/},
		{what: 'a VRID', edits: [['vrid: 110', 'vrid: 100']], error: /b2\.yaml VI_B: vrid 100 is also in .*lab\.yaml VI_1/},
		{what: 'the profile name', edits: [['name: lab-b', 'name: lab']], error: /profile name "lab" is also in .*lab\.yaml/},
		{what: 'nothing but names another station', edits: [['operator_address: 192.168.67.1/24', 'operator_address: 192.168.67.2/24']], error: /one lab has one station \(netns lvslab, tap lab0, operator_address 192\.168\.67\.1\/24 in .*lab\.yaml\)/},
	];
	it.each(cases)('refuses a second profile that repeats $what', ({edits, error}) => {
		let edited = text;
		for (const [from, to] of edits) edited = edited.replaceAll(from, to);
		const b = parseProfile(edited, path.join(root, 'profiles', 'b2.yaml'), {env});
		expect(() => planLabs([load('lab.yaml'), b], '/var/lib/lvsdeck-lab')).toThrow(LabPlanError);
		expect(() => planLabs([load('lab.yaml'), b], '/var/lib/lvsdeck-lab')).toThrow(error);
	});
});

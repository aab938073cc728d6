// The real-server setup per forwarding mode, rendered from profiles: DR (lo, or a dummy device named by
// vip_device), TUN (tunl0, rp_filter), NAT (the default route via the VRRP gateway address), the
// sysctl.d file, and the words the setup script gets.
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadProfile} from '../../../src/profile/load.js';
import {describeSetup, realServerSetup, renderArpSysctlConf, renderRealServerSysctlConf, setupArgs} from '../../../src/render/realserver-setup.js';

const root = path.resolve(import.meta.dirname, '../../..');
const load = (file: string) => loadProfile(path.join(root, file), {env: {HOME: '/nonexistent-home'}});

describe('DR on lo (profiles/lab.yaml)', () => {
	const profile = load('profiles/lab.yaml');
	const setup = realServerSetup(profile, 'rs1');

	it('puts the VIP on lo with the ARP sysctls of all and lo, no route', () => {
		expect(setup).toEqual({
			drVips: ['192.168.67.100'],
			vipDevice: 'lo',
			tunVips: [],
			sysctls: [
				['net.ipv4.conf.all.arp_ignore', '1'],
				['net.ipv4.conf.lo.arp_ignore', '1'],
				['net.ipv4.conf.all.arp_announce', '2'],
				['net.ipv4.conf.lo.arp_announce', '2'],
			],
		});
		expect(setupArgs(setup)).toEqual(['192.168.67.100']);
		expect(describeSetup(setup)).toBe('VIPs 192.168.67.100 on lo');
	});

	it('writes the same sysctl file as before, so installed real servers see no change', () => {
		expect(renderRealServerSysctlConf(profile.name, setup)).toBe(renderArpSysctlConf(profile.name));
	});

	it('a VIP serving several services (80, 9000, 9053) is set up once', () => {
		expect(profile.virtualServers.length).toBeGreaterThanOrEqual(3);
		expect(setup.drVips).toEqual(['192.168.67.100']);
	});
});

describe('NAT (test/fixtures/profiles/modes/nat.yaml)', () => {
	const profile = load('test/fixtures/profiles/modes/nat.yaml');

	it.each(['rs1', 'rs2'])('%s: default route via the VRRP gateway of its network, no VIP, no sysctl', (rs) => {
		const setup = realServerSetup(profile, rs);
		expect(setup).toEqual({drVips: [], vipDevice: 'lo', tunVips: [], gateway: '10.67.1.1', sysctls: []});
		expect(setupArgs(setup)).toEqual(['gw=10.67.1.1']);
		const file = renderRealServerSysctlConf(profile.name, setup);
		expect(file).toContain('NAT (default route via 10.67.1.1)');
		expect(file.split('\n').filter((l) => l !== '' && !l.startsWith('#'))).toEqual([]);
	});
});

describe('TUN and DR on a dummy device (test/fixtures/profiles/modes/tun.yaml)', () => {
	const profile = load('test/fixtures/profiles/modes/tun.yaml');

	it('rs1 (TUN only): the VIP on tunl0, ARP sysctls on all and tunl0, rp_filter 0 on all and tunl0', () => {
		const setup = realServerSetup(profile, 'rs1');
		expect(setup.tunVips).toEqual(['192.168.67.100']);
		expect(setup.drVips).toEqual([]);
		expect(setup.gateway).toBeUndefined();
		expect(setupArgs(setup)).toEqual(['tun=192.168.67.100']);
		const lines = renderRealServerSysctlConf(profile.name, setup).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
		expect(lines).toEqual([
			'net.ipv4.conf.all.arp_ignore = 1',
			'net.ipv4.conf.tunl0.arp_ignore = 1',
			'net.ipv4.conf.all.arp_announce = 2',
			'net.ipv4.conf.tunl0.arp_announce = 2',
			'net.ipv4.conf.all.rp_filter = 0',
			'net.ipv4.conf.tunl0.rp_filter = 0',
		]);
	});

	it('rs2 (TUN and DR with vip_device): the DR VIP on the dummy device first, then the TUN VIP', () => {
		const setup = realServerSetup(profile, 'rs2');
		expect(setup.vipDevice).toBe('lvsvip0');
		expect(setupArgs(setup)).toEqual(['dev=lvsvip0', '192.168.67.101', 'tun=192.168.67.100']);
		expect(describeSetup(setup)).toBe('VIPs 192.168.67.101 on lvsvip0 (dummy), VIPs 192.168.67.100 on tunl0 (ipip)');
		const file = renderRealServerSysctlConf(profile.name, setup);
		expect(file).toContain('net.ipv4.conf.lvsvip0.arp_ignore = 1');
		expect(file).toContain('net.ipv4.conf.lvsvip0.arp_announce = 2');
		expect(file).not.toContain('net.ipv4.conf.lo.');
	});

	it('is deterministic: the same profile renders the same bytes', () => {
		const a = renderRealServerSysctlConf(profile.name, realServerSetup(profile, 'rs2'));
		const b = renderRealServerSysctlConf(profile.name, realServerSetup(load('test/fixtures/profiles/modes/tun.yaml'), 'rs2'));
		expect(a).toBe(b);
	});
});

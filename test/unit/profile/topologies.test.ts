// Profile support for the lab's other topologies: hosts' further interfaces and vrrp_sync_groups load,
// render into keepalived.conf, and each mistake is a one-line error at the field's line and column.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadProfile, parseProfile, ProfileError} from '../../../src/profile/load.js';
import {hostByName} from '../../../src/profile/model.js';
import {inSubnet, natGatewayOf, networkOf, urlHost} from '../../../src/profile/subnet.js';
import {renderKeepalivedConf} from '../../../src/render/keepalived-conf.js';

const root = path.resolve(import.meta.dirname, '../../..');
const natFile = path.join(root, 'profiles', 'lab-nat.yaml');
const natText = readFileSync(natFile, 'utf8');
const env = {HOME: '/home/operator'};

function errorOf(text: string): string {
	try {
		parseProfile(text, 'nat.yaml', {env});
	} catch (error) {
		expect(error).toBeInstanceOf(ProfileError);
		return (error as Error).message;
	}
	throw new Error('the profile loaded');
}

function lineOf(text: string, needle: string): number {
	const at = text.indexOf(needle);
	if (at < 0) throw new Error(`${needle} not in text`);
	return text.slice(0, at).split('\n').length;
}

describe('NAT profile: interfaces and a sync group', () => {
	const profile = loadProfile(natFile, {env, sshConfigFile: '/nonexistent'});

	it('resolves the directors\' internal interfaces and the sync group', () => {
		expect(hostByName(profile, 'dir1').interfaces).toEqual([{name: 'eth1', address: '10.67.1.2', prefix: 24}]);
		expect(profile.syncGroups).toEqual([{name: 'SG_NAT', instances: ['VI_1', 'VI_GW']}]);
	});

	it('renders the group before the instances, and unicast VRRP of the eth1 instance from the eth1 addresses', () => {
		const conf = renderKeepalivedConf(profile, 'dir2');
		expect(conf).toContain('vrrp_sync_group SG_NAT {\n  group {\n    VI_1\n    VI_GW\n  }\n}');
		expect(conf.indexOf('vrrp_sync_group')).toBeLessThan(conf.indexOf('vrrp_instance'));
		const gw = conf.slice(conf.indexOf('vrrp_instance VI_GW'));
		expect(gw).toContain('unicast_src_ip 10.67.1.3\n');
		expect(gw).toContain('unicast_peer {\n    10.67.1.2\n  }');
		const vi1 = conf.slice(conf.indexOf('vrrp_instance VI_1'), conf.indexOf('vrrp_instance VI_GW'));
		expect(vi1).toContain('unicast_src_ip 192.168.67.120\n');
		expect(conf).toContain('lb_kind NAT');
	});

	it('a NAT real server\'s gateway is the VRRP address in its network; others have none', () => {
		expect(natGatewayOf(profile, 'rs1')).toBe('10.67.1.1');
		expect(natGatewayOf(profile, 'dir1')).toBeUndefined();
		expect(natGatewayOf(loadProfile(path.join(root, 'profiles', 'lab.yaml'), {env}), 'rs1')).toBeUndefined();
	});

	it('a group naming an unknown instance is located at that name', () => {
		const text = natText.replace('instances: [VI_1, VI_GW]', 'instances: [VI_1, VI_NOPE]');
		expect(errorOf(text)).toMatch(new RegExp(`^nat\\.yaml:${lineOf(text, 'VI_NOPE')}:\\d+: vrrp_sync_groups\\[0\\]\\.instances\\[1\\]: VI_NOPE is not a vrrp instance of this profile$`));
	});

	it('an instance in two groups, a one-instance group and unknown keys are refused', () => {
		const twice = natText.replace('    instances: [VI_1, VI_GW]\n', '    instances: [VI_1, VI_GW]\n  - name: SG_2\n    instances: [VI_GW, VI_1]\n');
		expect(errorOf(twice)).toMatch(/vrrp_sync_groups\[1\]\.instances\[0\]: VI_GW is already in sync group SG_NAT/);
		expect(errorOf(natText.replace('instances: [VI_1, VI_GW]', 'instances: [VI_1]'))).toMatch(/vrrp_sync_groups\[0\]\.instances: .*at least two instances/);
		expect(errorOf(natText.replace('instances: [VI_1, VI_GW]', 'instances: [VI_1, VI_GW]\n    notify: x'))).toMatch(/vrrp_sync_groups\[0\]/);
	});

	it('a group whose instances run on different directors is refused', () => {
		const text = natText.replace('      dir1: {state: MASTER, priority: 100}\n      dir2: {state: BACKUP, priority: 80}\n    vips:\n      - {address: 10.67.1.1/24', '      dir1: {state: MASTER, priority: 100}\n    vips:\n      - {address: 10.67.1.1/24');
		expect(errorOf(text)).toMatch(/vrrp_sync_groups\[0\]\.instances\[1\]: VI_GW runs on dir1, the group's first instance on dir1,dir2/);
	});

	it('an interface address without a prefix, a bad interface name, or a duplicate address is located', () => {
		expect(errorOf(natText.replace('{eth1: 10.67.1.2/24}', '{eth1: 10.67.1.2}'))).toMatch(new RegExp(`^nat\\.yaml:${lineOf(natText, '{eth1: 10.67.1.2/24}')}:\\d+: hosts\\.dir1\\.interfaces\\.eth1: needs a prefix length`));
		expect(errorOf(natText.replace('{eth1: 10.67.1.2/24}', '{"eth 1": 10.67.1.2/24}'))).toMatch(/hosts\.dir1\.interfaces/);
		expect(errorOf(natText.replace('{eth1: 10.67.1.3/24}', '{eth1: 10.67.1.10/24}'))).toMatch(/hosts\.(dir2\.interfaces\.eth1|rs1\.address): same address as host/);
	});

	it('keepalived text may not define a typed sync group again', () => {
		const text = natText.replace('keepalived:\n  config_path', 'keepalived:\n  extra: |\n    vrrp_sync_group SG_NAT {\n      group {\n        VI_1\n      }\n    }\n  config_path');
		expect(errorOf(text)).toMatch(/keepalived\.extra: vrrp_sync_group SG_NAT is already a typed block/);
	});
});

describe('address helpers', () => {
	it('subnets of both families', () => {
		expect(networkOf('10.67.1.2', 24)).toBe('10.67.1.0/24');
		expect(networkOf('fd67::110', 64)).toBe('fd67:0:0:0:0:0:0:0/64');
		expect(inSubnet('10.67.1.200', '10.67.1.0', 24)).toBe(true);
		expect(inSubnet('10.67.2.1', '10.67.1.0', 24)).toBe(false);
		expect(inSubnet('fd67::10', 'fd67:0:0:0:0:0:0:0', 64)).toBe(true);
		expect(inSubnet('fd68::10', 'fd67::', 64)).toBe(false);
		expect(inSubnet('10.67.1.2', 'fd67::', 64)).toBe(false);
	});

	it('IPv6 hosts in URLs are bracketed', () => {
		expect(urlHost('fd67::100')).toBe('[fd67::100]');
		expect(urlHost('192.168.67.100')).toBe('192.168.67.100');
	});
});

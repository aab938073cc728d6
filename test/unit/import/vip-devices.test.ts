// Import's vip_device detection from the real-server readout: the lab's rs1 (VIP on lo) keeps lo;
// the same host with the VIP moved to a dummy interface (NOARP, not loopback) gets that interface;
// a VIP on an ordinary interface, on two interfaces, or missing sets nothing.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {vipDeviceOf} from '../../../src/actions/import/vip-devices.js';
import {interfaceFlags} from '../../../src/probes/realserver-readout.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const onLo = readFileSync(path.join(ROOT, 'test', 'fixtures', 'lab', 'rs-check-v2-dr-lo.txt'), 'utf8');
const VIP = '192.168.67.100';
const vipLine = (dev: string, index: number) => `${index}: ${dev}    inet ${VIP}/32 scope global ${dev}\\       valid_lft forever preferred_lft forever`;
/** rs1 with its VIP moved from lo to `dev` (flags as the kernel reports them). */
function movedTo(dev: string, flags: string): string {
	return `${onLo.replace(`${vipLine('lo', 1)}\n`, '')}flags.${dev}=${flags}\n${vipLine(dev, 3)}\n`;
}

describe('vipDeviceOf', () => {
	it('the lab fixture: the VIP on lo, no vip_device', () => {
		expect(onLo).toContain(vipLine('lo', 1));
		expect(vipDeviceOf(onLo, [VIP])).toBeUndefined();
	});

	it('the VIP on a dummy interface (UP, NOARP): that interface', () => {
		expect(vipDeviceOf(movedTo('lvsvip0', '0xc3'), [VIP])).toBe('lvsvip0');
	});

	it('the VIP on an interface that answers ARP, on two interfaces, or nowhere: nothing', () => {
		expect(vipDeviceOf(movedTo('eth1', '0x1003'), [VIP])).toBeUndefined();
		expect(vipDeviceOf(`${movedTo('lvsvip0', '0xc3')}flags.lvsvip1=0xc3\n${vipLine('lvsvip1', 4)}\n`, [VIP])).toBeUndefined();
		expect(vipDeviceOf(movedTo('lvsvip0', '0xc3'), ['192.168.67.199'])).toBeUndefined();
		expect(vipDeviceOf(movedTo('lvsvip0', '0xc3'), [])).toBeUndefined();
	});

	it('reads interface flags from the readout', () => {
		expect(interfaceFlags(movedTo('lvsvip0', '0xc3'))).toEqual(new Map([['eth0', 0x1003], ['lo', 0x9], ['lvsvip0', 0xc3]]));
	});
});

describe('buildProfile with the devices found', () => {
	it('writes vip_device on that real server only, and the profile renders its setup there', async () => {
		const {buildProfile, localFiles, readDirectorConfigs} = await import('../../../src/actions/import/import.js');
		const {realServerSetup} = await import('../../../src/render/realserver-setup.js');
		const file = path.join(ROOT, 'test', 'golden', 'lab-dir1.conf');
		const read = readDirectorConfigs([{name: 'dir1', configId: 'dir1', file, files: localFiles}]);
		const names = new Map([['192.168.67.10', 'rs1'], ['192.168.67.20', 'rs2']]);
		const settings = {profileName: 'imported', profileFile: '/nonexistent/imported.yaml', header: ['test'], names, resolve: {env: {HOME: '/nonexistent-home'}, sshConfigFile: '/nonexistent/ssh_config'}};
		const result = buildProfile(read.dirs, {...settings, vipDevices: new Map([['rs2', 'lvsvip0']])});
		expect(result.yaml).toMatch(/ {2}rs2:\n(?: {4}.*\n)* {4}vip_device: lvsvip0\n/);
		expect(result.profile.hosts.find((h) => h.name === 'rs2')!.vipDevice).toBe('lvsvip0');
		expect(result.profile.hosts.find((h) => h.name === 'rs1')!.vipDevice).toBeUndefined();
		expect(realServerSetup(result.profile, 'rs2').vipDevice).toBe('lvsvip0');
	});
});

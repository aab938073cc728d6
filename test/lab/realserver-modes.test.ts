// Real-server findings on the real lab follow what the kernel does: a DR VIP held on the dummy device
// the profile names is not "missing from lo", and ARP sysctls set on the real interface only (all = 0)
// are what the kernel applies (max(all, interface)), so neither raises a finding. rs1 is changed and
// put back after.
import {readFileSync} from 'node:fs';
import {afterAll, describe, expect, it} from 'vitest';
import {ClusterStore} from '../../src/cluster/store.js';
import {ClusterPoller} from '../../src/cluster/poller.js';
import type {ClusterState} from '../../src/cluster/types.js';
import {parseProfile} from '../../src/profile/load.js';
import type {Profile} from '../../src/profile/model.js';
import {createClusterTransport} from '../../src/transport/cluster-transport.js';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {LAB_PROFILE, labProfile} from '../helpers/lab.js';

const {profile: lab} = labProfile();
const control = new SshPool(lab.hosts);
afterAll(async () => {
	await control.close();
});

/** One poll of every host for `profile`, as `lvsdeck status` does it. */
async function pollOnce(profile: Profile): Promise<ClusterState> {
	const transport = createClusterTransport(profile, {readOnly: true});
	const store = new ClusterStore(profile);
	try {
		await new ClusterPoller(profile, transport, store, {events: false}).pollOnce();
		return store.getState();
	} finally {
		await transport.close();
	}
}

async function rs1(script: string): Promise<void> {
	const r = await control.exec('rs1', ['sh', '-c', script]);
	if (r.code !== 0) throw new Error(`rs1: ${script} exited ${r.code}: ${r.stderr.trim()}`);
}

const ofRs1 = (s: ClusterState) => s.findings.filter((f) => f.subject === 'rs1').map((f) => `${f.kind}: ${f.message}`);

describe('real-server checks on the lab', () => {
	it('a DR VIP on the named dummy device, ARP set on eth0 only: no finding; on lo the VIP is missing from dummy0', async () => {
		const text = readFileSync(LAB_PROFILE, 'utf8');
		const withDevice = text.replace('    address: 192.168.67.10\n    role: realserver\n', '    address: 192.168.67.10\n    role: realserver\n    vip_device: dummy0\n');
		expect(withDevice).not.toBe(text);
		const named = parseProfile(withDevice, LAB_PROFILE);
		try {
			await rs1(
				[
					'ip link add dummy0 type dummy && ip link set dummy0 up',
					'ip addr add 192.168.67.100/32 dev dummy0 && ip addr del 192.168.67.100/32 dev lo',
					'sysctl -qw net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2',
					'sysctl -qw net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.all.arp_announce=0 net.ipv4.conf.lo.arp_ignore=0 net.ipv4.conf.lo.arp_announce=0',
				].join(' && '),
			);
			const moved = await pollOnce(named);
			expect(ofRs1(moved)).toEqual([]);
			expect(moved.hosts.find((h) => h.name === 'rs1')?.realServer).toMatchObject({
				vipDevice: 'dummy0',
				vipsOnLo: ['192.168.67.100'],
				arpInterface: 'eth0',
				arpIgnore: {all: 0, interface: 1, effective: 1},
				arpAnnounce: {all: 0, interface: 2, effective: 2},
				arpOk: true,
			});
			// The lab profile (VIPs on lo) sees the VIP missing, and says where it looked.
			expect(ofRs1(await pollOnce(lab))).toEqual(['rs-vip-not-on-lo: rs1 lacks 192.168.67.100/32 on lo']);
			// Clearing eth0's values leaves nothing that stops ARP replies for the VIP.
			await rs1('sysctl -qw net.ipv4.conf.eth0.arp_ignore=0');
			expect(ofRs1(await pollOnce(named))).toEqual([
				'rs-arp-sysctls: rs1: arp_ignore=0 (all 0, eth0 0, lo 0) arp_announce=2 (all 0, eth0 2, lo 0) on eth0, where the kernel uses max(all, eth0); DR needs arp_ignore=1, arp_announce=2',
			]);
		} finally {
			await rs1(
				[
					'ip addr add 192.168.67.100/32 dev lo 2>/dev/null; ip link del dummy0 2>/dev/null',
					'sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.lo.arp_ignore=1 net.ipv4.conf.lo.arp_announce=2',
					'sysctl -qw net.ipv4.conf.eth0.arp_ignore=0 net.ipv4.conf.eth0.arp_announce=0',
				].join('; '),
			);
		}
		expect(ofRs1(await pollOnce(lab))).toEqual([]);
	});
});

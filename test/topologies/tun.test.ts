// The lab in LVS-TUN (profiles/lab-tun.yaml): IPIP to real servers holding the VIP on tunl0.
import {expect, it} from 'vitest';
import {sshFromStation, topology} from '../helpers/topology.js';
import {topologySuite} from './suite.js';

const t = topology('lab-tun.yaml');
const vip = t.profile.virtualServers[0]!.vip;

topologySuite(t, {
	more: () => {
		it('each real server has tunl0 up holding the VIP, rp_filter 0 on tunl0 and all, and the DR ARP settings', () => {
			for (const rs of ['rs1', 'rs2']) {
				const r = sshFromStation(t, rs, 'ip -o addr show dev tunl0; ip -o link show tunl0; sysctl -n net.ipv4.conf.tunl0.rp_filter net.ipv4.conf.all.rp_filter net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce');
				expect(r.status, r.stderr).toBe(0);
				expect(r.stdout).toContain(` ${vip}/32`);
				expect(r.stdout).toMatch(/tunl0.*[<,]UP[,>]/);
				expect(r.stdout.trim().split('\n').slice(-4)).toEqual(['0', '0', '1', '2']);
			}
		});

		it('the directors forward with IPVS tunnelling', () => {
			const r = sshFromStation(t, 'dir1', 'ipvsadm -Ln');
			expect(r.status, r.stderr).toBe(0);
			expect(r.stdout.match(/ Tunnel /g)).toHaveLength(t.profile.virtualServers.reduce((n, vs) => n + vs.realServers.length, 0));
		});
	},
});

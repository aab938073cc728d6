// The lab over IPv6 (profiles/lab-ipv6.yaml): IPv6 VIP, directors, real servers and client, VRRP
// version 3, LVS-DR with the VIP as /128 on the real servers' lo.
import {expect, it} from 'vitest';
import {inStation, sshFromStation, topology} from '../helpers/topology.js';
import {topologySuite} from './suite.js';

const t = topology('lab-ipv6.yaml');
const vip = t.profile.virtualServers[0]!.vip;

topologySuite(t, {
	more: () => {
		it('no address is left tentative: the station\'s and the VIP on the master answer at once', () => {
			const station = inStation(t, ['ip', '-o', '-6', 'addr', 'show', 'dev', t.plan.tap]);
			expect(station.stdout).toContain(` ${t.plan.operatorAddress}/${t.plan.prefix} `);
			expect(station.stdout).not.toContain('tentative');
			const dir1 = sshFromStation(t, 'dir1', 'ip -o -6 addr show dev eth0');
			expect(dir1.stdout).not.toContain('tentative');
			// deprecated: never the source of the master's own connections (its checks to the real servers)
			expect(dir1.stdout).toMatch(new RegExp(` ${vip}/128 .*deprecated`));
		});

		it('real servers hold the VIP as /128 on lo and the directors route to them in IPv6', () => {
			for (const rs of ['rs1', 'rs2']) expect(sshFromStation(t, rs, 'ip -o -6 addr show dev lo').stdout).toContain(` ${vip}/128 `);
			const table = sshFromStation(t, 'dir1', 'ipvsadm -Ln').stdout;
			expect(table).toContain(`TCP  [${vip}]:80 rr`);
			expect(table.match(/-> \[fd67::[0-9a-f]+\]:80 +Route/g)).toHaveLength(2);
		});
	},
});

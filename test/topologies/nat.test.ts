// The lab in LVS-NAT (profiles/lab-nat.yaml): real servers only on the internal network behind the
// directors, whose VIP and internal gateway move together (one sync group).
import {expect, it} from 'vitest';
import {inStation, sshFromStation, topology} from '../helpers/topology.js';
import {waitFor} from '../helpers/wait-for.js';
import {topologySuite} from './suite.js';

const t = topology('lab-nat.yaml');
const vip = t.profile.instances.find((i) => i.name === 'VI_1')!.vips[0]!.address;
const gateway = t.profile.instances.find((i) => i.name === 'VI_GW')!.vips[0]!.address;

/** The directors holding both the VIP and the gateway, as "dir1", "dir2", "dir1+dir2" or "". */
async function holders(): Promise<string> {
	const found: string[] = [];
	for (const d of ['dir1', 'dir2']) {
		const out = sshFromStation(t, d, 'ip -o addr show').stdout;
		if (out.includes(` ${vip}/`) && out.includes(` ${gateway}/`)) found.push(d);
	}
	return found.join('+');
}

topologySuite(t, {
	more: () => {
		it('real servers live only on the internal network with the gateway as default route; directors forward', () => {
			for (const rs of ['rs1', 'rs2']) {
				const r = sshFromStation(t, rs, 'ip -o -4 addr show scope global; ip route show default');
				expect(r.status, r.stderr).toBe(0);
				expect(r.stdout).toContain(`default via ${gateway} dev eth0`);
				expect(r.stdout).not.toContain('192.168.67.');
			}
			for (const d of ['dir1', 'dir2']) {
				const r = sshFromStation(t, d, 'sysctl -n net.ipv4.ip_forward; ipvsadm -Ln');
				expect(r.status, r.stderr).toBe(0);
				expect(r.stdout.split('\n')[0]).toBe('1');
				expect(r.stdout.match(/ Masq /g)).toHaveLength(t.profile.virtualServers.reduce((n, vs) => n + vs.realServers.length, 0));
			}
		});

		it('VIP and gateway move together, and the station still reaches the real servers through the new master', async () => {
			expect(await holders()).toBe('dir1');
			try {
				expect(sshFromStation(t, 'dir1', 'systemctl stop keepalived').status).toBe(0);
				await waitFor(holders, (h) => h === 'dir2', {timeoutMs: 15_000, what: 'VIP and gateway on dir2 only'});
				const ssh = sshFromStation(t, 'rs1', 'hostname');
				expect(ssh.stdout.trim(), ssh.stderr).toBe('rs1');
				const seen = new Set<string>();
				for (let i = 0; i < 4; i++) seen.add(inStation(t, ['curl', '-s', '-m', '3', `http://${vip}/`]).stdout.trim());
				expect([...seen].sort()).toEqual(['rs1', 'rs2']);
			} finally {
				sshFromStation(t, 'dir1', 'systemctl start keepalived');
			}
			await waitFor(holders, (h) => h === 'dir1', {timeoutMs: 15_000, what: 'VIP and gateway back on dir1 (preempt)'});
			expect(sshFromStation(t, 'rs2', 'hostname').stdout.trim()).toBe('rs2');
		});
	},
});

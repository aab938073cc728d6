// The lab in LVS-NAT (profiles/lab-nat.yaml): real servers only on the internal network behind the
// directors, whose VIP and internal gateway move together (one sync group).
import {expect, it} from 'vitest';
import {cli, inStation, sshFromStation, topology} from '../helpers/topology.js';
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

		// The issue's FAULT case, with the VRRP interface itself: dir2's eth1 carries VI_GW, and the sync
		// group takes VI_1 (on eth0, which lvsdeck reaches dir2 by) into FAULT with it.
		it("dir2's VRRP interface down (eth1, VI_GW's): both instances of the sync group in FAULT, warnings that name the interface; back to healthy once it is up", async () => {
			interface Finding {kind: string; severity: string; subject: string; message: string}
			const findings = async (): Promise<Finding[]> => {
				const r = cli(t, ['status', '--profile', t.file, '--json']);
				return (JSON.parse(r.stdout) as {findings: Finding[]}).findings;
			};
			const faults = (f: readonly Finding[]) => f.filter((x) => x.kind === 'vrrp-fault');
			try {
				const down = sshFromStation(t, 'dir2', 'ip link set eth1 down');
				expect(down.status, down.stderr).toBe(0);
				const seen = await waitFor(findings, (f) => faults(f).length === 2, {timeoutMs: 30_000, intervalMs: 1000, what: 'vrrp-fault for both instances on dir2'});
				expect(faults(seen.value)).toEqual([
					{kind: 'vrrp-fault', severity: 'warning', subject: 'dir2', message: 'dir2 is in FAULT for VI_1 (sync group SG_NAT: VI_GW is in FAULT: interface eth1 down): dir1 has no working backup'},
					{kind: 'vrrp-fault', severity: 'warning', subject: 'dir2', message: 'dir2 is in FAULT for VI_GW (interface eth1 down): dir1 has no working backup'},
				]);
				// The VIP and the gateway stay where they were.
				expect(await holders()).toBe('dir1');
			} finally {
				sshFromStation(t, 'dir2', 'ip link set eth1 up');
			}
			// dir2 back to BACKUP and its checkers have the real servers again.
			await waitFor(findings, (f) => f.length === 0, {timeoutMs: 60_000, intervalMs: 2000, what: 'no findings once eth1 is up again'});
		});
	},
});

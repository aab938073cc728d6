// The directors really load-balance: IPVS on dir1 lists both real servers in DR ("Route") mode, and
// requests to the VIP from the station reach both real servers.
import http from 'node:http';
import {afterAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {labProfile} from '../helpers/lab.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
afterAll(() => pool.close());
const vs = profile.virtualServers[0]!;

/** One GET on a fresh TCP connection (no keep-alive), so IPVS schedules every request. */
function getOnce(url: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const req = http.get(url, {agent: false, timeout: 3000}, (res) => {
			let body = '';
			res.on('data', (c: Buffer) => (body += c.toString()));
			res.on('end', () => resolve(body.trim()));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', reject);
	});
}

describe('IPVS on the lab directors', () => {
	it('ipvsadm -Ln on dir1 lists both real servers with Route forwarding', async () => {
		const r = await pool.exec('dir1', ['ipvsadm', '-Ln']);
		expect(r.code).toBe(0);
		expect(r.stdout).toMatch(new RegExp(`^TCP  ${vs.vip.replaceAll('.', '\\.')}:${vs.port} ${vs.scheduler}`, 'm'));
		for (const rs of vs.realServers) {
			expect(r.stdout).toMatch(new RegExp(`^  -> ${rs.address.replaceAll('.', '\\.')}:${rs.port}\\s+Route\\s+${rs.weight}\\s`, 'm'));
		}
	});

	it('40 requests to the VIP reach both real servers, each between 30% and 70%', async () => {
		const counts = new Map<string, number>();
		for (let i = 0; i < 40; i++) {
			const body = await getOnce(`http://${vs.vip}:${vs.port}/`);
			counts.set(body, (counts.get(body) ?? 0) + 1);
		}
		expect([...counts.keys()].sort()).toEqual(vs.realServers.map((rs) => rs.host).sort());
		for (const [backend, n] of counts) {
			expect(n, `${backend} got ${n} of 40`).toBeGreaterThanOrEqual(12);
			expect(n, `${backend} got ${n} of 40`).toBeLessThanOrEqual(28);
		}
	});
});

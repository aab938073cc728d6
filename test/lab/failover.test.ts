// VRRP really moves the VIP: on dir1 at rest; on dir2 within 5 s of stopping keepalived on dir1 (with
// the profile's service command, as in production); back on dir1 within 10 s of starting it again.
import {afterAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
const vip = profile.instances[0]!.vips[0]!.address;

async function holders(): Promise<string[]> {
	const found: string[] = [];
	for (const d of ['dir1', 'dir2']) {
		const r = await pool.exec(d, ['ip', '-o', '-4', 'addr', 'show'], {timeoutMs: 2000});
		if (r.stdout.includes(` ${vip}/`)) found.push(d);
	}
	return found;
}

afterAll(async () => {
	// Whatever happened, leave keepalived running on dir1.
	await pool.exec('dir1', profile.keepalived.start).catch(() => undefined);
	await pool.close();
});

describe('VRRP failover in the lab', () => {
	it('the VIP is on dir1, moves to dir2 when keepalived stops, and comes back when it starts', async () => {
		expect(await holders()).toEqual(['dir1']);

		const stop = await pool.exec('dir1', profile.keepalived.stop);
		expect(stop.code).toBe(0);
		const moved = await waitFor(holders, (h) => h.length === 1 && h[0] === 'dir2', {timeoutMs: 5000, what: 'the VIP on dir2 only'});
		expect(moved.elapsedMs).toBeLessThan(5000);

		const start = await pool.exec('dir1', profile.keepalived.start);
		expect(start.code).toBe(0);
		const back = await waitFor(holders, (h) => h.length === 1 && h[0] === 'dir1', {timeoutMs: 10_000, what: 'the VIP back on dir1 only'});
		expect(back.elapsedMs).toBeLessThan(10_000);
	});
});

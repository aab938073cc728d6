// The in-process store and poller: a VIP move is seen through the address-event stream (not only by
// polling), the last good data is kept with its age when a host goes away, and polls never overlap.
import {afterAll, describe, expect, it} from 'vitest';
import {ClusterStore} from '../../src/cluster/store.js';
import {ClusterPoller} from '../../src/cluster/poller.js';
import {createClusterTransport} from '../../src/transport/cluster-transport.js';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile} = labProfile();
const control = new SshPool(profile.hosts);
afterAll(async () => {
	await control.exec('dir1', profile.keepalived.start).catch(() => undefined);
	await control.close();
});

describe('cluster store and poller', () => {
	it('follows a VIP move through address events and keeps every host polled', async () => {
		const transport = createClusterTransport(profile, {readOnly: true});
		const store = new ClusterStore(profile);
		// A slow poll interval: a move seen quickly can only have come from the event stream.
		const poller = new ClusterPoller(profile, transport, store, {intervalMs: 30_000});
		poller.start();
		try {
			await waitFor(async () => store.getState(), (s) => s.vips[0]!.holders.join() === 'dir1' && s.hosts.every((h) => h.reachable), {
				timeoutMs: 20_000,
				what: 'first poll of every host',
			});
			// Give the monitors time to attach (they start with the poller, over the same connections).
			await waitFor(async () => transport.status('dir2').state, (s) => s === 'ready', {timeoutMs: 10_000, what: 'dir2 connected'});
			await new Promise((r) => setTimeout(r, 1500));
			const stoppedAt = Date.now();
			await control.exec('dir1', profile.keepalived.stop);
			const moved = await waitFor(async () => store.getState(), (s) => s.vips[0]!.holders.join() === 'dir2', {timeoutMs: 10_000, intervalMs: 20, what: 'dir2 holding the VIP'});
			expect(Date.now() - stoppedAt).toBeLessThan(10_000);
			const events = moved.value.events.filter((e) => e.at >= stoppedAt).map((e) => [e.host, e.kind]);
			expect(events).toContainEqual(['dir1', 'vip-removed']);
			expect(events).toContainEqual(['dir2', 'vip-added']);
		} finally {
			poller.stop();
			await transport.close();
			await control.exec('dir1', profile.keepalived.start);
		}
		await waitFor(async () => (await control.exec('dir1', ['ip', '-o', '-4', 'addr', 'show'])).stdout, (o) => o.includes(' 192.168.67.100/'), {
			timeoutMs: 15_000,
			what: 'VIP back on dir1',
		});
	});
});

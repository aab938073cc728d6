// VIP-move detection latency with address events vs polling alone, each measured against the time
// the move really happened (the kernel's timestamp from a reference `ip -ts monitor` on the new holder).
import {ClusterPoller} from '../src/cluster/poller.js';
import {ClusterStore} from '../src/cluster/store.js';
import type {Profile} from '../src/profile/model.js';
import {SshPool} from '../src/transport/ssh-pool.js';
import {createClusterTransport} from '../src/transport/cluster-transport.js';
import {median} from './parse.js';

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 5));
	}
}

/** `[2026-11-21T10:51:52.123456]` from `ip -ts monitor` into epoch ms. */
function parseTs(line: string): number | undefined {
	const m = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)\]/.exec(line);
	// Local time on both sides: the lab hosts read the host's own /etc/localtime.
	return m ? Date.parse(m[1]!.slice(0, 23)) : undefined;
}

async function oneMove(profile: Profile, control: SshPool, events: boolean, from: string, to: string): Promise<number> {
	const vip = profile.instances[0]!.vips[0]!.address;
	const transport = createClusterTransport(profile, {readOnly: true});
	const store = new ClusterStore(profile);
	const poller = new ClusterPoller(profile, transport, store, {intervalMs: 1000, events});
	const reference = new AbortController();
	let movedAt: number | undefined;
	// Reference clock: the new holder's kernel reports the address with a timestamp (UML shares the host clock).
	const ref = control.exec(to, ['ip', '-ts', '-o', 'monitor', 'address'], {
		timeoutMs: 0,
		signal: reference.signal,
		onStdoutLine: (line) => {
			if (movedAt === undefined && !line.includes('Deleted') && line.includes(` ${vip}/`)) movedAt = parseTs(line);
		},
	});
	poller.start();
	try {
		await until(() => store.getState().vips[0]!.holders.join() === from && store.getState().hosts.every((h) => h.reachable), 30_000, 'first poll');
		await new Promise((r) => setTimeout(r, 1500));
		// The moment the store first shows the new holder (the stop command itself returns later).
		let seenAt: number | undefined;
		const unsubscribe = store.subscribe((s) => {
			if (seenAt === undefined && s.vips[0]!.holders.includes(to)) seenAt = Date.now();
		});
		await control.exec(from, profile.keepalived.stop);
		await until(() => seenAt !== undefined, 15_000, `${to} holding the VIP`);
		unsubscribe();
		await until(() => movedAt !== undefined, 5000, 'the reference timestamp');
		return seenAt! - movedAt!;
	} finally {
		poller.stop();
		await transport.close();
		reference.abort();
		await ref.catch(() => undefined);
		await control.exec(from, profile.keepalived.start);
		await until(async () => (await control.exec(from, ['ip', '-o', 'addr', 'show'])).stdout.includes(` ${vip}/`), 20_000, 'VIP back');
	}
}

export async function benchVipDetection(profile: Profile, log: (line: string) => void): Promise<Record<string, unknown>> {
	const control = new SshPool(profile.hosts);
	const [first, second] = profile.instances[0]!.members.map((m) => m.director);
	const results: Record<string, number[]> = {events: [], polling: []};
	try {
		for (let i = 0; i < 3; i++) {
			for (const mode of ['events', 'polling'] as const) {
				const ms = await oneMove(profile, control, mode === 'events', first!, second!);
				results[mode]!.push(ms);
				log(`${mode}: VIP move seen ${ms} ms after it happened`);
			}
		}
	} finally {
		await control.close();
	}
	return {
		pollIntervalMs: 1000,
		eventsMedianMs: median(results['events']!),
		pollingMedianMs: median(results['polling']!),
		eventsRunsMs: results['events'],
		pollingRunsMs: results['polling'],
		targetEventsMs: 250,
	};
}

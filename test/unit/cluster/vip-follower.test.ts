// The one address follower: each `ip -o monitor address` line becomes an event timed when it arrived;
// a monitor that ends is attached again (after the caller's delay, and with a catch-up read for
// VipFollower); the poller feeds the events into the store. The monitors here are scripted.
import {describe, expect, it} from 'vitest';
import {AddressMonitor, VipFollower, type IpMonitorEvent} from '../../../src/cluster/vip-follower.js';
import {ClusterPoller} from '../../../src/cluster/poller.js';
import {ClusterStore} from '../../../src/cluster/store.js';
import type {ExecOptions, ExecResult} from '../../../src/transport/types.js';
import {FakeTransport, ok} from '../../helpers/fake-transport.js';
import {waitFor} from '../../helpers/wait-for.js';
import {labProfile} from './fixture-state.js';

const VIP = '192.168.67.100';
const added = (ifname = 'eth0') => `2: ${ifname}    inet ${VIP}/24 scope global secondary ${ifname}:1\\       valid_lft forever preferred_lft forever`;
const deleted = () => `Deleted ${added()}`;

/** Directors whose monitors the test drives: emit a line, end a monitor; `ip -o addr show` answers `holds`. */
class ScriptedDirectors extends FakeTransport {
	private readonly monitors = new Map<string, {options: ExecOptions; end: () => void}>();
	readonly holds = new Set<string>();

	constructor() {
		super((host, argv, options) => (argv.includes('monitor') ? this.attach(host, options ?? {}) : ok(this.holds.has(host) ? `2: eth0    inet ${VIP}/24 scope global eth0\n` : '')));
	}

	private attach(host: string, options: ExecOptions): Promise<ExecResult> {
		return new Promise((resolve) => {
			const end = () => {
				this.monitors.delete(host);
				resolve({code: null, stdout: '', stderr: '', timedOut: false, aborted: true, durationMs: 1});
			};
			options.signal?.addEventListener('abort', end, {once: true});
			this.monitors.set(host, {options, end});
		});
	}

	attached(host: string): boolean {
		return this.monitors.has(host);
	}

	emit(host: string, line: string): void {
		this.monitors.get(host)?.options.onStdoutLine?.(line);
	}

	end(host: string): void {
		this.monitors.get(host)?.end();
	}

	monitorsStarted(host: string): number {
		return this.calls.filter((c) => c.host === host && c.argv.includes('monitor')).length;
	}
}

const attachedTo = (t: ScriptedDirectors, host: string, n: number) =>
	waitFor(async () => t.attached(host) && t.monitorsStarted(host), (m) => m === n, {timeoutMs: 5000, intervalMs: 5, what: `${host}'s monitor attached ${n} times`});

describe('address monitor', () => {
	it('times each event when its line arrives, skips other lines, attaches again after the delay for its run of short runs', async () => {
		const t = new ScriptedDirectors();
		const events: Array<{director: string; event: IpMonitorEvent; at: number}> = [];
		const delays: number[] = [];
		const monitor = new AddressMonitor(t, ['dir1', 'dir2'], {onEvent: (director, event, at) => events.push({director, event, at}), retryDelayMs: (n) => (delays.push(n), 1), longRunMs: 60_000});
		monitor.start();
		await attachedTo(t, 'dir2', 1);
		const before = Date.now();
		t.emit('dir2', added());
		t.emit('dir2', 'not an address line');
		expect(events).toEqual([{director: 'dir2', event: {kind: 'added', addr: expect.objectContaining({address: VIP, ifname: 'eth0'})}, at: expect.any(Number)}]);
		expect(events[0]!.at).toBeGreaterThanOrEqual(before);
		t.end('dir2');
		await attachedTo(t, 'dir2', 2);
		t.end('dir2');
		await attachedTo(t, 'dir2', 3);
		expect(delays).toEqual([1, 2]);
		expect(t.monitorsStarted('dir1')).toBe(1);
		await monitor.stop();
		expect(t.attached('dir1') || t.attached('dir2')).toBe(false);
	});
});

describe('VIP follower', () => {
	it('reads the holders after attaching, follows moves, and reads again after a reattach', async () => {
		const t = new ScriptedDirectors();
		t.holds.add('dir1');
		const changes: string[][] = [];
		const follower = new VipFollower(t, VIP, ['dir1', 'dir2'], (holders) => changes.push(holders));
		await follower.start();
		expect(follower.holders()).toEqual(['dir1']);
		t.emit('dir1', deleted());
		t.emit('dir2', added());
		expect(changes).toEqual([['dir1'], [], ['dir2']]);
		// dir1 takes it back while dir2's monitor is gone: the read after the reattach sees it
		t.holds.clear();
		t.holds.add('dir1');
		t.end('dir1');
		t.end('dir2');
		await waitFor(async () => follower.holders(), (h) => h.join() === 'dir1', {timeoutMs: 5000, intervalMs: 5, what: 'the read after the reattach'});
		await follower.stop();
	});
});

describe('the poller follows addresses through the same monitor', () => {
	it('an event moves the VIP in the store and is logged', async () => {
		const t = new ScriptedDirectors();
		const store = new ClusterStore(labProfile);
		const poller = new ClusterPoller(labProfile, t, store, {intervalMs: 60_000, portCheck: false});
		poller.start();
		await attachedTo(t, 'dir2', 1);
		await waitFor(async () => store.host('dir2')?.director !== undefined, (x) => x, {timeoutMs: 5000, intervalMs: 5, what: 'dir2 polled'});
		t.emit('dir2', added());
		expect(store.getState().vips.find((v) => v.vip === VIP)?.holders).toContain('dir2');
		expect(store.getState().events.at(-1)?.message).toBe(`${VIP} added on dir2 (eth0)`);
		poller.stop();
	});
});

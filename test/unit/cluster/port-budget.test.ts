// The station probes at most STATION_PORT_PROBES_PER_S real-server ports a second, whatever it watches:
// the spacing is a pure function of the profiles, and the poller keeps a real server's last answers
// between its port checks (real TCP connects to a listener here, counted).
import net from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {ClusterPoller} from '../../../src/cluster/poller.js';
import {ClusterStore} from '../../../src/cluster/store.js';
import {portCheckSpacingMs, probedPorts, spreadOffsetMs, STATION_PORT_PROBES_PER_S} from '../../../src/cluster/port-budget.js';
import type {Profile} from '../../../src/profile/model.js';
import {labProfile} from './fixture-state.js';
import {FakeTransport, ok} from '../../helpers/fake-transport.js';
import {waitFor} from '../../helpers/wait-for.js';

describe('portCheckSpacingMs', () => {
	it('is the interval while the ports fit the budget', () => {
		expect(probedPorts([labProfile])).toBeGreaterThan(0);
		expect(portCheckSpacingMs([labProfile], 1000)).toBe(1000);
		expect(portCheckSpacingMs([labProfile], 250)).toBe(250);
	});

	it('is a whole multiple of the interval over the budget, shared by every cluster watched', () => {
		const perCluster = probedPorts([labProfile]);
		const over = Math.ceil((STATION_PORT_PROBES_PER_S * 2.5) / perCluster);
		const fleet = Array.from({length: over}, () => labProfile);
		expect(portCheckSpacingMs(fleet, 1000)).toBe(3000);
		// polling twice as often probes twice as many ports a second
		expect(portCheckSpacingMs(fleet, 500)).toBe(500 * Math.ceil((2 * over * perCluster) / STATION_PORT_PROBES_PER_S));
	});
});

describe('spreadOffsetMs', () => {
	it('is 0 while the spacing is one interval', () => {
		expect(spreadOffsetMs('192.168.67.10', 1000, 1000)).toBe(0);
		expect(spreadOffsetMs('192.168.67.10', 0, 1000)).toBe(0);
	});

	it('is a whole number of intervals below the spacing, the same for an address every time', () => {
		for (const a of ['192.168.67.10', '10.0.0.1', 'fd00::10']) {
			const offset = spreadOffsetMs(a, 15_000, 1000);
			expect(offset % 1000).toBe(0);
			expect(offset).toBeGreaterThanOrEqual(0);
			expect(offset).toBeLessThan(15_000);
			expect(spreadOffsetMs(a, 15_000, 1000)).toBe(offset);
		}
	});

	it("spreads a fleet's addresses evenly over the spacing's intervals", () => {
		// 100 clusters of 20 real servers (the fleet bench's addresses) over 15 intervals.
		const bySlot = new Map<number, number>();
		for (let c = 1; c <= 100; c++) for (let h = 3; h <= 22; h++) {
			const slot = spreadOffsetMs(`127.1.${c}.${h}`, 15_000, 1000) / 1000;
			bySlot.set(slot, (bySlot.get(slot) ?? 0) + 1);
		}
		expect(bySlot.size).toBe(15);
		const even = 2000 / 15;
		for (const n of bySlot.values()) expect(Math.abs(n - even)).toBeLessThan(even * 0.3);
	});
});

let listener: net.Server | undefined;
let poller: ClusterPoller | undefined;
afterEach(async () => {
	poller?.stop();
	await new Promise((r) => (listener ? listener.close(r) : r(undefined)));
	listener = undefined;
});

/** rs1 alone on 127.0.0.1, serving one TCP port where a listener counts the station's connects. */
async function rs1WithCountedPort(): Promise<{profile: Profile; connects: () => number}> {
	let connects = 0;
	listener = net.createServer((s) => {
		connects++;
		s.destroy();
	});
	await new Promise<void>((r) => listener!.listen(0, '127.0.0.1', r));
	const port = (listener.address() as net.AddressInfo).port;
	const rs1 = labProfile.hosts.find((h) => h.name === 'rs1')!;
	const vs = labProfile.virtualServers.find((v) => v.protocol === 'TCP')!;
	const profile: Profile = {
		...labProfile,
		hosts: [{...rs1, address: '127.0.0.1'}],
		virtualServers: [{...vs, realServers: [{...vs.realServers.find((r) => r.host === 'rs1')!, port}]}],
	};
	return {profile, connects: () => connects};
}

function start(profile: Profile, portCheckSpacingMs?: number) {
	const fake = new FakeTransport(() => ok('flags.lo=0x9\n\n@@lvsdeck-service 0\n'));
	const store = new ClusterStore(profile);
	poller = new ClusterPoller(profile, fake, store, {intervalMs: 100, events: false, realServerStreams: false, ...(portCheckSpacingMs ? {portCheckSpacingMs} : {})});
	poller.start();
	const polls = () => fake.calls.length;
	const ports = () => store.getState().hosts[0]!.realServer?.ports;
	return {polls, ports};
}

describe('the poller within the port budget', () => {
	it('checks the ports on every poll by default', async () => {
		const {profile, connects} = await rs1WithCountedPort();
		const {polls} = start(profile);
		await waitFor(async () => polls(), (n) => n >= 8, {timeoutMs: 10_000, what: 'eight polls'});
		poller!.stop();
		await waitFor(async () => connects(), (n) => n >= polls() - 1, {timeoutMs: 5000, what: 'a connect per poll'});
	});

	it('with a spacing, checks each real server\'s ports that often and keeps the last answers between', async () => {
		const {profile, connects} = await rs1WithCountedPort();
		const {polls, ports} = start(profile, 600);
		await waitFor(async () => polls(), (n) => n >= 12, {timeoutMs: 10_000, what: 'twelve polls'});
		poller!.stop();
		const n = polls();
		// about one check in six polls (the first poll checks, and the second comes up to a spacing
		// sooner, where the address falls in it): 12 polls of 100 ms make two to four
		expect(connects()).toBeGreaterThanOrEqual(2);
		expect(connects()).toBeLessThanOrEqual(Math.ceil(n / 6) + 2);
		// the answers shown between checks are the last ones, not unknown
		expect(ports()?.[0]?.answering).toBe(true);
	});

	it('a real server whose stream reports a change is checked at once, whatever the spacing', async () => {
		const {profile, connects} = await rs1WithCountedPort();
		let emit: ((line: string) => void) | undefined;
		const frame = (code: number) => ['flags.lo=0x9', '', `@@lvsdeck-service ${code}`, '@@lvsdeck-frame'].forEach((l) => emit!(l));
		const streamed = new FakeTransport(async (_host, argv, options) => {
			if (argv[3] !== 'lvsdeck-rs-stream') return ok('flags.lo=0x9\n\n@@lvsdeck-service 0\n');
			emit = options!.onStdoutLine!;
			frame(0);
			const beat = setInterval(() => emit!('@@lvsdeck-same'), 100);
			await new Promise((resolve) => options!.signal!.addEventListener('abort', resolve, {once: true}));
			clearInterval(beat);
			return {...ok(''), code: null};
		});
		const store = new ClusterStore(profile);
		poller = new ClusterPoller(profile, streamed, store, {intervalMs: 100, events: false, portCheckSpacingMs: 60_000});
		poller.start();
		const rs1 = () => store.getState().hosts[0]!;
		await waitFor(async () => emit !== undefined && rs1().realServer?.serviceActive === true, (x) => x, {timeoutMs: 10_000, what: 'rs1 read from its stream'});
		// (the stream's first frame is a change too, checked by the next poll: let two go by)
		const attachedAt = rs1().lastOkAt!;
		await waitFor(async () => rs1().lastOkAt!, (at) => at >= attachedAt + 200, {timeoutMs: 10_000, what: 'two polls after the first frame'});
		const before = connects();
		const okAt = rs1().lastOkAt!;
		await waitFor(async () => rs1().lastOkAt!, (at) => at >= okAt + 300, {timeoutMs: 10_000, what: 'more polls from the stream'});
		expect(connects()).toBe(before);
		frame(3);
		await waitFor(async () => rs1().realServer?.serviceActive, (a) => a === false, {timeoutMs: 5000, what: 'the change'});
		await waitFor(async () => connects(), (n) => n === before + 1, {timeoutMs: 5000, what: 'a port check with the change'});
	});

	it('a real server back from unreachable is checked with its first good poll', async () => {
		const {profile, connects} = await rs1WithCountedPort();
		let down = false;
		const fake = new FakeTransport(() => (down ? {code: null, stdout: '', stderr: '', timedOut: true, durationMs: 0} : ok('flags.lo=0x9\n\n@@lvsdeck-service 0\n')));
		const store = new ClusterStore(profile);
		poller = new ClusterPoller(profile, fake, store, {intervalMs: 100, events: false, realServerStreams: false, portCheckSpacingMs: 60_000});
		poller.start();
		const rs1 = () => store.getState().hosts[0]!;
		await waitFor(async () => rs1().reachable, (r) => r, {timeoutMs: 10_000, what: 'rs1 read'});
		const before = connects();
		down = true;
		await waitFor(async () => rs1().reachable, (r) => !r, {timeoutMs: 10_000, what: 'rs1 unreachable'});
		const whileDown = connects();
		down = false;
		await waitFor(async () => rs1().reachable, (r) => r, {timeoutMs: 10_000, what: 'rs1 back'});
		await waitFor(async () => connects(), (n) => n > whileDown, {timeoutMs: 5000, what: 'a port check on its return'});
		expect(connects()).toBeGreaterThan(before);
	});

	it('a poll that is not routine (status, drills) always checks afresh', async () => {
		const {profile, connects} = await rs1WithCountedPort();
		const {polls} = start(profile, 60_000);
		await waitFor(async () => polls(), (n) => n >= 3, {timeoutMs: 10_000, what: 'three polls'});
		await waitFor(async () => connects(), (n) => n === 1, {timeoutMs: 5000, what: 'the first check'});
		await poller!.pollHost(profile.hosts[0]!);
		await waitFor(async () => connects(), (n) => n === 2, {timeoutMs: 5000, what: 'the fresh check'});
	});
});

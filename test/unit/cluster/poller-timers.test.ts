// A host's routine polls re-arm one timer (Timeout.refresh) while the wait between them stays the same,
// instead of making a timer a poll: at a fleet's thousands of polls a second each timer lived an
// interval and was garbage the old generation had to collect. Real timers at a short interval; the
// fake hosts answer at once, so nearly every wait is the whole interval.
import {afterEach, describe, expect, it, vi} from 'vitest';
import {ClusterPoller} from '../../../src/cluster/poller.js';
import {ClusterStore} from '../../../src/cluster/store.js';
import {labProfile} from './fixture-state.js';
import {FakeTransport} from '../../helpers/fake-transport.js';
import {waitFor} from '../../helpers/wait-for.js';

const INTERVAL_MS = 40;

describe('routine poll timers', () => {
	let poller: ClusterPoller | undefined;
	afterEach(() => {
		poller?.stop();
		vi.restoreAllMocks();
	});

	it('are re-armed, not made anew, while the wait stays the same; polls keep coming at the interval', async () => {
		const fake = new FakeTransport();
		const store = new ClusterStore(labProfile);
		poller = new ClusterPoller(labProfile, fake, store, {intervalMs: INTERVAL_MS, events: false, portCheck: false, realServerStreams: false, directorStreams: false, heartbeats: false});
		const pollTimers = vi.spyOn(globalThis, 'setTimeout');
		const polls = () => fake.calls.filter((c) => c.host === 'rs1').length;
		poller.start();
		await waitFor(async () => polls(), (n) => n >= 12, {timeoutMs: 5000, what: 'a dozen polls of rs1'});
		// The waits between polls (a quarter of the interval or more); a command's own timeout is longer.
		const made = pollTimers.mock.calls.filter(([, ms]) => typeof ms === 'number' && ms >= INTERVAL_MS / 4 && ms <= INTERVAL_MS).length;
		const hosts = labProfile.hosts.filter((h) => h.role === 'director' || h.role === 'realserver').length;
		// One timer per host and per change of wait (a poll that took a millisecond), not one per poll.
		expect(made).toBeLessThan((hosts * polls()) / 2);
		expect(made).toBeGreaterThanOrEqual(hosts);
	});

	it('stop ends them: no poll after it', async () => {
		const fake = new FakeTransport();
		poller = new ClusterPoller(labProfile, fake, new ClusterStore(labProfile), {intervalMs: INTERVAL_MS, events: false, portCheck: false, realServerStreams: false, directorStreams: false, heartbeats: false});
		poller.start();
		await waitFor(async () => fake.calls.filter((c) => c.host === 'rs1').length, (n) => n >= 3, {timeoutMs: 5000, what: 'three polls of rs1'});
		poller.stop();
		const after = fake.calls.length;
		await new Promise((r) => setTimeout(r, INTERVAL_MS * 4));
		expect(fake.calls.length).toBe(after);
	});
});

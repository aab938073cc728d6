// Watch as a session: the plan checks the target against the profile, the traffic runs from start to
// the caller's abort with the tally in its events, and the report comes from that one tally. The
// console's watcher flow is a sink of the same session. The traffic here is a scripted source: no
// request leaves this process.
import {describe, expect, it} from 'vitest';
import {ClusterStore} from '../../../src/cluster/store.js';
import {ActionLog} from '../../../src/ui/action-log.js';
import {FlowStore} from '../../../src/ui/console/flow.js';
import {startWatchFlow} from '../../../src/ui/console/drill-flow.js';
import {drillSessions} from '../../../src/actions/drills/session.js';
import {summarize, type RequestRecord, type TrafficWatcher} from '../../../src/actions/watcher.js';
import type {TrafficSpec} from '../../../src/actions/traffic.js';
import {planWatch, watchSessions, watchSession, type WatchEvent} from '../../../src/actions/watch/session.js';
import type {Transport} from '../../../src/transport/types.js';
import {waitFor} from '../../helpers/wait-for.js';
import {labProfile} from '../cluster/fixture-state.js';

const NO_TRANSPORT = {} as Transport;

/** Traffic that answers `script` at once when started (start times relative to now); records the spec it was made from. */
function scriptedTraffic(script: ReadonlyArray<Pick<RequestRecord, 'outcome' | 'backend'>>, error?: string) {
	const specs: TrafficSpec[] = [];
	let stopped = 0;
	const factory = (spec: TrafficSpec): TrafficWatcher => {
		specs.push(spec);
		const listeners = new Set<(r: RequestRecord) => void>();
		return {
			records: [],
			error,
			onRecord(listener) {
				listeners.add(listener);
				return () => listeners.delete(listener);
			},
			start() {
				const now = Date.now();
				script.forEach((r, i) => {
					for (const l of listeners) l({start: now + i, end: now + i + 2, outcome: r.outcome, ...(r.backend ? {backend: r.backend} : {error: 'ECONNREFUSED'})});
				});
			},
			async stop() {
				stopped++;
				return summarize([], 0, 1);
			},
			summary: () => summarize([], 0, 1),
		};
	};
	return {factory, specs, stopped: () => stopped};
}

const ANSWERS = [{outcome: 'ok', backend: 'rs1'}, {outcome: 'ok', backend: 'rs2'}, {outcome: 'failed'}, {outcome: 'ok', backend: 'rs1'}] as const;

describe('watch plan', () => {
	it('names the service, the URL, where the requests start and the weights', () => {
		const plan = planWatch(labProfile, {service: '192.168.67.100:80', path: '/health', from: 'client1', rate: 50});
		expect({url: plan.url, from: plan.from, rate: plan.rate, weights: plan.weights}).toEqual({url: 'http://192.168.67.100:80/health', from: 'client1', rate: 50, weights: {rs1: 1, rs2: 1}});
		const defaults = planWatch(labProfile, {});
		expect({url: defaults.url, from: defaults.from, rate: defaults.rate}).toEqual({url: 'http://192.168.67.100:80/', from: 'this station', rate: 20});
	});

	it('a VIP without a TCP service falls back to the first one; a wrong service or client host is refused', () => {
		expect(planWatch(labProfile, {vip: '192.168.67.199'}).vs.vip).toBe('192.168.67.100');
		expect(() => planWatch(labProfile, {service: '192.168.67.100:81'})).toThrow(/--service 192\.168\.67\.100:81: not a virtual service/);
		expect(() => planWatch(labProfile, {from: 'rs1'})).toThrow(/--from rs1: a real server answers the VIP itself/);
		expect(() => planWatch(labProfile, {from: 'nosuch'})).toThrow(/--from nosuch: no such host/);
	});
});

describe('watch session', () => {
	it('starts the planned traffic, shows its tally, stops on abort and reports from the same tally', async () => {
		const traffic = scriptedTraffic(ANSWERS);
		const session = watchSession(planWatch(labProfile, {from: 'client1', rate: 30, timeoutMs: 700}), NO_TRANSPORT, traffic.factory);
		const events: WatchEvent[] = [];
		const stop = new AbortController();
		const running = session.run(stop.signal, (e) => events.push(e));
		expect(traffic.specs).toEqual([{url: 'http://192.168.67.100:80/', rate: 30, timeoutMs: 700, keepRecords: false, from: {transport: NO_TRANSPORT, host: 'client1'}}]);
		const started = events[0];
		expect(started?.kind).toBe('started');
		expect(started?.kind === 'started' && started.tally.snapshot(Date.now()).total).toBe(4);
		expect(traffic.stopped()).toBe(0);
		stop.abort();
		const {report, final} = await running;
		expect(traffic.stopped()).toBe(1);
		expect(report).toMatchObject({url: 'http://192.168.67.100:80/', from: 'client1', rate: 30, requests: {total: 4, ok: 3, failed: 1, timeouts: 0, perBackend: {rs1: 2, rs2: 1}}, weights: {rs1: 1, rs2: 1}, error: null});
		expect(Object.keys(report)).toEqual(['url', 'mode', 'backendSource', 'from', 'rate', 'durationMs', 'requests', 'weights', 'sharesPerClient', 'latencyP50Ms', 'latencyP99Ms', 'longestGapMs', 'requestsPerSecond', 'error']);
		expect(final.total).toBe(4);
	});

	it('sends progress events with the tally and a dead traffic source’s error; the report keeps the error', async () => {
		const traffic = scriptedTraffic(ANSWERS.slice(0, 2), 'client1: curl: not found');
		const stop = new AbortController();
		const events: WatchEvent[] = [];
		const running = watchSession(planWatch(labProfile, {}), NO_TRANSPORT, traffic.factory).run(stop.signal, (e) => events.push(e));
		const {value: progress} = await waitFor(async () => events.find((e) => e.kind === 'progress'), (e) => e !== undefined, {timeoutMs: 5000, what: 'a progress event'});
		stop.abort();
		expect(progress).toMatchObject({kind: 'progress', error: 'client1: curl: not found', snapshot: {total: 2, ok: 2}});
		expect((await running).report.error).toBe('client1: curl: not found');
	});
});

describe('the console’s watcher flow is a sink of the session', () => {
	it('runs the session on the selected VIP until the abort key and shows the final tally', async () => {
		const traffic = scriptedTraffic(ANSWERS);
		const flow = new FlowStore();
		const log = new ActionLog();
		const ctx = {profile: labProfile, drills: drillSessions(labProfile, NO_TRANSPORT), watches: watchSessions(labProfile, NO_TRANSPORT, traffic.factory), log, store: new ClusterStore(labProfile), selectedKey: 'vip|192.168.67.100'};
		startWatchFlow(flow, ctx);
		await waitFor(async () => traffic.specs.length, (n) => n === 1, {timeoutMs: 5000, intervalMs: 5, what: 'the traffic'});
		expect(traffic.specs[0]).toEqual({url: 'http://192.168.67.100:80/', rate: 20, timeoutMs: 1000, keepRecords: false});
		expect(flow.get()?.phase).toBe('working');
		flow.abort();
		await waitFor(async () => flow.get()?.phase, (p) => p === 'done', {timeoutMs: 5000, intervalMs: 5, what: 'the stop'});
		expect(traffic.stopped()).toBe(1);
		expect(flow.get()!.lines.at(-1)).toMatch(/^stopped: \d+s: 4 requests/);
		expect(log.list().map((e) => e.text)).toEqual(['watcher: started against http://192.168.67.100:80/', expect.stringMatching(/^watcher: \d+s: 4 requests/)]);
		flow.close();
	});
});

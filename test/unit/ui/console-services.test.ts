// The console's drill and watcher flows on services that are not HTTP: an IPVS service row (or a real
// server under it) picks TCP 9000 or UDP 9053, the drill and the watcher run on that service in its
// own mode (tcp, udp), and the flow says which. No request leaves this process: the engine and the
// traffic are scripted.
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadProfile} from '../../../src/profile/load.js';
import type {Profile} from '../../../src/profile/model.js';
import {ClusterStore} from '../../../src/cluster/store.js';
import {ActionLog} from '../../../src/ui/action-log.js';
import {FlowStore} from '../../../src/ui/console/flow.js';
import {pickTarget, startDrillFlow, startWatchFlow, type ConsoleDrillKind} from '../../../src/ui/console/drill-flow.js';
import {drillSessions} from '../../../src/actions/drills/session.js';
import type {DrillCommonOptions} from '../../../src/actions/drills/common.js';
import type {DrillSpec} from '../../../src/actions/drills/run.js';
import {drillReport, type DrillReport} from '../../../src/actions/drills/drill-report.js';
import {summarize, type TrafficWatcher} from '../../../src/actions/watcher.js';
import type {TrafficSpec} from '../../../src/actions/traffic.js';
import {watchSessions, type WatchRequest} from '../../../src/actions/watch/session.js';
import type {Transport} from '../../../src/transport/types.js';
import {waitFor} from '../../helpers/wait-for.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const lab = loadProfile(path.join(ROOT, 'profiles', 'lab.yaml'));
const NO_TRANSPORT = {} as Transport;
const VIP = '192.168.67.100';

const REPORT: DrillReport = drillReport(
	'rs-health',
	{profile: 'lab', verdict: 'pass', reasons: [], requests: {total: 10, failed: 0, timeouts: 0, perBackend: {rs1: 5, rs2: 5}}, longestGapMs: 0, latencyP50Ms: 1, latencyP99Ms: 2, restored: true, startedAt: '', endedAt: '', durationMs: 1, timeline: []},
	{instance: 'x', service: 'x', vip: VIP, target: 'rs2', takeover: 'dir1'},
	{failoverMs: 1, removalMs: 1, vipLeftMs: null, expectedBoundMs: 8000, splitBrainMs: 0 as const, returnMs: 1, preempt: '-' as const, keepalivedTransitionAt: null, measuredMinusKeepalivedMs: null},
	{failedAfterRemoval: 0, toTargetAfterRemoval: 0},
);

/** An engine that records the spec, asks the confirmation (cancelled: nothing more to script) and reports. */
function scriptedEngine() {
	const specs: DrillSpec[] = [];
	const run = async (_p: Profile, _t: Transport, spec: DrillSpec, common: DrillCommonOptions) => {
		specs.push(spec);
		await common.confirm?.('stop it; then start it again');
		return REPORT;
	};
	return {specs, run};
}

/** Traffic that answers nothing and records the spec it was made from. */
function silentTraffic() {
	const specs: TrafficSpec[] = [];
	const factory = (spec: TrafficSpec): TrafficWatcher => {
		specs.push(spec);
		return {records: [], error: undefined, onRecord: () => () => undefined, start: () => undefined, stop: async () => summarize([], 0, 1), summary: () => summarize([], 0, 1)};
	};
	return {factory, specs};
}

describe('console targets: an IPVS service row picks the service', () => {
	it('a service row picks it and its instance; a real server under it also the real server', () => {
		expect(pickTarget(lab, `ipvs|dir1|TCP ${VIP}:9000`)).toEqual({service: `tcp:${VIP}:9000`, vip: VIP, instance: 'VI_1'});
		expect(pickTarget(lab, `ipvs|dir2|UDP ${VIP}:9053|192.168.67.20:9053`)).toEqual({service: `udp:${VIP}:9053`, vip: VIP, instance: 'VI_1', rs: 'rs2'});
		// a service the profile does not have: only the real server
		expect(pickTarget(lab, 'ipvs|dir1|TCP 10.9.9.9:1|192.168.67.10:1')).toEqual({rs: 'rs1'});
		expect(pickTarget(lab, 'ipvs|dir1|FWM 7')).toEqual({});
	});
});

async function drillFlow(kind: ConsoleDrillKind, selectedKey: string) {
	const engine = scriptedEngine();
	const flow = new FlowStore();
	startDrillFlow(flow, kind, {profile: lab, drills: drillSessions(lab, NO_TRANSPORT, engine.run), watches: watchSessions(lab, NO_TRANSPORT), log: new ActionLog(), store: new ClusterStore(lab), selectedKey});
	await waitFor(async () => flow.get()?.phase, (p) => p === 'confirm', {timeoutMs: 5000, intervalMs: 5, what: 'the confirmation'});
	const asked = flow.get()!.lines;
	flow.answer(false);
	await waitFor(async () => flow.get()?.phase, (p) => p === 'done', {timeoutMs: 5000, intervalMs: 5, what: 'the end'});
	return {specs: engine.specs, asked};
}

describe('console drill flows on TCP 9000 and UDP 9053', () => {
	it('rs-health from a UDP real-server row drills that service in udp mode, and says so', async () => {
		const {specs, asked} = await drillFlow('rs-health', `ipvs|dir1|UDP ${VIP}:9053|192.168.67.20:9053`);
		expect(specs).toEqual([{kind: 'rs-health', rs: 'rs2', service: `udp:${VIP}:9053`}]);
		expect(asked).toContain(`target: rs2 in UDP ${VIP}:9053`);
		expect(asked).toContain(`traffic: udp://${VIP}:9053, backends from the connection table`);
	});

	it('failover from a TCP 9000 service row watches it in tcp mode', async () => {
		const {specs, asked} = await drillFlow('failover', `ipvs|dir1|TCP ${VIP}:9000`);
		expect(specs).toEqual([{kind: 'failover', instance: 'VI_1', service: `tcp:${VIP}:9000`}]);
		expect(asked).toContain(`traffic: tcp://${VIP}:9000, backends from the connection table`);
	});

	it('without a service row: the HTTP service, as before, and a hint how to pick another', async () => {
		const {specs, asked} = await drillFlow('failover', 'vrrp|dir1|VI_1');
		expect(specs).toEqual([{kind: 'failover', instance: 'VI_1'}]);
		expect(asked).toContain(`traffic: http://${VIP}:80/, backends from the answers (select an IPVS service row to drill another service)`);
	});
});

describe('console watcher flow on the selected service', () => {
	for (const [row, mode, url] of [
		[`ipvs|dir1|TCP ${VIP}:9000`, 'tcp', `tcp://${VIP}:9000`],
		[`ipvs|dir1|UDP ${VIP}:9053|192.168.67.10:9053`, 'udp', `udp://${VIP}:9053`],
	] as const) {
		it(`${mode}: the watcher runs in ${mode} mode with the connection table, and shows the mode`, async () => {
			const traffic = silentTraffic();
			const requests: WatchRequest[] = [];
			const sessions = watchSessions(lab, NO_TRANSPORT, traffic.factory);
			const flow = new FlowStore();
			startWatchFlow(flow, {profile: lab, drills: drillSessions(lab, NO_TRANSPORT), watches: (r) => (requests.push(r), sessions(r)), log: new ActionLog(), store: new ClusterStore(lab), selectedKey: row});
			await waitFor(async () => traffic.specs.length, (n) => n === 1, {timeoutMs: 5000, intervalMs: 5, what: 'the traffic'});
			expect(requests).toEqual([{service: `${mode}:${VIP}:${row.includes('9000') ? 9000 : 9053}`}]);
			expect(traffic.specs[0]!.url).toBe(url);
			expect(traffic.specs[0]!.table).toBeDefined();
			expect(flow.get()!.title).toBe(`Round-robin watcher (${mode})`);
			expect(flow.get()!.lines[0]).toBe(`traffic: ${url}, ${mode} mode, backends from the connection table`);
			flow.abort();
			await waitFor(async () => flow.get()?.phase, (p) => p === 'done', {timeoutMs: 5000, intervalMs: 5, what: 'the stop'});
		});
	}
});

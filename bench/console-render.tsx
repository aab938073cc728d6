// Time to render one console frame with 1,000 real-server rows in the IPVS view, as the live console
// does it: a new cluster snapshot is published (one real server in ten has a new connection count),
// and the clock runs until Ink has written the frame (presenters, React reconcile, Yoga layout,
// output). Ink renders as in the console (not its debug mode), once with its default full redraw and
// once with its incremental rendering (only changed lines written); bytes written per frame are
// counted for both. Each is measured with the frame memory lvsdeck gives Ink (src/ui/render.ts: line
// caches and row texts kept from the last frame), as the console draws, and with Ink alone, side by
// side. Target: under 16 ms.
import {rememberFrames, renderScreen} from '../src/ui/render.js';
import path from 'node:path';
import {loadProfile} from '../src/profile/load.js';
import {packageRoot} from '../src/lab/plan.js';
import {ClusterStore} from '../src/cluster/store.js';
import {generateIpvsServices} from '../test/helpers/ipvs-synth.js';
import {ConsoleApp} from '../src/ui/console/App.js';
import {ActionLog} from '../src/ui/action-log.js';
import {RateHistory} from '../src/ui/history.js';
import {FrameSink, QuietStdin, timeFrame} from './terminal-stand-ins.js';
import {median} from './parse.js';

interface FrameResult {
	realServerRows: number;
	terminal: string;
	incremental: boolean;
	/** Frames drawn with lvsdeck's frame memory (src/ui/render.ts), or by Ink alone. */
	frameMemory: boolean;
	medianMs: number;
	p95Ms: number;
	/** CPU time (user+sys) of this process per frame: less at the mercy of other jobs than wall time. */
	cpuMedianMs: number;
	cpuP95Ms: number;
	/** The cheapest frame: what a frame costs when no other job interferes (this machine is shared). */
	cpuMinMs: number;
	bytesPerFrame: number;
}

const p95 = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

export async function frameTimes(columns: number, rows: number, incremental: boolean, frames = 50, shape: [services: number, realServers: number] = [10, 50], frameMemory = true): Promise<FrameResult> {
	rememberFrames(frameMemory);
	const profile = loadProfile(path.join(packageRoot(), 'profiles', 'lab.yaml'));
	const store = new ClusterStore(profile);
	const now = Date.now();
	for (const name of ['dir1', 'dir2']) {
		// 2 directors x 10 services x 50 real servers = 1,000 real-server rows.
		const services = generateIpvsServices(shape[0], shape[1], name === 'dir1' ? 1 : 2);
		store.updateHost(name, (prev) => ({...prev, reachable: true, lastOkAt: now, lastPollAt: now, director: {ipvs: {services, problems: []}, addresses: [], vrrp: [], keepalivedActive: true}}));
	}
	const history = new RateHistory();
	history.record(store.getState());
	const actionLog = new ActionLog();
	const rsRows = store.getState().hosts.reduce((n, h) => n + (h.director?.ipvs.services.reduce((m, s) => m + s.realServers.length, 0) ?? 0), 0);
	const sink = new FrameSink(columns, rows);
	// maxFps high enough that Ink's frame throttle never holds a frame back (frames here are sequential).
	const app = renderScreen(<ConsoleApp profile={profile} store={store} history={history} log={actionLog} size={{columns, rows}} now={now} initialView="ipvs" refreshThrottleMs={0} />, {
		stdout: sink as unknown as NodeJS.WriteStream,
		stdin: new QuietStdin() as unknown as NodeJS.ReadStream,
		maxFps: 10_000,
		incrementalRendering: incremental,
		patchConsole: false,
		exitOnCtrlC: false,
	});
	// The store subscription is attached in an effect after the first frame: let it attach.
	await new Promise((r) => setTimeout(r, 100));
	let tick = 0;
	// Not an unchanged frame (Ink writes nothing then): one real server in ten gets a new count. Each
	// update publishes; React renders both in one frame, after this task, so the clock starts at the
	// publish (the store's own work, findings and such, is the poller's, not the frame's).
	const frame = () =>
		timeFrame(sink, () => {
			tick++;
			for (const name of ['dir1', 'dir2']) store.updateHost(name, (prev) => ({...prev, director: changed(prev.director!, tick)}));
		});
	for (let i = 0; i < 10; i++) await frame();
	const runs: Array<{wall: number; cpu: number}> = [];
	const bytesBefore = sink.bytes;
	for (let i = 0; i < frames; i++) runs.push(await frame());
	const bytesPerFrame = Math.round((sink.bytes - bytesBefore) / runs.length);
	app.unmount();
	rememberFrames(true);
	const wall = runs.map((r) => r.wall);
	const cpu = runs.map((r) => r.cpu);
	return {
		realServerRows: rsRows,
		terminal: `${columns}x${rows}`,
		incremental,
		frameMemory,
		medianMs: +median(wall).toFixed(2),
		p95Ms: +p95(wall).toFixed(2),
		cpuMedianMs: +median(cpu).toFixed(2),
		cpuP95Ms: +p95(cpu).toFixed(2),
		cpuMinMs: +Math.min(...cpu).toFixed(2),
		bytesPerFrame,
	};
}

type Director = NonNullable<ReturnType<ClusterStore['getState']>['hosts'][number]['director']>;

/** The director's snapshot with the active connections of every tenth real server changed (1 and 2 in turn). */
function changed(d: Director, tick: number): Director {
	let i = 0;
	const services = d.ipvs.services.map((svc) => ({...svc, realServers: svc.realServers.map((rs) => (i++ % 10 === tick % 10 ? {...rs, activeConn: rs.activeConn === 1 ? 2 : 1} : rs))}));
	return {...d, ipvs: {...d.ipvs, services}};
}

export async function benchConsoleRender(log: (line: string) => void): Promise<Record<string, unknown>> {
	const sizes: Array<[number, number]> = [
		[80, 24],
		[120, 40],
		[160, 50],
		[200, 60],
	];
	const results: FrameResult[] = [];
	for (const [columns, rows] of sizes) {
		// Alternating, so that the machine's load falls on all modes alike.
		for (const frameMemory of [false, true])
			for (const incremental of [false, true]) {
				const r = await frameTimes(columns, rows, incremental, 50, undefined, frameMemory);
				results.push(r);
				log(`console frame, ${r.realServerRows} real-server rows, ${r.terminal}, ${incremental ? 'incremental' : 'full redraw'}, ${frameMemory ? 'with frame memory' : 'Ink alone'}: median ${r.medianMs} ms, p95 ${r.p95Ms} ms (CPU median ${r.cpuMedianMs} ms, p95 ${r.cpuP95Ms} ms, min ${r.cpuMinMs} ms), ${r.bytesPerFrame} bytes/frame (target < 16 ms)`);
			}
	}
	return {targetMs: 16, nodeEnv: process.env['NODE_ENV'] ?? '(unset)', results};
}

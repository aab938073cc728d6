// Time to render one console frame with 1,000 real-server rows in the IPVS view, as the live console
// does it: a new cluster snapshot is published, and the clock runs until Ink has written the frame
// (presenters, React reconcile, Yoga layout, output). Target: under 16 ms.
import {EventEmitter} from 'node:events';
import {render} from 'ink';
import path from 'node:path';
import {loadProfile} from '../src/profile/load.js';
import {packageRoot} from '../src/lab/plan.js';
import {ClusterStore} from '../src/cluster/store.js';
import {generateIpvsServices} from '../test/helpers/ipvs-synth.js';
import {ConsoleApp} from '../src/ui/console/App.js';
import {ActionLog} from '../src/ui/action-log.js';
import {RateHistory} from '../src/ui/history.js';
import {median} from './parse.js';

/** A terminal stand-in that reports when a frame was written. */
class FrameSink extends EventEmitter {
	readonly isTTY = false;
	constructor(
		readonly columns: number,
		readonly rows: number,
	) {
		super();
	}
	write(_chunk: string): boolean {
		this.emit('frame', performance.now());
		return true;
	}
}

/** A keyboard that never types (the console's input handling needs a raw-mode capable stdin). */
class QuietStdin extends EventEmitter {
	readonly isTTY = true;
	setRawMode(): this {
		return this;
	}
	setEncoding(): this {
		return this;
	}
	read(): null {
		return null;
	}
	ref(): this {
		return this;
	}
	unref(): this {
		return this;
	}
	resume(): this {
		return this;
	}
	pause(): this {
		return this;
	}
}

async function frameTimes(columns: number, rows: number): Promise<{realServerRows: number; terminal: string; medianMs: number; p95Ms: number}> {
	const profile = loadProfile(path.join(packageRoot(), 'profiles', 'lab.yaml'));
	const store = new ClusterStore(profile);
	const now = Date.now();
	for (const name of ['dir1', 'dir2']) {
		// 2 directors x 10 services x 50 real servers = 1,000 real-server rows.
		const services = generateIpvsServices(10, 50, name === 'dir1' ? 1 : 2);
		store.updateHost(name, (prev) => ({...prev, reachable: true, lastOkAt: now, lastPollAt: now, director: {ipvs: {services, problems: []}, addresses: [], vrrp: [], keepalivedActive: true}}));
	}
	const history = new RateHistory();
	history.record(store.getState());
	const actionLog = new ActionLog();
	const rsRows = store.getState().hosts.reduce((n, h) => n + (h.director?.ipvs.services.reduce((m, s) => m + s.realServers.length, 0) ?? 0), 0);
	const sink = new FrameSink(columns, rows);
	// debug: every frame is written whole and unthrottled, so each publish produces exactly one write.
	const app = render(<ConsoleApp profile={profile} store={store} history={history} log={actionLog} size={{columns, rows}} now={now} initialView="ipvs" refreshThrottleMs={0} />, {
		stdout: sink as unknown as NodeJS.WriteStream,
		stdin: new QuietStdin() as unknown as NodeJS.ReadStream,
		debug: true,
		patchConsole: false,
		exitOnCtrlC: false,
	});
	// The store subscription is attached in an effect after the first frame: let it attach.
	await new Promise((r) => setTimeout(r, 100));
	const frame = () =>
		new Promise<number>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('no frame was written within 5 s')), 5000);
			sink.once('frame', () => clearTimeout(timer));
			const start = performance.now();
			sink.once('frame', (at: number) => resolve(at - start));
			store.publish();
		});
	for (let i = 0; i < 10; i++) await frame();
	const runs: number[] = [];
	for (let i = 0; i < 50; i++) runs.push(await frame());
	app.unmount();
	const sorted = [...runs].sort((a, b) => a - b);
	return {realServerRows: rsRows, terminal: `${columns}x${rows}`, medianMs: +median(runs).toFixed(2), p95Ms: +sorted[Math.floor(runs.length * 0.95)]!.toFixed(2)};
}

export async function benchConsoleRender(log: (line: string) => void): Promise<Record<string, unknown>> {
	const sizes: Array<[number, number]> = [
		[80, 24],
		[120, 40],
		[160, 50],
	];
	const results = [];
	for (const [columns, rows] of sizes) {
		const r = await frameTimes(columns, rows);
		results.push(r);
		log(`console frame, ${r.realServerRows} real-server rows, ${r.terminal}: median ${r.medianMs} ms, p95 ${r.p95Ms} ms (target < 16 ms)`);
	}
	return {targetMs: 16, nodeEnv: process.env['NODE_ENV'] ?? '(unset)', results};
}

// The fleet console's overview with 100 clusters (issue 16: a fleet overview frame in under 16 ms), as
// the console draws it (Ink, not debug mode). Two figures:
// - a frame: one cluster's VIP moves to its other director (an urgent change, drawn at once); the clock
//   runs from the store's publish until Ink has written the frame;
// - a routine poll result that changes nothing on screen (its times only): what the overview spends on
//   it, since a fleet publishes about one such update per host per second (2,200 a second here);
// - a quiet fleet over 4 s: every host's times moving 10 times a second, the overview's whole cost.
// Each with the frame memory lvsdeck gives Ink (src/ui/render.ts), as the console draws, and with Ink
// alone, side by side.
import {rememberFrames, renderScreen} from '../src/ui/render.js';
import path from 'node:path';
import {loadProfile} from '../src/profile/load.js';
import {packageRoot} from '../src/lab/plan.js';
import {ClusterStore} from '../src/cluster/store.js';
import type {Profile} from '../src/profile/model.js';
import type {IfAddress} from '../src/probes/vip.js';
import {FleetApp, type FleetCluster} from '../src/ui/console/Fleet.js';
import {ActionLog} from '../src/ui/action-log.js';
import {RateHistory} from '../src/ui/history.js';
import {FrameSink, QuietStdin, timeFrame} from './terminal-stand-ins.js';
import {median} from './parse.js';

const p95 = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

/** The lab's profile under `count` cluster names, each store with every host answering and the VIP on dir1. */
function fleet(count: number): FleetCluster[] {
	const lab = loadProfile(path.join(packageRoot(), 'profiles', 'lab.yaml'));
	const now = Date.now();
	return Array.from({length: count}, (_, i) => {
		const profile: Profile = {...lab, name: `cluster-${String(i + 1).padStart(3, '0')}`};
		const store = new ClusterStore(profile);
		for (const h of profile.hosts) {
			store.updateHost(h.name, (prev) => ({
				...prev,
				reachable: true,
				lastOkAt: now,
				lastPollAt: now,
				...(h.role === 'director' ? {director: {ipvs: {services: [], problems: []}, addresses: h.name === 'dir1' ? [vipOn('eth0')] : [], vrrp: [], keepalivedActive: true}} : {}),
			}));
		}
		return {profile, store, history: new RateHistory(), log: new ActionLog()};
	});
}

const vipOn = (ifname: string): IfAddress => ({ifname, family: 'inet', address: '192.168.67.100', prefix: 24, scope: 'global', secondary: true});

/** Moves cluster `c`'s VIP to the director that does not hold it. */
function moveVip(c: FleetCluster): void {
	const onDir1 = c.store.getState().hosts.find((h) => h.name === 'dir1')!.director!.addresses.length > 0;
	for (const name of ['dir1', 'dir2']) {
		const holds = (name === 'dir1') !== onDir1;
		c.store.updateHost(name, (prev) => ({...prev, director: {...prev.director!, addresses: holds ? [vipOn('eth0')] : []}}));
	}
}

export async function fleetOverviewFrames(clusterCount: number, columns: number, rows: number, frames = 40, frameMemory = true): Promise<Record<string, number | string | boolean>> {
	rememberFrames(frameMemory);
	const clusters = fleet(clusterCount);
	const sink = new FrameSink(columns, rows);
	const app = renderScreen(<FleetApp clusters={clusters} size={{columns, rows}} now={Date.now()} refreshThrottleMs={500} />, {
		stdout: sink as unknown as NodeJS.WriteStream,
		stdin: new QuietStdin() as unknown as NodeJS.ReadStream,
		maxFps: 10_000,
		patchConsole: false,
		exitOnCtrlC: false,
	});
	await new Promise((r) => setTimeout(r, 100));
	let tick = 0;
	// A visible cluster (the first rows), so the frame has something new to write.
	const frame = () => timeFrame(sink, () => moveVip(clusters[tick++ % 10]!));
	for (let i = 0; i < 5; i++) await frame();
	const runs: Array<{wall: number; cpu: number}> = [];
	for (let i = 0; i < frames; i++) runs.push(await frame());
	// Routine polls: every host of every cluster reports a new poll time, nothing else changes.
	const hostUpdates = clusters.reduce((n, c) => n + c.profile.hosts.length, 0);
	const cpu = process.cpuUsage();
	const started = performance.now();
	const at = Date.now();
	for (const c of clusters) for (const h of c.profile.hosts) c.store.updateHost(h.name, (prev) => ({...prev, lastPollAt: at, lastOkAt: at}));
	const used = process.cpuUsage(cpu);
	const quietMs = performance.now() - started;
	const quiet = await quietFleet(clusters);
	app.unmount();
	rememberFrames(true);
	const wall = runs.map((r) => r.wall);
	return {
		clusters: clusterCount,
		terminal: `${columns}x${rows}`,
		frameMemory,
		frameMedianMs: +median(wall).toFixed(2),
		frameP95Ms: +p95(wall).toFixed(2),
		frameCpuMedianMs: +median(runs.map((r) => r.cpu)).toFixed(2),
		routineUpdates: hostUpdates,
		routineUpdateUs: +((quietMs * 1000) / hostUpdates).toFixed(1),
		routineCpuMs: +((used.user + used.system) / 1000).toFixed(1),
		quietFleetPercentOfCore: quiet,
	};
}

/**
 * A quiet fleet for 4 s: every host's poll times move every 100 ms (10 updates a host a second) and
 * nothing else; the overview's whole cost meanwhile (its updates and whatever frames it draws), as %
 * of one core.
 */
async function quietFleet(clusters: readonly FleetCluster[]): Promise<number> {
	const cpu = process.cpuUsage();
	const started = performance.now();
	while (performance.now() - started < 4000) {
		const at = Date.now();
		for (const c of clusters) for (const h of c.profile.hosts) c.store.updateHost(h.name, (prev) => ({...prev, lastPollAt: at, lastOkAt: at}));
		await new Promise((r) => setTimeout(r, 100));
	}
	const used = process.cpuUsage(cpu);
	return +((100 * (used.user + used.system)) / 1000 / (performance.now() - started)).toFixed(1);
}

export async function benchFleetOverview(log: (line: string) => void): Promise<Record<string, unknown>> {
	const results: Array<Record<string, number | string | boolean>> = [];
	for (const [columns, rows] of [
		[120, 40],
		[200, 60],
	] as const)
		for (const frameMemory of [false, true]) {
			const r = await fleetOverviewFrames(100, columns, rows, 40, frameMemory);
			results.push(r);
			log(
				`fleet overview, ${r.clusters} clusters, ${r.terminal}, ${frameMemory ? 'with frame memory' : 'Ink alone'}: a VIP move drawn in median ${r.frameMedianMs} ms, p95 ${r.frameP95Ms} ms (CPU median ${r.frameCpuMedianMs} ms; target < 16 ms); a routine poll result that changes nothing on screen: ${r.routineUpdateUs} µs each (${r.routineUpdates} in ${r.routineCpuMs} ms CPU); a quiet fleet, every host's times moving 10 times a second: ${r.quietFleetPercentOfCore}% of a core`,
			);
		}
	return {targetMs: 16, nodeEnv: process.env['NODE_ENV'] ?? '(unset)', results};
}

// The fleet console (several clusters) fed with captured lab states: the overview's rows, cursor
// selection, Enter into a cluster's own console, Esc back only when nothing is open to close, a
// cluster whose hosts are unreachable, and Esc inside a single-cluster console staying what it was.
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {ClusterStore} from '../../../src/cluster/store.js';
import type {HostState} from '../../../src/cluster/types.js';
import {ConsoleApp} from '../../../src/ui/console/App.js';
import {FleetApp, type FleetCluster} from '../../../src/ui/console/Fleet.js';
import {FlowStore} from '../../../src/ui/console/flow.js';
import {interpretInput} from '../../../src/ui/console/keys.js';
import {initialConsoleState} from '../../../src/ui/console/console-state.js';
import {ActionLog} from '../../../src/ui/action-log.js';
import {RateHistory} from '../../../src/ui/history.js';
import {sha256Hex} from '../../../src/probes/config-hash.js';
import {renderKeepalivedConf} from '../../../src/render/keepalived-conf.js';
import {healthyHosts, labProfile} from '../cluster/fixture-state.js';
import {frameUntil, KEYS, load, press} from './ink-helpers.js';

const NOW = 1_000_000;
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

/** Every host of the lab stopped answering 30 s ago. */
function unreachable(): Map<string, HostState> {
	const out = new Map<string, HostState>();
	for (const [name, h] of healthyHosts(NOW - 30_000)) out.set(name, {...h, reachable: false, lastPollAt: NOW, error: `${name}: connect ETIMEDOUT`, conn: {host: name, state: 'retrying', since: 0}});
	return out;
}

function cluster(name: string, hosts: Map<string, HostState> | undefined, flow?: FlowStore): FleetCluster {
	const profile = {...labProfile, name};
	const store = new ClusterStore(profile, () => NOW);
	// The rendered config names the cluster: the installed hash is that of this profile's render (no drift).
	if (hosts) load(store, new Map([...hosts].map(([n, h]) => [n, h.director ? {...h, director: {...h.director, configSha256: sha256Hex(renderKeepalivedConf(profile, n))}} : h])));
	return {profile, store, history: new RateHistory(), log: new ActionLog(500, () => NOW), ...(flow ? {flow, actions: {run() {}}} : {})};
}

function setup(clusters: FleetCluster[], size = {columns: 120, rows: 30}) {
	const r = render(<FleetApp clusters={clusters} size={size} now={NOW} refreshThrottleMs={0} />);
	cleanup = r.unmount;
	return r;
}

const overview = (f: string) => f.includes('lvsdeck · fleet');
const rowOf = (f: string, name: string) => f.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';

describe('fleet console', () => {
	it('opens on the overview: one row per cluster with state, hosts ready, VIP holder and the worst finding', async () => {
		const {lastFrame} = setup([cluster('lab-a', healthyHosts(NOW)), cluster('far-away', unreachable()), cluster('new', undefined)]);
		const frame = await frameUntil(lastFrame, (f) => overview(f) && f.includes('far-away'), 'the overview');
		expect(frame).toContain('3 clusters · 1 in ALARM · 1 waiting for data');
		expect(frame).toMatch(/CLUSTER\s+STATE\s+HOSTS\s+VIPS \(HOLDER\)\s+WORST FINDING/);
		expect(rowOf(frame, 'lab-a')).toMatch(/^lab-a\s+ok\s+5\/5\s+192\.168\.67\.100 dir1\s+healthy: no findings/);
		// Unreachable hosts: none ready, no holder claimed from stale data, the alarm says why.
		expect(rowOf(frame, 'far-away')).toMatch(/^far-away\s+ALARM\s+0\/5\s+192\.168\.67\.100 NONE\s+dir1 is unreachable/);
		expect(rowOf(frame, 'new')).toMatch(/^new\s+waiting\s+0\/5\s+192\.168\.67\.100 NONE\s+waiting for the first data/);
		expect(frame).toContain('Enter open lab-a');
		// A read-only fleet (no actions anywhere) says so.
		expect(frame).toContain('· read-only');
	});

	it('follows the stores: a cluster whose VIP moves shows the new holder', async () => {
		const a = cluster('lab-a', healthyHosts(NOW));
		const {lastFrame} = setup([a, cluster('lab-b', healthyHosts(NOW))]);
		await frameUntil(lastFrame, (f) => /lab-a\s+ok/.test(f), 'lab-a ok');
		a.store.updateHost('dir1', (h) => ({...h, director: {...h.director!, addresses: h.director!.addresses.filter((x) => x.address !== '192.168.67.100')}}));
		a.store.updateHost('dir2', (h) => ({...h, director: {...h.director!, addresses: [...h.director!.addresses, {ifname: 'eth0', family: 'inet', address: '192.168.67.100', prefix: 24}]}}));
		const frame = await frameUntil(lastFrame, (f) => /lab-a\s+\S+\s+5\/5\s+192\.168\.67\.100 dir2/.test(f), 'dir2 holding lab-a’s VIP');
		expect(rowOf(frame, 'lab-b')).toMatch(/192\.168\.67\.100 dir1/);
	});

	it('↓ and Enter open the selected cluster’s console; Esc comes back to the overview', async () => {
		const {lastFrame, stdin} = setup([cluster('lab-a', healthyHosts(NOW)), cluster('far-away', unreachable())]);
		await frameUntil(lastFrame, overview, 'the overview');
		let frame = await press(stdin, lastFrame, KEYS.enter, (f) => f.includes('lvsdeck · lab-a · '), 'lab-a’s console');
		expect(frame).toMatch(/192\.168\.67\.100\s+VI_1\s+dir1\s+MASTER 100\s+BACKUP 80\s+ok/);
		expect(frame).toContain('Esc fleet');
		frame = await press(stdin, lastFrame, KEYS.escape, overview, 'the overview again');
		// The cursor moves to the second cluster and Enter opens it, the one whose hosts are unreachable.
		await press(stdin, lastFrame, KEYS.down, (f) => f.includes('Enter open far-away'), 'far-away selected');
		frame = await press(stdin, lastFrame, KEYS.enter, (f) => f.includes('lvsdeck · far-away · '), 'far-away’s console');
		expect(frame).toContain('ALARM: dir1 is unreachable');
		expect(frame).toMatch(/● dir1 retrying 30s/);
		// Its views are the console's own: 2 is IPVS, and Esc from there still goes back.
		frame = await press(stdin, lastFrame, '2', (f) => f.includes('SERVICE / REAL SERVER'), 'far-away’s IPVS view');
		await press(stdin, lastFrame, KEYS.escape, overview, 'the overview from the IPVS view');
		// The cursor stayed on the cluster that was open; ↑ goes back to the first.
		await press(stdin, lastFrame, KEYS.enter, (f) => f.includes('lvsdeck · far-away · '), 'far-away again');
		await press(stdin, lastFrame, KEYS.escape, (f) => f.includes('Enter open far-away'), 'the overview, far-away still selected');
		await press(stdin, lastFrame, KEYS.up, (f) => f.includes('Enter open lab-a'), 'lab-a selected');
		await press(stdin, lastFrame, KEYS.enter, (f) => f.includes('lvsdeck · lab-a · '), 'lab-a again');
	});

	it('Esc first closes what is open in the cluster (details, help), only then goes back', async () => {
		const {lastFrame, stdin} = setup([cluster('lab-a', healthyHosts(NOW)), cluster('lab-b', healthyHosts(NOW))]);
		await frameUntil(lastFrame, overview, 'the overview');
		await press(stdin, lastFrame, KEYS.enter, (f) => f.includes('lvsdeck · lab-a · '), 'lab-a’s console');
		await press(stdin, lastFrame, KEYS.enter, (f) => f.includes('details (Enter/Esc'), 'the VIP details');
		let frame = await press(stdin, lastFrame, KEYS.escape, (f) => !f.includes('details (Enter/Esc'), 'the details closed');
		expect(frame).toContain('lvsdeck · lab-a · ');
		await press(stdin, lastFrame, '?', (f) => f.includes('q or Ctrl-C quits'), 'the help');
		frame = await press(stdin, lastFrame, KEYS.escape, (f) => !f.includes('q or Ctrl-C quits'), 'the help closed');
		expect(frame).toContain('lvsdeck · lab-a · ');
		await press(stdin, lastFrame, KEYS.escape, overview, 'the overview');
	});

	it('an open flow keeps Esc: it closes the finished flow, and the next Esc goes back', async () => {
		const flow = new FlowStore();
		const {lastFrame, stdin} = setup([cluster('lab-a', healthyHosts(NOW), flow), cluster('lab-b', healthyHosts(NOW))]);
		await frameUntil(lastFrame, (f) => overview(f) && !f.includes('read-only'), 'the overview (not read-only)');
		await press(stdin, lastFrame, KEYS.enter, (f) => f.includes('lvsdeck · lab-a · '), 'lab-a’s console');
		flow.start({title: 'Test flow', phase: 'done', lines: ['finished'], prompt: 'done · Esc closes'}, async () => {});
		await frameUntil(lastFrame, (f) => f.includes('Test flow'), 'the flow');
		let frame = await press(stdin, lastFrame, KEYS.escape, (f) => !f.includes('Test flow'), 'the flow closed');
		expect(frame).toContain('lvsdeck · lab-a · ');
		frame = await press(stdin, lastFrame, KEYS.escape, overview, 'the overview');
	});

	it('q quits from the overview', async () => {
		const {lastFrame, stdin} = setup([cluster('lab-a', healthyHosts(NOW)), cluster('lab-b', healthyHosts(NOW))]);
		await frameUntil(lastFrame, overview, 'the overview');
		await new Promise((r) => setTimeout(r, 20));
		stdin.write('q');
		await new Promise((r) => setTimeout(r, 50));
		// After q the app has exited: Enter opens nothing.
		stdin.write(KEYS.enter);
		await new Promise((r) => setTimeout(r, 100));
		expect(lastFrame()).not.toContain('lvsdeck · lab-a · ');
	});

	it('a small terminal gets the size message, not a broken table', async () => {
		const {lastFrame} = setup([cluster('lab-a', healthyHosts(NOW)), cluster('lab-b', healthyHosts(NOW))], {columns: 60, rows: 20});
		await frameUntil(lastFrame, (f) => f.includes('Terminal too small: 60x20'), 'the size message');
	});
});

describe('Esc in the single-cluster console', () => {
	it('with nothing to close it asks to go back, which a console without onBack ignores', async () => {
		expect(interpretInput(initialConsoleState, '', {escape: true}, {rows: 1, page: 1, tooSmall: false}).effects).toEqual([{type: 'back'}]);
		expect(interpretInput({...initialConsoleState, detail: true}, '', {escape: true}, {rows: 1, page: 1, tooSmall: false}).effects).toEqual([]);
		expect(interpretInput({...initialConsoleState, filter: 'rs1'}, '', {escape: true}, {rows: 1, page: 1, tooSmall: false}).effects).toEqual([]);
		const store = new ClusterStore(labProfile, () => NOW);
		load(store, healthyHosts(NOW));
		const r = render(<ConsoleApp profile={labProfile} store={store} history={new RateHistory()} log={new ActionLog(500, () => NOW)} size={{columns: 100, rows: 30}} now={NOW} />);
		cleanup = r.unmount;
		await frameUntil(r.lastFrame, (f) => f.includes('lvsdeck · lab · '), 'the console');
		const frame = await press(r.stdin, r.lastFrame, KEYS.escape, (f) => f.includes('lvsdeck · lab · '), 'the console still');
		expect(frame).not.toContain('Esc fleet');
		expect(frame).toMatch(/192\.168\.67\.100\s+VI_1\s+dir1/);
	});
});

// The wall over several clusters: the tile layout (columns, pages) as a pure function, the panels from
// captured lab states, and the Ink wall tiling two clusters or rotating pages when they do not fit.
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {ClusterStore} from '../../../src/cluster/store.js';
import type {HostState} from '../../../src/cluster/types.js';
import {FleetWall, type FleetWallCluster} from '../../../src/ui/wall/FleetWall.js';
import {wallModel} from '../../../src/ui/wall/wall-model.js';
import {tileLayout, wallPanel} from '../../../src/ui/wall/wall-tiles.js';
import {sha256Hex} from '../../../src/probes/config-hash.js';
import {renderKeepalivedConf} from '../../../src/render/keepalived-conf.js';
import {healthyHosts, labProfile} from '../cluster/fixture-state.js';
import {frameUntil, load} from './ink-helpers.js';

const NOW = 1_000_000;
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function cluster(name: string, hosts: Map<string, HostState> = healthyHosts(NOW)): FleetWallCluster {
	const profile = {...labProfile, name};
	const store = new ClusterStore(profile, () => NOW);
	load(store, new Map([...hosts].map(([n, h]) => [n, h.director ? {...h, director: {...h.director, configSha256: sha256Hex(renderKeepalivedConf(profile, n))}} : h])));
	return {profile, store};
}

function unreachable(): Map<string, HostState> {
	const out = new Map<string, HostState>();
	for (const [name, h] of healthyHosts(NOW - 30_000)) out.set(name, {...h, reachable: false, lastPollAt: NOW, error: `${name}: connect ETIMEDOUT`, conn: {host: name, state: 'retrying', since: 0}});
	return out;
}

describe('wall tile layout', () => {
	it('side by side when the width allows, one grid row after another, a blank line between rows', () => {
		expect(tileLayout([3, 3], 120, 30)).toEqual({columns: 2, panelWidth: 59, panelHeight: 30, pages: [[[0, 1]]]});
		expect(tileLayout([3, 5, 4], 80, 30)).toEqual({columns: 1, panelWidth: 80, panelHeight: 30, pages: [[[0], [1], [2]]]});
		// Three columns at 130: rows of 3 panels, the second row's height is its tallest panel.
		expect(tileLayout([2, 2, 2, 6], 130, 30).pages).toEqual([[[0, 1, 2], [3]]]);
	});

	it('pages when the rows do not fit the height: each page as many rows as fit, in order', () => {
		// Rows of height 4 with a blank line between: 4 + 1 + 4 = 9 fit in 10, a third row does not.
		expect(tileLayout([4, 4, 4], 80, 10).pages).toEqual([[[0], [1]], [[2]]]);
		expect(tileLayout([4, 4, 4], 80, 14).pages).toEqual([[[0], [1], [2]]]);
	});

	it('a panel taller than the screen gets a page of its own and is cut to the height', () => {
		const layout = tileLayout([3, 50, 3], 80, 20);
		expect(layout.pages).toEqual([[[0]], [[1]], [[2]]]);
		expect(layout.panelHeight).toBe(20);
	});

	it('a panel: the cluster and its alarm, each VIP with its holder, each service’s healthy real servers, stale hosts', () => {
		const healthy = cluster('lab-a');
		expect(wallPanel('lab-a', wallModel(healthy.store.getState(), healthy.profile))).toEqual([
			{text: 'lab-a · healthy: no findings', tone: 'ok', title: true},
			{text: '192.168.67.100 (VI_1) on dir1', tone: 'ok'},
			{text: 'TCP 192.168.67.100:80  2/2 healthy', tone: 'ok'},
		]);
		const far = cluster('far', unreachable());
		const lines = wallPanel('far', wallModel(far.store.getState(), far.profile));
		expect(lines[0]).toMatchObject({text: expect.stringMatching(/^far · ALARM: dir1 is unreachable/), tone: 'bad', title: true});
		expect(lines[1]).toEqual({text: '192.168.67.100 (VI_1) on NONE', tone: 'bad'});
		expect(lines.at(-1)).toEqual({text: 'stale: dir1, dir2, rs1, rs2, client1', tone: 'bad'});
	});
});

describe('fleet wall', () => {
	it('tiles two clusters side by side on a wide terminal, one of them unreachable', async () => {
		const r = render(<FleetWall clusters={[cluster('lab-a'), cluster('far', unreachable())]} rotateMs={10_000} size={{columns: 120, rows: 30}} now={NOW} />);
		cleanup = r.unmount;
		const frame = await frameUntil(r.lastFrame, (f) => f.includes('lab-a ·') && f.includes('far ·'), 'both panels');
		expect(frame).toContain('lvsdeck wall · 2 clusters · ');
		expect(frame).toContain('read-only');
		expect(frame).not.toContain('page ');
		// Side by side: the two titles on one line, then the VIP lines on one line.
		expect(frame).toMatch(/^lab-a · healthy: no findings\s+far · ALARM: dir1 is unreachable/m);
		expect(frame).toMatch(/^192\.168\.67\.100 \(VI_1\) on dir1\s+192\.168\.67\.100 \(VI_1\) on NONE/m);
		expect(frame.split('\n').length).toBeLessThan(30);
		for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(120);
	});

	it('rotates between pages when the clusters do not fit, and says which page shows', async () => {
		const clusters = ['c1', 'c2', 'c3', 'c4', 'c5'].map((n) => cluster(n));
		// 80x12: one panel a row (3 lines, plus a blank), two rows a page: pages of 2, 2, 1.
		const r = render(<FleetWall clusters={clusters} rotateMs={150} size={{columns: 80, rows: 12}} now={NOW} />);
		cleanup = r.unmount;
		const seen = new Set<string>();
		for (const page of ['1/3', '2/3', '3/3']) {
			const frame = await frameUntil(r.lastFrame, (f) => f.includes(`page ${page}, every 0.15 s`), `page ${page}`);
			expect(frame.split('\n').length).toBeLessThan(12);
			for (const m of frame.matchAll(/^(c\d) · healthy/gm)) seen.add(m[1]!);
		}
		expect([...seen].sort()).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
		// And back to the first page.
		await frameUntil(r.lastFrame, (f) => f.includes('page 1/3') && /^c1 · /m.test(f), 'page 1 again');
	});
});

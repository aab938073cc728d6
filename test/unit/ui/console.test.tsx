// The console fed with cluster states built from captured lab output: VIP holder, alarms, tables,
// help, filtering, details, a stale host, the small-terminal message, and frames that always fit.
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {ClusterStore} from '../../../src/cluster/store.js';
import {ConsoleApp} from '../../../src/ui/console/App.js';
import {ActionLog} from '../../../src/ui/action-log.js';
import {RateHistory} from '../../../src/ui/history.js';
import type {ConsoleActions} from '../../../src/ui/console/actions.js';
import {healthyHosts, labProfile, withHost} from '../cluster/fixture-state.js';
import {frameUntil, KEYS, load, plain, press} from './ink-helpers.js';
import {generateIpvsServices} from '../../helpers/ipvs-synth.js';

const NOW = 1_000_000;
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function setup(options: {columns?: number; rows?: number; actions?: ConsoleActions; hosts?: ReturnType<typeof healthyHosts>} = {}) {
	const store = new ClusterStore(labProfile, () => NOW);
	load(store, options.hosts ?? healthyHosts(NOW));
	const log = new ActionLog(500, () => NOW);
	const history = new RateHistory();
	const size = {columns: options.columns ?? 100, rows: options.rows ?? 30};
	const r = render(<ConsoleApp profile={labProfile} store={store} history={history} log={log} size={size} now={NOW} {...(options.actions ? {actions: options.actions} : {})} />);
	cleanup = r.unmount;
	return {...r, store, log, size};
}

const lines = (frame: string) => frame.split('\n');

describe('console', () => {
	it('shows the VIP on dir1 with both directors’ VRRP states, hosts healthy, no alarm', async () => {
		const {lastFrame} = setup();
		const frame = await frameUntil(lastFrame, (f) => f.includes('192.168.67.100'), 'the VIP row');
		expect(frame).toMatch(/192\.168\.67\.100\s+VI_1\s+dir1\s+MASTER 100\s+BACKUP 80\s+ok/);
		expect(frame).toContain('healthy: no findings');
		expect(frame).toMatch(/● dir1 ready\s+● dir2 ready\s+● rs1 ready\s+● rs2 ready/);
		expect(frame).toContain('lvsdeck · lab · ');
	});

	it('raises the split-brain alarm when both directors hold the VIP', async () => {
		const hosts = withHost(healthyHosts(NOW), 'dir2', (h) => ({
			...h,
			director: {...h.director!, addresses: [...h.director!.addresses, {ifname: 'eth0', family: 'inet', address: '192.168.67.100', prefix: 24}]},
		}));
		const {lastFrame} = setup({hosts});
		const frame = await frameUntil(lastFrame, (f) => f.includes('ALARM'), 'the alarm banner');
		expect(frame).toContain('ALARM: split brain: 192.168.67.100 (VI_1) is on dir1 and dir2');
		expect(frame).toMatch(/192\.168\.67\.100\s+VI_1\s+dir1\+dir2/);
	});

	it('shows a host that went away as stale with the age of its last data, and keeps its data', async () => {
		const hosts = withHost(healthyHosts(NOW), 'rs2', (h) => ({...h, reachable: false, lastOkAt: NOW - 42_000, error: 'rs2: command timed out after 5000 ms', conn: {host: 'rs2', state: 'retrying', since: 0}}));
		const {lastFrame} = setup({hosts});
		const frame = await frameUntil(lastFrame, (f) => f.includes('rs2 retrying'), 'rs2 as retrying');
		expect(frame).toContain('● rs2 retrying 42s');
		expect(frame).toMatch(/rs2\s+192\.168\.67\.20\s+realserver\s+stale \(retrying\)\s+42s/);
		expect(frame).toContain('ALARM: rs2 is unreachable');
	});

	it('IPVS view: services and real servers with forwarding and weights per director', async () => {
		const {lastFrame, stdin} = setup();
		const frame = await press(stdin, lastFrame, '2', (f) => f.includes('SERVICE / REAL SERVER'), 'the IPVS view');
		expect(frame.match(/-> 192\.168\.67\.10:80 rs1\s+Route\s+1/g)).toHaveLength(2);
		expect(frame.match(/-> 192\.168\.67\.20:80 rs2\s+Route\s+1/g)).toHaveLength(2);
		expect(frame).toMatch(/^dir1$/m);
		expect(frame).toMatch(/^dir2$/m);
	});

	it('IPVS view with 1,000 real servers formats only the rows on screen, and a filter still finds any row', async () => {
		const services = generateIpvsServices(10, 100);
		const hosts = withHost(healthyHosts(NOW), 'dir1', (h) => ({...h, director: {...h.director!, ipvs: {services, problems: []}}}));
		const store = new ClusterStore(labProfile, () => NOW);
		load(store, hosts);
		const formatted = new Set<string>();
		const history = new (class extends RateHistory {
			override get(key: string): readonly number[] {
				formatted.add(key);
				return super.get(key);
			}
		})();
		const r = render(<ConsoleApp profile={labProfile} store={store} history={history} log={new ActionLog(500, () => NOW)} size={{columns: 100, rows: 30}} now={NOW} />);
		cleanup = r.unmount;
		await press(r.stdin, r.lastFrame, '2', (f) => f.includes('SERVICE / REAL SERVER'), 'the IPVS view');
		// The rows on screen (under 30), not the 1,000 the table holds.
		expect(formatted.size).toBeGreaterThan(5);
		expect(formatted.size).toBeLessThan(40);
		const last = services.at(-1)!.realServers.at(-1)!;
		const frame = await press(r.stdin, r.lastFrame, `/${last.address}\r`, (f) => f.includes(`[filter: ${last.address}]`), 'the kept filter');
		expect(frame).toContain(`-> ${last.address}`);
	});

	it('VRRP and real-server views', async () => {
		const {lastFrame, stdin} = setup();
		let frame = await press(stdin, lastFrame, '3', (f) => f.includes('MASTER ROUTER'), 'the VRRP view');
		expect(frame).toMatch(/dir1\s+VI_1\s+2\.2\.7\s+MASTER\s+100\s+100\s+\(self\)/);
		expect(frame).toMatch(/dir2\s+VI_1\s+2\.2\.7\s+BACKUP\s+80\s+80\s+dir1 \(state\)/);
		frame = await press(stdin, lastFrame, KEYS.enter, (f) => f.includes('details (Enter/Esc'), 'the VRRP detail pane');
		expect(frame).toContain('keepalived 2.2.7 (--signum, JSON dump)');
		expect(frame).toContain('reads the JSON dump on signal 36; pid file /run/keepalived.pid');
		frame = await press(stdin, lastFrame, KEYS.escape, (f) => !f.includes('details ('), 'the detail pane closed');
		frame = await press(stdin, lastFrame, '4', (f) => f.includes('RS SETUP'), 'the real-server view');
		expect(frame).toMatch(/rs1\s+yes\s+VIP on lo\s+ok 1\/2\s+active\s+answers\s+in w1\s+in w1/);
	});

	it('filters rows with / and shows details with Enter', async () => {
		const {lastFrame, stdin} = setup();
		await press(stdin, lastFrame, '2', (f) => f.includes('SERVICE / REAL SERVER'), 'the IPVS view');
		let frame = await press(stdin, lastFrame, '/rs2\r', (f) => f.includes('[filter: rs2]'), 'the kept filter');
		expect(frame).not.toContain('192.168.67.10:80');
		expect(frame.match(/192\.168\.67\.20:80 rs2/g)).toHaveLength(2);
		frame = await press(stdin, lastFrame, `j${KEYS.enter}`, (f) => f.includes('details (Enter/Esc'), 'the detail pane');
		expect(frame).toContain('dir1: TCP 192.168.67.100:80 -> 192.168.67.20:80');
		expect(frame).toContain('total: 15 connections');
		frame = await press(stdin, lastFrame, KEYS.escape, (f) => !f.includes('details ('), 'the detail pane closed');
		frame = await press(stdin, lastFrame, KEYS.escape, (f) => !f.includes('[filter'), 'the filter cleared');
		expect(frame).toContain('192.168.67.10:80');
	});

	it('? opens the help screen with every key and the column glossary', async () => {
		const {lastFrame, stdin} = setup({rows: 40});
		const frame = await press(stdin, lastFrame, '?', (f) => f.includes('COLUMNS'), 'the help screen');
		for (const key of ['1-5 / Tab', '/  ', 'Enter', 'q or Ctrl-C', 'd ', 'f ', 'h ', 'r ', 'x ', 'w ']) expect(frame).toContain(key);
		for (const column of ['HOLDER', 'SCHED/FWD', 'ACTIVE', 'CPS', 'RS SETUP', 'ARP I/A', 'LAST OK']) expect(frame).toContain(column);
	});

	it('says plainly when the terminal is too small', async () => {
		const {lastFrame} = setup({columns: 60, rows: 20});
		const frame = await frameUntil(lastFrame, (f) => f.includes('too small'), 'the too-small message');
		expect(frame.replace(/\s+/g, ' ').trim()).toBe('Terminal too small: 60x20. lvsdeck needs at least 80x24. (q quits)');
	});

	it.each([
		[80, 24],
		[100, 30],
		[200, 60],
	])('every view and the help fit a %ix%i terminal (frame shorter than the terminal, no line wider)', async (columns, rows) => {
		const many = healthyHosts(NOW);
		const {lastFrame, stdin} = setup({columns, rows, hosts: many});
		for (const key of ['1', '2', '3', '4', '5', '?']) {
			const frame = await press(stdin, lastFrame, key, (f) => f.length > 0, `view ${key}`);
			expect(lines(frame).length, `view ${key}`).toBeLessThan(rows);
			for (const line of lines(frame)) expect([...line].length).toBeLessThanOrEqual(columns);
			if (key === '?') await press(stdin, lastFrame, '?', (f) => !f.includes('COLUMNS'), 'help closed');
		}
	});

	it('action keys call the console actions; a read-only console refuses them in the log', async () => {
		const calls: string[] = [];
		const {lastFrame, stdin} = setup({actions: {run: (kind) => calls.push(kind)}});
		await press(stdin, lastFrame, 'dfhrxw', (f) => f.length > 0, 'keys');
		await frameUntil(lastFrame, () => calls.length === 6, 'six action calls');
		expect(calls).toEqual(['deploy', 'failover-drill', 'hard-failover-drill', 'rs-health-drill', 'drain', 'round-robin-watch']);
		cleanup?.();
		const ro = setup();
		await press(ro.stdin, ro.lastFrame, 'f', (f) => f.includes('read-only console'), 'the read-only flash');
		expect(ro.log.list().map((e) => e.text)).toEqual(['failover drill (graceful stop of keepalived on the master): refused, this console is read-only']);
	});

	it('never draws terminal control sequences from remote text', async () => {
		const hosts = withHost(healthyHosts(NOW), 'rs1', (h) => ({...h, reachable: false, lastOkAt: NOW - 1000, error: 'evil\u001B]0;owned\u0007\u001B[2Jtext'}));
		const {lastFrame} = setup({hosts});
		const raw = await frameUntil(lastFrame, (f) => f.includes('eviltext'), 'the sanitized error');
		expect(plain(lastFrame())).not.toContain('owned');
		expect(lastFrame()).not.toContain('\u001B]0;');
		expect(lastFrame()).not.toContain('\u001B[2J');
		expect(raw).toContain('eviltext');
	});
});

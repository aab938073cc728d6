// The console's keepalived views through Ink: `l` opens a director's log (again: the next director),
// Esc closes it, the VRRP view shows the timeline, and the events list holds the transitions.
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {ClusterStore} from '../../../src/cluster/store.js';
import {ConsoleApp} from '../../../src/ui/console/App.js';
import {ActionLog} from '../../../src/ui/action-log.js';
import {RateHistory} from '../../../src/ui/history.js';
import {parseKeepalivedLogLine} from '../../../src/probes/keepalived-log.js';
import {healthyHosts, labProfile} from '../cluster/fixture-state.js';
import {frameUntil, KEYS, load, press} from './ink-helpers.js';

const NOW = new Date(2026, 11, 2, 8, 0, 0).getTime();
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function setup(initialView?: 'vrrp' | 'log') {
	const store = new ClusterStore(labProfile, () => NOW);
	load(store, healthyHosts(NOW));
	const parse = (l: string) => parseKeepalivedLogLine(l, NOW)!;
	store.recordLogLines('dir1', ['Wed Dec  2 07:46:14 2026: (VI_1) received lower priority (80) advert from 192.168.67.120 - discarding', 'Wed Dec  2 07:46:15 2026: Sending gratuitous ARP on eth0'].map(parse), NOW);
	store.recordLogLines('dir2', ['Wed Dec  2 07:46:09 2026: (VI_1) Entering MASTER STATE'].map(parse), NOW);
	store.recordTransitions([
		{director: 'dir2', instance: 'VI_1', to: 'BACKUP', at: NOW - 20 * 60_000, source: 'log'},
		{director: 'dir2', instance: 'VI_1', to: 'MASTER', at: NOW - 5 * 60_000, source: 'log', stamp: 'Wed Dec  2 07:55:00 2026'},
	]);
	const r = render(<ConsoleApp profile={labProfile} store={store} history={new RateHistory()} log={new ActionLog(500, () => NOW)} size={{columns: 110, rows: 30}} now={NOW} refreshThrottleMs={0} {...(initialView ? {initialView} : {})} />);
	cleanup = r.unmount;
	return r;
}

describe('keepalived in the console', () => {
	it('l opens the log of dir1, l again the log of dir2, Esc closes it', async () => {
		const {stdin, lastFrame} = setup();
		await frameUntil(lastFrame, (f) => f.includes('192.168.67.100'), 'the overview');
		let frame = await press(stdin, lastFrame, 'l', (f) => f.includes('dir1: KEEPALIVED LOG'), 'the dir1 log');
		expect(frame).toMatch(/lower prio\s+\(VI_1\) received lower priority \(80\)/);
		expect(frame).not.toContain('Sending gratuitous ARP');
		frame = await press(stdin, lastFrame, 'l', (f) => f.includes('dir2: KEEPALIVED LOG'), 'the dir2 log');
		expect(frame).toMatch(/transition\s+\(VI_1\) Entering MASTER STATE/);
		frame = await press(stdin, lastFrame, KEYS.escape, (f) => !f.includes('KEEPALIVED LOG'), 'the log closed');
		expect(frame).toContain('192.168.67.100');
	});

	it('a filter in the log view searches every line, the ARP chatter too', async () => {
		const {stdin, lastFrame} = setup();
		await frameUntil(lastFrame, (f) => f.includes('192.168.67.100'), 'the overview');
		await press(stdin, lastFrame, 'l', (f) => f.includes('dir1: KEEPALIVED LOG'), 'the dir1 log');
		const frame = await press(stdin, lastFrame, '/gratuitous\r', (f) => f.includes('Sending gratuitous ARP'), 'the filtered ARP line');
		expect(frame).not.toContain('received lower priority');
	});

	it('the VRRP view shows the timeline of VI_1; the events list holds the transitions', async () => {
		const vrrp = setup('vrrp');
		const frame = await frameUntil(vrrp.lastFrame, (f) => f.includes('VI_1 timeline'), 'the timeline');
		expect(frame).toMatch(/dir2 ·*B+M+ MASTER since 07:55:00/);
		expect(frame).toContain('dir1 ');
		vrrp.unmount();
		const log = setup('log');
		const events = await frameUntil(log.lastFrame, (f) => f.includes('vrrp-state'), 'the transition events');
		expect(events).toMatch(/07:55:00\s+vrrp-state\s+dir2 VI_1 BACKUP -> MASTER \(log\)/);
	});
});

// The `lvsdeck watch` screen on a tally: totals, shares against the weights, the timeline, and q.
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {WatchTally} from '../../../src/actions/watch-tally.js';
import {WatchScreen} from '../../../src/ui/watch/WatchScreen.js';
import {frameUntil} from './ink-helpers.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('watch screen', () => {
	it('shows answers per backend against the weights, failures and the gap, within the width', async () => {
		const tally = new WatchTally(0);
		for (let t = 0; t < 4000; t += 50) tally.add({start: t, end: t + 3, outcome: t >= 2000 && t < 2500 ? 'timeout' : 'ok', ...(t >= 2000 && t < 2500 ? {error: 'timeout'} : {backend: t % 100 === 0 ? 'rs1' : 'rs2'})});
		const r = render(<WatchScreen tally={tally} weights={{rs1: 1, rs2: 1}} header={{url: 'http://192.168.67.100:80/', from: 'client1', rate: 20}} size={{columns: 90, rows: 24}} now={() => 4000} />);
		cleanup = r.unmount;
		const frame = await frameUntil(r.lastFrame, (f) => f.includes('rs2'), 'the backend rows');
		expect(frame).toContain('http://192.168.67.100:80/ from client1 · target 20 req/s · 4 s');
		expect(frame).toMatch(/requests 80\s+ok 70\s+failed 0\s+timeouts 10/);
		expect(frame).toMatch(/rs1\s+35\s+50\.0%\s+50\.0%/);
		expect(frame).toContain('longest gap 550 ms');
		expect(frame).toContain('timeline (1 s a mark) ██▒█');
		for (const line of frame.split('\n')) expect([...line].length).toBeLessThanOrEqual(90);
	});
});

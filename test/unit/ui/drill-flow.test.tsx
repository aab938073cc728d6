// The console's drill and watcher flows without a cluster: which target the selected row picks, the
// live block (VIP holder, VRRP states, the real server's weight), and a flow that shows its live lines
// and stops on the abort key.
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {ClusterStore} from '../../../src/cluster/store.js';
import {ConsoleApp} from '../../../src/ui/console/App.js';
import {ActionLog} from '../../../src/ui/action-log.js';
import {RateHistory} from '../../../src/ui/history.js';
import {FlowStore} from '../../../src/ui/console/flow.js';
import {pickTarget} from '../../../src/ui/console/drill-flow.js';
import {drillLiveLines, liveWeights} from '../../../src/ui/presenters/drill.js';
import {healthyHosts, labProfile, withHost} from '../cluster/fixture-state.js';
import {frameUntil, load, press} from './ink-helpers.js';

const NOW = 1_000_000;
const text = (lines: ReturnType<typeof drillLiveLines>) => lines.map((l) => l.map((r) => r.text).join('').trimEnd());
const vs = labProfile.virtualServers[0]!;
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function state(hosts = healthyHosts(NOW)) {
	const store = new ClusterStore(labProfile, () => NOW);
	load(store, hosts);
	return store;
}

describe('drill targets from the selected row', () => {
	it('a VIP row picks its instance, a real-server row its real server, an IPVS real-server row by address', () => {
		expect(pickTarget(labProfile, 'vip|192.168.67.100')).toEqual({vip: '192.168.67.100', instance: 'VI_1'});
		expect(pickTarget(labProfile, 'vrrp|dir2|VI_1')).toEqual({instance: 'VI_1'});
		expect(pickTarget(labProfile, 'rs|rs2')).toEqual({rs: 'rs2'});
		// with the service it is under, so the drill and the watcher run on that service
		expect(pickTarget(labProfile, 'ipvs|dir1|TCP 192.168.67.100:80|192.168.67.20:80')).toEqual({rs: 'rs2', service: 'tcp:192.168.67.100:80', vip: '192.168.67.100', instance: 'VI_1'});
		expect(pickTarget(labProfile, 'host|client1')).toEqual({});
		expect(pickTarget(labProfile, undefined)).toEqual({});
	});
});

describe('drill live lines', () => {
	it('show the holder, both VRRP states and the real server’s weight on the active director', () => {
		const lines = text(drillLiveLines(state().getState(), labProfile, {vip: '192.168.67.100', instance: 'VI_1', rs: 'rs1', vs}, 100));
		expect(lines).toEqual(['VIP 192.168.67.100 on dir1', 'VRRP VI_1: dir1 MASTER · dir2 BACKUP', 'rs1: in the table on dir1 with weight 1']);
	});

	it('say so when keepalived is stopped, a director is unreachable, or the VIP is on no director', () => {
		let hosts = withHost(healthyHosts(NOW), 'dir1', (h) => ({...h, director: {...h.director!, keepalivedActive: false, addresses: h.director!.addresses.map((a) => ({...a, addresses: []}))}}));
		hosts = withHost(hosts, 'dir2', (h) => ({...h, reachable: false}));
		const lines = drillLiveLines(state(hosts).getState(), labProfile, {vip: '192.168.67.100', instance: 'VI_1'}, 100);
		expect(text(lines)[1]).toBe('VRRP VI_1: dir1 keepalived stopped · dir2 unreachable');
	});

	it('live weights come from the active director’s table, a removed real server counts 0', () => {
		expect(liveWeights(state().getState(), vs)).toEqual({rs1: 1, rs2: 1});
		const hosts = withHost(healthyHosts(NOW), 'dir1', (h) => ({
			...h,
			director: {...h.director!, ipvs: {...h.director!.ipvs, services: h.director!.ipvs.services.map((s) => ({...s, realServers: s.realServers.filter((r) => r.address !== '192.168.67.10')}))}},
		}));
		expect(liveWeights(state(hosts).getState(), vs)).toEqual({rs1: 0, rs2: 1});
	});
});

describe('a flow in the console', () => {
	it('draws its live lines above its timeline and stops on the abort key', async () => {
		const flow = new FlowStore();
		const store = state();
		let aborted = false;
		flow.start({title: 'Test drill', phase: 'working', lines: ['14:00:00.000  stopping keepalived on dir1'], prompt: 'drill running · a abort'}, async () => {
			const signal = flow.abortSignal();
			flow.showLive(() => [[{text: 'VIP 192.168.67.100 on dir2', tone: 'ok'}]], 50);
			await new Promise<void>((r) => signal.addEventListener('abort', () => r(), {once: true}));
			aborted = true;
			flow.update({phase: 'done', prompt: 'aborted · Esc closes'});
		});
		const r = render(<ConsoleApp profile={labProfile} store={store} history={new RateHistory()} log={new ActionLog()} size={{columns: 100, rows: 30}} now={NOW} flow={flow} actions={{run: () => undefined}} />);
		cleanup = r.unmount;
		const frame = await frameUntil(r.lastFrame, (f) => f.includes('VIP 192.168.67.100 on dir2'), 'the live line');
		expect(frame.indexOf('VIP 192.168.67.100 on dir2')).toBeLessThan(frame.indexOf('stopping keepalived on dir1'));
		// q does not leave a running drill; a aborts it
		await press(r.stdin, r.lastFrame, 'q', (f) => f.includes('drill running'), 'still running');
		await press(r.stdin, r.lastFrame, 'a', (f) => f.includes('aborted · Esc closes'), 'the abort');
		expect(aborted).toBe(true);
	});
});

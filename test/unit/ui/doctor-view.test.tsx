// The console's doctor: the alarm line offers D only when a finding is critical; D runs the doctor
// session and opens its result; each failed check names its host and view, and Enter opens that view
// filtered to the host.
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {ClusterStore} from '../../../src/cluster/store.js';
import {ConsoleApp} from '../../../src/ui/console/App.js';
import {ActionLog} from '../../../src/ui/action-log.js';
import {RateHistory} from '../../../src/ui/history.js';
import {check} from '../../../src/actions/doctor/check.js';
import type {DoctorSessions} from '../../../src/actions/doctor/session.js';
import {healthyHosts, labProfile, withHost} from '../cluster/fixture-state.js';
import {frameUntil, KEYS, load, press} from './ink-helpers.js';

const NOW = 1_000_000;
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

const checks = [
	check('vrrp.auth', 'fail', 'dir2 VI_1', '4 adverts refused for their authentication since the first read', 'give every member of VI_1 the same authentication', {host: 'dir2', view: 'vrrp'}),
	check('lvs.realserver', 'fail', 'rs1', 'rs1: arp_ignore is 0', 'set net.ipv4.conf.all.arp_ignore=1', {host: 'rs1', view: 'realservers'}),
	check('lvs.ip-vs', 'ok', 'dir1', 'ip_vs is loaded', '', {host: 'dir1', view: 'ipvs'}),
];

function setup(options: {critical: boolean; doctor?: DoctorSessions}) {
	const store = new ClusterStore(labProfile, () => NOW);
	const healthy = healthyHosts(NOW);
	// rs1 unreachable is a critical finding.
	load(store, options.critical ? withHost(healthy, 'rs1', (h) => ({...h, reachable: false, lastOkAt: NOW - 5000, error: 'no answer'})) : healthy);
	const r = render(<ConsoleApp profile={labProfile} store={store} history={new RateHistory()} log={new ActionLog(50, () => NOW)} size={{columns: 110, rows: 30}} now={NOW} {...(options.doctor ? {doctor: options.doctor} : {})} />);
	cleanup = r.unmount;
	return r;
}

describe('console doctor', () => {
	it('offers D on the alarm line only when a finding is critical', async () => {
		const calm = setup({critical: false, doctor: async () => ({report: {checks, code: 2, windowMs: 3000}, text: ''})});
		expect(await frameUntil(calm.lastFrame, (f) => f.includes('healthy'), 'the healthy banner')).not.toContain('D doctor');
		calm.unmount();
		const alarmed = setup({critical: true, doctor: async () => ({report: {checks, code: 2, windowMs: 3000}, text: ''})});
		const frame = await frameUntil(alarmed.lastFrame, (f) => f.includes('ALARM'), 'the alarm banner');
		expect(frame).toMatch(/ALARM: rs1 is unreachable.*· D doctor/);
	});

	it('D runs the session and shows the failed checks with host and view; Enter opens the view on that host', async () => {
		let runs = 0;
		let finish: (() => void) | undefined;
		const doctor: DoctorSessions = () =>
			new Promise((resolve) => {
				runs++;
				finish = () => resolve({report: {checks, code: 2, windowMs: 3000}, text: ''});
			});
		const {lastFrame, stdin} = setup({critical: true, doctor});
		await frameUntil(lastFrame, (f) => f.includes('ALARM'), 'the alarm banner');
		await press(stdin, lastFrame, 'D', (f) => f.includes('Doctor — running'), 'the running doctor');
		stdin.write('D');
		expect(runs).toBe(1);
		finish!();
		const done = await frameUntil(lastFrame, (f) => f.includes('Doctor — finished'), 'the doctor result');
		expect(done).toContain('3 checks: 2 failed, 0 warnings, 1 ok, 0 skipped');
		expect(done).toMatch(/FAIL vrrp\.auth {2}dir2 VI_1 {2}→ dir2 · 3 VRRP/);
		expect(done).toMatch(/FAIL lvs\.realserver {2}rs1 {2}→ rs1 · 4 Real servers/);
		expect(done).toContain('fix: set net.ipv4.conf.all.arp_ignore=1');
		expect(done).not.toContain('lvs.ip-vs');
		expect(done).toMatch(/› FAIL vrrp\.auth/);
		await press(stdin, lastFrame, KEYS.down, (f) => /› FAIL lvs\.realserver/.test(f), 'the second check selected');
		const opened = await press(stdin, lastFrame, KEYS.enter, (f) => f.includes('[filter: rs1]'), 'the real-server view filtered to rs1');
		expect(opened).not.toContain('Doctor —');
		expect(opened).toMatch(/ 4 Real servers /);
	});

	it('without a doctor session D only says so', async () => {
		const {lastFrame, stdin} = setup({critical: true});
		const frame = await press(stdin, lastFrame, 'D', (f) => f.includes('doctor is not available here'), 'the flash');
		expect(frame).not.toContain('D doctor');
	});
});

// `status --json` says per director which keepalived it runs and what it can do; every VRRP instance
// has the same keys whatever the version (null where the version's dump is silent).
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {ClusterStore} from '../../../src/cluster/store.js';
import {buildStatusReport, formatStatusReport} from '../../../src/cluster/report.js';
import {detectCapabilities} from '../../../src/probes/keepalived-caps.js';
import {parseKeepalivedData} from '../../../src/probes/vrrp.js';
import {healthyHosts, labProfile, withHost} from './fixture-state.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const V135 = 'Keepalived v1.3.5 (03/19,2017)\n\nBuild options:  PIPE2 LIBNL3 LVS VRRP VRRP_AUTH\n';

function report(hosts: ReturnType<typeof healthyHosts>) {
	const store = new ClusterStore(labProfile, () => 1_000_000);
	for (const [name, h] of hosts) store.updateHost(name, () => h);
	return buildStatusReport(store.getState(), 1_000_000);
}

describe('status report: keepalived version and features per director', () => {
	it('the lab\'s 2.2.7: version, --signum, JSON dump on signal 36, the pid file signalled', () => {
		const r = report(healthyHosts());
		expect(r.directors.map((d) => [d.name, d.keepalivedVersion, d.keepalivedFeatures])).toEqual([
			['dir1', '2.2.7', {signum: true, jsonDump: true, textDump: true, dump: 'json', dumpSignal: 36, pidFile: '/run/keepalived.pid'}],
			['dir2', '2.2.7', {signum: true, jsonDump: true, textDump: true, dump: 'json', dumpSignal: 36, pidFile: '/run/keepalived.pid'}],
		]);
		expect(formatStatusReport(r)).toContain('dir1: keepalived active 2.2.7 (--signum, JSON dump)');
	});

	it('a 1.3.5 director read through its text dump: SIGUSR1, no effective priority (null), same keys as the JSON-read one', () => {
		const data = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'lab', 'keepalived-data-dir2.txt'), 'utf8').replace(/^ *Effective priority = .*\n/m, '');
		const hosts = withHost(healthyHosts(), 'dir2', (h) => ({
			...h,
			director: {...h.director!, keepalived: detectCapabilities(V135, undefined), pidFile: '/var/run/keepalived.pid', vrrp: parseKeepalivedData(data).instances},
		}));
		const r = report(hosts);
		const dir2 = r.directors.find((d) => d.name === 'dir2')!;
		expect(dir2.keepalivedVersion).toBe('1.3.5');
		expect(dir2.keepalivedFeatures).toEqual({signum: false, jsonDump: false, textDump: true, dump: 'data', dumpSignal: 10, pidFile: '/var/run/keepalived.pid'});
		expect(dir2.vrrp[0]).toMatchObject({instance: 'VI_1', state: 'BACKUP', priority: 80, effectivePriority: null, masterRouter: '192.168.67.110'});
		const dir1 = r.directors.find((d) => d.name === 'dir1')!;
		expect(Object.keys(dir2.vrrp[0]!).sort()).toEqual(Object.keys(dir1.vrrp[0]!).sort());
		expect(formatStatusReport(r)).toContain('dir2: keepalived active 1.3.5 (no --signum, text dump)');
	});

	it('a director not asked yet: null version and features', () => {
		const hosts = withHost(healthyHosts(), 'dir1', (h) => {
			const {keepalived: _k, pidFile: _p, ...director} = h.director!;
			return {...h, director};
		});
		const dir1 = report(hosts).directors.find((d) => d.name === 'dir1')!;
		expect([dir1.keepalivedVersion, dir1.keepalivedFeatures]).toEqual([null, null]);
	});
});

// The preflight every drill runs on the directors (on states built from captured lab output), the
// bounds the profile predicts, and the faults with their restore steps.
import {describe, expect, it} from 'vitest';
import {ClusterStore} from '../../../src/cluster/store.js';
import {DrillRefused, preflightDirectors} from '../../../src/actions/drills/common.js';
import {expectedBoundMs, skewMs, takeoverPriority} from '../../../src/actions/drills/failover.js';
import {removalBoundMs} from '../../../src/actions/drills/realserver-drill.js';
import {CUT_VRRP_SCRIPT, faultFor, UNCUT_VRRP_SCRIPT} from '../../../src/actions/drills/faults.js';
import {healthyHosts, labProfile, withHost} from '../cluster/fixture-state.js';
import {load} from '../ui/ink-helpers.js';

const NOW = 1_000_000;
const inst = labProfile.instances[0]!;
const stateOf = (hosts = healthyHosts(NOW)) => {
	const store = new ClusterStore(labProfile, () => NOW);
	load(store, hosts);
	return store.getState();
};
const noVip = (h: ReturnType<typeof healthyHosts> extends Map<string, infer S> ? S : never) => ({...h, director: {...h.director!, addresses: h.director!.addresses.filter((a) => a.address !== '192.168.67.100')}});

describe('drill preflight', () => {
	it('passes on the healthy lab: dir1 holds the VIP, dir2 is a ready BACKUP', () => {
		expect(preflightDirectors(stateOf(), inst)).toEqual({target: 'dir1', backups: ['dir2']});
	});

	it('refuses with the reason: a director unreachable, keepalived stopped, no holder', () => {
		expect(() => preflightDirectors(stateOf(withHost(healthyHosts(NOW), 'dir2', (h) => ({...h, reachable: false, error: 'timed out'}))), inst)).toThrow(/preflight: dir2 is unreachable \(timed out\)/);
		expect(() => preflightDirectors(stateOf(withHost(healthyHosts(NOW), 'dir2', (h) => ({...h, director: {...h.director!, keepalivedActive: false}}))), inst)).toThrow(/keepalived is not running on dir2/);
		expect(() => preflightDirectors(stateOf(withHost(healthyHosts(NOW), 'dir1', noVip)), inst)).toThrow(DrillRefused);
		expect(() => preflightDirectors(stateOf(withHost(healthyHosts(NOW), 'dir1', noVip)), inst)).toThrow(/192\.168\.67\.100 is on no director/);
	});

	it('refuses when the backup is not in BACKUP state', () => {
		const hosts = withHost(healthyHosts(NOW), 'dir2', (h) => ({...h, director: {...h.director!, vrrp: h.director!.vrrp!.map((v) => ({...v, state: 'FAULT'}))}}));
		expect(() => preflightDirectors(stateOf(hosts), inst)).toThrow(/dir2 is not a ready BACKUP of VI_1/);
	});
});

describe('expected bounds from the profile', () => {
	it('graceful: the skew; hard: 3 adverts + skew; removal: delay_loop + tries x (connect + delay)', () => {
		expect(skewMs(inst, 80)).toBeCloseTo(687.5);
		expect(expectedBoundMs(inst, 'failover')).toBe(688);
		expect(expectedBoundMs(inst, 'hard-failover')).toBe(3688);
		const vs = labProfile.virtualServers[0]!;
		expect(removalBoundMs(vs, vs.realServers[0]!)).toBe(8000);
	});

	it('use the actual backup at its effective priority, not the profile\'s second member', () => {
		// Healthy: dir2 (80) takes over from dir1.
		expect(takeoverPriority(stateOf(), inst, ['dir2'])).toBe(80);
		// A track script runs dir1 at 50 and the VIP sits on dir2: the backup is dir1, at 50.
		const lowered = withHost(healthyHosts(NOW), 'dir1', (h) => ({...h, director: {...h.director!, vrrp: h.director!.vrrp!.map((v) => ({...v, effectivePriority: 50}))}}));
		const p = takeoverPriority(stateOf(lowered), inst, ['dir1']);
		expect(p).toBe(50);
		expect(expectedBoundMs(inst, 'failover', p)).toBe(Math.round(((256 - 50) / 256) * 1000));
		expect(expectedBoundMs(inst, 'hard-failover', p)).toBe(Math.round(3000 + ((256 - 50) / 256) * 1000));
		// No dump: the configured priority of the actual backup (dir1's 100), not dir2's 80.
		const noDump = withHost(healthyHosts(NOW), 'dir1', (h) => ({...h, director: {...h.director!, vrrp: []}}));
		expect(takeoverPriority(stateOf(noDump), inst, ['dir1'])).toBe(100);
	});
});

describe('faults and their restore steps', () => {
	it('each fault has the step that undoes it, with values only as positional parameters', () => {
		const stop = faultFor(labProfile, inst, 'dir1', ['dir2'], 'failover');
		expect(stop.inject).toEqual(['systemctl', 'stop', 'keepalived']);
		expect(stop.restore).toEqual([{host: 'dir1', argv: ['systemctl', 'start', 'keepalived'], description: 'start keepalived (systemctl start keepalived)'}]);
		const freeze = faultFor(labProfile, inst, 'dir1', ['dir2'], 'hard-failover');
		expect(freeze.inject.slice(3)).toEqual(['lvsdeck-drill', '/run/vrrp.pid', '/run/keepalived.pid', 'STOP']);
		expect(freeze.restore[0]!.argv.slice(3)).toEqual(['lvsdeck-drill', '/run/vrrp.pid', '/run/keepalived.pid', 'CONT']);
		const cut = faultFor(labProfile, {...inst, interface: "eth0'; reboot"}, 'dir1', ['dir2'], 'hard-failover', 'cut');
		expect(cut.inject).toEqual(['sh', '-c', CUT_VRRP_SCRIPT, 'lvsdeck-drill', "eth0'; reboot"]);
		expect(cut.restore[0]!.argv).toEqual(['sh', '-c', UNCUT_VRRP_SCRIPT, 'lvsdeck-drill', "eth0'; reboot"]);
		expect(CUT_VRRP_SCRIPT).not.toContain('eth0');
		expect(cut.plan).toContain('split brain');
	});
});

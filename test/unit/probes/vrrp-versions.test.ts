// The text dumps of the keepalived versions production still runs (1.3.5, 2.0.10, 2.1.5, 2.2.7), read
// from shared/keepalived-dumps beside the checkout (never copied into the project): every version reads
// into the same record, what a version does not print is null, and no password survives parsing.
import {describe, expect, it} from 'vitest';
import {sharedDump} from '../../helpers/shared-dumps.js';
import {parseKeepalivedData, parseKeepalivedStats, vrrpRecord, withStats, type VrrpRecord} from '../../../src/probes/vrrp.js';

function dump(version: string, file: 'keepalived.data' | 'keepalived.stats'): string {
	const text = sharedDump(version, file);
	if (text === undefined) throw new Error(`shared/keepalived-dumps/${version}/${file} is missing`);
	return text;
}

function records(version: string): VrrpRecord[] {
	const data = parseKeepalivedData(dump(version, 'keepalived.data'));
	expect(data.problems).toEqual([]);
	const stats = sharedDump(version, 'keepalived.stats');
	const instances = stats === undefined ? data.instances : withStats(data.instances, parseKeepalivedStats(stats));
	return instances.map(vrrpRecord);
}

const NO_STATS = null;

describe('keepalived text dumps of every version in the field read into one record', () => {
	it('1.3.5 (CentOS 7): `Listening device`, `Virtual IP = 1`, no wanted state, no effective priority, stats from keepalived.stats', () => {
		expect(records('v1.3.5')).toEqual([
			{
				name: 'VI_1',
				state: 'MASTER',
				wantState: null,
				vrrpVersion: 2,
				interface: 'eth0',
				vrid: 51,
				priority: 150,
				effectivePriority: null,
				masterRouter: null,
				masterPriority: null,
				lastTransition: 1596892296,
				advertIntMs: 1000,
				preempt: true,
				preemptDelaySec: null,
				vips: ['10.32.75.200/32'],
				stats: {advertRcvd: 1, advertSent: 17, becomeMaster: 1, releaseMaster: 1, priZeroRcvd: 9, priZeroSent: 2},
			},
		]);
	});

	it('2.0.10: `Interface =`, effective priority, `Virtual IP = 1`; the VRRP Scripts section does not touch the instance', () => {
		expect(records('v2.0.10')).toEqual([
			{
				name: 'VI_1',
				state: 'MASTER',
				wantState: 'MASTER',
				vrrpVersion: 2,
				interface: 'ens192',
				vrid: 52,
				priority: 50,
				effectivePriority: 50,
				masterRouter: null,
				masterPriority: null,
				lastTransition: 1595875667,
				advertIntMs: 1000,
				preempt: true,
				preemptDelaySec: null,
				vips: ['2.2.2.2/32'],
				stats: NO_STATS,
			},
		]);
	});

	it('2.1.5 (RHEL 8): three instances, `Virtual IP :`, BACKUPs with their master, stats joined by name', () => {
		const r = records('v2.1.5');
		expect(r.map((i) => [i.name, i.state, i.vrid, i.priority, i.effectivePriority, i.masterRouter, i.masterPriority, i.vips])).toEqual([
			['VI_EXT_1', 'MASTER', 10, 100, 100, null, null, ['192.168.2.1']],
			['VI_EXT_2', 'BACKUP', 20, 80, 80, '192.168.1.2', 100, ['192.168.2.2']],
			['VI_EXT_3', 'BACKUP', 30, 90, 90, '192.168.1.3', 100, ['192.168.2.3']],
		]);
		expect(r[0]).toMatchObject({wantState: 'MASTER', vrrpVersion: 2, interface: 'ens192', lastTransition: 1594831166.420598, advertIntMs: 1000, preempt: true});
		expect(r[1]!.stats).toEqual({advertRcvd: 10, advertSent: 158, becomeMaster: 2, releaseMaster: 2, priZeroRcvd: 12, priZeroSent: 12});
		expect(r[2]!.stats).toEqual({advertRcvd: 23, advertSent: 172, becomeMaster: 4, releaseMaster: 4, priZeroRcvd: 1, priZeroSent: 2});
	});

	it('2.2.7 (the lab\'s): VRRPv3 milli-second interval, `Virtual IP (1):` plus excluded VIPs, effective priority above the base', () => {
		expect(records('v2.2.7')).toEqual([
			{
				name: 'VI_227_1',
				state: 'MASTER',
				wantState: 'MASTER',
				vrrpVersion: 3,
				interface: 'ens3',
				vrid: 52,
				priority: 50,
				effectivePriority: 150,
				masterRouter: null,
				masterPriority: null,
				lastTransition: 1673674892.34836,
				advertIntMs: 4000,
				preempt: true,
				preemptDelaySec: null,
				vips: ['10.1.0.1/24', '10.10.0.1'],
				stats: NO_STATS,
			},
		]);
	});

	it('every version gives records with the same keys', () => {
		const keys = ['v1.3.5', 'v2.0.10', 'v2.1.5', 'v2.2.7'].map((v) => records(v).map((r) => Object.keys(r).sort().join(',')));
		expect(new Set(keys.flat()).size).toBe(1);
	});
});

describe('1.3.x dump forms beyond the captured file (from keepalived 1.3.5 vrrp_print.c)', () => {
	const tracked = [
		'------< VRRP Topology >------',
		' VRRP Instance = VI_2',
		' VRRP Version = 2',
		'   State = 0',
		'   Listening device = eth1',
		'   Priority = 90',
		'   Tracked interfaces = 1',
		'------< NIC >------',
		' Name = eth1',
		' index = 3',
		' is UP',
		' weight = 10',
		' MTU = 1500',
		'   Virtual IP = 1',
		'     10.0.0.9/24 dev eth1 scope global',
	].join('\n');

	it('a tracked interface\'s `------< NIC >------` block neither ends the topology nor sets instance fields', () => {
		const d = parseKeepalivedData(tracked);
		expect(d.problems).toEqual([]);
		expect(d.instances.map(vrrpRecord)).toMatchObject([{name: 'VI_2', state: 'INIT', interface: 'eth1', priority: 90, vips: ['10.0.0.9/24']}]);
	});

	it('a state printed as a number keepalived has no name for is UNKNOWN with a problem, never a guess', () => {
		const d = parseKeepalivedData(tracked.replace('State = 0', 'State = 4'));
		expect(d.instances[0]!.state).toBe('UNKNOWN');
		expect(d.problems).toHaveLength(1);
	});

	it('2.2.7\'s VMAC form of `Interface` keeps the interface name only; `not configured` is null without a problem', () => {
		const base = dump('v2.2.7', 'keepalived.data');
		const vmac = parseKeepalivedData(base.replace('   Interface = ens3', '   Interface = vrrp.52, vmac on ens3, xmit base i/f'));
		expect(vmac.instances[0]!.interface).toBe('vrrp.52');
		const none = parseKeepalivedData(base.replace('   Interface = ens3', '   Interface = not configured'));
		expect(vrrpRecord(none.instances[0]!).interface).toBeNull();
		expect(none.problems).toEqual([]);
	});
});

describe('the VRRP password never survives parsing', () => {
	const passwords: Record<string, string[]> = {'v1.3.5': ['test'], 'v2.1.5': ['bacbefe5', 'password']};

	it.each(Object.entries(passwords))('%s: the dump holds the password, the parsed result does not', (version, secrets) => {
		const text = dump(version, 'keepalived.data');
		for (const secret of secrets) expect(text).toContain(`Password = ${secret}`);
		const parsed = JSON.stringify([parseKeepalivedData(text), records(version)]);
		for (const secret of secrets) expect(parsed).not.toContain(secret);
	});

	it('not even when the password is placed where a value is read (interface, instance name, VIP line)', () => {
		const text = dump('v2.1.5', 'keepalived.data').replace(/Password = bacbefe5/, 'Password = ens192');
		// A password that equals a real value cannot be told apart; a distinct one must not appear.
		const marked = text.replace('Password = password', 'Password = Zq9secret');
		expect(JSON.stringify(parseKeepalivedData(marked))).not.toContain('Zq9secret');
	});
});

// The real-server view's RS SETUP column says what each forwarding mode checks: DR `VIP on lo` (or
// the vip_device), TUN `tunl0`, NAT `route via GATEWAY`; a failed check says so in capitals.
import {describe, expect, it} from 'vitest';
import {realServerTable} from '../../../src/ui/presenters/presenters.js';
import {realServerSetupCell, realServerSetupDetail} from '../../../src/ui/presenters/realserver-setup.js';
import type {ClusterState, RealServerData} from '../../../src/cluster/types.js';
import {healthyHosts, labProfile, withHost} from '../cluster/fixture-state.js';

const dr: RealServerData = {modes: ['DR'], vipsOnLo: ['192.168.67.100'], missingVips: [], vipDevice: 'lo', arpIgnore: {all: 1, lo: 1}, arpAnnounce: {all: 2, lo: 2}, arpOk: true};
const tun = {devices: ['tunl0'], down: [], vipsOnTunnel: ['192.168.67.100'], missingVips: [], rpFilter: {all: 0, tunnel: 0, effective: 0}, rpFilterOk: true, ok: true};
const nat = {gateways: ['10.67.1.1'], defaultVia: ['10.67.1.1'], ok: true};
const base = {vipsOnLo: [], missingVips: [], arpIgnore: {}, arpAnnounce: {}, arpOk: true, arpRequired: false};

describe('the RS SETUP cell', () => {
	it('DR: the VIP on lo, or on the vip_device; missing in capitals', () => {
		expect(realServerSetupCell(dr)).toBe('VIP on lo');
		expect(realServerSetupCell({...dr, vipDevice: 'lvsvip0'})).toBe('VIP on lvsvip0');
		expect(realServerSetupCell({...dr, vipDevice: 'lvsvip0', vipsOnLo: [], missingVips: ['192.168.67.100']})).toBe('NO VIP on lvsvip0');
	});

	it('TUN: tunl0 when up with the VIPs and rp_filter passes; else what is wrong', () => {
		expect(realServerSetupCell({...base, modes: ['TUN'], tun})).toBe('tunl0');
		expect(realServerSetupCell({...base, modes: ['TUN'], tun: {...tun, down: ['tunl0'], ok: false}})).toBe('tunl0 DOWN');
		expect(realServerSetupCell({...base, modes: ['TUN'], tun: {...tun, vipsOnTunnel: [], missingVips: ['192.168.67.100'], ok: false}})).toBe('NO VIP on tunl0');
		expect(realServerSetupCell({...base, modes: ['TUN'], tun: {...tun, rpFilter: {all: 1, tunnel: 1, effective: 1}, rpFilterOk: false, ok: false}})).toBe('tunl0 RP_FILTER');
	});

	it('NAT: the default route via the gateway; another route in capitals', () => {
		expect(realServerSetupCell({...base, modes: ['NAT'], nat})).toBe('route via 10.67.1.1');
		expect(realServerSetupCell({...base, modes: ['NAT'], nat: {...nat, defaultVia: ['10.67.1.254'], ok: false}})).toBe('NO route via 10.67.1.1');
		expect(realServerSetupCell({...base, modes: ['NAT'], nat: {gateways: [], defaultVia: ['10.67.1.7'], ok: true}})).toBe('route via 10.67.1.7');
	});

	it('a host serving several modes gets one check each; no data is ?, no mode is -', () => {
		expect(realServerSetupCell({...dr, vipDevice: 'lvsvip0', modes: ['DR', 'TUN'], tun})).toBe('VIP on lvsvip0, tunl0');
		expect(realServerSetupCell(undefined)).toBe('?');
		expect(realServerSetupCell({...base, modes: []})).toBe('-');
		// Data from before modes were known: DR when VIPs are expected.
		const {modes: _, ...old} = dr;
		expect(realServerSetupCell(old)).toBe('VIP on lo');
	});

	it('the detail names the device, tunnel and route checked', () => {
		expect(realServerSetupDetail({...dr, vipDevice: 'lvsvip0'})).toEqual(['DR: VIPs on lvsvip0: 192.168.67.100']);
		expect(realServerSetupDetail({...base, modes: ['NAT'], nat: {...nat, defaultVia: [], ok: false}})).toEqual(['NAT: default route via nothing; wanted 10.67.1.1']);
		expect(realServerSetupDetail({...base, modes: ['TUN'], tun})[0]).toBe('TUN: tunl0: VIPs 192.168.67.100; rp_filter all/tunl0 0/0');
	});
});

describe('the real-server table', () => {
	const state = (hosts: ReturnType<typeof healthyHosts>): ClusterState => ({profileName: 'lab', at: 0, generation: 1, hosts: [...hosts.values()], vips: [], findings: [], events: []});

	it('has an RS SETUP column (no VIP ON LO) with each host\'s check', () => {
		const hosts = withHost(healthyHosts(), 'rs2', (h) => ({...h, realServer: {...base, modes: ['NAT'], nat: {...nat, ok: false, defaultVia: ['192.168.67.1']}}}));
		const table = realServerTable(state(hosts), labProfile);
		const column = table.columns.findIndex((c) => c.title === 'RS SETUP');
		expect(column).toBeGreaterThan(0);
		expect(table.columns.map((c) => c.title)).not.toContain('VIP ON LO');
		expect(table.rows.map((r) => r.cells[column])).toEqual(['VIP on lo', 'NO route via 10.67.1.1']);
	});
});

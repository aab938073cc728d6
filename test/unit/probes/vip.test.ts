import {readFileSync} from 'node:fs';
import {describe, it, expect} from 'vitest';
import {
	holdsAddress,
	ipAddrJsonCommand,
	ipAddrOnelineCommand,
	ipMonitorAddressCommand,
	normalizeAddress,
	parseIpAddrJson,
	parseIpAddrOneline,
	parseIpMonitorLine,
} from '../../../src/probes/vip.js';
import {isReadOnlyCommand} from '../../../src/transport/read-only.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/lab/${name}`, import.meta.url), 'utf8');

const VIP = {ifname: 'eth0', family: 'inet', address: '192.168.67.100', prefix: 24, label: 'eth0:1', scope: 'global', secondary: true} as const;

describe('vip command builders', () => {
	it('builds read-only argv arrays', () => {
		expect(ipAddrJsonCommand()).toEqual(['ip', '-j', 'addr', 'show']);
		expect(ipAddrOnelineCommand()).toEqual(['ip', '-o', 'addr', 'show']);
		expect(ipMonitorAddressCommand()).toEqual(['ip', '-o', 'monitor', 'address']);
		for (const c of [ipAddrJsonCommand(), ipAddrOnelineCommand(), ipMonitorAddressCommand()]) expect(isReadOnlyCommand(c)).toBe(true);
	});
});

describe('parseIpAddrJson', () => {
	it('reads dir1: the VIP is a secondary with label eth0:1', () => {
		const r = parseIpAddrJson(fixture('ip-j-addr-dir1.json'));
		expect(r.problems).toEqual([]);
		expect(r.addresses).toHaveLength(5);
		expect(r.addresses).toContainEqual(VIP);
		expect(r.addresses).toContainEqual({ifname: 'lo', family: 'inet6', address: '::1', prefix: 128, scope: 'host'});
		expect(holdsAddress(r.addresses, '192.168.67.100')).toBe(true);
	});

	it('reads dir2 (no VIP) and rs1 (VIP /32 on lo)', () => {
		const d2 = parseIpAddrJson(fixture('ip-j-addr-dir2.json'));
		expect(holdsAddress(d2.addresses, '192.168.67.100/24')).toBe(false);
		expect(holdsAddress(d2.addresses, '192.168.67.120')).toBe(true);
		const rs = parseIpAddrJson(fixture('ip-j-addr-rs1.json'));
		expect(rs.addresses.filter((a) => a.ifname === 'lo' && a.address === '192.168.67.100')).toEqual([
			{ifname: 'lo', family: 'inet', address: '192.168.67.100', prefix: 32, label: 'lo', scope: 'global'},
		]);
	});

	it('skips empty filtered entries and reports broken ones', () => {
		const r = parseIpAddrJson('[{"ifname":"eth0","addr_info":[{},{"family":"inet","local":"x","prefixlen":24},{"family":"link"}]},{"nope":1}]');
		expect(r.addresses).toEqual([]);
		expect(r.problems).toHaveLength(2);
		expect(parseIpAddrJson('').problems).toHaveLength(1);
		expect(parseIpAddrJson('[{"ifname":"eth0","addr_info":[').problems).toHaveLength(1);
	});
});

describe('parseIpAddrOneline', () => {
	it('gives the same addresses as the JSON output for every host', () => {
		for (const h of ['dir1', 'dir2', 'rs1']) {
			const o = parseIpAddrOneline(fixture(`ip-o-addr-${h}.txt`));
			expect(o.problems).toEqual([]);
			expect(o.addresses).toEqual(parseIpAddrJson(fixture(`ip-j-addr-${h}.json`)).addresses);
		}
	});

	it('handles peer, brd, flags and newer proto words', () => {
		const text = [
			'3: tun0    inet 10.8.0.1 peer 10.8.0.2/32 scope global tun0\\       valid_lft forever preferred_lft forever',
			'2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global dynamic noprefixroute eth0\\       valid_lft 86000sec preferred_lft 86000sec',
			'2: eth0    inet6 fe80::1/64 scope link proto kernel_ll \\       valid_lft forever preferred_lft forever',
			'4: br0    link/ether 00:11:22:33:44:55',
		].join('\n');
		const r = parseIpAddrOneline(text);
		expect(r.addresses).toEqual([
			{ifname: 'tun0', family: 'inet', address: '10.8.0.1', prefix: 32, scope: 'global', label: 'tun0'},
			{ifname: 'eth0', family: 'inet', address: '10.0.0.5', prefix: 24, scope: 'global', label: 'eth0'},
			{ifname: 'eth0', family: 'inet6', address: 'fe80::1', prefix: 64, scope: 'link'},
		]);
	});

	it('reports lines that are not addresses', () => {
		expect(parseIpAddrOneline('garbage\n1: lo inet 300.1.1.1/8\n1: lo inet 1.1.1.1/99').problems).toHaveLength(3);
	});
});

describe('parseIpMonitorLine', () => {
	it('reads the captured VIP move: deleted on dir1, added on dir2', () => {
		expect(parseIpMonitorLine(fixture('ip-monitor-address-dir1.txt').trimEnd())).toEqual({kind: 'deleted', addr: VIP});
		expect(parseIpMonitorLine(fixture('ip-monitor-address-dir2.txt').trimEnd())).toEqual({kind: 'added', addr: VIP});
	});

	it('skips [TAG] prefixes and ignores non-address lines', () => {
		expect(parseIpMonitorLine('[ADDR]Deleted 2: eth0    inet 10.0.0.9/32 scope global eth0')?.kind).toBe('deleted');
		expect(parseIpMonitorLine('[2026-11-21T10:51:08.1] [ADDR] 2: eth0    inet 10.0.0.9/32 scope global eth0')?.addr.address).toBe('10.0.0.9');
		expect(parseIpMonitorLine('Deleted 5: veth0    link/ether 00:11:22:33:44:55')).toBeUndefined();
		expect(parseIpMonitorLine('')).toBeUndefined();
		expect(parseIpMonitorLine('[unterminated')).toBeUndefined();
	});
});

describe('holdsAddress', () => {
	it('compares IPv6 canonically and ignores prefixes', () => {
		const addrs = parseIpAddrJson(fixture('ip-j-addr-dir1.json')).addresses;
		expect(holdsAddress(addrs, 'FE80:0::74FA:FF:FE67:A099/64')).toBe(true);
		expect(holdsAddress(addrs, '0:0:0:0:0:0:0:1')).toBe(true);
		expect(holdsAddress(addrs, '192.168.67.1')).toBe(false);
		expect(holdsAddress(addrs, '')).toBe(false);
		expect(normalizeAddress('fd00:0:0::0100/64')).toBe('fd00::100');
	});
});

import {readFileSync} from 'node:fs';
import {describe, it, expect} from 'vitest';
import fc from 'fast-check';
import {
	ipvsListCommand,
	ipvsRateCommand,
	ipvsStatsCommand,
	mergeIpvs,
	parseIpvsList,
	parseIpvsRate,
	parseIpvsStats,
	realServerKey,
	serviceKey,
	type IpvsService,
} from '../../../src/probes/ipvs.js';
import {formatIpvsList, formatIpvsRate, formatIpvsStats, generateIpvsServices, generateIpvsStatsText} from '../../helpers/ipvs-synth.js';
import {isReadOnlyCommand} from '../../../src/transport/read-only.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/lab/${name}`, import.meta.url), 'utf8');

function byKey(services: IpvsService[]): Map<string, IpvsService> {
	return new Map(services.map((s) => [serviceKey(s), s]));
}

describe('ipvs command builders', () => {
	it('builds argv arrays, all accepted by the read-only guard', () => {
		expect(ipvsListCommand()).toEqual(['ipvsadm', '-Ln', '--exact']);
		expect(ipvsStatsCommand()).toEqual(['ipvsadm', '-Ln', '--stats', '--exact']);
		expect(ipvsRateCommand()).toEqual(['ipvsadm', '-Ln', '--rate', '--exact']);
		for (const c of [ipvsListCommand(), ipvsStatsCommand(), ipvsRateCommand()]) expect(isReadOnlyCommand(c)).toBe(true);
	});
});

describe('serviceKey / realServerKey', () => {
	it('formats IPv4, IPv6 and FWM services', () => {
		expect(serviceKey({protocol: 'TCP', address: '192.168.67.100', port: 80})).toBe('TCP 192.168.67.100:80');
		expect(serviceKey({protocol: 'TCP', address: 'fd00::100', port: 443})).toBe('TCP [fd00::100]:443');
		expect(serviceKey({protocol: 'FWM', address: '', port: 0, fwmark: 7})).toBe('FWM 7');
		expect(serviceKey({protocol: 'FWM', address: '', port: 0, fwmark: 7, family: 'inet6'})).toBe('FWM 7 IPv6');
		expect(realServerKey({address: 'fd00::10', port: 443})).toBe('[fd00::10]:443');
	});
});

describe('parseIpvsList', () => {
	it('reads the dir1 table', () => {
		const t = parseIpvsList(fixture('ipvsadm-Ln-dir1.txt'));
		expect(t.problems).toEqual([]);
		expect(t.services).toEqual([
			{
				protocol: 'TCP',
				address: '192.168.67.100',
				port: 80,
				family: 'inet',
				scheduler: 'rr',
				flags: [],
				realServers: [
					{address: '192.168.67.10', port: 80, forward: 'Route', weight: 1, activeConn: 0, inactConn: 15},
					{address: '192.168.67.20', port: 80, forward: 'Route', weight: 1, activeConn: 0, inactConn: 15},
				],
			},
		]);
	});

	it('reads the mixed table: persistence, mask, UDP/NAT, IPv6, FWM/tunnel, a service without real servers', () => {
		const t = parseIpvsList(fixture('ipvsadm-Ln-mixed.txt'));
		expect(t.problems).toEqual([]);
		const s = byKey(t.services);
		expect([...s.keys()]).toEqual([
			'TCP 192.168.67.100:80',
			'TCP 192.168.67.102:3306',
			'TCP 192.168.67.103:80',
			'UDP 192.168.67.101:53',
			'TCP [fd00::100]:443',
			'FWM 7',
		]);
		const mysql = s.get('TCP 192.168.67.102:3306');
		expect(mysql).toMatchObject({scheduler: 'wrr', persistent: 300, netmask: '255.255.255.0', flags: []});
		expect(mysql?.realServers).toEqual([{address: '192.168.67.20', port: 3306, forward: 'Route', weight: 0, activeConn: 0, inactConn: 0}]);
		expect(s.get('TCP 192.168.67.103:80')).toMatchObject({scheduler: 'rr', persistent: 60, realServers: []});
		expect(s.get('TCP 192.168.67.103:80')?.netmask).toBeUndefined();
		expect(s.get('UDP 192.168.67.101:53')).toMatchObject({protocol: 'UDP', scheduler: 'wlc'});
		expect(s.get('UDP 192.168.67.101:53')?.realServers[0]).toMatchObject({address: '192.168.67.10', port: 53, forward: 'Masq', weight: 3});
		const v6 = s.get('TCP [fd00::100]:443');
		expect(v6).toMatchObject({address: 'fd00::100', port: 443, family: 'inet6', scheduler: 'lc'});
		expect(v6?.realServers[0]).toMatchObject({address: 'fd00::10', port: 443, forward: 'Route', weight: 5});
		const fwm = s.get('FWM 7');
		expect(fwm).toMatchObject({protocol: 'FWM', address: '', port: 0, fwmark: 7, scheduler: 'sh'});
		expect(fwm?.realServers[0]).toMatchObject({address: '192.168.67.20', port: 0, forward: 'Tunnel', weight: 2});
	});

	it('reads IPv6 firewall-mark services, scheduler flags, pe and ops', () => {
		const text = [
			'Prot LocalAddress:Port Scheduler Flags',
			'  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
			'FWM  9 IPv6 sh (sh-fallback,sh-port)',
			'  -> [fd00::20]:0                 Tunnel  1      4          5         ',
			'UDP  10.0.0.1:5060 rr persistent 30 pe sip ops',
		].join('\n');
		const t = parseIpvsList(text);
		expect(t.services[0]).toMatchObject({protocol: 'FWM', fwmark: 9, family: 'inet6', scheduler: 'sh', flags: ['(sh-fallback,sh-port)']});
		expect(serviceKey(t.services[0]!)).toBe('FWM 9 IPv6');
		expect(t.services[0]?.realServers[0]).toMatchObject({address: 'fd00::20', activeConn: 4, inactConn: 5});
		expect(t.services[1]).toMatchObject({persistent: 30, flags: ['pe sip', 'ops']});
	});

	it('follows the header when --tun-info adds a TunnelInfo column', () => {
		const text = [
			'IP Virtual Server version 1.2.1 (size=4096)',
			'Prot LocalAddress:Port Scheduler Flags',
			'  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn',
			'FWM  7 sh',
			'  -> 192.168.67.20:0              Tunnel  ipip          2      1          3         ',
		].join('\n');
		const t = parseIpvsList(text);
		expect(t.problems).toEqual([]);
		expect(t.services[0]?.realServers[0]).toMatchObject({forward: 'Tunnel', weight: 2, activeConn: 1, inactConn: 3});
	});

	it('reports garbage lines and orphan real servers without throwing', () => {
		const t = parseIpvsList('Prot LocalAddress:Port Scheduler Flags\n  -> 1.2.3.4:80 Route 1 0 0\nhello world\nTCP  nonsense rr\n');
		expect(t.services).toEqual([]);
		expect(t.problems).toHaveLength(3);
	});

	it('caps the problem list', () => {
		const t = parseIpvsList('x\n'.repeat(1000));
		expect(t.problems.length).toBeLessThanOrEqual(51);
		expect(t.problems.at(-1)).toMatch(/more problems/);
	});
});

describe('parseIpvsStats / parseIpvsRate', () => {
	it('reads dir1 stats: 30 connections split 15/15', () => {
		const t = parseIpvsStats(fixture('ipvsadm-stats-dir1.txt'));
		expect(t.problems).toEqual([]);
		const svc = t.services[0];
		expect(svc?.stats).toEqual({conns: 30, inPkts: 210, outPkts: 0, inBytes: 13500, outBytes: 0});
		expect(svc?.scheduler).toBe('');
		expect(svc?.realServers.map((r) => [realServerKey(r), r.stats?.conns, r.stats?.inPkts, r.stats?.inBytes])).toEqual([
			['192.168.67.10:80', 15, 105, 6750],
			['192.168.67.20:80', 15, 105, 6750],
		]);
	});

	it('reads dir2 stats (all zero) and the mixed stats, with and without --exact', () => {
		expect(parseIpvsStats(fixture('ipvsadm-stats-dir2.txt')).services[0]?.stats?.conns).toBe(0);
		for (const f of ['ipvsadm-stats-mixed.txt', 'ipvsadm-stats-mixed-noexact.txt']) {
			const t = parseIpvsStats(fixture(f));
			expect(t.problems).toEqual([]);
			expect(t.services.map(serviceKey)).toEqual(parseIpvsList(fixture('ipvsadm-Ln-mixed.txt')).services.map(serviceKey));
		}
	});

	it('reads dir1 rates', () => {
		const t = parseIpvsRate(fixture('ipvsadm-rate-dir1.txt'));
		expect(t.problems).toEqual([]);
		expect(t.services[0]?.rate).toEqual({cps: 4, inPps: 26, outPps: 0, inBps: 1687, outBps: 0});
		expect(t.services[0]?.realServers.map((r) => r.rate)).toEqual([
			{cps: 2, inPps: 13, outPps: 0, inBps: 844, outBps: 0},
			{cps: 2, inPps: 13, outPps: 0, inBps: 844, outBps: 0},
		]);
	});

	it('expands the K/M/G/T suffixes of non --exact output (1K = 1000)', () => {
		const text = [
			'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes',
			'  -> RemoteAddress:Port',
			'TCP  10.0.0.1:80                   123456K     1234M       12G        1T 99999999',
			'  -> 10.0.0.2:80                   100000K        0        0        0        0',
		].join('\n');
		const t = parseIpvsStats(text);
		expect(t.problems).toEqual([]);
		expect(t.services[0]?.stats).toEqual({conns: 123_456_000, inPkts: 1_234_000_000, outPkts: 12e9, inBytes: 1e12, outBytes: 99_999_999});
		expect(t.services[0]?.realServers[0]?.stats?.conns).toBe(100_000_000);
	});

	it('says so when handed the wrong view', () => {
		const t = parseIpvsList(fixture('ipvsadm-stats-dir1.txt'));
		expect(t.problems[0]).toMatch(/expected list output but the header is stats/);
		expect(t.services[0]?.stats?.conns).toBe(30);
	});
});

describe('mergeIpvs', () => {
	it('joins list, stats and rate of the mixed table', () => {
		const m = mergeIpvs(
			parseIpvsList(fixture('ipvsadm-Ln-mixed.txt')),
			parseIpvsStats(fixture('ipvsadm-stats-mixed.txt')),
			parseIpvsRate(fixture('ipvsadm-rate-mixed.txt')),
		);
		expect(m.problems).toEqual([]);
		expect(m.services).toHaveLength(6);
		for (const s of m.services) {
			expect(s.stats).toBeDefined();
			expect(s.rate).toBeDefined();
			for (const r of s.realServers) expect([r.stats, r.rate]).not.toContain(undefined);
		}
		expect(byKey(m.services).get('FWM 7')?.scheduler).toBe('sh');
	});

	it('joins dir1 and keeps list fields', () => {
		const m = mergeIpvs(parseIpvsList(fixture('ipvsadm-Ln-dir1.txt')), parseIpvsStats(fixture('ipvsadm-stats-dir1.txt')), parseIpvsRate(fixture('ipvsadm-rate-dir1.txt')));
		expect(m.services[0]?.realServers[1]).toEqual({
			address: '192.168.67.20',
			port: 80,
			forward: 'Route',
			weight: 1,
			activeConn: 0,
			inactConn: 15,
			stats: {conns: 15, inPkts: 105, outPkts: 0, inBytes: 6750, outBytes: 0},
			rate: {cps: 2, inPps: 13, outPps: 0, inBps: 844, outBps: 0},
		});
	});

	it('reports entries that changed between the commands and does not mutate its inputs', () => {
		const list = parseIpvsList(fixture('ipvsadm-Ln-dir1.txt'));
		const before = JSON.stringify(list);
		const m = mergeIpvs(list, parseIpvsStats(fixture('ipvsadm-stats-mixed.txt')));
		expect(JSON.stringify(list)).toBe(before);
		expect(m.problems.some((p) => p.includes('TCP 192.168.67.102:3306'))).toBe(true);
		expect(m.services).toHaveLength(1);
	});
});

describe('ipvs-synth', () => {
	it('reproduces the real fixtures byte for byte', () => {
		for (const f of ['ipvsadm-Ln-dir1.txt', 'ipvsadm-Ln-mixed.txt']) expect(formatIpvsList(parseIpvsList(fixture(f)).services)).toBe(fixture(f));
		for (const f of ['ipvsadm-stats-dir1.txt', 'ipvsadm-stats-dir2.txt', 'ipvsadm-stats-mixed.txt']) expect(formatIpvsStats(parseIpvsStats(fixture(f)).services)).toBe(fixture(f));
		for (const f of ['ipvsadm-rate-dir1.txt', 'ipvsadm-rate-mixed.txt']) expect(formatIpvsRate(parseIpvsRate(fixture(f)).services)).toBe(fixture(f));
	});

	it('round-trips generated tables through the stats parser (exact)', () => {
		fc.assert(
			fc.property(fc.integer({min: 0, max: 12}), fc.integer({min: 0, max: 12}), fc.nat(), (n, m, seed) => {
				const model = generateIpvsServices(n, m, seed);
				const t = parseIpvsStats(generateIpvsStatsText(n, m, {seed}));
				expect(t.problems).toEqual([]);
				expect(t.services.map(serviceKey)).toEqual(model.map(serviceKey));
				t.services.forEach((s, i) => {
					expect(s.stats).toEqual(model[i]?.stats);
					expect(s.realServers.map((r) => [realServerKey(r), r.stats])).toEqual(model[i]?.realServers.map((r) => [realServerKey(r), r.stats]));
				});
			}),
			{numRuns: 60},
		);
	});

	it('round-trips the list view and, lossily, the suffixed stats view', () => {
		const model = generateIpvsServices(8, 20, 7);
		expect(formatIpvsList(parseIpvsList(formatIpvsList(model)).services)).toBe(formatIpvsList(model));
		const t = parseIpvsStats(generateIpvsStatsText(8, 20, {seed: 7, exact: false}));
		expect(t.problems).toEqual([]);
		const trunc = (v: number): number => (v < 1e8 ? v : v < 1e9 ? Math.trunc(v / 1e3) * 1e3 : v < 1e11 ? Math.trunc(v / 1e6) * 1e6 : v < 1e14 ? Math.trunc(v / 1e9) * 1e9 : Math.trunc(v / 1e12) * 1e12);
		t.services.forEach((s, i) => {
			const want = model[i]?.stats;
			expect(s.stats?.conns).toBe(trunc(want?.conns ?? -1));
			expect(s.stats?.outBytes).toBe(trunc(want?.outBytes ?? -1));
		});
	});

	// Speed is measured by `npm run bench` (parse-10k), not here: a timed test fails on a loaded machine.
	it('parses --stats --exact with 10,000 real servers, every one of them', () => {
		const text = generateIpvsStatsText(1, 10_000);
		const t = parseIpvsStats(text);
		expect(t.services[0]?.realServers).toHaveLength(10_000);
		expect(t.problems).toEqual([]);
	});
});

import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {describe, it, expect} from 'vitest';
import {parseProcRoute4, parseProcRoute6} from '../../../src/probes/realserver-readout.js';
import {checkRealServer, parseRealServerCheck, parseSysctlLines, realServerCheckCommand, REALSERVER_CHECK_SCRIPT} from '../../../src/probes/realserver.js';
import {isReadOnlyCommand} from '../../../src/transport/read-only.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/lab/${name}`, import.meta.url), 'utf8');

const scriptOutput = (ignoreAll: string, ignoreLo: string, announceAll: string, announceLo: string, lo: string[]): string =>
	[
		`net.ipv4.conf.all.arp_ignore=${ignoreAll}`,
		`net.ipv4.conf.all.arp_announce=${announceAll}`,
		`net.ipv4.conf.lo.arp_ignore=${ignoreLo}`,
		`net.ipv4.conf.lo.arp_announce=${announceLo}`,
		...lo.map((l) => `lo.addr=${l}`),
	].join('\n');

const LO = ['1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever', '1: lo    inet 192.168.67.100/32 scope global lo\\       valid_lft forever preferred_lft forever'];

describe('realServerCheckCommand', () => {
	it('is a constant read-only sh -c script reading /proc/sys and lo', () => {
		expect(realServerCheckCommand()).toEqual(['sh', '-c', REALSERVER_CHECK_SCRIPT, 'lvsdeck-rs-check']);
		expect(REALSERVER_CHECK_SCRIPT).toContain('/proc/sys/net/ipv4/conf/*/');
		expect(REALSERVER_CHECK_SCRIPT).toContain('ip -o addr show');
		expect(REALSERVER_CHECK_SCRIPT).toContain('/proc/net/route');
		// One process (ip) at most: the rest are shell builtins, as process starts are slow on small hosts.
		expect(REALSERVER_CHECK_SCRIPT.match(/\bip\b/g)).toHaveLength(1);
		expect(isReadOnlyCommand(realServerCheckCommand())).toBe(true);
	});

	it.skipIf(process.platform !== 'linux')('produces output its parser reads on this machine', () => {
		const [cmd, ...args] = realServerCheckCommand();
		const out = execFileSync(cmd!, args, {encoding: 'utf8'});
		const r = parseRealServerCheck(out, ['127.0.0.1']);
		expect(r.arpIgnore.all).toBeTypeOf('number');
		expect(r.arpAnnounce.lo).toBeTypeOf('number');
		expect(r.vipsOnLo).toEqual(['127.0.0.1']);
		// 127.0.0.1 sits on lo as /8, which the check flags for a VIP
		expect(r.problems.some((p) => p.includes('/8'))).toBe(true);
	});
});

describe('parseRealServerCheck', () => {
	it('reads the rs1 fixtures (sysctl output + ip -o addr): ARP ok, VIP on lo', () => {
		const r = parseRealServerCheck(fixture('sysctl-arp-rs1.txt') + fixture('ip-o-addr-rs1.txt'), ['192.168.67.100', '192.168.67.101/32']);
		expect(r).toEqual({
			arpIgnore: {all: 1, lo: 1, interface: undefined, effective: 1},
			arpAnnounce: {all: 2, lo: 2, interface: undefined, effective: 2},
			arpInterface: 'eth0',
			arpRequired: true,
			vipDevice: 'lo',
			vipsOnLo: ['192.168.67.100'],
			missingVips: ['192.168.67.101/32'],
			arpOk: true,
			problems: [],
		});
	});

	it('reads the script form', () => {
		const r = parseRealServerCheck(scriptOutput('1', '0', '2', '0', LO), ['192.168.67.100/32']);
		expect(r.arpOk).toBe(true);
		expect(r.vipsOnLo).toEqual(['192.168.67.100/32']);
		expect(r.problems).toEqual([]);
	});

	it('does not trust lo alone: the kernel uses max(all, the interface the ARP uses)', () => {
		const r = parseRealServerCheck(scriptOutput('0', '1', '0', '2', LO), ['192.168.67.100']);
		expect(r.arpOk).toBe(false);
		expect(r.problems).toHaveLength(2);
		expect(r.problems[0]).toMatch(/set on lo but not on all:/);
		expect(parseRealServerCheck(scriptOutput('1', '0', '1', '0', LO), ['192.168.67.100']).arpOk).toBe(false);
		expect(parseRealServerCheck(scriptOutput('2', '0', '2', '0', LO), ['192.168.67.100']).arpOk).toBe(true);
		// No DR VIP to hide: nothing to ask of ARP.
		expect(parseRealServerCheck(scriptOutput('0', '0', '0', '0', LO), []).arpOk).toBe(true);
	});

	it('reports unreadable values and a VIP with a subnet prefix on lo', () => {
		const r = parseRealServerCheck(scriptOutput('missing', 'x', '2', '2', ['1: lo    inet 192.168.67.100/24 scope global lo\\ valid_lft forever']), ['192.168.67.100']);
		expect(r.arpIgnore).toEqual({all: undefined, lo: undefined, effective: undefined});
		expect(r.arpOk).toBe(false);
		expect(r.problems.join('\n')).toMatch(/all\.arp_ignore could not be read \(no such file\)/);
		expect(r.problems.join('\n')).toMatch(/VIP 192\.168\.67\.100 is on lo as \/24; it should be \/32/);
	});

	it('handles empty input', () => {
		const r = parseRealServerCheck('', ['10.0.0.1']);
		expect(r.arpOk).toBe(false);
		expect(r.missingVips).toEqual(['10.0.0.1']);
		expect(r.problems.length).toBeGreaterThan(0);
	});
});

describe('parseSysctlLines', () => {
	it('reads sysctl output', () => {
		const r = parseSysctlLines(fixture('sysctl-arp-rs1.txt'));
		expect({...r.values}).toEqual({
			'net.ipv4.conf.all.arp_ignore': '1',
			'net.ipv4.conf.lo.arp_ignore': '1',
			'net.ipv4.conf.all.arp_announce': '2',
			'net.ipv4.conf.lo.arp_announce': '2',
		});
		expect(r.problems).toEqual([]);
		expect(parseSysctlLines('sysctl: cannot stat /proc/sys/x: No such file\nnet.a=1').problems).toHaveLength(1);
	});
});

// Output of REALSERVER_CHECK_SCRIPT captured on the lab's real servers (user-mode Linux 6.1), after
// the changes each file name says.
describe('checkRealServer on captured lab output, by forwarding mode', () => {
	const DR = {address: '192.168.67.10', dr: {vips: ['192.168.67.100']}};

	it('DR with the VIP on lo and ARP set on all: ready', () => {
		const r = checkRealServer(fixture('rs-check-dr-lo.txt'), DR);
		expect([r.vipsOnLo, r.missingVips, r.arpOk, r.arpInterface, r.arpIgnore, r.problems]).toEqual([
			['192.168.67.100'],
			[],
			true,
			'eth0',
			{all: 1, lo: 1, interface: 0, effective: 1},
			[],
		]);
	});

	it('DR with the VIP on the dummy device the profile names: not missing; on lo it is', () => {
		const text = fixture('rs-check-dr-dummy0.txt');
		const named = checkRealServer(text, {...DR, dr: {vips: ['192.168.67.100'], device: 'dummy0'}});
		expect([named.vipDevice, named.vipsOnLo, named.missingVips, named.problems]).toEqual(['dummy0', ['192.168.67.100'], [], []]);
		expect(checkRealServer(text, DR).missingVips).toEqual(['192.168.67.100']);
	});

	it('DR with ARP set on eth0 only (all = 0): the kernel uses max(all, eth0), so it is fine', () => {
		const text = fixture('rs-check-dr-arp-eth0.txt');
		const r = checkRealServer(text, {...DR, dr: {vips: ['192.168.67.100'], device: 'dummy0'}});
		expect(r.arpIgnore).toEqual({all: 0, lo: 0, interface: 1, effective: 1});
		expect(r.arpAnnounce).toEqual({all: 0, lo: 0, interface: 2, effective: 2});
		expect(r.arpOk).toBe(true);
		// The same values on another host's interface prove nothing for this one.
		const other = text.replaceAll('net.ipv4.conf.eth0.', 'net.ipv4.conf.eth9.');
		const bad = checkRealServer(other, {...DR, dr: {vips: ['192.168.67.100'], device: 'dummy0'}});
		expect(bad.arpOk).toBe(false);
		expect(bad.problems.join('\n')).toMatch(/arp_ignore on eth0 is 0 \(max of all and eth0\)/);
	});

	it('NAT with no ARP sysctls and no VIP: no ARP or VIP problem; the default route is what counts', () => {
		const text = fixture('rs-check-nat-plain.txt');
		const noRoute = checkRealServer(text, {address: '192.168.67.20', nat: {gateways: ['192.168.67.1']}});
		expect([noRoute.arpRequired, noRoute.arpOk, noRoute.missingVips]).toEqual([false, true, []]);
		expect(noRoute.nat).toEqual({gateways: ['192.168.67.1'], defaultVia: [], ok: false, note: expect.stringMatching(/not nothing \(no default route\)/)});
		const viaGateway = checkRealServer(`${text}route=default via 192.168.67.1 dev eth0 \n`, {address: '192.168.67.20', nat: {gateways: ['192.168.67.1']}});
		expect(viaGateway.nat?.ok).toBe(true);
		expect(viaGateway.problems).toEqual([]);
		const elsewhere = checkRealServer(`${text}route=default via 192.168.67.254 dev eth0 \n`, {address: '192.168.67.20', nat: {gateways: ['192.168.67.1']}});
		expect(elsewhere.nat?.ok).toBe(false);
		expect(elsewhere.problems).toContain("the default route must go via the directors' gateway 192.168.67.1, not 192.168.67.254");
	});

	it('NAT without a gateway in the profile: any default route in the real address\'s subnet, and it says so', () => {
		const text = fixture('rs-check-nat-plain.txt');
		const same = checkRealServer(`${text}route=default via 192.168.67.254 dev eth0 \n`, {address: '192.168.67.20', nat: {gateways: []}});
		expect(same.nat?.ok).toBe(true);
		expect(same.nat?.note).toMatch(/names no gateway VIP/);
		const outside = checkRealServer(`${text}route=default via 10.9.9.9 dev eth0 \n`, {address: '192.168.67.20', nat: {gateways: []}});
		expect(outside.nat?.ok).toBe(false);
	});

	it('TUN with tunl0 up holding the VIP and rp_filter 2 on tunl0: ready; strict rp_filter on all is not', () => {
		const text = fixture('rs-check-tun.txt');
		const r = checkRealServer(text, {address: '192.168.67.20', tun: {vips: ['192.168.67.100']}});
		expect(r.tun).toEqual({
			devices: ['tunl0'],
			down: [],
			vipsOnTunnel: ['192.168.67.100'],
			missingVips: [],
			rpFilter: {all: 0, tunnel: 2, effective: 2},
			rpFilterOk: true,
			ok: true,
		});
		// The VIP is in the real address's subnet here, so ARP for it can reach the host: it is checked (and off).
		expect(r.arpRequired).toBe(true);
		expect(r.arpOk).toBe(false);
		const strict = checkRealServer(text.replace('net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.all.rp_filter=1').replace('tunl0.rp_filter=2', 'tunl0.rp_filter=0'), {
			address: '192.168.67.20',
			tun: {vips: ['192.168.67.100']},
		});
		expect([strict.tun?.rpFilter.effective, strict.tun?.rpFilterOk, strict.tun?.ok]).toEqual([1, false, false]);
		const down = checkRealServer(text.replace('<NOARP,UP,LOWER_UP>', '<NOARP>'), {address: '192.168.67.20', tun: {vips: ['192.168.67.100']}});
		expect(down.tun?.down).toEqual(['tunl0']);
	});

	it('TUN across a router (VIP outside the real subnet) does not need the ARP settings', () => {
		const text = fixture('rs-check-tun.txt').replaceAll('192.168.67.100', '10.1.2.3');
		const r = checkRealServer(text, {address: '192.168.67.20', tun: {vips: ['10.1.2.3']}});
		expect([r.arpRequired, r.arpOk, r.tun?.ok]).toEqual([false, true, true]);
	});

	it('a host serving DR and NAT is checked for both', () => {
		const text = `${fixture('rs-check-dr-lo.txt')}route=default via 192.168.67.1 dev eth0 \n`;
		const r = checkRealServer(text, {...DR, nat: {gateways: ['192.168.67.1']}});
		expect([r.vipsOnLo, r.arpOk, r.nat?.ok]).toEqual([['192.168.67.100'], true, true]);
	});
});

// Lines of /proc/net/route and /proc/net/ipv6_route as this machine's kernel printed them.
describe('default routes from /proc', () => {
	it('IPv4: the default route with its gateway (little-endian hex); other routes are not defaults', () => {
		expect(parseProcRoute4('eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0')).toEqual({family: 4, dev: 'eth0', via: '192.0.2.1'});
		expect(parseProcRoute4('eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0')).toBeUndefined();
		expect(parseProcRoute4('Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT')).toBeUndefined();
	});

	it('IPv6: the default route via its next hop; the kernel\'s reject route on lo is not one', () => {
		expect(parseProcRoute6('00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0')).toEqual({
			family: 6,
			dev: 'eth0',
			via: 'fd00::1',
		});
		expect(parseProcRoute6('00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo')).toBeUndefined();
		expect(parseProcRoute6('fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0')).toBeUndefined();
	});

	it('a NAT check reads the /proc form: default route via the gateway', () => {
		const text = `${fixture('rs-check-nat-plain.txt')}route4=eth0\t00000000\t0143A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\nflags.eth0=0x1003\n`;
		expect(checkRealServer(text, {address: '192.168.67.20', nat: {gateways: ['192.168.67.1']}}).nat).toEqual({gateways: ['192.168.67.1'], defaultVia: ['192.168.67.1'], ok: true});
	});
});

describe('the current script form, as captured on the lab (rs1, DR, no default route)', () => {
	it('reads links, routes (none default: only the reject route on lo) and the VIP on lo', () => {
		const text = fixture('rs-check-v2-dr-lo.txt');
		const r = checkRealServer(text, {address: '192.168.67.10', dr: {vips: ['192.168.67.100']}, nat: {gateways: ['192.168.67.1']}});
		expect([r.vipsOnLo, r.arpOk, r.arpInterface, r.problems.slice(0, 1)]).toEqual([['192.168.67.100'], true, 'eth0', ["the default route must go via the directors' gateway 192.168.67.1, not nothing (no default route)"]]);
		const tun = checkRealServer(text, {address: '192.168.67.10', tun: {vips: ['192.168.67.100']}});
		// No tunl0 on this host: the TUN check says so.
		expect([tun.tun?.down, tun.tun?.missingVips]).toEqual([['tunl0'], ['192.168.67.100']]);
	});
});

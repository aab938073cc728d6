// Parsers refuse tokens of the wrong shape: each refused field is a problem (quoting the token with its
// unsafe characters escaped) and is dropped or shown as ?, never passed on.
import {describe, expect, it} from 'vitest';
import {parseIpvsList} from '../../../src/probes/ipvs.js';
import {parseIpAddrJson, parseIpAddrOneline, parseIpMonitorLine} from '../../../src/probes/vip.js';
import {parseKeepalivedData, parseKeepalivedJson, parseKeepalivedStats, parseKeepalivedVersion} from '../../../src/probes/vrrp.js';
import {parseSysctlLines} from '../../../src/probes/realserver.js';
import {isPlainAddress, quoteToken} from '../../../src/probes/shape.js';

const ESC = '\u001b]0;owned\u0007';
const HEAD = ['IP Virtual Server version 1.2.1 (size=4096)', 'Prot LocalAddress:Port Scheduler Flags', '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'];
const list = (...lines: string[]) => parseIpvsList([...HEAD, ...lines].join('\n'));

describe('ipvsadm', () => {
	it('a scheduler that is not a word is shown as ? and reported with the token escaped', () => {
		const t = list(`TCP  10.0.0.1:80 rr${ESC}`, '  -> 10.0.0.2:80                Route   1      0          0');
		expect(t.services[0]).toMatchObject({address: '10.0.0.1', scheduler: '?'});
		expect(t.services[0]!.realServers).toHaveLength(1);
		expect(t.problems).toEqual(['line 4: scheduler "rr\\u001b]0;owned\\u0007" is not a word; shown as ?']);
	});

	it('a forwarding method that is not a word is shown as ?; a flag, pe or mask that is not a word is dropped', () => {
		const t = list(`TCP  10.0.0.1:80 wlc ops\u202e pe sip\u200b persistent 60 mask 255.255.255.0${ESC}`, `  -> 10.0.0.2:80                Route\u0085 1      0          0`);
		expect(t.services[0]).toMatchObject({scheduler: 'wlc', persistent: 60, flags: []});
		expect(t.services[0]!.netmask).toBeUndefined();
		expect(t.services[0]!.realServers[0]).toMatchObject({forward: '?', weight: 1});
		expect(t.problems.map((p) => p.replace(/".*"/, '""'))).toEqual([
			'line 4: flag "" is not a word; dropped',
			'line 4: pe "" is not a word; dropped',
			'line 4: mask "" is not a word; dropped',
			'line 5: forwarding method "" is not a word; shown as ?',
		]);
	});

	it('accepts real scheduler flags, pe and masks', () => {
		const t = list('TCP  10.0.0.1:80 sh persistent 300 mask 255.255.255.0 pe sip (sh-fallback,sh-port) ops');
		expect(t.services[0]).toMatchObject({scheduler: 'sh', persistent: 300, netmask: '255.255.255.0', flags: ['pe sip', '(sh-fallback,sh-port)', 'ops']});
		expect(t.problems).toEqual([]);
	});

	it('an address with a zone index (which node accepts as an IP with any text after %) is refused', () => {
		expect(isPlainAddress('fe80::1%eth0')).toBe(false);
		expect(isPlainAddress(`fe80::1%${ESC}`)).toBe(false);
		expect(isPlainAddress('fd00::1')).toBe(true);
		const t = list(`TCP  [fe80::1%${ESC}]:80 rr`, 'TCP  [fd00::1]:80 rr');
		expect(t.services.map((s) => s.address)).toEqual(['fd00::1']);
		expect(t.problems[0]).toMatch(/^line 4: bad service address: "TCP  \[fe80::1%\\u001b\]0;owned\\u0007\]:80 rr"$/);
	});

	it('problem quotes are bounded whatever the token', () => {
		expect(quoteToken('\u001b'.repeat(10_000)).length).toBeLessThanOrEqual(84);
		expect(quoteToken('short')).toBe('"short"');
	});
});

describe('ip addr', () => {
	it('-j: an interface name, label or scope not of its shape is dropped and reported', () => {
		const r = parseIpAddrJson(
			JSON.stringify([
				{ifname: `eth0${ESC}`, addr_info: [{family: 'inet', local: '10.0.0.9', prefixlen: 24}]},
				{ifname: 'eth1', addr_info: [{family: 'inet', local: '10.0.0.1', prefixlen: 24, label: 'eth1\u202e', scope: 'global\u200b'}, {family: 'inet6', local: 'fe80::1%x', prefixlen: 64}]},
			]),
		);
		expect(r.addresses).toEqual([{ifname: 'eth1', family: 'inet', address: '10.0.0.1', prefix: 24}]);
		expect(r.problems).toEqual(['link #1 has no usable ifname', 'eth1: label of 10.0.0.1 is not an interface label; dropped', 'eth1: scope of 10.0.0.1 is not a word; dropped', 'eth1: unreadable inet6 address entry']);
	});

	it('-o and monitor lines: a hostile interface name refuses the line; a hostile label or scope is dropped', () => {
		expect(parseIpAddrOneline(`2: eth0\u001b[2J    inet 10.0.0.1/24 scope global eth0`).addresses).toEqual([]);
		expect(parseIpAddrOneline(`2: eth0    inet 10.0.0.1/24 scope global\u202e eth0:1\u200b`).addresses).toEqual([{ifname: 'eth0', family: 'inet', address: '10.0.0.1', prefix: 24}]);
		expect(parseIpMonitorLine(`Deleted 2: eth0${ESC}    inet 10.0.0.100/24 scope global secondary eth0:1`)).toBeUndefined();
		expect(parseIpMonitorLine('Deleted 2: eth0    inet 10.0.0.100/24 scope global secondary eth0:1')).toMatchObject({kind: 'deleted', addr: {ifname: 'eth0', address: '10.0.0.100', label: 'eth0:1'}});
	});
});

describe('keepalived dumps', () => {
	it('JSON: an instance name not of its shape skips the instance; a hostile interface is dropped; problems never quote dump values', () => {
		const d = parseKeepalivedJson(
			JSON.stringify([
				{data: {iname: 'VI\u202e_1', state: 2, vips: []}},
				{data: {iname: 'VI_2', state: 1, ifp_ifname: `eth0${ESC}`, vips: [`10.0.0.1${ESC}/24`, '10.0.0.2/24 dev eth0'], auth_data: `pw${ESC}`}},
			]),
		);
		expect(d.instances).toEqual([expect.objectContaining({name: 'VI_2', state: 'BACKUP', vips: ['10.0.0.2/24']})]);
		expect(d.instances[0]!.interface).toBeUndefined();
		expect(d.problems).toEqual(['JSON instance #1 has no usable iname; skipped', 'VI_2: interface is not an interface name; dropped', 'VI_2: unreadable vips entry']);
		expect(d.problems.join()).not.toMatch(/owned|pw/);
	});

	it('text: a hostile state, wanted state, master router or interface is refused and reported', () => {
		const d = parseKeepalivedData(
			['------< VRRP Topology >------', ' VRRP Instance = VI_1', `   State = MASTER${ESC}`, `   Wantstate = \u202eMASTER`, `   Master router = 10.0.0.2${ESC}`, `   Interface = eth0\u200b`, ` VRRP Instance = VI_${ESC}`, '   State = BACKUP'].join('\n'),
		);
		expect(d.instances).toEqual([{name: 'VI_1', state: 'UNKNOWN', wantState: 'UNKNOWN', vips: []}]);
		expect(d.problems).toEqual([
			'VI_1: unknown state on line 3',
			'VI_1: unknown wanted state on line 4',
			'VI_1: master router on line 5 is not an address; dropped',
			'VI_1: interface on line 6 is not an interface name; dropped',
			'line 7: instance without a usable name; skipped',
		]);
	});

	it('stats and version: hostile names and versions are refused', () => {
		expect(Object.keys(parseKeepalivedStats(`VRRP Instance: VI_1${ESC}\n  Released master: 1\nVRRP Instance: VI_2\n  Released master: 2\n`).instances)).toEqual(['VI_2']);
		expect(parseKeepalivedVersion(`Keepalived v2.2.7${ESC} (01/16,2022)`).version).toBeUndefined();
		expect(parseKeepalivedVersion('Keepalived v2.2.7 (01/16,2022)').version).toBe('2.2.7');
	});
});

describe('sysctl lines', () => {
	it('a value that is not printable text is dropped and reported', () => {
		const r = parseSysctlLines(`net.ipv4.conf.all.arp_ignore = 1${ESC}\nnet.ipv4.tcp_rmem = 4096\t87380\t6291456`);
		expect(r.values).toEqual({'net.ipv4.tcp_rmem': '4096\t87380\t6291456'});
		expect(r.problems).toEqual(['line 1: the value of net.ipv4.conf.all.arp_ignore is not printable text; dropped']);
	});
});

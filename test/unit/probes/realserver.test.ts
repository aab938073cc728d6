import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {describe, it, expect} from 'vitest';
import {parseRealServerCheck, parseSysctlLines, realServerCheckCommand, REALSERVER_CHECK_SCRIPT} from '../../../src/probes/realserver.js';
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
		expect(REALSERVER_CHECK_SCRIPT).toContain('/proc/sys/net/ipv4/conf/$c/$k');
		expect(REALSERVER_CHECK_SCRIPT).toContain('ip -o addr show dev lo');
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
			arpIgnore: {all: 1, lo: 1},
			arpAnnounce: {all: 2, lo: 2},
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
		expect(r.problems[0]).toMatch(/set on lo but not on all/);
		expect(parseRealServerCheck(scriptOutput('1', '0', '1', '0', LO), []).arpOk).toBe(false);
		expect(parseRealServerCheck(scriptOutput('2', '0', '2', '0', LO), []).arpOk).toBe(true);
	});

	it('reports unreadable values and a VIP with a subnet prefix on lo', () => {
		const r = parseRealServerCheck(scriptOutput('missing', 'x', '2', '2', ['1: lo    inet 192.168.67.100/24 scope global lo\\ valid_lft forever']), ['192.168.67.100']);
		expect(r.arpIgnore).toEqual({all: undefined, lo: undefined});
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

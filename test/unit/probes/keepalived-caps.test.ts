// Capability detection from `keepalived --version` and `keepalived --signum` output: the lab's real
// 2.2.7 output (test/fixtures/lab), a real OpenWrt 2.1.5 header (openwrt/packages#13641), and the 1.3.x
// and 2.0.x forms as those versions' main.c prints them.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {defaultPidFiles, describeCapabilities, detectCapabilities, signumFallback, signumQuestions, SIGUSR1_LINUX} from '../../../src/probes/keepalived-caps.js';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'fixtures', 'lab', name), 'utf8');

/** 1.3.5 (CentOS 7): `Keepalived v1.3.5 (03/19,2017)` then `Build options:` (main.c of 1.3.5), no JSON, no --signum. */
const V135 = [
	'Keepalived v1.3.5 (03/19,2017), git commit v1.3.5-6-g6fa32f2',
	'',
	'Copyright(C) 2001-2017 Alexandre Cassen, <acassen@gmail.com>',
	'',
	'Build options:  PIPE2 LIBNL3 RTA_ENCAP RTA_EXPIRES RTA_PREF RTA_VIA FRA_OIFNAME FRA_SUPPRESS_PREFIXLEN FRA_TUN_ID RTAX_CC_ALGO RTAX_QUICKACK LIBIPTC LIBIPSET_DYNAMIC LVS LIBIPVS_NETLINK VRRP VRRP_AUTH VRRP_VMAC SOCK_NONBLOCK SOCK_CLOEXEC FIB_ROUTING INET6_ADDR_GEN_MODE SNMP_V3_FOR_V2 SNMP SNMP_KEEPALIVED SNMP_CHECKER SNMP_RFC SNMP_RFCV2 SNMP_RFCV3 SO_MARK',
	'',
].join('\n');

/** 1.3.9 built with --enable-json: JSON is a build option there. */
const V139_JSON = V135.replace(/1\.3\.5/g, '1.3.9').replace('VRRP_VMAC', 'VRRP_VMAC JSON');

/** 2.0.10 without JSON (Debian buster's configure has no --enable-json). */
const V2010 = [
	'Keepalived v2.0.10 (11/12,2018)',
	'',
	'Copyright(C) 2001-2018 Alexandre Cassen, <acassen@gmail.com>',
	'',
	'Built with kernel headers for Linux 4.18.0',
	'Running on Linux 4.19.0-6-amd64 #1 SMP Debian 4.19.67-2+deb10u2 (2019-11-11)',
	'',
	'configure options: --build=x86_64-linux-gnu --prefix=/usr --enable-snmp --enable-sha1 --enable-dbus --with-init=systemd',
	'',
	'Config options:  NFTABLES LVS REGEX VRRP VRRP_AUTH VRRP_VMAC OLD_CHKSUM_COMPAT FIB_ROUTING SNMP_V3_FOR_V2 SNMP_VRRP SNMP_CHECKER SNMP_RFCV2 SNMP_RFCV3 DBUS INIT=systemd',
	'',
].join('\n');

/** The head of a real `keepalived --version` from OpenWrt's 2.1.5 (openwrt/packages#13641). */
const V215_OPENWRT = [
	'Keepalived v2.1.5 (10/09,2020), git commit reboot-14765-gf9fc534530',
	'',
	'Copyright(C) 2001-2020 Alexandre Cassen, <acassen@gmail.com>',
	'',
	'Built with kernel headers for Linux 5.4.69',
	'Running on Linux 5.4.69 #0 SMP Fri Oct 9 04:07:40 2020',
].join('\n');

describe('signumQuestions', () => {
	it('asks nothing of a version without --signum, JSON of a JSON build, DATA otherwise (one run of the binary)', () => {
		expect(signumQuestions(V135)).toEqual([]);
		expect(signumQuestions(fixture('keepalived-version.txt'))).toEqual(['JSON']);
		expect(signumQuestions(V139_JSON)).toEqual(['JSON']);
		expect(signumQuestions(V2010)).toEqual(['DATA']);
		expect(signumQuestions(V215_OPENWRT)).toEqual(['DATA']);
	});
});

describe('signumFallback', () => {
	it('asks DATA only when JSON was asked and got no number', () => {
		expect(signumFallback(['JSON'], 'JSON=36\n')).toEqual([]);
		expect(signumFallback(['JSON'], 'JSON=Unknown sigfunc JSON\n')).toEqual(['DATA']);
		expect(signumFallback(['DATA'], 'DATA=10\n')).toEqual([]);
	});
});

describe('detectCapabilities', () => {
	it('a JSON build that answered JSON only (the one question asked) has --signum and the JSON dump', () => {
		expect(detectCapabilities(fixture('keepalived-version.txt'), 'JSON=36\n')).toMatchObject({features: {signum: true, jsonDump: true}, dump: {kind: 'json', signal: 36}});
	});

	it('the lab\'s Debian 2.2.7: --signum, JSON dump with signal 36, /run pid files', () => {
		const c = detectCapabilities(fixture('keepalived-version.txt'), fixture('keepalived-signum.txt'));
		expect(c).toEqual({
			version: '2.2.7',
			features: {signum: true, jsonDump: true, textDump: true},
			dump: {kind: 'json', signal: 36, signalFrom: 'signum'},
			pidFile: '/run/keepalived.pid',
			vrrpPidFile: '/run/vrrp.pid',
		});
		expect(describeCapabilities(c)).toBe('2.2.7 (--signum, JSON dump)');
	});

	it('1.3.5: no --signum, no JSON: the text dump on SIGUSR1, pid files under /var/run', () => {
		const c = detectCapabilities(V135, undefined);
		expect(c).toEqual({
			version: '1.3.5',
			features: {signum: false, jsonDump: false, textDump: true},
			dump: {kind: 'data', signal: SIGUSR1_LINUX, signalFrom: 'sigusr1'},
			pidFile: '/var/run/keepalived.pid',
			vrrpPidFile: '/var/run/vrrp.pid',
		});
		expect(describeCapabilities(c)).toBe('1.3.5 (no --signum, text dump)');
	});

	it('an unknown version whose --signum is refused by getopt falls back to SIGUSR1 too', () => {
		const c = detectCapabilities('', "DATA=keepalived: unrecognized option '--signum=DATA'\n");
		expect(c.features.signum).toBe(false);
		expect(c.dump).toEqual({kind: 'data', signal: 10, signalFrom: 'sigusr1'});
	});

	it('2.0.10 without JSON: the text dump with --signum=DATA, /var/run (before 2.0.17)', () => {
		const c = detectCapabilities(V2010, 'DATA=10\n');
		expect(c.features).toEqual({signum: true, jsonDump: false, textDump: true});
		expect(c.dump).toEqual({kind: 'data', signal: 10, signalFrom: 'signum'});
		expect(c.pidFile).toBe('/var/run/keepalived.pid');
	});

	it('a build listing JSON whose --signum=JSON fails has no JSON dump: the text dump', () => {
		const c = detectCapabilities(V139_JSON, 'DATA=10\nJSON=Unknown sigfunc JSON\n');
		expect(c.features.jsonDump).toBe(false);
		expect(c.dump).toEqual({kind: 'data', signal: 10, signalFrom: 'signum'});
	});

	it('2.1.5 (RHEL 8): /run pid files (2.0.17 and later)', () => {
		expect(detectCapabilities(V215_OPENWRT, 'DATA=10\n').pidFile).toBe('/run/keepalived.pid');
	});

	it('no keepalived at all: no dump, and why', () => {
		const c = detectCapabilities('sh: 1: keepalived: not found\n', 'DATA=sh: 1: keepalived: not found\n');
		expect(c.version).toBeNull();
		expect(c.dump).toEqual({kind: 'none', why: 'keepalived --version gave no version (is keepalived installed?)'});
	});
});

describe('defaultPidFiles', () => {
	it('moves from /var/run to /run at 2.0.17', () => {
		expect(defaultPidFiles('2.0.16').pidFile).toBe('/var/run/keepalived.pid');
		expect(defaultPidFiles('2.0.17').pidFile).toBe('/run/keepalived.pid');
		expect(defaultPidFiles(null).pidFile).toBe('/run/keepalived.pid');
	});
});

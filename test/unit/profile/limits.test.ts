// What a profile may be and hold: regular files of at most 1 MB (a FIFO is refused without blocking),
// a parse that fits the CLI's heap, no keys that name JavaScript object internals, no jump-host
// loops; and the values keepalived itself accepts or refuses.
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {advertIntProblem} from '../../../src/profile/cross-check.js';
import {estimateParseHeap, MAX_FLOW_DEPTH} from '../../../src/profile/budget.js';
import {byElection, compareAddresses, tieBreakNote} from '../../../src/profile/election.js';
import {findJumpLoop} from '../../../src/profile/jumps.js';
import {loadProfile, MAX_PROFILE_BYTES, parseProfile, ProfileError} from '../../../src/profile/load.js';
import {hostByName} from '../../../src/profile/model.js';

const root = path.resolve(import.meta.dirname, '../../..');
const base = readFileSync(path.join(root, 'test/fixtures/profiles/base.yaml'), 'utf8');
const env = {HOME: '/nonexistent-home'};
let dir: string;

beforeAll(() => {
	dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-limits-'));
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

function errorOf(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(ProfileError);
		return (error as Error).message;
	}
	throw new Error('expected a ProfileError');
}

/** base.yaml with one replacement, which must apply. */
function variant(from: string, to: string): string {
	expect(base).toContain(from);
	return base.replace(from, to);
}

const parse = (text: string) => parseProfile(text, 'p.yaml', {env});

describe('the profile file', () => {
	it('refuses a FIFO at once, without opening it (an open would block: nobody writes to it)', () => {
		const fifo = path.join(dir, 'fifo.yaml');
		execFileSync('mkfifo', [fifo]);
		expect(errorOf(() => loadProfile(fifo))).toBe(`${fifo}:1:1: (file): is a FIFO (named pipe); a profile must be a regular file`);
	});

	it('refuses a directory and a device', () => {
		const sub = path.join(dir, 'sub.yaml');
		mkdirSync(sub);
		expect(errorOf(() => loadProfile(sub))).toBe(`${sub}:1:1: (file): is a directory; a profile must be a regular file`);
		expect(errorOf(() => loadProfile('/dev/null'))).toBe('/dev/null:1:1: (file): is a device; a profile must be a regular file');
	});

	it('follows a symlink to a regular file', () => {
		const real = path.join(dir, 'real.yaml');
		const link = path.join(dir, 'link.yaml');
		writeFileSync(real, base);
		symlinkSync(real, link);
		expect(loadProfile(link, {env}).name).toBe('corpus');
	});

	it('takes exactly 1 MB and refuses one byte more, in one line', () => {
		const pad = (size: number) => `${base}${'#'.repeat(size - base.length - 1)}\n`;
		const exact = path.join(dir, 'exact.yaml');
		writeFileSync(exact, pad(MAX_PROFILE_BYTES));
		expect(loadProfile(exact, {env}).name).toBe('corpus');
		const over = path.join(dir, 'over.yaml');
		writeFileSync(over, pad(MAX_PROFILE_BYTES + 1));
		expect(errorOf(() => loadProfile(over))).toBe(`${over}:1:1: (file): is 1048577 bytes; a profile may be at most 1048576 bytes (1 MB)`);
	});

	it('reports a missing or unreadable file in one line', () => {
		expect(errorOf(() => loadProfile(path.join(dir, 'missing.yaml')))).toMatch(/missing\.yaml:1:1: \(file\): no such file$/);
	});
});

describe('the parse budget', () => {
	it('refuses a profile whose parse would not fit the heap, at the line where the budget ran out', () => {
		const huge = `name: x\njunk:\n${'  - [1, 2, 3, 4, 5, 6, 7, 8]\n'.repeat(20_000)}`;
		const message = errorOf(() => parse(huge));
		expect(message).toMatch(/^p\.yaml:(\d+):\d+: \(file\): the profile is too large to load within the CLI's 64 MB heap/);
		const line = Number(/^p\.yaml:(\d+):/.exec(message)![1]);
		expect(line).toBeGreaterThan(2);
		expect(line).toBeLessThan(20_002);
	});

	it('refuses flow collections nested deeper than the parser can follow', () => {
		const nest = (n: number) => `name: x\njunk: ${'['.repeat(n)}${']'.repeat(n)}\n`;
		expect(estimateParseHeap(nest(MAX_FLOW_DEPTH)).problem).toBeUndefined();
		expect(errorOf(() => parse(nest(MAX_FLOW_DEPTH + 1)))).toBe(`p.yaml:2:${7 + MAX_FLOW_DEPTH}: (file): collections are nested more than ${MAX_FLOW_DEPTH} deep`);
	});

	it('grows with the profile: more real servers, a larger estimate', () => {
		const small = estimateParseHeap(base).bytes;
		const bigger = estimateParseHeap(base.replace('virtual_servers:\n', `virtual_servers:\n${'  - {vip: 10.0.0.100, port: 81, scheduler: rr, forwarding: DR, real_servers: [{host: rs1, port: 81}]}\n'.repeat(10)}`)).bytes;
		expect(small).toBeGreaterThan(0);
		expect(bigger).toBeGreaterThan(small);
	});
});

describe('keys that name object internals', () => {
	it.each([
		['__proto__', '  rs1:\n', '  rs1:\n    __proto__: {polluted: true}\n'],
		['prototype', 'name: corpus\n', 'name: corpus\nprototype: 1\n'],
		['constructor', '      name: httpd\n', '      name: httpd\n      constructor: x\n'],
	])('refuses %s anywhere, at the key', (key, from, to) => {
		const text = variant(from, to);
		const line = text.split('\n').findIndex((l) => l.trimStart().startsWith(`${key}:`)) + 1;
		expect(errorOf(() => parse(text))).toMatch(new RegExp(`^p\\.yaml:${line}:\\d+: .*${key}: "${key}" cannot be used as a key \\(it names JavaScript object internals\\)$`));
	});

	it('does not take a value naming an object internal for a host', () => {
		expect(errorOf(() => parse(variant('ssh:\n  user: ops\n', 'ssh:\n  user: ops\n  jump: constructor\n')))).toMatch(/ssh\.jump: jump host constructor is not in hosts$/);
		expect(errorOf(() => parse(variant('      - host: rs1\n', '      - host: constructor\n')))).toMatch(/real_servers\[0\]\.host: constructor is not in hosts$/);
		expect(errorOf(() => parse(variant('      dir2: {state: BACKUP', '      toString: {state: BACKUP')))).toMatch(/directors\.toString: toString is not in hosts$/);
	});
});

describe('jump hosts', () => {
	it('finds a loop and reports it from where it closes', () => {
		const jumps = new Map([
			['a', 'b'],
			['b', 'c'],
			['c', 'b'],
			['d', undefined],
		]);
		expect(findJumpLoop(jumps.keys(), (n) => jumps.get(n))).toEqual(['b', 'c', 'b']);
		expect(findJumpLoop(['a', 'd'], (n) => (n === 'a' ? 'd' : undefined))).toBeUndefined();
		expect(findJumpLoop(['a'], () => 'a')).toEqual(['a', 'a']);
	});

	it('accepts a chain through two bastions', () => {
		const text = variant('  rs1:\n', '  b1: {address: 10.0.0.41, role: bastion}\n  b2: {address: 10.0.0.42, role: bastion, ssh: {jump: b1}}\n  rs1:\n    ssh: {jump: b2}\n');
		const profile = parse(text);
		expect(hostByName(profile, 'rs1').ssh.jump).toBe('b2');
		expect(hostByName(profile, 'b2').ssh.jump).toBe('b1');
	});

	it('refuses a loop made through ~/.ssh/config ProxyJump, at the config_alias', () => {
		const sshConfigFile = path.join(dir, 'ssh_config');
		writeFileSync(sshConfigFile, 'Host gw1\n  ProxyJump gw2\nHost gw2\n  ProxyJump gw1\n');
		const text = variant('  rs1:\n', '  b1: {address: 10.0.0.41, role: bastion, ssh: {config_alias: gw1}}\n  b2: {address: 10.0.0.42, role: bastion, ssh: {config_alias: gw2}}\n  rs1:\n');
		const line = text.split('\n').findIndex((l) => l.includes('config_alias: gw2')) + 1;
		expect(errorOf(() => parseProfile(text, 'p.yaml', {env, sshConfigFile}))).toMatch(
			new RegExp(`^p\\.yaml:${line}:\\d+: hosts\\.b2\\.ssh\\.config_alias: jump hosts form a loop: b1 -> b2 -> b1$`),
		);
	});
});

describe('values keepalived accepts', () => {
	it.each([
		[2, 1],
		[2, 255],
		[3, 0.01],
		[3, 0.07],
		[3, 1],
		[3, 40.95],
	] as const)('VRRPv%i advert_int %d', (version, value) => {
		expect(advertIntProblem(value, version)).toBeUndefined();
	});

	it.each([
		[2, 0.5],
		[2, 1.5],
		[2, 256],
		[3, 0.001],
		[3, 0.015],
		[3, 40.96],
		[3, 255],
	] as const)('refuses VRRPv%i advert_int %d', (version, value) => {
		expect(advertIntProblem(value, version)).toContain(`not ${value}`);
	});

	it('loads the edges: track-script weights ±253, real-server weights 0 and 65535, a 10 ms VRRPv3 advert', () => {
		let text = variant('vrrp_instances:\n', 'track_scripts:\n  - {name: up, script: /usr/bin/true, weight: 253}\n  - {name: down, script: /usr/bin/false, weight: -253}\nvrrp_instances:\n');
		text = text.replace('    interface: eth0\n', '    interface: eth0\n    version: 3\n    advert_int: 0.01\n    track_scripts: [up, down]\n');
		text = text.replace('        port: 80\n        check:', '        port: 80\n        weight: 65535\n        check:');
		const profile = parse(text);
		expect(profile.trackScripts.map((t) => t.weight)).toEqual([253, -253]);
		expect(profile.instances[0]!.advertInt).toBe(0.01);
		expect(profile.virtualServers[0]!.realServers[0]!.weight).toBe(65535);
		expect(parse(base.replace('        port: 80\n        check:', '        port: 80\n        weight: 0\n        check:')).virtualServers[0]!.realServers[0]!.weight).toBe(0);
	});

	it('loads equal priorities with nopreempt, the higher address first', () => {
		const text = variant('      dir1: {state: MASTER, priority: 150}\n      dir2: {state: BACKUP, priority: 100}\n', '      dir1: {state: BACKUP, priority: 100}\n      dir2: {state: BACKUP, priority: 100}\n').replace(
			'    interface: eth0\n',
			'    interface: eth0\n    preempt: nopreempt\n',
		);
		expect(parse(text).instances[0]!.members.map((m) => m.director)).toEqual(['dir2', 'dir1']);
	});

	it('takes relative local paths (resolved against the profile) but only absolute paths on directors', () => {
		const text = variant('ssh:\n  user: ops\n', 'ssh:\n  user: ops\n  identity_file: keys/id\n').replace('vrrp_instances:\n', 'keepalived:\n  backup_dir: /var/backups/keepalived\nvrrp_instances:\n');
		const profile = parseProfile(text, '/srv/p.yaml', {env});
		expect(hostByName(profile, 'dir1').ssh.identityFiles).toEqual(['/srv/keys/id']);
		expect(profile.keepalived.backupDir).toBe('/var/backups/keepalived');
		expect(errorOf(() => parse(text.replace('/var/backups/keepalived', 'backups')))).toMatch(/keepalived\.backup_dir: must be an absolute path/);
		expect(errorOf(() => parse(text.replace('keys/id', '-i')))).toMatch(/ssh\.identity_file: cannot start with "-"/);
	});
});

describe('the VRRP election', () => {
	it('compares addresses as keepalived does, IPv4 and IPv6', () => {
		expect(compareAddresses('192.168.67.120', '192.168.67.110')).toBeGreaterThan(0);
		expect(compareAddresses('10.0.0.9', '10.0.0.10')).toBeLessThan(0); // numeric, not text
		expect(compareAddresses('2001:db8::2', '2001:db8::10')).toBeLessThan(0);
		expect(compareAddresses('2001:db8::1:0', '2001:db8::ffff')).toBeGreaterThan(0);
		expect(compareAddresses('::ffff:10.0.0.2', '::ffff:10.0.0.1')).toBeGreaterThan(0);
		expect(compareAddresses('fe80::1', 'fe80:0:0:0:0:0:0:1')).toBe(0);
	});

	it('orders by priority, then address, and names the winner of a tie', () => {
		const address: Record<string, string> = {a: '10.0.0.1', b: '10.0.0.2', c: '10.0.0.3'};
		const members = [
			{director: 'a', priority: 100},
			{director: 'c', priority: 50},
			{director: 'b', priority: 100},
		].sort(byElection((d) => address[d]!));
		expect(members.map((m) => m.director)).toEqual(['b', 'a', 'c']);
		expect(tieBreakNote(members, (d) => address[d]!)).toBe('equal priority 100: b wins by higher address 10.0.0.2');
		expect(tieBreakNote(members.slice(1), (d) => address[d]!)).toBeUndefined();
	});
});

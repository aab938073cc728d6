// Loading profiles: the shipped ones load and resolve to the model the rest of lvsdeck relies on;
// ~/.ssh/config aliases are honoured; and no text at all makes the loader throw anything but a
// one-line ProfileError.
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {loadProfile, parseProfile, ProfileError} from '../../../src/profile/load.js';
import {hostByName, type Profile} from '../../../src/profile/model.js';

const root = path.resolve(import.meta.dirname, '../../..');
const home = '/home/operator';
const env = {HOME: home};

function thrown(fn: () => unknown): unknown {
	try {
		fn();
	} catch (error) {
		return error;
	}
	return undefined;
}

/** 1-based line and column of the first occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string): {line: number; col: number} {
	const at = text.indexOf(needle);
	if (at < 0) throw new Error(`${needle} not in text`);
	const before = text.slice(0, at).split('\n');
	return {line: before.length, col: before[before.length - 1]!.length + 1};
}

describe('shipped profiles', () => {
	const load = (name: string): Profile => loadProfile(`profiles/${name}.yaml`, {env, sshConfigFile: '/nonexistent/ssh_config'});

	it.each(['lab', 'seed-dr', 'dual-master'])('%s loads', (name) => {
		const profile = load(name);
		expect(profile.name).toBe(name);
		expect(profile.file).toBe(path.join(root, 'profiles', `${name}.yaml`));
	});

	it('lab: relative identity and known_hosts paths resolve against the profile folder', () => {
		const dir1 = hostByName(load('lab'), 'dir1');
		expect(dir1.ssh.identityFiles).toEqual([path.join(root, '.lab/id_ed25519')]);
		expect(dir1.ssh.knownHostsFiles).toEqual([path.join(root, '.lab/known_hosts')]);
		expect(dir1.ssh.user).toBe('root');
		expect(dir1.ssh.connectTimeoutMs).toBe(8000);
	});

	it('seed-dr: ~ in known_hosts is the HOME passed in, and every host uses the ops user with sudo', () => {
		const profile = load('seed-dr');
		for (const host of profile.hosts) {
			expect(host.ssh.knownHostsFiles).toEqual([`${home}/.ssh/known_hosts`]);
			expect(host.ssh.user).toBe('ops');
			expect(host.ssh.sudo).toBe(true);
			expect(host.ssh.port).toBe(22);
			expect(host.ssh.hostName).toBe(host.address);
			expect(host.ssh.jump).toBeUndefined();
		}
	});

	it('seed-dr: the classic DR example as an operator reads it', () => {
		const profile = load('seed-dr');
		expect(profile.hosts.map((h) => [h.name, h.address, h.role])).toEqual([
			['lb1', '192.168.67.110', 'director'],
			['lb2', '192.168.67.120', 'director'],
			['web1', '192.168.67.10', 'realserver'],
			['web2', '192.168.67.20', 'realserver'],
		]);
		const [inst] = profile.instances;
		expect(profile.instances).toHaveLength(1);
		expect(inst!.members).toEqual([
			{director: 'lb1', state: 'MASTER', priority: 150},
			{director: 'lb2', state: 'BACKUP', priority: 100},
		]);
		expect(inst!.unicast).toBe(true);
		expect(inst!.advertInt).toBe(1);
		expect(inst!.authentication?.type).toBe('PASS');
		expect(inst!.vips).toEqual([{address: '192.168.67.100', prefix: 24, dev: 'eth0', label: 'eth0:1'}]);
		const [vs] = profile.virtualServers;
		expect(vs).toMatchObject({vip: '192.168.67.100', port: 80, protocol: 'TCP', scheduler: 'wrr', forwarding: 'DR', delayLoop: 6});
		expect(vs!.realServers.map((rs) => [rs.host, rs.address, rs.port, rs.weight])).toEqual([
			['web1', '192.168.67.10', 80, 3],
			['web2', '192.168.67.20', 80, 1],
		]);
		for (const rs of vs!.realServers) {
			expect(rs.check).toEqual({type: 'HTTP_GET', path: '/health', status: 200, connectTimeout: 3, retry: 3, delayBeforeRetry: 3});
		}
	});

	it('seed-dr: commands are split into argv words', () => {
		const profile = load('seed-dr');
		expect(hostByName(profile, 'web1').service).toEqual({
			name: 'nginx',
			start: ['systemctl', 'start', 'nginx'],
			stop: ['systemctl', 'stop', 'nginx'],
			reload: ['systemctl', 'reload', 'nginx'],
			status: ['systemctl', 'is-active', 'nginx'],
		});
		expect(profile.keepalived.reload).toEqual(['systemctl', 'reload', 'keepalived']);
		expect(profile.keepalived.status).toEqual(['systemctl', 'is-active', 'keepalived']);
	});

	it('dual-master: each director is the master (highest priority) of one instance', () => {
		const profile = load('dual-master');
		const web = profile.instances.find((i) => i.name === 'VI_WEB')!;
		const db = profile.instances.find((i) => i.name === 'VI_DB')!;
		expect([web.vrid, db.vrid]).toEqual([51, 52]);
		expect(web.members[0]!.director).toBe('lb1');
		expect(db.members[0]!.director).toBe('lb2');
		expect(web.preempt).toEqual({mode: 'preempt'});
		expect(db.preempt).toEqual({mode: 'delay', delaySec: 30});
		expect(db.trackScripts).toEqual(['chk_mysql']);
		expect(web.trackScripts).toEqual([]);
		expect(profile.trackScripts).toEqual([{name: 'chk_mysql', script: ['/usr/local/bin/check-mysql'], interval: 2, weight: -60}]);
		// A failing check must move the VIP: the weight outweighs the priority gap.
		const [top, next] = db.members;
		expect(top!.priority + profile.trackScripts[0]!.weight).toBeLessThan(next!.priority);
	});

	it('dual-master: the database service is sticky and TCP-checked', () => {
		const profile = load('dual-master');
		const db = profile.virtualServers.find((vs) => vs.port === 3306)!;
		expect(db).toMatchObject({vip: '192.168.67.200', scheduler: 'wlc', forwarding: 'DR', persistenceTimeout: 300});
		expect(db.realServers.map((rs) => rs.host)).toEqual(['db1', 'db2']);
		for (const rs of db.realServers) expect(rs.check).toEqual({type: 'TCP_CHECK', connectTimeout: 3, retry: 1, delayBeforeRetry: 1});
		expect(hostByName(profile, 'db1').service?.status).toEqual(['systemctl', 'is-active', 'mariadb']);
		const web = profile.virtualServers.find((vs) => vs.port === 80)!;
		expect(web.scheduler).toBe('rr');
		expect(web.persistenceTimeout).toBeUndefined();
	});

	it('a missing file is a located ProfileError', () => {
		const error = thrown(() => loadProfile('profiles/nope.yaml', {env}));
		expect(error).toBeInstanceOf(ProfileError);
		expect((error as Error).message).toBe('profiles/nope.yaml:1:1: (file): no such file');
	});
});

describe('resolved model', () => {
	const base = readFileSync(path.join(root, 'test/fixtures/profiles/base.yaml'), 'utf8');

	it('sorts instance members by priority, highest first, whatever the file order', () => {
		const text = base.replace(
			'      dir1: {state: MASTER, priority: 150}\n      dir2: {state: BACKUP, priority: 100}\n',
			'      dir2: {state: BACKUP, priority: 100}\n      dir1: {state: MASTER, priority: 150}\n',
		);
		expect(text).not.toBe(base);
		const profile = parseProfile(text, 'members.yaml', {env});
		expect(profile.instances[0]!.members.map((m) => m.director)).toEqual(['dir1', 'dir2']);
	});

	it('applies defaults an operator can rely on', () => {
		const profile = parseProfile(base, 'base.yaml', {env});
		const dir1 = hostByName(profile, 'dir1');
		expect(dir1.ssh).toMatchObject({user: 'ops', port: 22, sudo: false, identityFiles: [], fingerprints: []});
		expect(dir1.ssh.knownHostsFiles).toEqual([`${home}/.ssh/known_hosts`, '/etc/ssh/ssh_known_hosts']);
		expect(profile.instances[0]).toMatchObject({advertInt: 1, unicast: true, preempt: {mode: 'preempt'}});
		expect(profile.virtualServers[0]).toMatchObject({protocol: 'TCP', delayLoop: 6});
		expect(profile.virtualServers[0]!.realServers[0]).toMatchObject({weight: 1, check: {type: 'HTTP_GET', path: '/health', status: 200, retry: 1}});
		expect(profile.keepalived.configPath).toBe('/etc/keepalived/keepalived.conf');
		expect(profile.keepalived.start).toEqual(['systemctl', 'start', 'keepalived']);
	});

	it('resolves relative paths against the profile folder, not the working directory', () => {
		const text = base.replace('  user: ops\n', '  user: ops\n  identity_file: keys/id_ops\n  known_hosts: ../known_hosts\n');
		const profile = parseProfile(text, '/srv/lvs/profiles/site.yaml', {env});
		const ssh = hostByName(profile, 'rs1').ssh;
		expect(ssh.identityFiles).toEqual(['/srv/lvs/profiles/keys/id_ops']);
		expect(ssh.knownHostsFiles).toEqual(['/srv/lvs/known_hosts']);
	});

	it('a host setting overrides the profile default', () => {
		const text = base.replace('    address: 10.0.0.21\n', '    address: 10.0.0.21\n    ssh: {user: web, port: 2200, identity_file: ~/.ssh/id_web}\n');
		const profile = parseProfile(text, 'override.yaml', {env});
		expect(hostByName(profile, 'rs1').ssh).toMatchObject({user: 'web', port: 2200, identityFiles: [`${home}/.ssh/id_web`]});
		expect(hostByName(profile, 'dir1').ssh).toMatchObject({user: 'ops', port: 22, identityFiles: []});
	});
});

describe('ssh config aliases', () => {
	let tmp: string;
	let sshConfigFile: string;

	const profileText = (web1Ssh: string, bastionSsh = '') => `name: alias-test
ssh:
  user: ops
hosts:
  dir1: {address: 10.0.0.11, role: director}
  dir2: {address: 10.0.0.12, role: director}
  bastion:
    address: 10.1.1.254
    role: bastion${bastionSsh}
  web1:
    address: 10.0.0.21
    role: realserver
    ssh: ${web1Ssh}
    service: {name: nginx, start: systemctl start nginx, stop: systemctl stop nginx, status: systemctl is-active nginx}
vrrp_instances:
  - name: VI_1
    vrid: 51
    interface: eth0
    directors:
      dir1: {state: MASTER, priority: 150}
      dir2: {state: BACKUP, priority: 100}
    vips:
      - {address: 10.0.0.100/24}
virtual_servers:
  - vip: 10.0.0.100
    port: 80
    scheduler: rr
    forwarding: DR
    real_servers:
      - {host: web1, port: 80}
`;

	const writeConfig = (text: string): void => writeFileSync(sshConfigFile, text);

	beforeAll(() => {
		tmp = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-ssh-'));
		sshConfigFile = path.join(tmp, 'ssh_config');
	});
	afterAll(() => {
		rmSync(tmp, {recursive: true, force: true});
	});

	const web1Config = ['Host web1', '  HostName 10.1.1.1', '  User deploy', '  Port 2222', '  IdentityFile ~/.ssh/id_web', '  ProxyJump bastion', ''].join('\n');

	it('takes HostName, User, Port, IdentityFile and ProxyJump from the alias', () => {
		writeConfig(web1Config);
		const profile = parseProfile(profileText('{config_alias: web1}'), 'alias.yaml', {sshConfigFile, env: {HOME: tmp}});
		const ssh = hostByName(profile, 'web1').ssh;
		expect(ssh.hostName).toBe('10.1.1.1');
		expect(ssh.user).toBe('deploy');
		expect(ssh.port).toBe(2222);
		expect(ssh.identityFiles).toEqual([path.join(tmp, '.ssh/id_web')]);
		expect(ssh.jump).toBe('bastion');
		// The profile address stays the address IPVS uses; only the SSH target comes from the alias.
		expect(hostByName(profile, 'web1').address).toBe('10.0.0.21');
		expect(hostByName(profile, 'bastion').role).toBe('bastion');
		expect(hostByName(profile, 'bastion').ssh).toMatchObject({hostName: '10.1.1.254', user: 'ops', port: 22});
	});

	it('lets settings written in the profile win over the alias', () => {
		writeConfig(web1Config);
		const profile = parseProfile(profileText('{config_alias: web1, user: admin, port: 22}'), 'alias.yaml', {sshConfigFile, env: {HOME: tmp}});
		const ssh = hostByName(profile, 'web1').ssh;
		expect(ssh).toMatchObject({hostName: '10.1.1.1', user: 'admin', port: 22, jump: 'bastion'});
	});

	it('maps a ProxyJump that names another host by its own alias', () => {
		writeConfig(web1Config.replace('ProxyJump bastion', 'ProxyJump gw') + 'Host gw\n  HostName 10.1.1.254\n');
		const profile = parseProfile(profileText('{config_alias: web1}', '\n    ssh: {config_alias: gw}'), 'alias.yaml', {sshConfigFile, env: {HOME: tmp}});
		expect(hostByName(profile, 'web1').ssh.jump).toBe('bastion');
	});

	it('a ProxyJump naming a host that is not in the profile is a located error', () => {
		writeConfig(web1Config.replace('ProxyJump bastion', 'ProxyJump gateway'));
		const text = profileText('{config_alias: web1}');
		const error = thrown(() => parseProfile(text, 'alias.yaml', {sshConfigFile, env: {HOME: tmp}}));
		expect(error).toBeInstanceOf(ProfileError);
		const pos = positionOf(text, 'web1}');
		expect((error as Error).message).toBe(
			`alias.yaml:${pos.line}:${pos.col}: hosts.web1.ssh.config_alias: ProxyJump gateway (from ${sshConfigFile}) is not a host in this profile`,
		);
	});

	it('an alias with no ssh config file is a located error', () => {
		const text = profileText('{config_alias: web1}');
		const missing = path.join(tmp, 'no-such-config');
		const error = thrown(() => parseProfile(text, 'alias.yaml', {sshConfigFile: missing, env: {HOME: tmp}}));
		expect(error).toBeInstanceOf(ProfileError);
		const pos = positionOf(text, 'web1}');
		expect((error as Error).message).toBe(`alias.yaml:${pos.line}:${pos.col}: hosts.web1.ssh.config_alias: ${missing} does not exist`);
	});
});

describe('loader robustness (property)', () => {
	const file = 'profiles/lab.yaml';
	const lab = readFileSync(path.join(root, file), 'utf8');
	const oneLine = /^.+:\d+:\d+: .+: .+$/;

	// Characters that mean something to YAML, plus anything at all.
	const inserted = fc.oneof(
		fc.constantFrom(':', '-', ' ', '  ', '\n', '\t', '{', '}', '[', ']', '"', "'", '#', '&a', '*a', '!', '|', '>', '%', '@', '`', ',', '?', '---\n', '\r', '\\', '0', 'x'),
		fc.string({unit: 'binary', minLength: 1, maxLength: 3}),
	);
	type Mutation = {readonly kind: 'delete'; readonly at: number; readonly length: number} | {readonly kind: 'insert'; readonly at: number; readonly text: string};
	const mutation: fc.Arbitrary<Mutation> = fc.oneof(
		fc.record({kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({min: 1, max: 8})}),
		fc.record({kind: fc.constant('insert' as const), at: fc.nat(), text: inserted}),
	);

	function apply(text: string, mutations: readonly Mutation[]): string {
		let out = text;
		for (const m of mutations) {
			const at = out.length === 0 ? 0 : m.at % (out.length + 1);
			out = m.kind === 'delete' ? out.slice(0, at) + out.slice(at + m.length) : out.slice(0, at) + m.text + out.slice(at);
		}
		return out;
	}

	it('lab.yaml itself loads', () => {
		expect(parseProfile(lab, file, {env}).name).toBe('lab');
	});

	it('mutated lab.yaml either loads or fails with a one-line located ProfileError, nothing else', () => {
		fc.assert(
			fc.property(fc.array(mutation, {minLength: 1, maxLength: 6}), (mutations) => {
				const text = apply(lab, mutations);
				let error: unknown;
				try {
					parseProfile(text, file, {env, sshConfigFile: '/nonexistent/ssh_config'});
					return;
				} catch (e) {
					error = e;
				}
				expect(error).toBeInstanceOf(ProfileError);
				const message = (error as ProfileError).message;
				expect(message).toMatch(oneLine);
				expect(message.startsWith(`${file}:`)).toBe(true);
				expect(message).not.toMatch(/[\n\r\u2028\u2029]/);
			}),
			{numRuns: 400},
		);
	}, 60_000);

	it('a handful of hand-picked breakages stay one-line ProfileErrors', () => {
		const samples = ['', '\n', '---\n', '[]', '42', 'name: [', '*x', '&a [*a, *a]', 'a: &a\n  b: *a\n', '\u0000', 'name: "\\x"\n', '? [a]\n: b\n', lab + '\n---\n', lab.replace('hosts:', 'hosts: &h\n  <<: *h\n')];
		for (const text of samples) {
			const error = thrown(() => parseProfile(text, file, {env}));
			expect(error, JSON.stringify(text)).toBeInstanceOf(ProfileError);
			expect((error as Error).message, JSON.stringify(text)).toMatch(oneLine);
		}
	});
});

describe('hosts.NAME.vip_device', () => {
	const lab = readFileSync(path.join(root, 'profiles/lab.yaml'), 'utf8');
	const parse = (text: string) => parseProfile(text, 'vipdev.yaml', {env, sshConfigFile: '/nonexistent/ssh_config'});

	it('a real server may name the device holding its DR VIPs; absent means lo', () => {
		const text = lab.replace('    address: 192.168.67.10\n    role: realserver\n', '    address: 192.168.67.10\n    role: realserver\n    vip_device: dummy0\n');
		const profile = parse(text);
		expect(hostByName(profile, 'rs1').vipDevice).toBe('dummy0');
		expect(hostByName(profile, 'rs2').vipDevice).toBeUndefined();
	});

	it('a bad device name or one on a director is a located one-line error', () => {
		const bad = lab.replace('    address: 192.168.67.10\n    role: realserver\n', '    address: 192.168.67.10\n    role: realserver\n    vip_device: "dummy 0"\n');
		const pos = positionOf(bad, '"dummy 0"');
		expect((thrown(() => parse(bad)) as Error).message).toBe(`vipdev.yaml:${pos.line}:${pos.col}: hosts.rs1.vip_device: is not a valid interface name (1-15 letters, digits, "_", "." or "-")`);
		const onDirector = lab.replace('    address: 192.168.67.110\n    role: director\n', '    address: 192.168.67.110\n    role: director\n    vip_device: dummy0\n');
		const at = positionOf(onDirector, 'dummy0');
		const error = thrown(() => parse(onDirector));
		expect(error).toBeInstanceOf(ProfileError);
		expect((error as Error).message).toBe(`vipdev.yaml:${at.line}:${at.col}: hosts.dir1.vip_device: only real servers hold VIPs on a device; dir1 is a director`);
	});
});

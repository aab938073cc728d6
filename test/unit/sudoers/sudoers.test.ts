// `lvsdeck sudoers`: the drop-ins come from the same commands the code sends, the files in contrib/ are
// current, sudo's own parser (visudo) accepts them, and values reach sudoers escaped.
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadProfile} from '../../../src/profile/load.js';
import {ANY, GENERIC_INPUT, rightsInputOf, rulesForHost, sudoRules} from '../../../src/actions/sudoers/rules.js';
import {escapeSudoersWord, renderSudoers, ruleCommand} from '../../../src/actions/sudoers/render.js';
import {sudoListCommand} from '../../../src/actions/sudoers/preflight.js';
import {oneLineScript} from '../../../src/transport/sudo.js';
import {CONFIG_READ_SCRIPT} from '../../../src/transport/read-only-scripts.js';
import {readOnlyVerdict} from '../../../src/transport/read-only.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const lab = loadProfile(path.join(ROOT, 'profiles', 'lab.yaml'));
const VISUDO = ['/usr/sbin/visudo', '/sbin/visudo'].find((p) => spawnSync(p, ['--version']).status === 0);

describe('the drop-ins', () => {
	it.each(['monitor', 'operate'] as const)('contrib/sudoers/lvsdeck-%s is what `lvsdeck sudoers` prints', (level) => {
		const shipped = readFileSync(path.join(ROOT, 'contrib', 'sudoers', `lvsdeck-${level}`), 'utf8');
		expect(shipped).toBe(renderSudoers(GENERIC_INPUT, level, {who: '%lvsdeck', source: 'the generic defaults (Debian and RHEL paths)'}));
	});

	it.each(['monitor', 'operate'] as const)('visudo accepts the %s rules, generic and for the lab', (level) => {
		expect(VISUDO, 'visudo (Debian package sudo) is installed by scripts/setup.sh').toBeDefined();
		const dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-sudoers-'));
		for (const [name, text] of [
			['generic', renderSudoers(GENERIC_INPUT, level, {who: '%lvsdeck', source: 'test'})],
			['lab', renderSudoers(rightsInputOf(lab), level, {who: 'ops', source: 'test'})],
		] as const) {
			const file = path.join(dir, name);
			writeFileSync(file, text);
			const r = spawnSync(VISUDO!, ['-c', '-f', file], {encoding: 'utf8'});
			expect(r.status, `${name}: ${r.stdout}${r.stderr}`).toBe(0);
		}
	});

	it('never grants ALL or a bare shell, and every rule is a fixed program path', () => {
		for (const level of ['monitor', 'operate'] as const) {
			const text = renderSudoers(GENERIC_INPUT, level, {who: '%lvsdeck', source: 'test'});
			const user = text.split('\n').find((l) => l.startsWith('%lvsdeck ALL='))!;
			expect(user).toMatch(/^%lvsdeck ALL=\(root\) NOPASSWD: (LVSDECK_[A-Z]+_\d+(, )?)+$/);
			for (const rule of sudoRules(GENERIC_INPUT, level)) {
				const command = ruleCommand(rule);
				expect(command).toMatch(/^\/\S+ /);
				expect(command).not.toMatch(/^\/bin\/sh \*|^\/bin\/sh -c \*/);
				if (rule.argv[0] === 'sh') expect(typeof rule.argv[2] === 'string' && typeof rule.argv[3] === 'string').toBe(true);
			}
		}
	});

	it('monitor rights never exceed read-only mode: every monitor rule passes the read-only guard', () => {
		for (const input of [GENERIC_INPUT, rightsInputOf(lab)]) {
			for (const rule of sudoRules(input, 'monitor')) {
				const argv = rule.argv.map((w) => (w === ANY ? (rule.argv[3] === 'lvsdeck-conf' ? '/etc/keepalived/conf.d/*.conf' : '36') : w));
				expect(readOnlyVerdict(argv), rule.why).toEqual({allowed: true});
			}
		}
	});

	it('the lab rules are exact for its paths, interfaces, real servers and services', () => {
		const text = renderSudoers(rightsInputOf(lab), 'operate', {who: 'ops', source: 'test'});
		expect(text).toContain('Cmnd_Alias LVSDECK_OPERATE_');
		expect(text).toContain('/usr/sbin/ipvsadm -e -t 192.168.67.100\\:80 -r 192.168.67.10\\:80 -g -w *');
		expect(text).toContain('/usr/bin/systemctl stop httpd');
		// the units the virtual servers on 9000 and 9053 name (rs_service), for the rs-health drill on them
		expect(text).toContain('/usr/bin/systemctl stop name-tcp-9000');
		expect(text).toContain('/usr/bin/systemctl start name-udp-9053');
		expect(text).toContain(' lvsdeck-drill eth0\n');
		expect(text).not.toMatch(/systemctl (start|stop) \*/);
	});

	it('monitor rules are the only ones a monitor host needs; operate adds per role', () => {
		const dir1 = lab.hosts.find((h) => h.name === 'dir1')!;
		const rs1 = lab.hosts.find((h) => h.name === 'rs1')!;
		const client = lab.hosts.find((h) => h.role === 'client')!;
		expect(rulesForHost(rightsInputOf(lab), dir1, 'monitor').every((r) => r.level === 'monitor')).toBe(true);
		expect(rulesForHost(rightsInputOf(lab), rs1, 'monitor')).toEqual([]);
		expect(rulesForHost(rightsInputOf(lab), rs1, 'operate').map((r) => r.uses[0])).toEqual(['deploy', 'deploy', 'deploy', ...Array<string>(6).fill('rs-health')]);
		expect(rulesForHost(rightsInputOf(lab), client, 'operate')).toEqual([]);
	});
});

describe('escaping for sudoers', () => {
	it('escapes what sudoers reads itself and keeps globs literal', () => {
		expect(escapeSudoersWord('a,b:c=d#e')).toBe('a\\,b\\:c\\=d\\#e');
		expect(escapeSudoersWord('*?[x]')).toBe('\\*\\?\\[x\\]');
		expect(escapeSudoersWord('a\\n')).toBe('a\\\\\\\\n');
		expect(() => escapeSudoersWord('a  b')).toThrow(/whitespace/);
		expect(() => escapeSudoersWord('')).toThrow(/empty/);
	});

	it('a script rule is the one-line script the transport sends, and ANY is a bare *', () => {
		const rule = sudoRules(GENERIC_INPUT, 'monitor').find((r) => r.argv[3] === 'lvsdeck-conf')!;
		expect(rule.argv.at(-1)).toBe(ANY);
		const command = ruleCommand(rule);
		expect(command.startsWith(`/bin/sh -c ${escapeSudoersWord(oneLineScript(CONFIG_READ_SCRIPT))} lvsdeck-conf /etc/keepalived *`)).toBe(true);
	});

	it('the preflight asks sudo -n -l for the very command line', () => {
		expect(sudoListCommand(['sh', '-c', 'a\nb', 'x'])).toEqual(['sudo', '-n', '-l', '--', 'sh', '-c', 'a; b', 'x']);
	});
});

describe('profiles/lab-sudo.yaml', () => {
	it('is the lab cluster reached as ops through sudo, nothing else changed', () => {
		const sudo = loadProfile(path.join(ROOT, 'profiles', 'lab-sudo.yaml'));
		const strip = (p: typeof lab) => JSON.stringify({...p, name: '', file: '', source: undefined, hosts: p.hosts.map((h) => ({...h, ssh: {...h.ssh, user: '', sudo: false}}))});
		expect(strip(sudo)).toBe(strip(lab));
		expect(sudo.hosts.every((h) => h.ssh.user === 'ops' && h.ssh.sudo)).toBe(true);
	});
});

it('visudo is on this machine (scripts/setup.sh installs sudo)', () => {
	expect(execFileSync('sh', ['-c', 'command -v visudo || true'], {encoding: 'utf8'}).trim()).not.toBe('');
});

// The sudo path: which commands go through sudo, scripts put on one line (what sudoers can match) and
// still the same program, and sudo's own refusals told apart from the command's failures.
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {needsRoot, oneLineScript, sudoArgv, sudoRefusal, sudoRefusalMessage} from '../../../src/transport/sudo.js';
import {CONFIG_READ_SCRIPT, DIRECTOR_SNAPSHOT_SCRIPT, KEEPALIVED_DUMP_SCRIPT} from '../../../src/transport/read-only-scripts.js';
import {CLEANUP_SCRIPT, INSTALL_SCRIPT, READ_FILE_SCRIPT, REALSERVER_SETUP_SCRIPT, RESTORE_SCRIPT, STATE_SCRIPT} from '../../../src/actions/deploy/remote-scripts.js';
import {VALIDATE_SCRIPT} from '../../../src/actions/validate-config.js';
import {CUT_VRRP_SCRIPT, SIGNAL_VRRP_SCRIPT, UNCUT_VRRP_SCRIPT} from '../../../src/actions/drills/faults.js';
import {configReadCommand} from '../../../src/probes/installed-config.js';
import {REALSERVER_CHECK_SCRIPT} from '../../../src/transport/read-only-scripts.js';

const ROOT_SCRIPTS = {
	DIRECTOR_SNAPSHOT_SCRIPT,
	CONFIG_READ_SCRIPT,
	KEEPALIVED_DUMP_SCRIPT,
	CLEANUP_SCRIPT,
	INSTALL_SCRIPT,
	READ_FILE_SCRIPT,
	REALSERVER_SETUP_SCRIPT,
	RESTORE_SCRIPT,
	STATE_SCRIPT,
	VALIDATE_SCRIPT,
	CUT_VRRP_SCRIPT,
	SIGNAL_VRRP_SCRIPT,
	UNCUT_VRRP_SCRIPT,
};

describe('what goes through sudo', () => {
	it.each([
		[['ipvsadm', '-Ln', '--exact'], true],
		[['/usr/sbin/ipvsadm', '-e', '-t', '10.0.0.1:80', '-r', '10.0.0.2:80', '-w', '0'], true],
		[['sh', '-c', DIRECTOR_SNAPSHOT_SCRIPT, 'lvsdeck-probe'], true],
		[['sh', '-c', INSTALL_SCRIPT, 'lvsdeck-install'], true],
		[['systemctl', 'stop', 'keepalived'], true],
		[['systemctl', 'is-active', 'keepalived'], false],
		[['systemctl', '--quiet', 'is-active', 'httpd'], false],
		[['ip', '-o', 'addr', 'show'], false],
		[['ip', 'addr', 'add', '10.0.0.1/32', 'dev', 'lo'], true],
		[['ip', 'netns', 'exec', 'x', 'sh'], true],
		[['sysctl', '-n', 'net.ipv4.vs.expire_nodest_conn'], false],
		[['sysctl', '-w', 'net.ipv4.ip_forward=1'], true],
		[['sysctl', 'net.ipv4.ip_forward=1'], true],
		[['keepalived', '--version'], false],
		[['keepalived', '-t', '-f', '/tmp/x'], true],
		[['curl', '-s', 'http://10.0.0.1/'], false],
		[['hostname'], false],
		[['hostname', 'evil'], true],
		[['true'], false],
		[['sh', '-c', REALSERVER_CHECK_SCRIPT, 'lvsdeck-rs-check'], false],
		[['sh', '-c', 'anything', 'lvsdeck-rs-check-not'], true],
		[['sudo', '-n', '-l', 'ipvsadm'], false],
		[['rm', '-rf', '/'], true],
	] as Array<[string[], boolean]>)('%j needs root: %s', (argv, expected) => {
		expect(needsRoot(argv)).toBe(expected);
	});
});

describe('scripts on one line', () => {
	it.each(Object.entries(ROOT_SCRIPTS))('%s: one line, single spaces, and sh reads it', (_name, script) => {
		const line = oneLineScript(script);
		expect(line).not.toMatch(/[\n\t]|\s\s/);
		expect(() => execFileSync('sh', ['-n', '-c', line])).not.toThrow();
	});

	it('the one-line config reader prints exactly what the original prints', () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-oneline-'));
		mkdirSync(path.join(dir, 'conf.d'));
		writeFileSync(path.join(dir, 'keepalived.conf'), 'global_defs {\n\trouter_id a  b\n}\ninclude conf.d/*.conf\n');
		writeFileSync(path.join(dir, 'conf.d', 'a b.conf'), 'vrrp_instance VI_1 {\n}\n');
		writeFileSync(path.join(os.tmpdir(), 'outside.conf'), 'x\n');
		for (const confine of ['/', dir]) {
			const argv = configReadCommand([path.join(dir, 'keepalived.conf'), path.join(dir, 'conf.d/*.conf'), path.join(os.tmpdir(), 'outside.conf')], confine);
			const run = (script: string) => execFileSync('sh', ['-c', script, ...argv.slice(3)], {encoding: 'utf8'});
			const original = run(argv[2]!);
			expect(run(oneLineScript(argv[2]!))).toBe(original);
			expect(original).toContain('router_id a  b');
			expect(original.includes('@@lvsdeck-conf outside')).toBe(confine !== '/');
		}
	});

	it('refuses what it cannot put on one line faithfully', () => {
		expect(() => oneLineScript("echo 'a\nb'")).toThrow(/quote open/);
		expect(() => oneLineScript('echo a  b')).toThrow(/run of blanks/);
		expect(() => oneLineScript('# comment\necho a')).toThrow(/comment/);
	});

	it('joins compound commands without a stray `;`', () => {
		expect(oneLineScript('if true; then\n  echo a\nelse\n  echo b\nfi\nfor x in 1; do\n  echo $x\ndone\ncase a in\n  a) echo a ;;\nesac\nf() {\n  echo f\n}')).toBe(
			'if true; then echo a; else echo b; fi; for x in 1; do echo $x; done; case a in a) echo a ;; esac; f() { echo f; }',
		);
	});

	it('sudoArgv wraps with sudo -n -- and one-lines the script', () => {
		expect(sudoArgv(['ipvsadm', '-Ln'])).toEqual(['sudo', '-n', '--', 'ipvsadm', '-Ln']);
		expect(sudoArgv(['sh', '-c', 'echo a\necho b', 'name', 'x'])).toEqual(['sudo', '-n', '--', 'sh', '-c', 'echo a; echo b', 'name', 'x']);
	});
});

describe("sudo's own refusals", () => {
	it('tells a password prompt, requiretty and a missing rule from the command failing', () => {
		expect(sudoRefusal(1, 'sudo: a password is required\n')).toBe('password');
		expect(sudoRefusal(1, 'sudo: sorry, you must have a tty to run sudo\n')).toBe('tty');
		expect(sudoRefusal(1, 'Sorry, user ops is not allowed to execute \'/bin/sh -c x\' as root on dir1.\n')).toBe('not-allowed');
		expect(sudoRefusal(127, 'sh: 1: sudo: not found\n')).toBe('no-sudo');
		expect(sudoRefusal(1, 'ipvsadm: Permission denied\n')).toBeUndefined();
		expect(sudoRefusal(0, 'sudo: a password is required\n')).toBeUndefined();
	});

	it('says which host, what, and the fix, on one line', () => {
		const m = sudoRefusalMessage('dir1', 'ops', 'password', ['sh', '-c', 'x\ny', 'lvsdeck-probe', '/etc/keepalived/keepalived.conf']);
		expect(m).toBe('dir1: sudo will not run lvsdeck-probe (lvsdeck script) for ops without a password (no NOPASSWD rule allows it; lvsdeck never types one): install the rules `lvsdeck sudoers` prints in /etc/sudoers.d/');
		expect(sudoRefusalMessage('rs1', 'ops', 'tty', ['ipvsadm'])).toContain('Defaults:ops !requiretty');
	});
});

// The doctor's pure checks on captured output (keepalived 2.2.7, nft 1.0.6, coreutils stat and sysctl
// from the lab's Debian bookworm hosts), each able to fail both ways.
import {describe, expect, it} from 'vitest';
import {byStatus, check, doctorExitCode} from '../../../../src/actions/doctor/check.js';
import {clockCheck, clockOffset} from '../../../../src/actions/doctor/checks/clock.js';
import {firewallCheck, iptablesVrrpDrops, nftVrrpDrops} from '../../../../src/actions/doctor/checks/firewall.js';
import {configTestCheck, keywordProblems, versionChecks} from '../../../../src/actions/doctor/checks/keepalived.js';
import {lvsChecks, parseSysctls} from '../../../../src/actions/doctor/checks/lvs.js';
import {parseStat, scriptProblem} from '../../../../src/actions/doctor/checks/scripts.js';
import type {Read} from '../../../../src/actions/doctor/reads.js';
import {parseKeepalivedTree} from '../../../../src/keepalived-conf/index.js';
import {parseProfile} from '../../../../src/profile/load.js';
import {readFileSync} from 'node:fs';
import path from 'node:path';

const ok = (stdout: string, code = 0, stderr = ''): Read => ({ok: true, code, stdout, stderr});
const LAB = parseProfile(readFileSync(path.join(import.meta.dirname, '../../../../profiles/lab.yaml'), 'utf8'), 'profiles/lab.yaml');

describe('exit code and order', () => {
	it('0 for ok and skip, 1 for a warning, 2 for a failure; failures first', () => {
		const a = check('x', 'ok', 's', 'e');
		const w = check('y', 'warn', 's', 'e', 'fix it');
		const f = check('z', 'fail', 's', 'e', 'fix it');
		expect(doctorExitCode([a, check('q', 'skip', 's', 'e')])).toBe(0);
		expect(doctorExitCode([a, w])).toBe(1);
		expect(doctorExitCode([w, f, a])).toBe(2);
		expect(byStatus([a, w, f]).map((c) => c.id)).toEqual(['z', 'y', 'x']);
		expect(a.fix).toBe('');
	});
});

describe('firewall', () => {
	const dropping = ['table inet lvsdeck_doctor {', '\tchain input {', '\t\ttype filter hook input priority filter; policy accept;', '\t\tip protocol vrrp drop', '\t}', '}', ''].join('\n');
	it('finds an nft rule dropping VRRP by name, number or in a set', () => {
		expect(nftVrrpDrops(dropping).drops).toEqual(['ip protocol vrrp drop']);
		expect(nftVrrpDrops(dropping.replace('ip protocol vrrp drop', 'meta l4proto { tcp, 112 } counter packets 3 bytes 120 reject')).drops).toHaveLength(1);
		expect(nftVrrpDrops(dropping.replace('ip protocol vrrp drop', 'ip protocol vrrp accept')).drops).toEqual([]);
		expect(nftVrrpDrops(dropping.replace('ip protocol vrrp drop', 'tcp dport 22 drop')).drops).toEqual([]);
	});
	it('warns on an input policy of drop that names no VRRP rule', () => {
		const policy = dropping.replace('policy accept;', 'policy drop;').replace('\t\tip protocol vrrp drop\n', '\t\ttcp dport 22 accept\n');
		expect(nftVrrpDrops(policy).dropPolicies).toEqual(['table inet lvsdeck_doctor chain input']);
		expect(firewallCheck('dir2', ok(policy), ok('')).status).toBe('warn');
	});
	it('reads iptables-save', () => {
		const save = ['*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -s 10.0.0.0/8 -p vrrp -j DROP', 'COMMIT'].join('\n');
		expect(iptablesVrrpDrops(save).drops).toEqual(['-A INPUT -s 10.0.0.0/8 -p vrrp -j DROP']);
		expect(iptablesVrrpDrops(save.replace('-j DROP', '-j ACCEPT')).drops).toEqual([]);
		expect(iptablesVrrpDrops(save.replace(':INPUT ACCEPT', ':INPUT DROP').replace('-j DROP', '-j ACCEPT')).dropPolicies).toEqual([]);
	});
	it('one check per director: fail quoting the rule, ok, or skip when neither tool runs', () => {
		const failed = firewallCheck('dir2', ok(dropping), ok(''));
		expect(failed).toMatchObject({status: 'fail', host: 'dir2', view: 'vrrp'});
		expect(failed.evidence).toContain('ip protocol vrrp drop');
		expect(firewallCheck('dir1', ok(''), ok('')).status).toBe('ok');
		expect(firewallCheck('dir1', ok('', 127, 'sh: nft: not found'), {ok: false, error: 'refused'}).status).toBe('skip');
	});
});

describe('clocks', () => {
	const at = (stdout: string, sentAt: number, receivedAt: number) => ({read: ok(stdout), sentAt, receivedAt});
	it('measures against the middle of the round trip', () => {
		expect(clockOffset(at('1796198982.956428779\n', 1796198982_900, 1796198983_000))).toEqual({offsetMs: expect.closeTo(6.43, 1), errorMs: 50});
		expect(clockOffset(at('Wed Dec  2\n', 0, 1))).toHaveProperty('error');
	});
	it('fails when two directors are more than 1 s apart beyond the reads uncertainty', () => {
		const fine = clockCheck([{director: 'dir1', clock: at('1000000000.000', 1000000000_000, 1000000000_010)}, {director: 'dir2', clock: at('1000000000.900', 1000000000_000, 1000000000_010)}]);
		expect(fine.status).toBe('ok');
		const off = clockCheck([{director: 'dir1', clock: at('1000000000.000', 1000000000_000, 1000000000_010)}, {director: 'dir2', clock: at('1000000005.000', 1000000000_000, 1000000000_010)}]);
		expect(off).toMatchObject({status: 'fail', subject: 'dir2 dir1', host: 'dir2'});
		expect(off.evidence).toMatch(/^5\.000 s between dir2 and dir1/);
		// 1.2 s apart, but each read took 1 s: not proven over the limit.
		const slow = clockCheck([{director: 'dir1', clock: at('1000000000.000', 999999999_500, 1000000000_500)}, {director: 'dir2', clock: at('1000000001.200', 999999999_500, 1000000000_500)}]);
		expect(slow.status).toBe('ok');
	});
});

describe('scripts', () => {
	it('parses stat lines (captured from the lab)', () => {
		expect(parseStat('755 0 root regular file /usr/bin/test\n644 1000 op regular empty file /etc/keepalived/a b.sh\n')).toEqual(
			new Map([
				['/usr/bin/test', {mode: 0o755, uid: 0, type: 'regular file'}],
				['/etc/keepalived/a b.sh', {mode: 0o644, uid: 1000, type: 'regular empty file'}],
			]),
		);
	});
	it('says what keepalived would refuse', () => {
		expect(scriptProblem(undefined, false)).toBe('is missing');
		expect(scriptProblem({mode: 0o644, uid: 0, type: 'regular file'}, false)).toBe('is not executable (mode 644)');
		expect(scriptProblem({mode: 0o755, uid: 1000, type: 'regular file'}, false)).toBeUndefined();
		expect(scriptProblem({mode: 0o755, uid: 1000, type: 'regular file'}, true)).toMatch(/not root/);
		expect(scriptProblem({mode: 0o775, uid: 0, type: 'regular file'}, true)).toMatch(/writable by group/);
		expect(scriptProblem({mode: 0o755, uid: 0, type: 'directory'}, false)).toMatch(/directory/);
	});
});

describe('LVS sysctls', () => {
	// `sysctl -e ...` on the lab's dir1.
	const lab = ['net.ipv4.ip_forward = 0', 'net.ipv4.vs.expire_nodest_conn = 1', 'net.ipv4.vs.expire_quiescent_template = 0', 'net.ipv4.vs.conntrack = 0', 'net.netfilter.nf_conntrack_count = 0', 'net.netfilter.nf_conntrack_max = 4096', ''].join('\n');
	it('parses', () => {
		expect(parseSysctls(lab).get('net.netfilter.nf_conntrack_max')).toBe('4096');
	});
	it('passes the lab (DR, no persistence), and names what is wrong otherwise', () => {
		const checks = lvsChecks(LAB, 'dir1', ok(lab));
		expect(checks.filter((c) => c.status === 'fail' || c.status === 'warn')).toEqual([]);
		expect(checks.find((c) => c.id === 'lvs.ip-forward')?.status).toBe('skip');
		const broken = lvsChecks(LAB, 'dir1', ok(lab.replace('expire_nodest_conn = 1', 'expire_nodest_conn = 0')));
		expect(broken.find((c) => c.id === 'lvs.expire-nodest-conn')?.status).toBe('warn');
		const noIpvs = lvsChecks(LAB, 'dir1', ok('net.ipv4.ip_forward = 0\n'));
		expect(noIpvs.find((c) => c.id === 'lvs.ip-vs')).toMatchObject({status: 'fail', fix: expect.stringContaining('modprobe ip_vs')});
		const full = lvsChecks(LAB, 'dir1', ok(lab.replace('nf_conntrack_count = 0', 'nf_conntrack_count = 4000')));
		expect(full.find((c) => c.id === 'lvs.conntrack')?.status).toBe('warn');
	});
});

describe('keepalived', () => {
	const version = 'Keepalived v2.2.7 (01/16,2022)\n\nCopyright(C) 2001-2022 Alexandre Cassen, <acassen@gmail.com>\n\nConfig options:  NFTABLES LVS REGEX VRRP VRRP_AUTH VRRP_VMAC JSON BFD\n';
	it('reports the version, and warns when the directors differ', () => {
		const same = versionChecks([{director: 'dir1', version: ok('', 0, version)}, {director: 'dir2', version: ok('', 0, version)}]);
		expect(same.map((c) => [c.status, c.evidence])).toEqual([
			['ok', 'keepalived 2.2.7, with JSON dumps'],
			['ok', 'keepalived 2.2.7, with JSON dumps'],
		]);
		const differ = versionChecks([{director: 'dir1', version: ok('', 0, version)}, {director: 'dir2', version: ok('', 0, version.replace('2.2.7', '2.2.8'))}]);
		expect(differ.map((c) => c.status)).toEqual(['warn', 'warn']);
	});
	it('keepalived -t: any exit but 0 or anything said fails, with what it said (never a password)', () => {
		expect(configTestCheck('dir1', '/etc/keepalived/keepalived.conf', ok('')).status).toBe('ok');
		const missing = configTestCheck('dir1', '/etc/k.conf', ok('', 0, "Config files missing '/etc/k.conf'."));
		expect(missing.status).toBe('fail');
		const bad = configTestCheck('dir1', '/etc/k.conf', ok('', 5, 'Unknown keyword auth_pass s3cret-x\n'));
		expect(bad.status).toBe('fail');
		expect(bad.evidence).not.toContain('s3cret-x');
		expect(configTestCheck('dir1', '/etc/k.conf', ok('', 6, 'SECURITY VIOLATION')).fix).toMatch(/enable_script_security/);
	});
	it('names obsolete keywords and keywords the version does not know', () => {
		const tree = (text: string) => {
			const r = parseKeepalivedTree(text);
			if (!r.ok) throw new Error(r.error.message);
			return r.tree;
		};
		const conf = 'virtual_server 10.0.0.1 80 {\n  real_server 10.0.0.11 80 {\n    HTTP_GET {\n      url {\n        path /\n      }\n      nb_get_retry 3\n    }\n  }\n}\n';
		expect(keywordProblems(tree(conf), '2.2.7')).toEqual(['nb_get_retry is obsolete since 1.3.7 (use retry)']);
		expect(keywordProblems(tree(conf.replace('nb_get_retry', 'retry')), '2.2.7')).toEqual([]);
	});
});

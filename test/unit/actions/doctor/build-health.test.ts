// keepalived's build options (the lab's real `keepalived --version`, test/fixtures/lab, and the 1.3.5
// `Build options:` form), the fuller obsolete-keyword list, and the health check worded with
// keepalived's own checker lines from its log.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {buildCheck, buildOptions, featuresUsed, keywordProblems, OBSOLETE} from '../../../../src/actions/doctor/checks/keepalived.js';
import {healthChecks} from '../../../../src/actions/doctor/checks/realservers.js';
import type {Read} from '../../../../src/actions/doctor/reads.js';
import type {ClusterState} from '../../../../src/cluster/types.js';
import {parseKeepalivedTree} from '../../../../src/keepalived-conf/index.js';
import {parseProfile} from '../../../../src/profile/load.js';
import {parseCheckerLog} from '../../../../src/probes/keepalived-checker-log.js';

const ok = (stdout: string, code = 0, stderr = ''): Read => ({ok: true, code, stdout, stderr});
const LAB = parseProfile(readFileSync(path.join(import.meta.dirname, '../../../../profiles/lab.yaml'), 'utf8'), 'profiles/lab.yaml');
const V227 = readFileSync(path.join(import.meta.dirname, '../../../fixtures/lab/keepalived-version.txt'), 'utf8');
const V135 = 'Keepalived v1.3.5 (03/19,2017), git commit v1.3.5-6-g6fa32f2\n\nCopyright(C) 2001-2017 Alexandre Cassen, <acassen@gmail.com>\n\nBuild options:  PIPE2 LIBNL3 RTA_ENCAP LIBIPTC LIBIPSET_DYNAMIC LVS LIBIPVS_NETLINK VRRP VRRP_AUTH VRRP_VMAC SOCK_NONBLOCK\n';

describe('build options', () => {
	it("reads 2.x's Config options and 1.3's Build options (keepalived prints them on stderr)", () => {
		expect(buildOptions(V227)).toMatchObject({label: 'Config options', options: expect.arrayContaining(['LVS', 'VRRP', 'VRRP_AUTH', 'JSON', 'BFD', 'INIT=systemd'])});
		// The configure line's --enable-json is not an option word.
		expect(buildOptions(V227)?.options).not.toContain('--enable-json');
		expect(buildOptions(V135)).toMatchObject({label: 'Build options', options: expect.arrayContaining(['LVS', 'VRRP', 'LIBIPTC'])});
		expect(buildOptions('Keepalived v1.2.13 (05/25,2014)\n')).toBeUndefined();
	});

	it('passes the lab build for the lab cluster, with the relevant options as evidence', () => {
		const used = featuresUsed(LAB);
		expect(used.map((u) => u.option)).toEqual(['VRRP', 'LVS', 'VRRP_AUTH']);
		expect(buildCheck('dir1', ok('', 0, V227), used)).toMatchObject({status: 'ok', evidence: 'Config options: LVS VRRP VRRP_AUTH VRRP_VMAC JSON BFD NFTABLES'});
	});

	it('warns when a feature the cluster uses is missing (a build with --disable-lvs drops LVS from the list)', () => {
		const noLvs = V227.replace(' LVS ', ' ');
		const c = buildCheck('dir2', ok('', 0, noLvs), featuresUsed(LAB));
		expect(c).toMatchObject({status: 'warn', host: 'dir2'});
		expect(c.evidence).toMatch(/missing what the cluster uses: LVS \(3 virtual servers\)$/);
		expect(c.fix).toMatch(/built with LVS .*no --disable-lvs/);
		// A VRRP-only cluster does not need LVS.
		expect(buildCheck('dir2', ok('', 0, noLvs), featuresUsed({...LAB, virtualServers: []})).status).toBe('ok');
		expect(buildCheck('dir2', ok('', 0, V227.replace(' VRRP_AUTH', '')), featuresUsed(LAB)).evidence).toMatch(/VRRP_AUTH \(authentication on VI_1\)/);
	});

	it('skips when the version was not read or lists no options', () => {
		expect(buildCheck('dir1', {ok: false, error: 'timed out'}, []).status).toBe('skip');
		expect(buildCheck('dir1', ok('Keepalived v1.2.13\n'), []).status).toBe('skip');
	});
});

describe('obsolete keywords', () => {
	const tree = (text: string) => {
		const r = parseKeepalivedTree(text);
		if (!r.ok) throw new Error(r.error.message);
		return r.tree;
	};
	it('names each with its replacement, from the release that deprecated it', () => {
		const conf = 'global_defs {\n  lvs_process_name ipvs\n  vrrp_rlimit_rtime 10000\n  enable_snmp_keepalived\n  lvs_flush_onstop\n}\n';
		expect(keywordProblems(tree(conf), '2.2.7')).toEqual([
			'lvs_process_name is obsolete since 2.2.0 (use checker_process_name)',
			'vrrp_rlimit_rtime is obsolete since 2.1.0 (use vrrp_rlimit_rttime)',
			'enable_snmp_keepalived is obsolete since 2.0.0 (use enable_snmp_vrrp)',
			'lvs_flush_onstop is obsolete since 2.2.0 (use lvs_flush_on_stop)',
		]);
		// 2.0.19 still takes the older spellings without a warning.
		expect(keywordProblems(tree(conf), '2.0.19').filter((p) => p.includes('obsolete'))).toEqual(['enable_snmp_keepalived is obsolete since 2.0.0 (use enable_snmp_vrrp)']);
	});
	it('a keyword deprecated in one block only is named there only', () => {
		const inInstance = 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n  priority 100\n  linkbeat_use_polling\n  virtual_ipaddress {\n    10.0.0.1\n  }\n}\n';
		expect(keywordProblems(tree(inInstance), '2.2.7')).toContain('linkbeat_use_polling is obsolete since 2.0.13 (use a linkbeat_interfaces block)');
		expect(keywordProblems(tree('global_defs {\n  linkbeat_use_polling\n}\n'), '2.2.7').filter((p) => p.includes('obsolete'))).toEqual([]);
	});
	it('every entry has a replacement and a version', () => {
		for (const o of OBSOLETE) {
			expect(o.instead).not.toBe('');
			expect(o.since).toMatch(/^\d+\.\d+\.\d+$/);
		}
	});
});

describe("health checks with keepalived's reason", () => {
	const missing = (port: number, director = 'dir1') =>
		({hosts: [], findings: [{kind: 'rs-missing', severity: 'critical', subject: 'rs1', message: `rs1 (192.168.67.10:${port}) is missing from TCP 192.168.67.100:${port} on ${director}`}]}) as unknown as ClusterState;
	const log = [
		'Wed Dec  2 12:00:01 2026: TCP connection to [192.168.67.10]:tcp:9000 success.',
		'Wed Dec  2 12:00:05 2026: TCP_CHECK on service [192.168.67.10]:tcp:9000 failed after 1 retries.',
		'Wed Dec  2 12:00:05 2026: Removing service [192.168.67.10]:tcp:9000 from VS [192.168.67.100]:tcp:9000',
	].join('\n');
	const events = parseCheckerLog(log, new Date(2026, 11, 2, 12, 1).getTime());

	it("names keepalived's checker lines for a real server out of a table", () => {
		const c = healthChecks(LAB, missing(9000), [{director: 'dir1', events}, {director: 'dir2', events: []}]).find((x) => x.subject === 'rs1')!;
		expect(c.status).toBe('fail');
		expect(c.evidence).toBe(
			"rs1 (192.168.67.10:9000) is missing from TCP 192.168.67.100:9000 on dir1; dir1's keepalived log at Wed Dec  2 12:00:05 2026: TCP_CHECK on service [192.168.67.10]:tcp:9000 failed after 1 retries. | Removing service [192.168.67.10]:tcp:9000 from VS [192.168.67.100]:tcp:9000; its service answers the station",
		);
		expect(c.fix).toBe("make rs1 pass keepalived's TCP_CHECK (what it says above), or fix the check's settings");
	});

	it('says when the log names nothing, and where it could not be read', () => {
		const c = healthChecks(LAB, missing(80), [{director: 'dir1', events}, {director: 'dir2', error: 'tail: cannot open /run/keepalived.log'}]).find((x) => x.subject === 'rs1')!;
		expect(c.evidence).toMatch(/keepalived's log names no checker failure for it \(not read on dir2: tail: cannot open \/run\/keepalived\.log\)/);
		expect(healthChecks(LAB, {hosts: [], findings: []} as unknown as ClusterState, [{director: 'dir1', events}]).every((x) => x.status === 'ok')).toBe(true);
	});
});

// The typed model of the own corpus, secrets, and the semantic comparison.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {
	compareKeepalivedConf,
	emptyConfig,
	formatDiagnostic,
	formatDifference,
	parseKeepalivedConf,
	serializeKeepalivedConf,
	type KeepalivedConfig,
} from '../../../src/keepalived-conf/index.js';
import {OWN_CORPUS, ownFiles, withoutLocations} from './fixtures.js';

function load(name: string, configId = 'dir1'): KeepalivedConfig {
	const file = path.join(OWN_CORPUS, name);
	return fromText(fs.readFileSync(file, 'utf8'), file, configId);
}

function fromText(text: string, file = 'k.conf', configId = 'dir1'): KeepalivedConfig {
	const r = parseKeepalivedConf(text, {file, files: ownFiles, configId});
	if (!r.ok) throw new Error(formatDiagnostic(r.error));
	return r.config;
}

function diff(a: KeepalivedConfig, b: KeepalivedConfig): string[] {
	return compareKeepalivedConf(a, b).map((d) => formatDifference(d));
}

describe('the model', () => {
	it('VRRP instance: state, priority, unicast, VIPs with options, notify scripts, authentication', () => {
		const [vi] = load('01-lab-vrrp-unicast.conf').vrrpInstances;
		expect(vi).toMatchObject({name: 'VI_1', state: 'MASTER', interface: 'eth0', virtualRouterId: 51, priority: 100, advertInt: 1, unicastSrcIp: '192.168.67.110'});
		expect(vi?.unicastPeer).toEqual([{address: '192.168.67.120', options: []}]);
		expect(vi?.virtualIpaddress).toEqual([{address: '192.168.67.100/24', dev: 'eth0', label: 'eth0:1', options: []}]);
		expect(vi?.notifyMaster).toEqual({command: '/usr/bin/logger -t kalab master'});
		expect(vi?.notifyFault).toEqual({command: '/bin/true'});
		expect(vi?.authentication).toMatchObject({authType: 'PASS', authPass: 's3cret'});
		expect(vi?.loc).toMatchObject({line: 8, col: 1});
	});

	it('virtual server with scheduler, method, persistence and HTTP checks with urls', () => {
		const [vs] = load('02-lab-lvs-dr-http.conf').virtualServers;
		expect(vs).toMatchObject({kind: 'address', address: '192.168.67.100', port: '80', delayLoop: 6, lbAlgo: 'wrr', lbKind: 'DR', persistenceTimeout: 50, protocol: 'TCP'});
		expect(vs?.realServers.map((rs) => [rs.address, rs.port, rs.weight])).toEqual([['192.168.67.10', '80', 3], ['192.168.67.20', '80', 1]]);
		const check = vs?.realServers[0]?.checks[0];
		expect(check?.type).toBe('HTTP_GET');
		expect(check?.type === 'HTTP_GET' && check.urls.map((u) => [u.path, u.statusCode])).toEqual([['/', ['200']], ['/health', ['200-299']]]);
		expect(check).toMatchObject({connectTimeout: 3, retry: 3, delayBeforeRetry: 2});
	});

	it('lvs_sched/lvs_method are the same fields as lb_algo/lb_kind', () => {
		expect(load('03-lab-lvs-nat-tcp.conf').virtualServers[0]).toMatchObject({lbAlgo: 'rr', lbKind: 'NAT'});
	});

	it('every check type is modelled', () => {
		const types = fs
			.readdirSync(OWN_CORPUS)
			.filter((f) => f.endsWith('.conf'))
			.flatMap((f) => load(f).virtualServers.flatMap((vs) => vs.realServers.flatMap((rs) => rs.checks.map((c) => c.type))));
		expect(new Set(types)).toEqual(new Set(['HTTP_GET', 'SSL_GET', 'TCP_CHECK', 'MISC_CHECK', 'SMTP_CHECK', 'DNS_CHECK', 'UDP_CHECK', 'PING_CHECK', 'FILE_CHECK', 'BFD_CHECK']));
	});

	it('fwmark and group virtual servers, and virtual_server_group entries', () => {
		expect(load('13-lab-fwmark.conf').virtualServers[0]).toMatchObject({kind: 'fwmark', fwmark: '7'});
		const c = load('14-lab-virtual-server-group.conf');
		expect(c.virtualServers[0]).toMatchObject({kind: 'group', group: 'WEB'});
		expect(c.virtualServerGroups[0]?.entries.map((e) => e.words.join(' '))).toEqual(['192.168.67.109 80', '192.168.67.111-112 80']);
	});

	it('vrrp_script weights and track_script / track_interface weights', () => {
		const c = load('17-lab-track-script.conf');
		expect(c.vrrpScripts.map((s) => [s.name, s.weight, s.rise, s.fall])).toEqual([['chk_web', {weight: -20}, 2, 3], ['chk_maint', {weight: 10, reverse: true}, undefined, undefined]]);
		expect(c.vrrpScripts[0]?.script).toEqual({command: "/bin/sh -c 'exit 0'"});
		expect(c.vrrpInstances[0]?.trackScript).toEqual([{name: 'chk_web', options: []}, {name: 'chk_maint', weight: 5, options: []}]);
		expect(c.vrrpInstances[0]?.trackInterface).toEqual([{name: 'lo', weight: -30, options: []}]);
	});

	it('sync groups, mail settings and global keys', () => {
		expect(load('15-lab-sync-group.conf').vrrpSyncGroups[0]).toMatchObject({name: 'VG_1', group: ['VI_WEB', 'VI_DB'], notify: {command: '/bin/true'}});
		expect(load('18-lab-mail-settings.conf').globalDefs).toMatchObject({
			notificationEmail: ['ops@example.org', 'oncall@example.org'],
			smtpServer: ['127.0.0.1', '25'],
			smtpConnectTimeout: 30,
			routerId: 'LB1',
		});
	});

	it('conditional lines follow the config id', () => {
		expect(load('25-lab-conditionals.conf', 'dir1').vrrpInstances[0]).toMatchObject({state: 'MASTER', priority: 100});
		expect(load('25-lab-conditionals.conf', 'dir2').vrrpInstances[0]).toMatchObject({state: 'BACKUP', priority: 90});
	});

	it('keywords the model does not interpret are kept verbatim, in order, at their level', () => {
		const c = load('34-unknown-blocks.conf');
		expect(c.extra.map((n) => n.keyword)).toEqual(['bal_defs', 'local_address_group']);
		expect(c.virtualServers[0]?.extra.map((n) => [n.keyword, ...n.args].join(' '))).toEqual(['laddr_group_name laddr_g1']);
		expect(c.virtualServers[0]?.ignored.map((n) => [n.keyword, ...n.args].join(' '))).toEqual(['lb_kind FNAT']);
	});

	it('a 2,000-real-server config parses fully and round-trips', () => {
		const servers = Array.from({length: 2000}, (_, i) => `  real_server 10.${(i >> 8) & 255}.${i & 255}.1 80 {\n    weight ${1 + (i % 7)}\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n`);
		const text = `virtual_server 10.255.0.1 80 {\n  lb_algo wrr\n  lb_kind DR\n${servers.join('')}}\n`;
		const c = fromText(text);
		expect(c.virtualServers[0]?.realServers).toHaveLength(2000);
		expect(c.virtualServers[0]?.realServers[1999]).toMatchObject({address: '10.7.207.1', weight: 1 + (1999 % 7)});
		expect(diff(c, fromText(serializeKeepalivedConf(c)))).toEqual([]);
	});

	it('a config built from scratch serializes and reads back the same', () => {
		const c = emptyConfig();
		c.globalDefs = {routerId: 'lb1', ignored: [], extra: []} as unknown as NonNullable<KeepalivedConfig['globalDefs']>;
		const back = fromText(serializeKeepalivedConf(c));
		expect(withoutLocations(back)).toEqual(withoutLocations(fromText('global_defs {\n router_id lb1\n}\n')));
	});
});

describe('secrets', () => {
	const text = fs.readFileSync(path.join(OWN_CORPUS, '01-lab-vrrp-unicast.conf'), 'utf8');

	it('auth_pass is serialized for deploy and redacted for display', () => {
		const c = fromText(text);
		expect(serializeKeepalivedConf(c)).toContain('auth_pass s3cret');
		const shown = serializeKeepalivedConf(c, {redactSecrets: true});
		expect(shown).not.toContain('s3cret');
		expect(shown).toContain('auth_pass <redacted>');
	});

	it('a changed auth_pass is reported without either value', () => {
		const lines = diff(fromText(text), fromText(text.replace('s3cret', 'other99')));
		expect(lines).toEqual(['vrrp_instance VI_1 authentication auth_pass: differs']);
	});

	it('diagnostics about auth_pass never carry its value', () => {
		const r = parseKeepalivedConf(text.replace('auth_pass s3cret', 'auth_pass averylongsecret\n        auth_pass "two words"'), {file: 'k.conf'});
		expect(r.diagnostics.length).toBeGreaterThan(0);
		for (const d of r.diagnostics) expect(formatDiagnostic(d)).not.toMatch(/averylongsecret|two words/);
	});
});

describe('semantic comparison', () => {
	const original = fs.readFileSync(path.join(OWN_CORPUS, '02-lab-lvs-dr-http.conf'), 'utf8') + fs.readFileSync(path.join(OWN_CORPUS, '01-lab-vrrp-unicast.conf'), 'utf8');
	// The same config: reindented, reordered within blocks, different comments, braces moved, aliases.
	const rewritten = `# rewritten by hand
vrrp_instance VI_1
{
  virtual_ipaddress { 192.168.67.100/24 label eth0:1 dev eth0 }   ! options reordered
  notify_fault /bin/true
  notify_backup "/usr/bin/logger -t kalab backup"
  notify_master "/usr/bin/logger -t kalab master"
  unicast_peer { 192.168.67.120 }
  unicast_src_ip 192.168.67.110
  authentication { auth_pass s3cret
     auth_type PASS }
  advert_int 1.0
  priority 100
  virtual_router_id 51
  interface eth0
  state MASTER
}
global_defs { enable_script_security
  script_user root
  router_id dir1 }
virtual_server 192.168.67.100 80 {
  real_server 192.168.67.20 80 { HTTP_GET { connect_timeout 3
      url { status_code 200
        path / } }
    weight 1 }
  real_server 192.168.67.10 80 {
    HTTP_GET {
      delay_before_retry 2
      retry 3
      connect_timeout 3
      url { path /health
        status_code 200-299 }
      url { path /
        status_code 200 }
    }
    weight 3
  }
  protocol TCP
  persistence_timeout 50
  lvs_method DR
  lvs_sched wrr
  delay_loop 6
}
`;

	it('reindented, reordered, recommented: no difference', () => {
		expect(diff(fromText(original), fromText(rewritten))).toEqual([]);
	});

	it('one priority changed: exactly that difference, in keepalived terms', () => {
		expect(diff(fromText(original), fromText(rewritten.replace('priority 100', 'priority 90')))).toEqual(['vrrp_instance VI_1 priority: installed 100, profile 90']);
	});

	it('a notify script only on one side, a real server weight, a VIP and an unknown keyword', () => {
		const changed = rewritten
			.replace('  notify_master "/usr/bin/logger -t kalab master"\n', '')
			.replace('    weight 3\n', '    weight 2\n')
			.replace('192.168.67.100/24 label eth0:1 dev eth0', '192.168.67.100/24 label eth0:1 dev eth0\n 192.168.67.99')
			.replace('  delay_loop 6\n', '  delay_loop 6\n  some_future_keyword 1\n');
		expect(diff(fromText(original), fromText(changed)).sort()).toEqual(
			[
				'vrrp_instance VI_1 notify_master only installed',
				'vrrp_instance VI_1 virtual_ipaddress 192.168.67.99 only profile',
				'virtual_server 192.168.67.100 80 real_server 192.168.67.10 80 weight: installed 3, profile 2',
				'virtual_server 192.168.67.100 80 some_future_keyword 1 only profile',
			].sort(),
		);
	});

	it('an address without a prefix length equals the same address as /32', () => {
		const a = fromText('vrrp_instance V { virtual_ipaddress { 10.1.1.1 } }\n');
		const b = fromText('vrrp_instance V { virtual_ipaddress { 10.1.1.1/32 } }\n');
		expect(diff(a, b)).toEqual([]);
	});

	it('labels can be chosen', () => {
		const [d] = compareKeepalivedConf(fromText('vrrp_instance V { priority 1 }\n'), fromText('vrrp_instance V { priority 2 }\n'));
		expect(d && formatDifference(d, {a: 'dir1', b: 'dir2'})).toBe('vrrp_instance V priority: dir1 1, dir2 2');
	});
});

// How import maps keepalived.conf onto the profile: typed fields where they hold a block exactly,
// shared where the directors agree, per director where they differ, keepalived text for the rest;
// and every shipped profile, rendered and imported back, is the same profile.
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parse as parseYaml} from 'yaml';
import {filesFromMap} from '../../../src/keepalived-conf/index.js';
import {loadProfile} from '../../../src/profile/load.js';
import {directors, type Profile} from '../../../src/profile/model.js';
import {renderKeepalivedConf} from '../../../src/render/keepalived-conf.js';
import {ROOT, differences, importDirectors, loadYaml, resolveOptions} from './helpers.js';

const tutorial = path.join(ROOT, 'test/fixtures/import/tutorial');
const pair = [
	{name: 'dir1', file: path.join(tutorial, 'dir1.conf'), address: '192.168.67.110'},
	{name: 'dir2', file: path.join(tutorial, 'dir2.conf'), address: '192.168.67.120'},
];

type Yaml = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('a pair of directors configured by hand (tutorial style)', () => {
	const result = importDirectors(pair);
	const doc = parseYaml(result.yaml) as Yaml;
	const profile = loadYaml(result.yaml);

	it('renders each director back semantically', () => {
		for (const d of pair) expect(differences(profile, d)).toEqual([]);
	});

	it('types the instance, with state and priority per director and the notify scripts shared', () => {
		const [inst] = doc.vrrp_instances;
		expect(inst).toMatchObject({name: 'VI_1', vrid: 51, interface: 'eth0', unicast: false, authentication: {type: 'PASS', pass: '1111'}, track_scripts: ['chk_httpd']});
		expect(inst.directors).toEqual({dir1: {state: 'MASTER', priority: 100}, dir2: {state: 'BACKUP', priority: 90}});
		expect(inst.extra).toContain('notify_master "/etc/keepalived/notify.sh master"');
		expect(inst.extra).toContain('notify_fault');
	});

	it('keeps router_id and the differing global_defs line per director, the rest of global_defs shared', () => {
		expect(doc.hosts.dir1.keepalived).toEqual({router_id: 'LVS_DIR1', global_defs: 'notification_email_from keepalived@dir1.example.com\n'});
		expect(doc.hosts.dir2.keepalived.router_id).toBe('LVS_DIR2');
		expect(doc.keepalived.global_defs).toContain('vrrp_mcast_group4 224.0.0.18');
		expect(doc.keepalived.global_defs).toContain('smtp_server 127.0.0.1');
		expect(doc.keepalived.global_defs).not.toContain('router_id');
	});

	it('types the vrrp_script and leaves script security as the directors had it', () => {
		expect(doc.track_scripts).toEqual([{name: 'chk_httpd', script: '/usr/bin/pgrep httpd', interval: 2, weight: -30, fall: 2, rise: 2}]);
		expect(doc.keepalived.auto_script_security).toBe(false);
		expect(renderKeepalivedConf(profile, 'dir1')).not.toContain('enable_script_security');
	});

	it('types the included virtual server, its real servers as hosts, TCP_CHECK with the obsolete line kept', () => {
		expect(doc.hosts['rs-192-168-67-10']).toEqual({address: '192.168.67.10', role: 'realserver'});
		const [vs] = doc.virtual_servers;
		expect(vs).toMatchObject({vip: '192.168.67.100', port: 80, scheduler: 'rr', forwarding: 'DR', persistence_timeout: 50, delay_loop: 6});
		expect(vs.real_servers[0].check).toMatchObject({type: 'TCP_CHECK', connect_port: 80, connect_timeout: 3, omit: ['retry'], extra: 'nb_get_retry 3\n'});
	});

	it('warns with file:line:col and the fix for what keepalived 2.2.7 ignores or deprecates', () => {
		expect(result.warnings).toContain(`${path.join(tutorial, 'conf.d/web.conf')}:13:13: nb_get_retry is obsolete (keepalived 2.2.7 ignores it outside HTTP_GET/SSL_GET and deprecates it there) in TCP_CHECK (fix: retry N)`);
		expect(result.warnings.some((w) => /dir1\.conf:11:4: vrrp_garp_interval: 0 is outside .*\(fix: delete the line\)$/.test(w))).toBe(true);
	});

	it('names real servers with --name', () => {
		const named = parseYaml(importDirectors(pair, new Map([['192.168.67.10', 'web1']])).yaml) as Yaml;
		expect(named.hosts.web1).toEqual({address: '192.168.67.10', role: 'realserver'});
		expect(named.virtual_servers[0].real_servers[0].host).toBe('web1');
	});
});

describe('addresses and differences', () => {
	it('takes a director address from unicast_src_ip, else marks it unknown', () => {
		const files = filesFromMap({
			'/a.conf': 'vrrp_instance V {\n state MASTER\n interface eth0\n virtual_router_id 9\n priority 100\n unicast_src_ip 10.0.0.1\n unicast_peer {\n 10.0.0.2\n }\n virtual_ipaddress {\n 10.0.0.100\n }\n}\n',
			'/b.conf': 'vrrp_instance V {\n state BACKUP\n interface eth0\n virtual_router_id 9\n priority 90\n virtual_ipaddress {\n 10.0.0.100\n }\n}\n',
		});
		const result = importDirectors([
			{name: 'a', file: '/a.conf', files},
			{name: 'b', file: '/b.conf', files},
		]);
		const doc = parseYaml(result.yaml) as Yaml;
		expect(doc.hosts.a.address).toBe('10.0.0.1');
		expect(doc.hosts.b.address).toBe('unknown');
		expect(result.yaml).toMatch(/address: unknown # PLACEHOLDER/);
		expect(result.yaml).toMatch(/address: 10\.0\.0\.1 # from unicast_src_ip/);
		// b has no unicast lines: the unicast lines are a's own, as text
		expect(doc.vrrp_instances[0].unicast).toBe(false);
		expect(doc.vrrp_instances[0].directors.a.extra).toContain('unicast_src_ip 10.0.0.1');
		const profile = loadYaml(result.yaml);
		expect(differences(profile, {name: 'a', file: '/a.conf', files})).toEqual([]);
		expect(differences(profile, {name: 'b', file: '/b.conf', files})).toEqual([]);
	});

	it('keeps an instance that differs in a typed field as text per director', () => {
		const files = filesFromMap({
			'/a.conf': 'vrrp_instance V {\n interface eth0\n virtual_router_id 9\n virtual_ipaddress {\n 10.0.0.100\n }\n}\n',
			'/b.conf': 'vrrp_instance V {\n interface eth1\n virtual_router_id 9\n virtual_ipaddress {\n 10.0.0.100\n }\n}\n',
		});
		const result = importDirectors([
			{name: 'a', file: '/a.conf', files},
			{name: 'b', file: '/b.conf', files},
		]);
		const doc = parseYaml(result.yaml) as Yaml;
		expect(doc.vrrp_instances).toEqual([]);
		expect(doc.hosts.a.keepalived.extra).toContain('interface eth0');
		expect(doc.hosts.b.keepalived.extra).toContain('interface eth1');
		expect(result.notes.join('\n')).toContain('vrrp_instance V stays keepalived text');
	});

	it("omits state, priority and advert_int that were not written, at keepalived's defaults", () => {
		const files = filesFromMap({'/a.conf': 'vrrp_instance V {\n interface eth0\n virtual_router_id 9\n virtual_ipaddress {\n 10.0.0.100/24\n }\n}\n'});
		const result = importDirectors([{name: 'a', file: '/a.conf', files}]);
		const inst = (parseYaml(result.yaml) as Yaml).vrrp_instances[0];
		expect(inst).toMatchObject({advert_int: 1, omit: ['advert_int'], directors: {a: {state: 'BACKUP', priority: 100, omit: ['state', 'priority']}}});
		expect(renderKeepalivedConf(loadYaml(result.yaml), 'a')).not.toMatch(/state|priority|advert_int/);
	});

	it('keeps an instance keepalived would run but the profile refuses (MASTER with nopreempt) as text, with the reason', () => {
		const files = filesFromMap({'/a.conf': 'vrrp_instance V {\n state MASTER\n nopreempt\n interface eth0\n virtual_router_id 9\n priority 100\n virtual_ipaddress {\n 10.0.0.100/24\n }\n}\n'});
		const result = importDirectors([{name: 'a', file: '/a.conf', files}]);
		expect(result.notes.join('\n')).toMatch(/vrrp_instance V stays keepalived text: .*nopreempt/);
		expect(differences(loadYaml(result.yaml), {name: 'a', file: '/a.conf', files})).toEqual([]);
	});
});

// ---- every shipped profile, rendered and imported back --------------------------------------------

const shipped = ['lab', 'seed-dr', 'dual-master'];

/** The typed part of a profile, with what import cannot know (SSH, services, lab, names) left out. */
function typedPart(p: Profile): unknown {
	return {
		directors: directors(p).map((h) => [h.name, h.address]),
		realServers: p.hosts.filter((h) => h.role === 'realserver').map((h) => [h.name, h.address]),
		trackScripts: p.trackScripts,
		instances: p.instances,
		// the units serving a service (rs_service, a real server's service) and the station's probe are lvsdeck's, not keepalived's
		virtualServers: p.virtualServers.map(({rsService: _unit, probe: _probe, ...vs}) => ({...vs, realServers: vs.realServers.map(({service: _service, ...rs}) => rs)})),
	};
}

describe.each(shipped)('shipped profile %s, rendered and imported back', (name) => {
	const original = loadProfile(path.join(ROOT, 'profiles', `${name}.yaml`), resolveOptions);
	const texts: Record<string, string> = {};
	for (const d of directors(original)) texts[`/rendered/${d.name}.conf`] = renderKeepalivedConf(original, d.name);
	const files = filesFromMap(texts);
	const dirs = directors(original).map((d) => ({name: d.name, file: `/rendered/${d.name}.conf`, address: d.address, files}));
	const names = new Map(original.hosts.filter((h) => h.role === 'realserver').map((h) => [h.address, h.name]));
	const result = importDirectors(dirs, names);
	const imported = loadYaml(result.yaml);

	it('renders the same config for every director', () => {
		for (const d of directors(original)) expect(renderKeepalivedConf(imported, d.name).split('\n').slice(1)).toEqual(renderKeepalivedConf(original, d.name).split('\n').slice(1));
	});

	it('is the same profile: every block typed, nothing left as text', () => {
		expect(typedPart(imported)).toEqual(typedPart(original));
		expect(result.notes).toEqual([]);
		expect(result.yaml).not.toMatch(/\bextra:|global_defs:/);
	});
});

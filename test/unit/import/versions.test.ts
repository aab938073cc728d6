// Import records the keepalived version each director reported (one for all: keepalived.version; else
// per director) and warns about lines of the profile that a director's version does not know.
import {describe, expect, it} from 'vitest';
import {parse as parseYaml} from 'yaml';
import {buildProfile, readDirectorConfigs, type DirectorSource} from '../../../src/actions/import/import.js';
import {filesFromMap} from '../../../src/keepalived-conf/index.js';
import {renderKeepalivedConf} from '../../../src/render/keepalived-conf.js';
import {PROFILE_FILE, loadYaml, resolveOptions} from './helpers.js';

const conf = (state: string, priority: number, extraVs = '') =>
	`vrrp_instance V {\n state ${state}\n interface eth0\n virtual_router_id 9\n priority ${priority}\n unicast_src_ip 10.0.0.${state === 'MASTER' ? 1 : 2}\n unicast_peer {\n 10.0.0.${state === 'MASTER' ? 2 : 1}\n }\n virtual_ipaddress {\n 10.0.0.100/24\n }\n}\n` +
	`virtual_server 10.0.0.100 80 {\n delay_loop 6\n lb_algo rr\n lb_kind DR\n protocol TCP\n real_server 10.0.0.21 80 {\n weight 1\n${extraVs} HTTP_GET {\n url {\n path /\n status_code 200\n }\n connect_timeout 3\n nb_get_retry 3\n delay_before_retry 3\n }\n }\n}\n`;

function importWith(versions: Record<string, string | undefined>, extraVs = '') {
	const files = filesFromMap({'/a.conf': conf('MASTER', 100, extraVs), '/b.conf': conf('BACKUP', 90, extraVs)});
	const sources: DirectorSource[] = ['a', 'b'].map((name) => ({name, configId: name, file: `/${name}.conf`, files, ...(versions[name] ? {keepalivedVersion: versions[name]} : {})}));
	const read = readDirectorConfigs(sources);
	return buildProfile(read.dirs, {profileName: 'imported', profileFile: PROFILE_FILE, header: ['test'], resolve: resolveOptions});
}

describe('import and keepalived versions', () => {
	it('one version on every director: keepalived.version, and 1.3.5 renders its HTTP_GET retry as nb_get_retry again', () => {
		const r = importWith({a: '1.3.5', b: '1.3.5'});
		const doc = parseYaml(r.yaml) as {keepalived: {version: string}};
		expect(doc.keepalived.version).toBe('1.3.5');
		expect(r.versionWarnings).toEqual([]);
		const rendered = renderKeepalivedConf(loadYaml(r.yaml), 'a', {keepalivedVersion: '1.3.5'});
		expect(rendered).toMatch(/^ +nb_get_retry 3$/m);
	});

	it('different versions: each director its own hosts.NAME.keepalived.version', () => {
		const r = importWith({a: '2.2.7', b: '2.1.5'});
		const doc = parseYaml(r.yaml) as {keepalived?: {version?: string}; hosts: Record<string, {keepalived?: {version?: string}}>};
		expect(doc.keepalived?.version).toBeUndefined();
		expect(doc.hosts['a']!.keepalived?.version).toBe('2.2.7');
		expect(doc.hosts['b']!.keepalived?.version).toBe('2.1.5');
		const profile = loadYaml(r.yaml);
		expect(profile.hosts.find((h) => h.name === 'b')!.keepalived?.version).toBe('2.1.5');
	});

	it('no version known: nothing recorded, no warnings (as --conf imports always were)', () => {
		const r = importWith({});
		expect(r.yaml).not.toContain('version:');
		expect(r.versionWarnings).toEqual([]);
	});

	it('warns when the profile needs a keyword a director\'s keepalived lacks (lvs_method per real server before 1.3.6)', () => {
		const r = importWith({a: '1.3.5', b: '1.3.5'}, ' lvs_method DR\n');
		expect(r.versionWarnings).toEqual([
			'a (keepalived 1.3.5): virtual_server 10.0.0.100 80 > real_server 10.0.0.21 80: lvs_method needs keepalived 1.3.6 or later; keepalived 1.3.5 ignores the line',
			'b (keepalived 1.3.5): virtual_server 10.0.0.100 80 > real_server 10.0.0.21 80: lvs_method needs keepalived 1.3.6 or later; keepalived 1.3.5 ignores the line',
		]);
	});
});

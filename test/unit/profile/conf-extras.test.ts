// keepalived.conf text in a profile (extra, global_defs, per director), omit, router_id and the
// `unknown` address: loaded, rendered where they belong, and refused with file:line:col inside the
// YAML block when they do not parse or repeat what a typed field writes.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseProfile, ProfileError} from '../../../src/profile/load.js';
import {renderKeepalivedConf} from '../../../src/render/keepalived-conf.js';
import {createClusterTransport} from '../../../src/transport/cluster-transport.js';

const root = path.resolve(import.meta.dirname, '../../..');
const base = readFileSync(path.join(root, 'test/fixtures/profiles/base.yaml'), 'utf8');
const options = {env: {HOME: '/nonexistent-home'}};
const file = 'extras.yaml';

function thrown(text: string): string {
	try {
		parseProfile(text, file, options);
	} catch (error) {
		if (error instanceof ProfileError) return error.message;
		throw error;
	}
	throw new Error('loaded without an error');
}

/** 1-based line and column of `needle` in `text`. */
function at(text: string, needle: string): string {
	const i = text.indexOf(needle);
	const before = text.slice(0, i).split('\n');
	return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

const withText = base
	.replace('    address: 10.0.0.11\n    role: director\n', '    address: 10.0.0.11\n    role: director\n    keepalived:\n      router_id: LVS_A\n      global_defs: |\n        notification_email_from a@example.com\n      extra: |\n        static_routes {\n          10.9.0.0/16 via 10.0.0.1\n        }\n')
	.replace('    address: 10.0.0.12\n    role: director\n', '    address: 10.0.0.12\n    role: director\n    keepalived: {router_id: false}\n')
	.replace('      dir2: {state: BACKUP, priority: 100}\n', '      dir2: {state: BACKUP, priority: 100, omit: [state], extra: "smtp_alert\\n"}\n    extra: |\n      notify_master "/etc/keepalived/notify.sh master"\n')
	.replace('virtual_servers:\n', 'keepalived:\n  global_defs: |\n    vrrp_skip_check_adv_addr\n  extra: |\n    vrrp_sync_group G {\n      group {\n        VI_1\n      }\n    }\nvirtual_servers:\n')
	.replace('        check: {type: HTTP_GET, path: /health}\n', '        check: {type: HTTP_GET, path: /health, omit: [retry], extra: "connect_port 8080\\n"}\n        extra: |\n          inhibit_on_failure\n    extra: |\n      sorry_server 10.0.0.50 80\n');

describe('keepalived text in a profile', () => {
	const profile = parseProfile(withText, file, options);
	const dir1 = renderKeepalivedConf(profile, 'dir1');
	const dir2 = renderKeepalivedConf(profile, 'dir2');

	it('is rendered into its block, after the typed lines, on the directors it belongs to', () => {
		expect(dir1).toContain('global_defs {\n  router_id LVS_A\n  vrrp_skip_check_adv_addr\n  notification_email_from a@example.com\n}');
		expect(dir1).toContain('static_routes {\n  10.9.0.0/16 via 10.0.0.1\n}');
		expect(dir2).not.toContain('static_routes');
		expect(dir2).toContain('global_defs {\n  vrrp_skip_check_adv_addr\n}');
		for (const conf of [dir1, dir2]) {
			expect(conf).toContain('vrrp_sync_group G {');
			expect(conf).toContain('  notify_master "/etc/keepalived/notify.sh master"\n');
			expect(conf).toContain('  sorry_server 10.0.0.50 80\n  real_server 10.0.0.21 80 {\n    weight 1\n    inhibit_on_failure\n    HTTP_GET {');
			expect(conf).toContain('      connect_port 8080\n    }');
			expect(conf).not.toMatch(/^\s*retry /m);
		}
		expect(dir2).toContain('  smtp_alert\n');
		expect(dir1).not.toContain('smtp_alert');
		expect(dir2).not.toMatch(/^\s*state /m);
		expect(dir1).toContain('state MASTER');
	});

	it('a line that does not parse is refused at its line and column inside the YAML block', () => {
		const text = withText.replace('          10.9.0.0/16 via 10.0.0.1\n        }\n', '          10.9.0.0/16 via 10.0.0.1\n        }\n        }\n');
		const lines = text.split('\n');
		const line = lines.findIndex((l, i) => l === '        }' && lines[i - 1] === '        }') + 1;
		expect(thrown(text)).toBe(`extras.yaml:${line}:9: hosts.dir1.keepalived.extra: unbalanced braces: '}' closes no block`);
	});

	it('a keyword a typed field writes is refused where it is written', () => {
		const text = withText.replace('      notify_master "/etc/keepalived/notify.sh master"\n', '      notify_master "/etc/keepalived/notify.sh master"\n      virtual_router_id 52\n');
		expect(thrown(text)).toBe(`extras.yaml:${at(text, 'virtual_router_id 52')}: vrrp_instances[0].extra: virtual_router_id is written from the typed fields of vrrp_instances[0]; set it there, not here`);
		const perDirector = withText.replace('extra: "smtp_alert\\n"', 'extra: "priority 90\\n"');
		expect(thrown(perDirector)).toMatch(/^extras\.yaml:\d+:\d+: vrrp_instances\[0\]\.directors\.dir2\.extra: priority is written from the typed fields/);
		const router = withText.replace('        notification_email_from a@example.com\n', '        router_id OTHER\n');
		expect(thrown(router)).toBe(`extras.yaml:${at(router, 'router_id OTHER')}: hosts.dir1.keepalived.global_defs: router_id is written from the typed fields of hosts.dir1.keepalived.router_id; set it there, not here`);
	});

	it('a typed block repeated as text is refused', () => {
		const text = withText.replace('    vrrp_sync_group G {\n', '    vrrp_instance VI_1 {\n      interface eth1\n    }\n    vrrp_sync_group G {\n');
		expect(thrown(text)).toBe(`extras.yaml:${at(text, 'vrrp_instance VI_1 {\n      interface eth1')}: keepalived.extra: vrrp_instance VI_1 is already a typed block of this profile; edit that one`);
		const server = withText.replace('      sorry_server 10.0.0.50 80\n', '      sorry_server 10.0.0.50 80\n      real_server 10.0.0.21 80 {\n        weight 2\n      }\n');
		expect(thrown(server)).toMatch(/virtual_servers\[0\]\.extra: real_server 10\.0\.0\.21 80 is already a typed block/);
	});

	it('only a director has keepalived settings', () => {
		const text = withText.replace('    role: realserver\n', '    role: realserver\n    keepalived: {router_id: X}\n');
		expect(thrown(text)).toMatch(/^extras\.yaml:\d+:\d+: hosts\.rs1\.keepalived: only a director has keepalived settings \(rs1 is a realserver\)$/);
	});
});

describe('an address still unknown', () => {
	const text = base.replace('    address: 10.0.0.12\n', '    address: unknown\n');
	const profile = parseProfile(text, file, options);

	it('loads, and a command that connects to the host is refused in one line without connecting', async () => {
		const transport = createClusterTransport(profile);
		try {
			await expect(transport.exec('dir2', ['true'])).rejects.toThrow('dir2: its address is unknown in the profile (hosts.dir2.address); set it first');
		} finally {
			await transport.close();
		}
	});

	it('is not mistaken for an IP address or a duplicate', () => {
		expect(thrown(base.replace('    address: 10.0.0.12\n', '    address: unknwon\n'))).toMatch(/hosts\.dir2\.address: is not an IP address$/);
		expect(() => parseProfile(text.replace('    address: 10.0.0.11\n', '    address: unknown\n'), file, options)).not.toThrow();
	});
});

// The project's renderer output passes real `keepalived -t` on each director, and broken configs are
// caught (including keepalived's rc=0 for a missing file).
import {afterAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {renderKeepalivedConf} from '../../src/render/keepalived-conf.js';
import {validateKeepalivedConfig} from '../../src/actions/validate-config.js';
import path from 'node:path';
import {loadProfile} from '../../src/profile/load.js';
import {labProfile, ROOT} from '../helpers/lab.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
afterAll(() => pool.close());

describe('keepalived -t on the lab directors', () => {
	it.each(['dir1', 'dir2'])('the rendered config for %s passes', async (director) => {
		const result = await validateKeepalivedConfig(pool, director, renderKeepalivedConf(profile, director));
		expect(result).toEqual({ok: true, code: 0, diagnostics: []});
	});

	it('a config with VRID 300 is refused', async () => {
		const broken = renderKeepalivedConf(profile, 'dir1').replace(/virtual_router_id \d+/, 'virtual_router_id 300');
		const result = await validateKeepalivedConfig(pool, 'dir1', broken);
		expect(result.ok).toBe(false);
		expect(result.code).not.toBe(0);
		expect(result.diagnostics.join('\n')).toMatch(/virtual_router_id|VRID|300/i);
	});

	it('a real_server block written on one line is refused', async () => {
		const broken = renderKeepalivedConf(profile, 'dir1').replace(
			/real_server (\S+) (\d+) \{[\s\S]*?\n  \}\n/,
			'real_server $1 $2 { weight 1 HTTP_GET { url { path / status_code 200 } } }\n',
		);
		expect(broken).toContain('{ weight 1 HTTP_GET');
		const result = await validateKeepalivedConfig(pool, 'dir1', broken);
		expect(result.ok).toBe(false);
	});

	it('a missing config file (keepalived exits 0) is a failure', async () => {
		const r = await pool.exec('dir1', ['keepalived', '-t', '-f', '/nonexistent/keepalived.conf']);
		const {judgeValidation} = await import('../../src/actions/validate-config.js');
		const result = judgeValidation(r.code, r.stderr, r.timedOut);
		expect(result.ok).toBe(false);
	});
});

describe('every shipped profile, and the NAT and TUN fixtures, render configs that real keepalived -t accepts', () => {
	// The fixtures cover lb_kind NAT with a VRRP gateway address and UDP_CHECK, lb_kind TUN with wrr and weights.
	const shipped = ['profiles/lab.yaml', 'profiles/seed-dr.yaml', 'profiles/dual-master.yaml', 'test/fixtures/profiles/modes/nat.yaml', 'test/fixtures/profiles/modes/tun.yaml'];
	for (const name of shipped) {
		const shippedProfile = loadProfile(path.join(ROOT, name));
		for (const director of shippedProfile.hosts.filter((h) => h.role === 'director')) {
			// Validate on the lab director that owns the same address, so unicast_src_ip is local there.
			const target = profile.hosts.find((h) => h.address === director.address)?.name ?? 'dir1';
			it(`${name}: ${director.name} (checked on ${target})`, async () => {
				let config = renderKeepalivedConf(shippedProfile, director.name);
				// Track scripts are site programs; point them at one that exists on the lab hosts.
				config = config.replace(/^(\s*script ")[^"]+(")$/gm, '$1/bin/true$2');
				const result = await validateKeepalivedConfig(pool, target, config);
				expect(result.diagnostics).toEqual([]);
				expect(result.ok).toBe(true);
			});
		}
	}
});

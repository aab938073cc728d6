// Deploy renders each director's keepalived.conf for the keepalived it runs (the profile's
// keepalived.version, else what `keepalived --version` reports there) and warns about profile lines
// that version does not know. On a local director running the real remote scripts.
import {readFileSync, writeFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {planDeploy} from '../../../../src/actions/deploy/plan.js';
import {formatPlan, planJson} from '../../../../src/actions/deploy/format.js';
import {loadProfile} from '../../../../src/profile/load.js';
import type {ExecOptions, ExecResult} from '../../../../src/transport/types.js';
import {LocalDirector} from './local-director.js';

/** A director whose keepalived binary reports `version` on stderr, as keepalived does. */
class VersionedDirector extends LocalDirector {
	constructor(private readonly versionText: string) {
		super();
	}

	override async exec(host: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
		if (argv.join(' ') === 'keepalived --version') return {code: 0, stdout: '', stderr: this.versionText, timedOut: false, durationMs: 1};
		return super.exec(host, argv, options);
	}
}

const V135 = 'Keepalived v1.3.5 (03/19,2017)\n\nCopyright(C) 2001-2017 Alexandre Cassen, <acassen@gmail.com>\n\nBuild options:  PIPE2 LIBNL3 LVS VRRP\n';

describe('deploy renders for the target\'s keepalived version', () => {
	it('a director reporting 1.3.5 gets nb_get_retry in its HTTP_GET (1.3.5 knows no retry there), no warning', async () => {
		const d = new VersionedDirector(V135);
		const plan = await planDeploy(d.profile(), d, {host: 'dir1'});
		const h = plan.hosts[0]!;
		expect(h.keepalived).toEqual({version: '1.3.5', from: 'director', warnings: []});
		expect(h.file.desired).toMatch(/^ +nb_get_retry \d+$/m);
		expect(h.file.desired).not.toMatch(/^ +retry \d+$/m);
		expect(formatPlan(plan)).toContain('rendered for keepalived 1.3.5 (reported by the director)');
	});

	it('a director reporting 2.2.7 gets the current keywords (retry)', async () => {
		const d = new VersionedDirector('Keepalived v2.2.7 (01/16,2022)\n');
		const plan = await planDeploy(d.profile(), d, {host: 'dir1'});
		expect(plan.hosts[0]!.file.desired).toMatch(/^ +retry \d+$/m);
		expect(plan.hosts[0]!.keepalived?.warnings).toEqual([]);
	});

	it('the profile\'s keepalived.version wins, and a line that version lacks is a warning in the plan and its JSON', async () => {
		const d = new VersionedDirector('Keepalived v2.2.7 (01/16,2022)\n');
		const base = d.profile();
		const file = base.file.replace(/\.yaml$/, '-v215.yaml');
		const yaml = readFileSync(base.file, 'utf8').replace('    interface: eth0\n', '    interface: eth0\n    unicast: false\n    multicast_group: 224.0.0.19\n').replace('keepalived:\n', 'keepalived:\n  version: 2.1.5\n');
		writeFileSync(file, yaml);
		const plan = await planDeploy(loadProfile(file), d, {host: 'dir1'});
		const warning = 'vrrp_instance VI_1: mcast_dst_ip needs keepalived 2.2.5 or later; keepalived 2.1.5 ignores the line';
		expect(plan.hosts[0]!.keepalived).toEqual({version: '2.1.5', from: 'profile', warnings: [warning]});
		expect(formatPlan(plan)).toContain(`   WARNING: ${warning}`);
		expect(planJson(plan, true)).toMatchObject({hosts: [{keepalivedVersion: '2.1.5', keepalivedWarnings: [warning]}]});
	});

	it('a director that reports no version is rendered for current keepalived, without a version line', async () => {
		const d = new LocalDirector();
		const plan = await planDeploy(d.profile(), d, {host: 'dir1'});
		expect(plan.hosts[0]!.keepalived).toEqual({version: null, from: 'director', warnings: []});
		expect(formatPlan(plan)).not.toContain('rendered for keepalived');
	});
});

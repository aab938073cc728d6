// Drift that means something, on the lab: a keepalived.conf re-indented and reordered by hand is no
// drift; a priority changed by hand is named by status and put back by deploy; a keyword added by hand
// is not removed by `deploy --yes` alone, only with --allow-removals. dir1's original file is put back
// at the end whatever happened (later test files depend on it).
import {spawnSync} from 'node:child_process';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import type {StatusReport} from '../../src/cluster/report.js';
import {sha256Hex} from '../../src/probes/config-hash.js';
import {renderKeepalivedConf} from '../../src/render/keepalived-conf.js';
import {CLI, LAB_PROFILE, labProfile} from '../helpers/lab.js';
import {relayout} from '../helpers/relayout.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
const CONF = profile.keepalived.configPath;
const RENDERED = renderKeepalivedConf(profile, 'dir1');
let original = '';

const cat = async (host: string) => (await pool.exec(host, ['cat', CONF])).stdout;
/** Write dir1's config by hand (keeps the file's mode and owner); keepalived is not reloaded: drift is about the file. */
const write = async (text: string) => {
	const r = await pool.exec('dir1', ['sh', '-c', 'cat > "$1"', 'lvsdeck-test', CONF], {stdin: text});
	expect(r.code, r.stderr).toBe(0);
	expect(await cat('dir1')).toBe(text);
};
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args, '--profile', LAB_PROFILE], {encoding: 'utf8', timeout: 120_000});

function statusJson(): {code: number | null; report: StatusReport} {
	const r = cli('status', '--json');
	if (!r.stdout.trim()) throw new Error(`status printed nothing (exit ${r.status}): ${r.stderr}`);
	return {code: r.status, report: JSON.parse(r.stdout) as StatusReport};
}

beforeAll(async () => {
	original = await cat('dir1');
	// The lab's directors run what the profile renders, and the cluster is healthy (a freshly booted lab
	// can be slow to answer its first reads): this file's checks start from there.
	expect(original).toBe(RENDERED);
	// The real servers hold what the profile renders for them too (a freshly booted lab has not had them
	// deployed yet), so that "nothing to deploy" below is about dir1's file alone.
	for (const rs of profile.hosts.filter((h) => h.role === 'realserver')) {
		const r = cli('deploy', '--host', rs.name, '--yes');
		expect(r.status, r.stderr).toBe(0);
	}
	await waitFor(async () => statusJson(), (s) => s.code === 0, {timeoutMs: 60_000, intervalMs: 1000, what: 'a healthy lab before the drift checks'});
});

afterAll(async () => {
	if ((await cat('dir1').catch(() => '')) !== original) {
		await pool.exec('dir1', ['sh', '-c', 'cat > "$1"', 'lvsdeck-test', CONF], {stdin: original});
		await pool.exec('dir1', profile.keepalived.reload);
	}
	await pool.close();
});

describe('drift in keepalived terms on the lab', () => {
	it('re-indented and reordered by hand: no config-drift, and deploy has nothing to do', async () => {
		const moved = relayout(original);
		await write(moved);
		const {code, report} = statusJson();
		expect(report.findings).toEqual([]);
		expect(code).toBe(0);
		const dir1 = report.directors.find((d) => d.name === 'dir1')!;
		// Really compared (the hash alone differs): an empty list, not "not compared".
		expect(dir1.configSha256).toBe(sha256Hex(moved));
		expect(dir1).toMatchObject({drift: [], driftError: null});

		const dry = cli('deploy', '--dry-run');
		expect(dry.status, dry.stderr).toBe(0);
		expect(dry.stdout).toContain(`== dir1 (director, holds a VIP: goes last): ${CONF}: no semantic change (layout only); left as it is (--force-rewrite rewrites it)`);
		expect(dry.stdout).toContain('nothing to deploy: every host matches the profile in keepalived terms');
		expect(dry.stdout).not.toMatch(/^[-+]\s/m);
		expect(await cat('dir1')).toBe(moved);
		await write(original);
	});

	it('a priority changed by hand: status names it, the dry run shows it before the diff, deploy puts it back', async () => {
		await write(original.replace('priority 100', 'priority 90'));
		const {code, report} = statusJson();
		expect(code).toBe(1);
		expect(report.findings.map((f) => [f.kind, f.message])).toEqual([['config-drift', 'config-drift dir1: vrrp_instance VI_1 priority: installed 90, profile 100']]);
		expect(report.directors.find((d) => d.name === 'dir1')!.drift).toEqual([{path: 'vrrp_instance VI_1', keyword: 'priority', kind: 'changed', installed: '90', profile: '100'}]);
		const text = cli('status');
		expect(text.stdout).toContain('config-drift dir1: vrrp_instance VI_1 priority: installed 90, profile 100');

		const dry = cli('deploy', '--dry-run');
		expect(dry.status, dry.stderr).toBe(0);
		const semantic = dry.stdout.indexOf('     vrrp_instance VI_1 priority: installed 90, profile 100');
		expect(semantic).toBeGreaterThan(0);
		expect(dry.stdout.indexOf('-  priority 90')).toBeGreaterThan(semantic);
		expect(dry.stdout.indexOf('+  priority 100')).toBeGreaterThan(semantic);

		const deploy = cli('deploy', '--yes');
		expect(deploy.status, deploy.stdout + deploy.stderr).toBe(0);
		expect(deploy.stdout).toMatch(/dir1\s+deployed\s+deployed and verified/);
		expect(deploy.stdout).toMatch(/dir2\s+unchanged/);
		expect(await cat('dir1')).toBe(RENDERED);
		const after = statusJson();
		expect(after.report.findings).toEqual([]);
		expect(after.code).toBe(0);
	});

	it('a keyword added by hand: deploy --yes refuses to remove it (exit 2, file unchanged); --allow-removals removes it', async () => {
		const added = original.replace('  advert_int 1\n', '  advert_int 1\n  notify_master "/bin/true"\n');
		expect(added).not.toBe(original);
		await write(added);
		expect(statusJson().report.findings.map((f) => f.message)).toEqual(['config-drift dir1: vrrp_instance VI_1 notify_master only installed']);

		const refused = cli('deploy', '--yes');
		expect(refused.status, refused.stdout + refused.stderr).toBe(2);
		expect(refused.stdout).toContain('   would remove: vrrp_instance VI_1 notify_master');
		expect(refused.stderr.trim()).toBe(
			'lvsdeck: deploy would remove keywords the profile does not have (dir1: vrrp_instance VI_1 notify_master); nothing was changed: pass --allow-removals to remove them',
		);
		expect(await cat('dir1')).toBe(added);

		const allowed = cli('deploy', '--yes', '--allow-removals');
		expect(allowed.status, allowed.stdout + allowed.stderr).toBe(0);
		expect(allowed.stdout).toMatch(/dir1\s+deployed\s+deployed and verified/);
		expect(await cat('dir1')).toBe(RENDERED);
		expect(statusJson().report.findings).toEqual([]);
	});
});

// Deploy's plan in keepalived terms, on a local director running the real remote scripts: the semantic
// change comes before the text diff, a layout-only difference is left alone (unless forced), includes
// are followed, and a plan that removes keywords changes nothing without being allowed to.
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {planDeploy, planRemovals} from '../../../../src/actions/deploy/plan.js';
import {executeDeploy, type DeployEvent} from '../../../../src/actions/deploy/execute.js';
import {formatPlan, planJson} from '../../../../src/actions/deploy/format.js';
import {renderKeepalivedConf} from '../../../../src/render/keepalived-conf.js';
import {relayout} from '../../../helpers/relayout.js';
import {LocalDirector, SECRET} from './local-director.js';

function setup(installed: (rendered: string) => string) {
	const d = new LocalDirector();
	const profile = d.profile();
	const conf = profile.keepalived.configPath;
	const rendered = renderKeepalivedConf(profile, 'dir1');
	mkdirSync(path.dirname(conf), {recursive: true});
	writeFileSync(conf, installed(rendered));
	const events: DeployEvent[] = [];
	const execute = async (plan: Awaited<ReturnType<typeof planDeploy>>, allowRemovals?: boolean) =>
		executeDeploy(profile, d, plan, {onEvent: (e) => events.push(e), verify: async () => ({answered: true}), ...(allowRemovals === undefined ? {} : {allowRemovals})});
	return {d, profile, conf, rendered, events, execute, plan: (forceRewrite?: boolean) => planDeploy(profile, d, {host: 'dir1', ...(forceRewrite ? {forceRewrite} : {})})};
}

describe('deploy plan in keepalived terms', () => {
	it('a changed priority: the change in keepalived terms first, the text diff below it', async () => {
		const s = setup((r) => r.replace('priority 150', 'priority 90'));
		const plan = await s.plan();
		expect(plan.changed).toBe(true);
		const text = formatPlan(plan);
		const semantic = text.indexOf('     vrrp_instance VI_1 priority: installed 90, profile 150');
		expect(semantic).toBeGreaterThan(0);
		expect(text.indexOf('-  priority 90')).toBeGreaterThan(semantic);
		expect(text.indexOf('+  priority 150')).toBeGreaterThan(semantic);
		expect(text).not.toContain('would remove');
		const report = await s.execute(plan);
		expect(report.hosts[0]).toMatchObject({outcome: 'deployed'});
		expect(readFileSync(s.conf, 'utf8')).toBe(s.rendered);
	});

	it('re-indented and reordered: no semantic change (layout only), nothing to deploy, the file is left as it is', async () => {
		const s = setup(relayout);
		const before = readFileSync(s.conf, 'utf8');
		const plan = await s.plan();
		expect(plan.hosts[0]).toMatchObject({layoutOnly: 'skip', semantic: {differences: [], removals: []}});
		expect(plan.hosts[0]!.file.changed).toBe(true);
		expect(plan.changed).toBe(false);
		const text = formatPlan(plan);
		expect(text).toContain('no semantic change (layout only); left as it is (--force-rewrite rewrites it)');
		expect(text).not.toMatch(/^[-+]/m);
		expect(text).toContain('nothing to deploy: every host matches the profile in keepalived terms');
		const report = await s.execute(plan);
		expect(report.hosts[0]).toMatchObject({outcome: 'unchanged', message: 'no semantic change (layout only)'});
		expect(readFileSync(s.conf, 'utf8')).toBe(before);
		expect(s.d.reloads).toBe(0);
	});

	it('--force-rewrite writes a layout-only difference, with its diff', async () => {
		const s = setup(relayout);
		const plan = await s.plan(true);
		expect(plan.hosts[0]!.layoutOnly).toBe('rewrite');
		expect(plan.changed).toBe(true);
		expect(formatPlan(plan)).toContain('no semantic change (layout only); rewritten (--force-rewrite)');
		expect(formatPlan(plan)).toMatch(/^\+ {2}priority 150$/m);
		expect((await s.execute(plan)).hosts[0]!.outcome).toBe('deployed');
		expect(readFileSync(s.conf, 'utf8')).toBe(s.rendered);
	});

	it('includes are followed: the same config split over included files is layout only', async () => {
		const s = setup((r) => r);
		const dir = path.dirname(s.conf);
		const vrrp = /^vrrp_instance[\s\S]*?\n}\n/m.exec(s.rendered)![0];
		mkdirSync(path.join(dir, 'conf.d'));
		writeFileSync(path.join(dir, 'conf.d', '10-vrrp.conf'), vrrp);
		writeFileSync(s.conf, s.rendered.replace(vrrp, 'include conf.d/*.conf\n'));
		const plan = await s.plan();
		expect(plan.hosts[0]).toMatchObject({layoutOnly: 'skip'});
		// ... and a change inside an included file is seen.
		writeFileSync(path.join(dir, 'conf.d', '10-vrrp.conf'), vrrp.replace('priority 150', 'priority 149'));
		const changed = await s.plan();
		expect(formatPlan(changed)).toContain('vrrp_instance VI_1 priority: installed 149, profile 150');
	});

	it('a keyword only the installed config has: listed as a removal; refused unless allowed, then removed', async () => {
		const s = setup((r) => r.replace('  advert_int 1\n', '  advert_int 1\n  notify_master "/usr/local/bin/became-master"\n'));
		const before = readFileSync(s.conf, 'utf8');
		expect(before).toContain('notify_master');
		const plan = await s.plan();
		expect(planRemovals(plan)).toEqual([{host: 'dir1', removals: [{path: 'vrrp_instance VI_1', keyword: 'notify_master', kind: 'only-a'}]}]);
		expect(formatPlan(plan)).toContain('   would remove: vrrp_instance VI_1 notify_master');
		expect(planJson(plan, true)).toMatchObject({hosts: [{host: 'dir1', writes: true, layoutOnly: false, removals: [{path: 'vrrp_instance VI_1', keyword: 'notify_master', kind: 'only-installed'}]}]});

		const refused = await s.execute(plan);
		expect(refused.ok).toBe(false);
		expect(refused.hosts[0]).toMatchObject({outcome: 'refused', message: 'refused: would remove vrrp_instance VI_1 notify_master; nothing was changed (removals need --allow-removals)'});
		expect(readFileSync(s.conf, 'utf8')).toBe(before);
		expect(s.d.log).toEqual(expect.not.arrayContaining([expect.stringContaining('lvsdeck-install')]));

		const allowed = await s.execute(plan, true);
		expect(allowed.hosts[0]).toMatchObject({outcome: 'deployed'});
		expect(readFileSync(s.conf, 'utf8')).toBe(s.rendered);
	});

	it('an installed config that does not parse: said so, and the text diff is the plan', async () => {
		const s = setup((r) => `${r}}\n`);
		const plan = await s.plan();
		expect(plan.changed).toBe(true);
		expect(plan.hosts[0]!.semantic).toEqual({error: expect.stringMatching(/^the installed config does not parse: .*keepalived\.conf:\d+:1: /)});
		expect(formatPlan(plan)).toMatch(/ {3}not compared in keepalived terms: the installed config does not parse: .*; the text diff below is all there is/);
		expect(formatPlan(plan)).toMatch(/^-}$/m);
	});

	it('the JSON plan: semantic entries with values, secrets named only', async () => {
		const s = setup((r) => r.replace('priority 150', 'priority 90').replace(`auth_pass ${SECRET}`, 'auth_pass Other123'));
		const json = planJson(await s.plan(), true);
		expect(json).toMatchObject({
			changed: true,
			hosts: [
				{
					host: 'dir1',
					semantic: expect.arrayContaining([
						{path: 'vrrp_instance VI_1', keyword: 'priority', kind: 'changed', installed: '90', profile: '150'},
						{path: 'vrrp_instance VI_1 authentication', keyword: 'auth_pass', kind: 'changed', secret: true},
					]),
					removals: [],
					semanticError: null,
				},
			],
		});
		const text = `${JSON.stringify(json)}\n${formatPlan(await s.plan())}`;
		expect(text).not.toContain('Other123');
		expect(text).not.toContain(SECRET);
	});
});

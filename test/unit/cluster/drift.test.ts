// Drift in keepalived terms: when the tracker reads a director's config (and when it answers from its
// cache), the finding's exact wording, layout-only changes that are no drift, configs that do not parse,
// and the status report's drift list.
import {describe, expect, it} from 'vitest';
import {ConfigDriftTracker, describeDifferences, driftFinding, type RenderedConfig} from '../../../src/cluster/drift.js';
import {deriveFindings, deriveVips} from '../../../src/cluster/findings.js';
import {buildStatusReport, formatStatusReport} from '../../../src/cluster/report.js';
import type {ClusterState, ConfigDrift, DirectorData, HostState} from '../../../src/cluster/types.js';
import {parseKeepalivedConf, type Difference} from '../../../src/keepalived-conf/index.js';
import type {InstalledConfig} from '../../../src/probes/installed-config.js';
import {sha256Hex} from '../../../src/probes/config-hash.js';
import {renderKeepalivedConf} from '../../../src/render/keepalived-conf.js';
import {relayout} from '../../helpers/relayout.js';
import {healthyHosts, labProfile, renderedHashes, withHost} from './fixture-state.js';

const CONF = labProfile.keepalived.configPath;
const RENDERED = renderKeepalivedConf(labProfile, 'dir1');
const PRIORITY_90 = RENDERED.replace('priority 100', 'priority 90');
const WITH_NOTIFY = RENDERED.replace('  advert_int 1\n', '  advert_int 1\n  notify_master "/usr/local/bin/became-master"\n');

function parsed(text: string, hasIncludes = false): InstalledConfig {
	const r = parseKeepalivedConf(text, {file: CONF, configId: 'dir1'});
	if (!r.ok) return {kind: 'invalid', error: r.error.message};
	return {kind: 'parsed', config: r.config, files: [CONF], hasIncludes, configId: 'dir1', texts: {[CONF]: text}};
}

/** A tracker over a fake host whose installed config is `installed.text`; counts its reads. */
function tracker(installed: {text: string; hasIncludes?: boolean; result?: InstalledConfig}) {
	let now = 1_000_000;
	const reads: string[] = [];
	const rendered: RenderedConfig = {text: RENDERED, sha256: sha256Hex(RENDERED)};
	const t = new ConfigDriftTracker({
		rendered: (d) => (d === 'dir1' ? rendered : undefined),
		read: async (d) => {
			reads.push(d);
			return installed.result ?? parsed(installed.text, installed.hasIncludes);
		},
		now: () => now,
		includesRecheckMs: 60_000,
		retryMs: 10_000,
	});
	return {t, reads, advance: (ms: number) => (now += ms), sha: () => sha256Hex(installed.text)};
}

const texts = (drift: ConfigDrift | undefined) => (drift?.kind === 'compared' ? drift.differences.map((d) => describeDifferences([d])) : drift);

describe('ConfigDriftTracker', () => {
	it('a changed priority is one difference in keepalived terms, read once per installed hash', async () => {
		const host = {text: PRIORITY_90};
		const {t, reads, sha} = tracker(host);
		expect(texts(await t.update('dir1', sha()))).toEqual(['vrrp_instance VI_1 priority: installed 90, profile 100']);
		await t.update('dir1', sha());
		await t.update('dir1', sha());
		expect(reads).toEqual(['dir1']);
		host.text = WITH_NOTIFY;
		expect(texts(await t.update('dir1', sha()))).toEqual(['vrrp_instance VI_1 notify_master only installed']);
		expect(reads).toHaveLength(2);
	});

	it('the rendered bytes need no read; a re-indented, reordered file is read once and is no drift', async () => {
		const host = {text: RENDERED};
		const {t, reads, sha} = tracker(host);
		expect(await t.update('dir1', sha())).toMatchObject({kind: 'compared', differences: []});
		expect(reads).toEqual([]);
		host.text = relayout(RENDERED);
		expect(sha()).not.toBe(sha256Hex(RENDERED));
		expect(await t.update('dir1', sha())).toMatchObject({kind: 'compared', differences: [], installedSha256: sha()});
		expect(reads).toEqual(['dir1']);
	});

	it('a config with includes is read again after the recheck time, one without never while its hash stays', async () => {
		const withIncludes = tracker({text: PRIORITY_90, hasIncludes: true});
		await withIncludes.t.update('dir1', withIncludes.sha());
		withIncludes.advance(59_000);
		await withIncludes.t.update('dir1', withIncludes.sha());
		expect(withIncludes.reads).toHaveLength(1);
		withIncludes.advance(2_000);
		await withIncludes.t.update('dir1', withIncludes.sha());
		expect(withIncludes.reads).toHaveLength(2);

		const plain = tracker({text: PRIORITY_90});
		await plain.t.update('dir1', plain.sha());
		plain.advance(3_600_000);
		await plain.t.update('dir1', plain.sha());
		expect(plain.reads).toHaveLength(1);
	});

	it('a failed read is tried again after the retry time, not on every poll', async () => {
		const {t, reads, advance, sha} = tracker({text: PRIORITY_90, result: {kind: 'unread', error: 'dir1: connect ECONNREFUSED'}});
		expect(await t.update('dir1', sha())).toMatchObject({kind: 'unread', error: 'dir1: connect ECONNREFUSED'});
		advance(9_000);
		await t.update('dir1', sha());
		expect(reads).toHaveLength(1);
		advance(2_000);
		await t.update('dir1', sha());
		expect(reads).toHaveLength(2);
	});

	it('no hash (not read yet) or no file: nothing to compare, nothing read', async () => {
		const {t, reads} = tracker({text: PRIORITY_90});
		expect(await t.update('dir1', undefined)).toBeUndefined();
		expect(await t.update('dir1', null)).toBeUndefined();
		expect(await t.update('dir2-not-rendered', 'a'.repeat(64))).toBeUndefined();
		expect(reads).toEqual([]);
	});
});

const OTHER_SHA = 'f'.repeat(64);

function director(drift: ConfigDrift | undefined, configSha256: string | null = OTHER_SHA): DirectorData {
	return {...healthyHosts().get('dir1')!.director!, configSha256, ...(drift ? {drift} : {})};
}
const compared = (differences: Difference[]): ConfigDrift => ({installedSha256: OTHER_SHA, checkedAt: 1, kind: 'compared', differences, hasIncludes: false});
const priority: Difference = {path: 'vrrp_instance VI_1', keyword: 'priority', kind: 'changed', a: '90', b: '100'};
const notify: Difference = {path: 'vrrp_instance VI_1', keyword: 'notify_master', kind: 'only-a'};

describe('driftFinding', () => {
	it('names what differs, in the issue’s words', () => {
		expect(driftFinding('dir1', director(compared([priority])), CONF)).toEqual({
			kind: 'config-drift',
			severity: 'warning',
			subject: 'dir1',
			message: 'config-drift dir1: vrrp_instance VI_1 priority: installed 90, profile 100',
		});
		expect(driftFinding('dir2', director(compared([notify])), CONF)?.message).toBe('config-drift dir2: vrrp_instance VI_1 notify_master only installed');
	});

	it('several differences: the first three, then how many more', () => {
		const many: Difference[] = [priority, notify, {path: '', keyword: 'vrrp_instance VI_2', kind: 'only-b'}, {path: 'global_defs', keyword: 'router_id', kind: 'changed', a: 'x', b: 'dir1'}, {path: 'global_defs', keyword: 'smtp_server', kind: 'only-a'}];
		expect(driftFinding('dir1', director(compared(many)), CONF)?.message).toBe(
			'config-drift dir1: vrrp_instance VI_1 priority: installed 90, profile 100; vrrp_instance VI_1 notify_master only installed; vrrp_instance VI_2 only profile (+2 more)',
		);
	});

	it('layout only is no finding; a secret is named, never shown', () => {
		expect(driftFinding('dir1', director(compared([])), CONF)).toBeUndefined();
		const secret: Difference = {path: 'vrrp_instance VI_1 authentication', keyword: 'auth_pass', kind: 'changed', secret: true};
		expect(driftFinding('dir1', director(compared([secret])), CONF)?.message).toBe('config-drift dir1: vrrp_instance VI_1 authentication auth_pass: differs');
	});

	it('a config that does not parse is its own finding with file:line:col', () => {
		const invalid: ConfigDrift = {installedSha256: OTHER_SHA, checkedAt: 1, kind: 'invalid', error: `${CONF}:14:1: unbalanced braces: } without {`};
		expect(driftFinding('dir1', director(invalid), CONF)).toEqual({
			kind: 'config-invalid',
			severity: 'warning',
			subject: 'dir1',
			message: `dir1: the installed config does not parse: ${CONF}:14:1: unbalanced braces: } without {`,
		});
	});

	it('not compared (read failed, or a result for another hash): the hash says it differs, and why no more is known', () => {
		const unread: ConfigDrift = {installedSha256: OTHER_SHA, checkedAt: 1, kind: 'unread', error: 'reading the config timed out'};
		expect(driftFinding('dir1', director(unread), CONF)?.message).toBe(`dir1: installed ${CONF} differs from what the profile renders (not compared in keepalived terms: reading the config timed out)`);
		expect(driftFinding('dir1', director({...compared([]), installedSha256: 'e'.repeat(64)}), CONF)?.message).toBe(`dir1: installed ${CONF} differs from what the profile renders`);
		expect(driftFinding('dir1', director(undefined, null), CONF)?.message).toBe(`dir1 has no ${CONF}`);
	});
});

function state(hosts: Map<string, HostState>): ClusterState {
	const vips = deriveVips(labProfile, hosts);
	return {profileName: 'lab', at: 0, generation: 1, hosts: [...hosts.values()], vips, findings: deriveFindings({profile: labProfile, hosts, vips, renderedSha256: renderedHashes()}), events: []};
}

describe('drift in the cluster state and the status report', () => {
	it('layout only: healthy, drift [] in the JSON', () => {
		const hosts = withHost(healthyHosts(), 'dir1', (h) => ({...h, director: director(compared([]))}));
		const report = buildStatusReport(state(hosts));
		expect(report.findings).toEqual([]);
		expect(report.healthy).toBe(true);
		expect(report.directors.find((d) => d.name === 'dir1')).toMatchObject({drift: [], driftError: null});
	});

	it('a difference: the finding, the JSON list and the text line under the director', () => {
		const secret: Difference = {path: 'vrrp_instance VI_1 authentication', keyword: 'auth_pass', kind: 'changed', secret: true};
		const hosts = withHost(healthyHosts(), 'dir1', (h) => ({...h, director: director(compared([priority, notify, secret]))}));
		const report = buildStatusReport(state(hosts));
		expect(report.healthy).toBe(false);
		expect(report.findings.map((f) => f.kind)).toEqual(['config-drift']);
		const dir1 = report.directors.find((d) => d.name === 'dir1')!;
		expect(dir1.drift).toEqual([
			{path: 'vrrp_instance VI_1', keyword: 'priority', kind: 'changed', installed: '90', profile: '100'},
			{path: 'vrrp_instance VI_1', keyword: 'notify_master', kind: 'only-installed'},
			{path: 'vrrp_instance VI_1 authentication', keyword: 'auth_pass', kind: 'changed', secret: true},
		]);
		const text = formatStatusReport(report);
		expect(text).toContain('  drift: vrrp_instance VI_1 priority: installed 90, profile 100\n  drift: vrrp_instance VI_1 notify_master only installed\n  drift: vrrp_instance VI_1 authentication auth_pass: differs');
		expect(text).toMatch(/WARNING +config-drift +config-drift dir1: vrrp_instance VI_1 priority: installed 90, profile 100; /);
	});

	it('not compared: drift null and why; a stale result (older hash) says nothing', () => {
		const invalid: ConfigDrift = {installedSha256: OTHER_SHA, checkedAt: 1, kind: 'invalid', error: `${CONF}:3:1: unbalanced braces`};
		const hosts = withHost(healthyHosts(), 'dir1', (h) => ({...h, director: director(invalid)}));
		expect(buildStatusReport(state(hosts)).directors[0]).toMatchObject({drift: null, driftError: `does not parse: ${CONF}:3:1: unbalanced braces`});
		expect(formatStatusReport(buildStatusReport(state(hosts)))).toContain(`  config not compared: does not parse: ${CONF}:3:1: unbalanced braces`);
		const stale = withHost(healthyHosts(), 'dir1', (h) => ({...h, director: director({...compared([priority]), installedSha256: 'e'.repeat(64)})}));
		expect(buildStatusReport(state(stale)).directors[0]).toMatchObject({drift: null, driftError: null});
	});
});

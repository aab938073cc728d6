// Deploy's recovery path with the real remote scripts on a local "director" (see local-director.ts):
// a connection cut before or after each step, the host coming back or not; every report must say
// what the file really is. Also: mode and owner kept, stale temporaries removed, the planned-against
// check, and no password in any event or report.
import {spawnSync} from 'node:child_process';
import {chmodSync, chownSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {planDeploy} from '../../../../src/actions/deploy/plan.js';
import {deployExitCode, executeDeploy, type DeployEvent, type DeployReport} from '../../../../src/actions/deploy/execute.js';
import {formatReport} from '../../../../src/actions/deploy/format.js';
import {INSTALL_SCRIPT, RESTORE_SCRIPT} from '../../../../src/actions/deploy/remote-scripts.js';
import type {VerifyResult} from '../../../../src/actions/deploy/verify.js';
import {sha256Hex} from '../../../../src/probes/config-hash.js';
import {renderKeepalivedConf} from '../../../../src/render/keepalived-conf.js';
import {LocalDirector, OLD_SECRET, SECRET} from './local-director.js';

const isRoot = process.getuid?.() === 0;
const everything: string[] = [];

afterEach(() => {
	// Whatever a test did, no password ever reached an event or a report.
	const text = everything.join('\n');
	everything.length = 0;
	expect(text).not.toContain(SECRET);
	expect(text).not.toContain(OLD_SECRET);
});

interface Setup {
	readonly d: LocalDirector;
	readonly conf: string;
	readonly oldText: string;
	readonly newText: string;
	run(options?: {verify?: (n: number) => VerifyResult | Promise<VerifyResult>; reconnectDeadlineMs?: number; beforeExecute?: () => void}): Promise<{report: DeployReport; events: DeployEvent[]}>;
}

/** dir1 holds a config with OLD_SECRET (mode 0640, owner 1:2 when root); the profile renders SECRET. */
async function setup(options: {existing?: boolean} = {}): Promise<Setup> {
	const d = new LocalDirector();
	const profile = d.profile(SECRET);
	const conf = profile.keepalived.configPath;
	const oldText = renderKeepalivedConf(d.profile(OLD_SECRET), 'dir1');
	spawnSync('mkdir', ['-p', path.dirname(conf)]);
	if (options.existing !== false) {
		writeFileSync(conf, oldText);
		chmodSync(conf, 0o640);
		if (isRoot) chownSync(conf, 1, 2);
	}
	const newText = renderKeepalivedConf(profile, 'dir1');
	return {
		d,
		conf,
		oldText,
		newText,
		async run(o = {}) {
			const plan = await planDeploy(profile, d, {host: 'dir1'});
			o.beforeExecute?.();
			const events: DeployEvent[] = [];
			let verifies = 0;
			const report = await executeDeploy(profile, d, plan, {
				onEvent: (e) => events.push(e),
				verify: async () => (o.verify ? o.verify(++verifies) : {answered: true}),
				reconnectDeadlineMs: o.reconnectDeadlineMs ?? 3000,
			});
			everything.push(JSON.stringify(plan.hosts.map((h) => h.file.diff)), JSON.stringify(report), JSON.stringify(events), formatReport(report));
			return {report, events};
		},
	};
}

const isInstall = (argv: readonly string[]) => argv[2] === INSTALL_SCRIPT;
const isRestore = (argv: readonly string[]) => argv[2] === RESTORE_SCRIPT;
const isReload = (argv: readonly string[]) => argv.join(' ').endsWith('reload keepalived');
const fileSha = (file: string) => (existsSync(file) ? sha256Hex(readFileSync(file, 'utf8')) : null);
const temporaries = (dir: string) => readdirSync(dir).filter((n) => n.includes('lvsdeck-tmp'));

describe('deploy on a director: the report says what the host holds', () => {
	it('a plain deploy: new file live with the old mode and owner, backup 0600, no temporary left', async () => {
		const s = await setup();
		const {report} = await s.run();
		const h = report.hosts[0]!;
		expect(h.outcome).toBe('deployed');
		expect(readFileSync(s.conf, 'utf8')).toBe(s.newText);
		expect(h.holds).toMatchObject({config: 'new', sha256: sha256Hex(s.newText), keepalived: 'reloaded'});
		expect(h.message).toBe(`deployed and verified: holds the new keepalived.conf (sha256 ${sha256Hex(s.newText).slice(0, 12)}…), keepalived reloaded`);
		const st = statSync(s.conf);
		expect(st.mode & 0o7777).toBe(0o640);
		if (isRoot) expect([st.uid, st.gid]).toEqual([1, 2]);
		expect(statSync(h.backup!).mode & 0o777).toBe(0o600);
		expect(readFileSync(h.backup!, 'utf8')).toBe(s.oldText);
		expect(temporaries(path.dirname(s.conf))).toEqual([]);
		expect(s.d.reloads).toBe(1);
	});

	it('a new file is 0600 (owned by root when deploy runs as root)', async () => {
		const s = await setup({existing: false});
		const {report} = await s.run();
		expect(report.hosts[0]).toMatchObject({outcome: 'deployed', holds: {config: 'new'}});
		const st = statSync(s.conf);
		expect(st.mode & 0o7777).toBe(0o600);
		if (isRoot) expect([st.uid, st.gid]).toEqual([0, 0]);
	});

	it('cut after the rename, before the status: reconnects, sees the new file, reloads and verifies', async () => {
		const s = await setup();
		s.d.cut({match: isInstall, when: 'after', outage: 2});
		const {report, events} = await s.run();
		const h = report.hosts[0]!;
		expect(h.outcome).toBe('deployed');
		expect(h.holds).toMatchObject({config: 'new', sha256: fileSha(s.conf)});
		expect(fileSha(s.conf)).toBe(sha256Hex(s.newText));
		expect(h.backup).toMatch(/backup\/keepalived\.conf\.\d{8}T\d{6}Z$/);
		expect(events.filter((e) => e.step === 'recover').map((e) => e.status)).toContain('ok');
		expect(s.d.reloads).toBe(1);
		expect(deployExitCode(report)).toBe(0);
	});

	it('cut before the install ran: reports that nothing changed and holds the previous file', async () => {
		const s = await setup();
		s.d.cut({match: isInstall, when: 'before', outage: 2});
		const {report} = await s.run();
		const h = report.hosts[0]!;
		expect(h.outcome).toBe('failed');
		expect(h.message).toContain('nothing was changed');
		expect(h.holds).toMatchObject({config: 'previous', sha256: fileSha(s.conf)});
		expect(readFileSync(s.conf, 'utf8')).toBe(s.oldText);
		expect(s.d.reloads).toBe(0);
		expect(deployExitCode(report)).toBe(2);
	});

	it('cut after the rename and the host never comes back: state unknown with the file and both hashes, exit 2', async () => {
		const s = await setup();
		s.d.cut({match: isInstall, when: 'after', outage: Infinity});
		const {report} = await s.run({reconnectDeadlineMs: 1200});
		const h = report.hosts[0]!;
		expect(h.outcome).toBe('unknown');
		expect(h.message).toBe(`the install did not report back; state unknown: ${s.conf} is old sha256 ${sha256Hex(s.oldText)} or new sha256 ${sha256Hex(s.newText)}, host unreachable`);
		expect([sha256Hex(s.oldText), sha256Hex(s.newText)]).toContain(fileSha(s.conf));
		expect(deployExitCode(report)).toBe(2);
	});

	it('cut before the reload ran: reconnects, the new file is in place, reloads and verifies', async () => {
		const s = await setup();
		s.d.cut({match: isReload, when: 'before', outage: 1});
		const {report} = await s.run();
		expect(report.hosts[0]).toMatchObject({outcome: 'deployed', holds: {config: 'new', sha256: fileSha(s.conf)}});
		expect(s.d.reloads).toBe(1);
	});

	it('cut after the reload ran: reloads again (harmless) and verifies', async () => {
		const s = await setup();
		s.d.cut({match: isReload, when: 'after', outage: 1});
		const {report} = await s.run();
		expect(report.hosts[0]).toMatchObject({outcome: 'deployed', holds: {config: 'new', sha256: fileSha(s.conf)}});
		expect(s.d.reloads).toBe(2);
	});

	it('cut during the reload and the host never comes back: state unknown', async () => {
		const s = await setup();
		s.d.cut({match: isReload, when: 'after', outage: Infinity});
		const {report} = await s.run({reconnectDeadlineMs: 1200});
		expect(report.hosts[0]!.outcome).toBe('unknown');
		expect(report.hosts[0]!.message).toContain(`state unknown: ${s.conf} is old sha256 ${sha256Hex(s.oldText)} or new sha256 ${sha256Hex(s.newText)}, host unreachable`);
	});

	it('the host stops answering during verification: reconnects, checks the file, verifies again', async () => {
		const s = await setup();
		const {report, events} = await s.run({verify: (n) => (n === 1 ? {problem: 'dir1 did not answer: connection closed', answered: false} : {answered: true})});
		expect(report.hosts[0]).toMatchObject({outcome: 'deployed', holds: {config: 'new', sha256: fileSha(s.conf)}});
		expect(events.filter((e) => e.step === 'verify' && e.status === 'start')).toHaveLength(2);
	});

	it('verification fails: rolled back to the previous file with its mode and owner, reloaded', async () => {
		const s = await setup();
		const {report} = await s.run({verify: () => ({problem: 'dir1: rs1 is not in TCP 10.0.0.100:80', answered: true})});
		const h = report.hosts[0]!;
		expect(h.outcome).toBe('rolled-back');
		expect(h.message).toMatch(/^verification failed: dir1: rs1 is not in TCP 10\.0\.0\.100:80; rolled back: holds the previous keepalived\.conf \(sha256 [0-9a-f]{12}…\), keepalived reloaded$/);
		expect(readFileSync(s.conf, 'utf8')).toBe(s.oldText);
		expect(h.holds).toMatchObject({config: 'previous', sha256: fileSha(s.conf)});
		expect(statSync(s.conf).mode & 0o7777).toBe(0o640);
		if (isRoot) expect([statSync(s.conf).uid, statSync(s.conf).gid]).toEqual([1, 2]);
		expect(s.d.reloads).toBe(2);
		expect(deployExitCode(report)).toBe(1);
	});

	it('cut after the restore during a rollback: reconnects, sees the previous file, reloads', async () => {
		const s = await setup();
		s.d.cut({match: isRestore, when: 'after', outage: 2});
		const {report} = await s.run({verify: () => ({problem: 'dir1: keepalived is not running', answered: true})});
		expect(report.hosts[0]).toMatchObject({outcome: 'rolled-back', holds: {config: 'previous', sha256: fileSha(s.conf)}});
		expect(readFileSync(s.conf, 'utf8')).toBe(s.oldText);
	});

	it('cut before the restore ran: restores on the second try', async () => {
		const s = await setup();
		s.d.cut({match: isRestore, when: 'before', outage: 1});
		const {report} = await s.run({verify: () => ({problem: 'dir1: keepalived is not running', answered: true})});
		expect(report.hosts[0]).toMatchObject({outcome: 'rolled-back', holds: {config: 'previous', sha256: fileSha(s.conf)}});
	});

	it('cut during the rollback and the host never comes back: state unknown', async () => {
		const s = await setup();
		s.d.cut({match: isRestore, when: 'after', outage: Infinity});
		const {report} = await s.run({verify: () => ({problem: 'dir1: keepalived is not running', answered: true}), reconnectDeadlineMs: 1200});
		expect(report.hosts[0]!.outcome).toBe('unknown');
		expect(report.hosts[0]!.message).toContain('host unreachable');
		expect(deployExitCode(report)).toBe(2);
	});

	it('a failed reload rolls back', async () => {
		const s = await setup();
		const {report} = await s.run({beforeExecute: () => (s.d.failReload = true)});
		// the reload after the restore fails too: the previous file is back, and the line says so
		expect(report.hosts[0]).toMatchObject({outcome: 'failed', holds: {config: 'previous', sha256: fileSha(s.conf)}});
		expect(report.hosts[0]!.message).toContain('ROLLBACK INCOMPLETE');
		expect(readFileSync(s.conf, 'utf8')).toBe(s.oldText);
	});

	it('an error thrown after the install is reported with what the host holds', async () => {
		const s = await setup();
		const {report} = await s.run({
			verify: () => {
				throw new Error('poller exploded');
			},
		});
		expect(report.hosts[0]).toMatchObject({outcome: 'failed', holds: {config: 'new', sha256: fileSha(s.conf)}});
		expect(report.hosts[0]!.message).toContain('unexpected error after the install: poller exploded');
	});

	it('the file changed after the plan: stops before changing anything and shows the new diff', async () => {
		const s = await setup();
		const edited = s.oldText.replace('priority 150', 'priority 120');
		const {report} = await s.run({beforeExecute: () => writeFileSync(s.conf, edited)});
		const h = report.hosts[0]!;
		expect(h.outcome).toBe('refused');
		expect(h.message).toContain(`changed on dir1 since the plan (sha256 ${sha256Hex(edited)}, planned against ${sha256Hex(s.oldText)}); nothing was changed`);
		expect(h.diff).toContain('-  priority 120');
		expect(h.diff).toContain('+  priority 150');
		expect(h.diff).toContain('+    auth_pass ******** (changed)');
		expect(readFileSync(s.conf, 'utf8')).toBe(edited);
		expect(s.d.reloads).toBe(0);
		expect(formatReport(report)).toContain('== dir1: the installed file now differs from the profile like this:');
		expect(deployExitCode(report)).toBe(2);
	});

	it('finds, names and removes temporaries of interrupted runs, and leaves a live run alone', async () => {
		const s = await setup();
		const dead = spawnSync('sh', ['-c', 'echo $$'], {encoding: 'utf8'}).stdout.trim();
		const etc = path.dirname(s.conf);
		const stale = [path.join(etc, `.keepalived.conf.lvsdeck-tmp.20200101T000000Z.${dead}.aB3dE6`), path.join(s.d.tmp, `.keepalived.conf.lvsdeck-tmp.20200101T000000Z.${dead}.Qw3rTy`)];
		const live = path.join(etc, `.keepalived.conf.lvsdeck-tmp.20200101T000000Z.${process.pid}.LiVe01`);
		for (const f of [...stale, live]) writeFileSync(f, `auth_pass ${OLD_SECRET}\n`, {mode: 0o600});
		const {report, events} = await s.run();
		expect([...(report.hosts[0]!.removedTemporaries ?? [])].sort()).toEqual([...stale].sort());
		expect(stale.filter((f) => existsSync(f))).toEqual([]);
		expect(existsSync(live)).toBe(true);
		expect(events.find((e) => e.step === 'cleanup')?.message).toContain(stale[0]);
	});
});

describe('stale temporaries with nothing else to deploy', () => {
	it('the plan names them (so a dry run shows them) and deploy removes them', async () => {
		const d = new LocalDirector();
		const profile = d.profile(SECRET);
		const conf = profile.keepalived.configPath;
		spawnSync('mkdir', ['-p', path.dirname(conf)]);
		writeFileSync(conf, renderKeepalivedConf(profile, 'dir1'));
		const dead = spawnSync('sh', ['-c', 'echo $$'], {encoding: 'utf8'}).stdout.trim();
		const stale = path.join(d.tmp, `.keepalived.conf.lvsdeck-tmp.20200101T000000Z.${dead}.aB3dE6`);
		writeFileSync(stale, `auth_pass ${SECRET}\n`, {mode: 0o600});
		const plan = await planDeploy(profile, d, {host: 'dir1'});
		expect(plan.changed).toBe(true);
		expect(plan.hosts[0]!.file.changed).toBe(false);
		expect(plan.hosts[0]!.staleTemporaries).toEqual([stale]);
		expect(existsSync(stale)).toBe(true);
		const report = await executeDeploy(profile, d, plan, {verify: async () => ({answered: true})});
		expect(report.hosts[0]).toMatchObject({outcome: 'unchanged', message: 'no change; removed 1 stale temporary', removedTemporaries: [stale]});
		expect(existsSync(stale)).toBe(false);
		expect(d.reloads).toBe(0);
	});
});

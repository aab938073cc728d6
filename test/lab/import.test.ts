// `lvsdeck import` against the lab's real directors: it reads keepalived.conf over SSH (read-only),
// writes a profile that renders, for each director, a config semantically equal to the installed
// one, and changes nothing on the hosts. Then keepalived 2.2.7 itself accepts what the profile of
// every corpus config renders (typed lines first, keepalived text after them, in every block).
//
// To add a scenario (e.g. a hand-configured cluster installed first): put its files on the directors,
// then run `importLab(...)` and check with `installedDifferences` and `etcKeepalivedState`.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {compareKeepalivedConf, formatDifference, parseKeepalivedConf} from '../../src/keepalived-conf/index.js';
import {loadProfile} from '../../src/profile/load.js';
import {directors, type Profile} from '../../src/profile/model.js';
import {renderKeepalivedConf} from '../../src/render/keepalived-conf.js';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {validateKeepalivedConfig, type ValidationResult} from '../../src/actions/validate-config.js';
import {buildProfile, localFiles, readDirectorConfigs} from '../../src/actions/import/import.js';
import {CLI, LAB_PROFILE, ROOT, labProfile} from '../helpers/lab.js';
import {ownConfigs, sharedConfigs, SHARED_UNBALANCED} from '../unit/keepalived-conf/fixtures.js';

const {profile: lab} = labProfile();
const pool = new SshPool(lab.hosts);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-lab-import-'));
afterAll(async () => {
	await pool.close();
	fs.rmSync(work, {recursive: true, force: true});
});

const CONFIG = '/etc/keepalived/keepalived.conf';

/** Every file under /etc/keepalived with its size, mode, mtime and sha256: any write shows. */
async function etcKeepalivedState(host: string): Promise<string> {
	const r = await pool.exec(host, ['sh', '-c', 'cd /etc/keepalived && find . -exec stat -c "%n %s %a %Y" {} + | sort && find . -type f -exec sha256sum {} + | sort']);
	if (r.code !== 0) throw new Error(`${host}: ${r.stderr}`);
	return r.stdout;
}

/** `lvsdeck import` run as an operator runs it, with the lab's SSH settings. */
function importLab(out: string, ...args: string[]): {code: number | null; stdout: string; stderr: string} {
	const r = spawnSync(process.execPath, [CLI, 'import', ...directors(lab).map((d) => `--director=${d.name}=root@${d.address}`), '--ssh-from', LAB_PROFILE, '--out', out, ...args], {
		encoding: 'utf8',
		timeout: 120_000,
		cwd: ROOT,
	});
	return {code: r.status, stdout: r.stdout, stderr: r.stderr};
}

/** What differs between the director's installed keepalived.conf (its own config id) and the profile's render. */
async function installedDifferences(profile: Profile, host: string): Promise<string[]> {
	const [conf, name] = await Promise.all([pool.exec(host, ['cat', CONFIG]), pool.exec(host, ['hostname'])]);
	const installed = parseKeepalivedConf(conf.stdout, {file: `${host}:${CONFIG}`, configId: name.stdout.trim().split('.')[0]!});
	const rendered = parseKeepalivedConf(renderKeepalivedConf(profile, host), {file: 'rendered', configId: host});
	if (!installed.ok || !rendered.ok) throw new Error('does not parse');
	return compareKeepalivedConf(installed.config, rendered.config).map((d) => formatDifference(d));
}

describe('lvsdeck import --director from the lab directors', () => {
	const out = path.join(work, 'imported.yaml');

	it('writes a profile that renders what each director has installed, and writes nothing on the hosts', async () => {
		const before = await Promise.all(directors(lab).map((d) => etcKeepalivedState(d.name)));
		const r = importLab(out);
		expect(r.stderr).toContain(`wrote ${out}`);
		expect(r.code).toBe(0);
		const imported = loadProfile(out);
		for (const d of directors(lab)) expect(await installedDifferences(imported, d.name)).toEqual([]);
		const after = await Promise.all(directors(lab).map((d) => etcKeepalivedState(d.name)));
		expect(after).toEqual(before);
	});

	it('types what lvsdeck itself deployed: the instance, the service, the real servers', () => {
		const imported = loadProfile(out);
		expect(imported.instances.map((i) => [i.name, i.unicast, i.members.map((m) => m.director)])).toEqual(lab.instances.map((i) => [i.name, true, i.members.map((m) => m.director)]));
		expect(imported.virtualServers.map((v) => [v.vip, v.port, v.realServers.map((rs) => rs.address)])).toEqual(lab.virtualServers.map((v) => [v.vip, v.port, v.realServers.map((rs) => rs.address)]));
		expect(imported.stationNetns).toBe('lvslab');
	});
});

// ---- keepalived -t accepts what imported profiles render --------------------------------------

const FOREIGN_INTERFACE = /\b(?:eth[1-9]\d*|ens\d+(?:f\d+)?|em\d+|enp\w+|eno\d+|bond\d+)\b/g;
const candidates = [
	...ownConfigs().map((file) => ({name: `own/${path.basename(file)}`, file, text: fs.readFileSync(file, 'utf8')})),
	...sharedConfigs()
		.filter((f) => !(f.name in SHARED_UNBALANCED))
		.map((f) => ({name: `shared/${f.name}`, file: f.path, text: f.text})),
].map((c) => ({...c, text: c.text.replace(FOREIGN_INTERFACE, 'eth0')}));

function reason(r: ValidationResult): string {
	return `${r.reason ?? 'rejected'}: ${r.diagnostics.slice(0, 2).join(' / ')}`;
}

describe('keepalived -t on dir1 accepts the render of each imported corpus config it accepts as written', () => {
	it.for(candidates)('$name', async (c, ctx) => {
		const before = await validateKeepalivedConfig(pool, 'dir1', c.text);
		if (!before.ok) {
			ctx.skip(`keepalived -t rejects the file as written (${reason(before)})`);
			return;
		}
		// Written beside the original so that relative includes still resolve.
		const copy = path.join(path.dirname(c.file), `.lab-import-${path.basename(c.file)}`);
		const read = readDirectorConfigs([{name: 'dir1', configId: 'dir1', file: copy, files: {...localFiles, readFile: (p) => (p === copy ? c.text : localFiles.readFile(p))}}]);
		const result = buildProfile(read.dirs, {profileName: 'imported', profileFile: path.join(work, 'corpus.yaml'), header: [], resolve: {env: {HOME: '/nonexistent-home'}}});
		const after = await validateKeepalivedConfig(pool, 'dir1', renderKeepalivedConf(result.profile, 'dir1'));
		expect(after.diagnostics).toEqual([]);
		expect(after.ok).toBe(true);
	});
});

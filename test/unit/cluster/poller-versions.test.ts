// The poller asks each director's keepalived what it is once, then reads its state the way that version
// allows: a 1.3.5 director (no --signum, no JSON) through its text dump on SIGUSR1 at its /var/run pid
// file; the lab's 2.2.7 through the JSON dump with the signal --signum names. The fake directors answer
// with real dumps (shared/keepalived-dumps, test/fixtures/lab), through the read-only transport.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {ClusterPoller} from '../../../src/cluster/poller.js';
import {ClusterStore} from '../../../src/cluster/store.js';
import {DIRECTOR_SNAPSHOT_SCRIPT} from '../../../src/probes/director-snapshot.js';
import {KEEPALIVED_SIGNUM_SCRIPT} from '../../../src/probes/vrrp.js';
import {readOnlyTransportFor} from '../../../src/transport/read-only-profile.js';
import type {Profile} from '../../../src/profile/model.js';
import {labProfile} from './fixture-state.js';
import {sharedDump} from '../../helpers/shared-dumps.js';
import {FakeTransport, ok} from '../../helpers/fake-transport.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const labFixture = (name: string) => fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'lab', name), 'utf8');
const dataDump = (version: string) => sharedDump(version, 'keepalived.data')!;

const V135 = 'Keepalived v1.3.5 (03/19,2017)\n\nCopyright(C) 2001-2017 Alexandre Cassen, <acassen@gmail.com>\n\nBuild options:  PIPE2 LIBNL3 LVS VRRP VRRP_AUTH VRRP_VMAC\n';

/** dir1 runs 1.3.5, dir2 the lab's 2.2.7 (keepalived prints --version on stderr). */
function fakeDirectors(): FakeTransport {
	return new FakeTransport((host, argv) => {
		const old = host === 'dir1';
		if (argv[0] === 'keepalived' && argv[1] === '--version') return ok('', old ? V135 : labFixture('keepalived-version.txt'));
		if (argv[2] === KEEPALIVED_SIGNUM_SCRIPT) return ok(old ? "DATA=keepalived: unrecognized option '--signum=DATA'\n" : argv.slice(4).map((n) => `${n}=${n === 'JSON' ? 36 : 10}\n`).join(''));
		if (argv[2] === DIRECTOR_SNAPSHOT_SCRIPT) {
			const kind = argv[5];
			const vrrp = kind === 'data' ? dataDump('v1.3.5') : labFixture('keepalived-json-dir2.json');
			return ok(`\n@@lvsdeck config\nskipped\n\n@@lvsdeck vrrp\n${vrrp}\n@@lvsdeck vrrp-exit\n0\n\n@@lvsdeck end\n`);
		}
		return ok('');
	});
}

async function pollDirectors(profile: Profile) {
	const fake = fakeDirectors();
	const store = new ClusterStore(profile);
	const poller = new ClusterPoller(profile, readOnlyTransportFor(profile, fake), store, {events: false, portCheck: false});
	for (const name of ['dir1', 'dir2']) {
		const host = profile.hosts.find((h) => h.name === name)!;
		await poller.pollHost(host);
		await poller.pollHost(host);
	}
	const snapshotArgs = (host: string) => fake.calls.filter((c) => c.host === host && c.argv[2] === DIRECTOR_SNAPSHOT_SCRIPT).map((c) => c.argv.slice(5));
	const director = (name: string) => store.getState().hosts.find((h) => h.name === name)!.director!;
	return {fake, snapshotArgs, director};
}

describe('the poller reads each director the way its keepalived version allows', () => {
	it('1.3.5: no --signum asked, the text dump on SIGUSR1 (10) at /var/run/keepalived.pid, parsed into the same model', async () => {
		const defaulted: Profile = {...labProfile, keepalived: {...labProfile.keepalived, pidFileDefaulted: true}};
		const {fake, snapshotArgs, director} = await pollDirectors(defaulted);
		expect(fake.calls.filter((c) => c.host === 'dir1' && c.argv[2] === KEEPALIVED_SIGNUM_SCRIPT)).toEqual([]);
		expect(fake.calls.filter((c) => c.host === 'dir1' && c.argv[0] === 'keepalived')).toHaveLength(1);
		expect(snapshotArgs('dir1')).toEqual([
			['data', '/var/run/keepalived.pid', '/tmp', '10'],
			['data', '/var/run/keepalived.pid', '/tmp', '10'],
		]);
		const d = director('dir1');
		expect(d.keepalived).toMatchObject({version: '1.3.5', features: {signum: false, jsonDump: false}});
		expect(d.vrrp).toMatchObject([{name: 'VI_1', state: 'MASTER', interface: 'eth0', priority: 150, vips: ['10.32.75.200/32']}]);
		expect(d.vrrp![0]!.effectivePriority).toBeUndefined();
		expect(JSON.stringify(d)).not.toContain('Password');
	});

	it('2.2.7: --signum asked once, for JSON only, the JSON dump on 36 at /run/keepalived.pid', async () => {
		const defaulted: Profile = {...labProfile, keepalived: {...labProfile.keepalived, pidFileDefaulted: true}};
		const {fake, snapshotArgs, director} = await pollDirectors(defaulted);
		expect(fake.calls.filter((c) => c.host === 'dir2' && c.argv[2] === KEEPALIVED_SIGNUM_SCRIPT).map((c) => c.argv.slice(4))).toEqual([['JSON']]);
		expect(snapshotArgs('dir2')[0]).toEqual(['json', '/run/keepalived.pid', '/tmp', '36']);
		expect(director('dir2').keepalived).toMatchObject({version: '2.2.7', features: {signum: true, jsonDump: true}});
	});

	it('a pid_file the profile names wins over the version\'s default', async () => {
		const {pidFileDefaulted: _d, ...settings} = labProfile.keepalived;
		const named: Profile = {...labProfile, keepalived: {...settings, pidFile: '/run/keepalived/keepalived.pid'}};
		const {snapshotArgs} = await pollDirectors(named);
		expect(snapshotArgs('dir1')[0]).toEqual(['data', '/run/keepalived/keepalived.pid', '/tmp', '10']);
	});
});

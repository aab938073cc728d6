// How often the poller asks keepalived for a dump, and how it rests a slow host: its routine polls dump
// on the first poll and every third after; at once when something says the VRRP state moved (poke: a VIP event, a
// logged transition, keepalived started or stopped); between dumps the last dump's states and error
// stand. A read asked for from outside (status, a drill, deploy's verification) always dumps, even
// when it arrives while a routine poll without a dump is in flight. A poll that took long leaves its host idle twice as long. The fake director answers with the
// lab's real JSON dump.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {ClusterPoller, nextPollWaitMs} from '../../../src/cluster/poller.js';
import {ClusterStore} from '../../../src/cluster/store.js';
import {DIRECTOR_SNAPSHOT_SCRIPT} from '../../../src/probes/director-snapshot.js';
import {DUMP_EXIT} from '../../../src/transport/read-only-scripts.js';
import {KEEPALIVED_SIGNUM_SCRIPT} from '../../../src/probes/vrrp.js';
import {readOnlyTransportFor} from '../../../src/transport/read-only-profile.js';
import {labProfile} from './fixture-state.js';
import {FakeTransport, ok} from '../../helpers/fake-transport.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const labFixture = (name: string) => fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'lab', name), 'utf8');

/** dir1 as the lab runs it; `director.running` false makes the snapshot say keepalived is not running, `noDump` that it wrote none. */
function fakeDirector() {
	const director = {running: true, noDump: false};
	const fake = new FakeTransport((_host, argv) => {
		if (argv[0] === 'keepalived' && argv[1] === '--version') return ok('', labFixture('keepalived-version.txt'));
		if (argv[2] === KEEPALIVED_SIGNUM_SCRIPT) return ok('JSON=36\n');
		if (argv[2] !== DIRECTOR_SNAPSHOT_SCRIPT) return ok('');
		const kind = argv[5];
		const exit = !director.running ? DUMP_EXIT.notRunning : kind !== 'none' && director.noDump ? DUMP_EXIT.noDump : 0;
		const vrrp = kind === 'none' || exit !== 0 ? '' : labFixture('keepalived-json-dir2.json');
		return ok(`\n@@lvsdeck config\nskipped\n\n@@lvsdeck vrrp\n${vrrp}\n@@lvsdeck vrrp-exit\n${exit}\n\n@@lvsdeck end\n`);
	});
	const store = new ClusterStore(labProfile);
	const poller = new ClusterPoller(labProfile, readOnlyTransportFor(labProfile, fake), store, {events: false, portCheck: false});
	const dir1 = labProfile.hosts.find((h) => h.name === 'dir1')!;
	const kinds = () => fake.calls.filter((c) => c.host === 'dir1' && c.argv[2] === DIRECTOR_SNAPSHOT_SCRIPT).map((c) => c.argv[5]);
	const state = () => store.getState().hosts.find((h) => h.name === 'dir1')!.director!;
	return {director, poller, poll: () => poller.pollHost(dir1, {routine: true}), read: () => poller.pollHost(dir1), kinds, state};
}

describe('keepalived dumps', () => {
	it('are asked for on the first poll and every third after; the polls between read IPVS and addresses only', async () => {
		const t = fakeDirector();
		for (let i = 0; i < 7; i++) await t.poll();
		expect(t.kinds()).toEqual(['json', 'none', 'none', 'json', 'none', 'none', 'json']);
	});

	it('where keepalived\'s log is followed live, every tenth poll; back to every third when it ends', async () => {
		const t = fakeDirector();
		t.poller.keepalivedFollowed('dir1', true);
		for (let i = 0; i < 11; i++) await t.poll();
		expect(t.kinds()).toEqual(['json', ...Array<string>(9).fill('none'), 'json']);
		t.poller.keepalivedFollowed('dir1', false);
		for (let i = 0; i < 4; i++) await t.poll(); // polls 11 to 14: 12 dumps
		expect(t.kinds().slice(11)).toEqual(['none', 'json', 'none', 'none']);
	});

	it('between dumps, the last dump states and its error stand', async () => {
		const t = fakeDirector();
		await t.poll();
		expect(t.state().vrrp).toMatchObject([{name: 'VI_1'}]);
		await t.poll();
		expect(t.kinds()).toEqual(['json', 'none']);
		expect(t.state().vrrp).toMatchObject([{name: 'VI_1'}]);

		const broken = fakeDirector();
		broken.director.noDump = true;
		await broken.poll();
		expect(broken.state().vrrpError).toMatch(/no dump/);
		await broken.poll();
		expect(broken.kinds()).toEqual(['json', 'none']);
		expect(broken.state().vrrpError).toMatch(/no dump/);
	});

	it('a read from outside always dumps; one that arrives during a routine poll without a dump follows it with one', async () => {
		const t = fakeDirector();
		await t.poll();
		await t.read();
		await t.poll(); // n = 2: no dump by the count
		await Promise.all([t.poll(), t.read()]); // n = 3 dumps by the count: the read joins it
		await Promise.all([t.poll(), t.read()]); // n = 4 does not: the read follows with a dump
		expect(t.kinds()).toEqual(['json', 'json', 'none', 'json', 'none', 'json']);
	});

	it('a poke makes the next poll dump, whatever the count says', async () => {
		const t = fakeDirector();
		await t.poll();
		t.poller.poke('dir1');
		await t.poll();
		await t.poll();
		expect(t.kinds()).toEqual(['json', 'json', 'none']);
	});

	it('keepalived stopping shows at once with no states, and its stop and its start each bring a dump on the next poll', async () => {
		const t = fakeDirector();
		await t.poll(); // 0: dump by the count
		t.director.running = false;
		await t.poll(); // 1: no dump by the count; sees the stop
		expect(t.state()).toMatchObject({keepalivedActive: false, vrrp: [], vrrpError: 'keepalived is not running'});
		await t.poll(); // 2: a dump because of the stop
		await t.poll(); // 3: dump by the count
		t.director.running = true;
		await t.poll(); // 4: no dump by the count; sees the start
		await t.poll(); // 5: a dump because of the start
		expect(t.kinds()).toEqual(['json', 'none', 'json', 'json', 'none', 'json']);
		expect(t.state()).toMatchObject({keepalivedActive: true, vrrp: [{name: 'VI_1'}]});
		expect(t.state().vrrpError).toBeUndefined();
	});
});

describe('the wait before a host next poll', () => {
	it('is the rest of the interval, at least a quarter of it', () => {
		expect(nextPollWaitMs(1000, 50, true)).toBe(950);
		expect(nextPollWaitMs(1000, 900, false)).toBe(250);
	});

	it('after a slow poll is twice that poll, except after the first (the SSH handshake is in it)', () => {
		expect(nextPollWaitMs(1000, 400, true)).toBe(800);
		expect(nextPollWaitMs(1000, 900, true)).toBe(1800);
		expect(nextPollWaitMs(1000, 3000, false)).toBe(250);
	});
});

// A poll whose data equals the last one's keeps the last one's objects, so the store publishes only the
// new times (store-times.test.ts) and a screen draws nothing for it; data that changed is new. Each
// read parses into new objects, so without this every director poll looked like a change.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {ClusterPoller} from '../../../src/cluster/poller.js';
import {ClusterStore} from '../../../src/cluster/store.js';
import {DIRECTOR_SNAPSHOT_SCRIPT} from '../../../src/probes/director-snapshot.js';
import {DUMP_EXIT} from '../../../src/transport/read-only-scripts.js';
import {KEEPALIVED_SIGNUM_SCRIPT} from '../../../src/probes/vrrp.js';
import {readOnlyTransportFor} from '../../../src/transport/read-only-profile.js';
import {labProfile} from './fixture-state.js';
import {FakeTransport, ok} from '../../helpers/fake-transport.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const labFixture = (name: string) => fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'lab', name), 'utf8');

describe('a poll that read the same data', () => {
	it('keeps the director data object (dump or not); a change makes a new one', async () => {
		let running = true;
		const fake = new FakeTransport((_host, argv) => {
			if (argv[0] === 'keepalived' && argv[1] === '--version') return ok('', labFixture('keepalived-version.txt'));
			if (argv[2] === KEEPALIVED_SIGNUM_SCRIPT) return ok('JSON=36\n');
			if (argv[2] !== DIRECTOR_SNAPSHOT_SCRIPT) return ok('');
			const kind = argv[5];
			const exit = running ? 0 : DUMP_EXIT.notRunning;
			const vrrp = kind === 'none' || exit !== 0 ? '' : labFixture('keepalived-json-dir2.json');
			return ok(`\n@@lvsdeck config\nskipped\n\n@@lvsdeck vrrp\n${vrrp}\n@@lvsdeck vrrp-exit\n${exit}\n\n@@lvsdeck end\n`);
		});
		const store = new ClusterStore(labProfile);
		const poller = new ClusterPoller(labProfile, readOnlyTransportFor(labProfile, fake), store, {events: false, portCheck: false});
		const dir1 = labProfile.hosts.find((h) => h.name === 'dir1')!;
		const data = () => store.getState().hosts.find((h) => h.name === 'dir1')!.director!;
		await poller.pollHost(dir1, {routine: true});
		const first = data();
		expect(first.vrrp).toMatchObject([{name: 'VI_1'}]);
		const findings = store.getState().findings;
		// polls without a dump, then one with (the fourth): all equal to the first
		for (let i = 0; i < 4; i++) {
			await poller.pollHost(dir1, {routine: true});
			expect(data()).toBe(first);
		}
		// the store kept its derived parts: only the times moved
		expect(store.getState().findings).toBe(findings);
		running = false;
		await poller.pollHost(dir1);
		expect(data()).not.toBe(first);
		expect(data().keepalivedActive).toBe(false);
	});
});

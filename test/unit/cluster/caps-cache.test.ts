// Directors' keepalived capabilities kept between runs: a second process reads a director with one
// snapshot and no run of the keepalived binary beforehand, and asks again when the host key or the
// binary (path, size, mtime, inode, printed by the snapshot) is not the one the entry was made for.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ClusterPoller} from '../../../src/cluster/poller.js';
import {ClusterStore} from '../../../src/cluster/store.js';
import {CapabilityCache, defaultCapabilityCacheDir} from '../../../src/cluster/caps-cache.js';
import {DIRECTOR_SNAPSHOT_SCRIPT} from '../../../src/probes/director-snapshot.js';
import {KEEPALIVED_SIGNUM_SCRIPT} from '../../../src/probes/vrrp.js';
import {readOnlyTransportFor} from '../../../src/transport/read-only-profile.js';
import {labProfile} from './fixture-state.js';
import {FakeTransport, ok} from '../../helpers/fake-transport.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const labFixture = (name: string) => fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'lab', name), 'utf8');
const KEY_A = `SHA256:${'A'.repeat(43)}`;
const KEY_B = `SHA256:${'B'.repeat(43)}`;

/** A director pair answering like the lab's 2.2.7, showing `hostKey` and the binary `binary()`. */
class FakeDirectors extends FakeTransport {
	constructor(
		public key: string | undefined,
		public binary = '/usr/sbin/keepalived 1000 1700000000 42',
	) {
		super((_host, argv) => {
			if (argv[0] === 'keepalived' && argv[1] === '--version') return ok('', labFixture('keepalived-version.txt'));
			if (argv[2] === KEEPALIVED_SIGNUM_SCRIPT) return ok(argv.slice(4).map((n) => `${n}=${n === 'JSON' ? 36 : 10}\n`).join(''));
			if (argv[2] === DIRECTOR_SNAPSHOT_SCRIPT) {
				const hashed = argv[4] !== '';
				const bin = hashed ? this.binary : 'skipped';
				return ok(`\n@@lvsdeck config\nskipped\n\n@@lvsdeck keepalived-bin\n${bin}\n\n@@lvsdeck vrrp\n${labFixture('keepalived-json-dir2.json')}\n@@lvsdeck vrrp-exit\n0\n\n@@lvsdeck end\n`);
			}
			return ok('');
		});
	}

	hostKey(): string | undefined {
		return this.key;
	}

	count(what: 'version' | 'signum' | 'snapshot'): number {
		return this.calls.filter((c) => (what === 'version' ? c.argv[0] === 'keepalived' : c.argv[2] === (what === 'signum' ? KEEPALIVED_SIGNUM_SCRIPT : DIRECTOR_SNAPSHOT_SCRIPT))).length;
	}
}

let dir: string;
beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-caps-'));
});
afterEach(() => fs.rmSync(dir, {recursive: true, force: true}));

const dir1 = labProfile.hosts.find((h) => h.name === 'dir1')!;

/** One run of a process: a new poller (and an empty in-memory state) polling dir1 `polls` times. */
async function run(fake: FakeDirectors, polls = 1, cache: CapabilityCache | null = new CapabilityCache(dir)) {
	const store = new ClusterStore(labProfile);
	const poller = new ClusterPoller(labProfile, readOnlyTransportFor(labProfile, fake), store, {events: false, portCheck: false, ...(cache ? {capabilityCache: cache} : {})});
	for (let i = 0; i < polls; i++) await poller.pollHost(dir1);
	return store.getState().hosts.find((h) => h.name === 'dir1')!.director!;
}

describe('keepalived capability cache', () => {
	it('a first run asks the binary and keeps the answer; a second reads with one snapshot per poll', async () => {
		const first = new FakeDirectors(KEY_A);
		const d1 = await run(first);
		expect([first.count('version'), first.count('signum'), first.count('snapshot')]).toEqual([1, 1, 1]);
		expect(new CapabilityCache(dir).read(dir1)).toMatchObject({hostKey: KEY_A, binary: '/usr/sbin/keepalived 1000 1700000000 42', caps: {version: '2.2.7'}});

		const second = new FakeDirectors(KEY_A);
		const d2 = await run(second, 3);
		expect([second.count('version'), second.count('signum'), second.count('snapshot')]).toEqual([0, 0, 3]);
		expect(d2.keepalived).toEqual(d1.keepalived);
		expect(d2.vrrp).toEqual(d1.vrrp);
		// The signal came from the cache.
		expect(second.calls[0]!.argv.slice(5)).toEqual(['json', labProfile.keepalived.pidFile, '/tmp', '36']);
	});

	it('another host key: asked again, the snapshot retaken, the entry replaced', async () => {
		await run(new FakeDirectors(KEY_A));
		const changed = new FakeDirectors(KEY_B);
		await run(changed);
		expect([changed.count('version'), changed.count('signum'), changed.count('snapshot')]).toEqual([1, 1, 2]);
		expect(new CapabilityCache(dir).read(dir1)?.hostKey).toBe(KEY_B);
	});

	it('another keepalived binary (a new size, mtime or inode): asked again', async () => {
		await run(new FakeDirectors(KEY_A));
		const upgraded = new FakeDirectors(KEY_A, '/usr/sbin/keepalived 2000 1800000000 43');
		await run(upgraded);
		expect([upgraded.count('version'), upgraded.count('snapshot')]).toEqual([1, 2]);
		expect(new CapabilityCache(dir).read(dir1)?.binary).toBe('/usr/sbin/keepalived 2000 1800000000 43');
		const again = new FakeDirectors(KEY_A, '/usr/sbin/keepalived 2000 1800000000 43');
		await run(again);
		expect(again.count('version')).toBe(0);
	});

	it('a malformed entry counts as missing', async () => {
		await run(new FakeDirectors(KEY_A));
		const [file] = fs.readdirSync(dir);
		fs.writeFileSync(path.join(dir, file!), JSON.stringify({hostKey: KEY_A, binary: null, caps: {version: '2.2.7', dump: {kind: 'json', signal: 'kill'}}}));
		expect(new CapabilityCache(dir).read(dir1)).toBeUndefined();
		const next = new FakeDirectors(KEY_A);
		await run(next);
		expect(next.count('version')).toBe(1);
	});

	it('nothing is kept without a host key to key it by, nor without a cache', async () => {
		await run(new FakeDirectors(undefined));
		expect(fs.readdirSync(dir)).toEqual([]);
		await run(new FakeDirectors(KEY_A), 1, null);
		expect(fs.readdirSync(dir)).toEqual([]);
	});

	it('lives in LVSDECK_CACHE_DIR, else under XDG_STATE_HOME or ~/.local/state', () => {
		expect(defaultCapabilityCacheDir({LVSDECK_CACHE_DIR: '/x/c'})).toBe('/x/c');
		expect(defaultCapabilityCacheDir({XDG_STATE_HOME: '/x/s', HOME: '/h'})).toBe('/x/s/lvsdeck/keepalived-caps');
		expect(defaultCapabilityCacheDir({HOME: '/h'})).toBe('/h/.local/state/lvsdeck/keepalived-caps');
		expect(defaultCapabilityCacheDir({LVSDECK_STATE_DIR: '/x/state', XDG_STATE_HOME: '/x/s'})).toBe('/x/state/keepalived-caps');
	});
});

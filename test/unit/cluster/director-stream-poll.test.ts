// While the poller runs, each director reached without sudo reads its IPVS table and addresses in one
// long-lived session and writes only what changed; routine polls that ask keepalived for no dump and
// hash no config take that instead of a session each, and those that dump or hash send a command for
// only that (lvsdeck-extras) and take IPVS and the addresses from the stream. The director here answers with the lab's
// captured output, through the read-only guard; its stream is scripted, so it can change or fall silent.
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {ClusterPoller} from '../../../src/cluster/poller.js';
import {ClusterStore} from '../../../src/cluster/store.js';
import type {DirectorStreams} from '../../../src/cluster/director-streams.js';
import {readOnlyTransportFor} from '../../../src/transport/read-only-profile.js';
import type {Profile} from '../../../src/profile/model.js';
import type {ExecOptions, ExecResult} from '../../../src/transport/types.js';
import {labProfile} from './fixture-state.js';
import {FakeTransport, ok} from '../../helpers/fake-transport.js';
import {waitFor} from '../../helpers/wait-for.js';

const PERIOD_MS = 250;
const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const labFixture = (name: string) => fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'lab', name), 'utf8');
const LIST = labFixture('ipvsadm-Ln-dir1.txt');

/** The snapshot's text, as the script writes it: the IPVS list `list`, keepalived running, a dump when asked. */
function snapshotText(list: string, dump: boolean): string {
	const vrrp = dump ? labFixture('keepalived-json-dir1.json') : '';
	return `\n@@lvsdeck ipvs-list\n${list}\n@@lvsdeck addr\n${labFixture('ip-j-addr-dir1.json')}\n@@lvsdeck config\nskipped\n\n@@lvsdeck vrrp\n${vrrp}\n@@lvsdeck vrrp-exit\n0\n\n@@lvsdeck end`;
}

/** The extras command's text: the config's hash when named, keepalived running, a dump when asked. */
function extrasText(configPath: string, dump: boolean): string {
	const vrrp = dump ? labFixture('keepalived-json-dir1.json') : '';
	const config = configPath === '' ? 'skipped' : 'a'.repeat(64);
	return `\n@@lvsdeck config\n${config}\n@@lvsdeck keepalived-bin\nskipped\n\n@@lvsdeck vrrp\n${vrrp}\n@@lvsdeck vrrp-exit\n0\n\n@@lvsdeck end`;
}

/** The lab with dir1 maybe through sudo, with `maxChannels`. */
function dir1Profile(ssh: {sudo?: boolean; maxChannels?: number} = {}): Profile {
	return {...labProfile, hosts: labProfile.hosts.map((h) => (h.name === 'dir1' ? {...h, ssh: {...h.ssh, ...ssh}} : h))};
}

let cleanup: Array<() => void> = [];
afterEach(() => {
	for (const c of cleanup) c();
	cleanup = [];
});

/** A director whose stream writes `stream.list` (a frame when it changed, else "same") each period until `stream.silent`. */
function fakeDirector(profile: Profile, options: {directorChannelsHeld?: number; events?: boolean} = {}) {
	const monitor = {emit: undefined as ((line: string) => void) | undefined};
	const stream = {list: LIST, silent: false, runs: 0, live: 0, extrasCut: false, extrasHeld: undefined as Promise<void> | undefined, extrasFail: false, probeTimesOut: false, priority: 100};
	const fake = new FakeTransport(async (host, argv, execOptions?: ExecOptions): Promise<ExecResult> => {
		if (host !== 'dir1') return ok('');
		if (argv.includes('monitor')) {
			// The address monitor: its lines are the test's to send (`monitor.emit`).
			monitor.emit = (line) => execOptions!.onStdoutLine!(line);
			await new Promise((resolve) => execOptions!.signal!.addEventListener('abort', resolve, {once: true}));
			return {...ok(''), code: null};
		}
		if (argv[0] === 'keepalived' && argv[1] === '--version') return ok('', labFixture('keepalived-version.txt'));
		if (argv[3] === 'lvsdeck-signum') return ok('JSON=36\n');
		if (argv[3] === 'lvsdeck-probe') return stream.probeTimesOut ? {...ok(''), timedOut: true} : ok(snapshotText(stream.list, argv[5] !== 'none'));
		if (argv[3] === 'lvsdeck-extras') await stream.extrasHeld;
		if (argv[3] === 'lvsdeck-extras' && stream.extrasFail) return {...ok(''), timedOut: true};
		if (argv[3] === 'lvsdeck-extras') {
			const text = extrasText(argv[4]!, argv[5] !== 'none').replace('"effective_priority":100', `"effective_priority":${stream.priority}`);
			return ok(stream.extrasCut ? text.replace('@@lvsdeck end', '') : text);
		}
		if (argv[3] !== 'lvsdeck-dir-stream') return ok('');
		stream.runs++;
		let last: string | undefined;
		const beat = () => {
			if (stream.silent) return;
			if (stream.list === last) return execOptions!.onStdoutLine!('@@lvsdeck-same');
			last = stream.list;
			for (const line of [...snapshotText(stream.list, false).split('\n'), '@@lvsdeck-frame']) execOptions!.onStdoutLine!(line);
		};
		beat();
		stream.live++;
		const timer = setInterval(beat, PERIOD_MS);
		await new Promise((resolve) => execOptions!.signal!.addEventListener('abort', resolve, {once: true}));
		clearInterval(timer);
		stream.live--;
		return {...ok(''), code: null};
	});
	const store = new ClusterStore(profile);
	const poller = new ClusterPoller(profile, readOnlyTransportFor(profile, fake), store, {intervalMs: PERIOD_MS, events: false, portCheck: false, ...options});
	poller.start();
	cleanup.push(() => poller.stop());
	/** Snapshot commands sent since call `from`: `plain` are the routine ones (no hash, no dump) a stream replaces. */
	const snapshots = (from = 0) => fake.calls.slice(from).filter((c) => c.host === 'dir1' && c.argv[3] === 'lvsdeck-probe');
	// Through sudo the config is always named (sudoers lines cannot hold an empty word): then every kind `none`.
	const sudo = profile.hosts.find((h) => h.name === 'dir1')!.ssh.sudo;
	const plain = (from = 0) => snapshots(from).filter((c) => (c.argv[4] === '' || sudo) && c.argv[5] === 'none').length;
	const dir1 = () => store.getState().hosts.find((h) => h.name === 'dir1')!;
	/** Extras commands sent since call `from` (a dump or a hash alone). */
	const extras = (from = 0) => fake.calls.slice(from).filter((c) => c.host === 'dir1' && c.argv[3] === 'lvsdeck-extras');
	return {stream, fake, plain, snapshots, extras, dir1, poller, monitor};
}

const weightOf = (list: string) => (d: ReturnType<ReturnType<typeof fakeDirector>['dir1']>) => d.director?.ipvs.services[0]?.realServers[0]?.weight;

describe('directors stream their routine reads', () => {
	it('routine polls without dump or hash take the stream; a change in IPVS shows within a period or two', async () => {
		const t = fakeDirector(dir1Profile());
		await waitFor(async () => t.stream.runs === 1 && t.dir1().reachable, (x) => x, {timeoutMs: 10_000, intervalMs: 20, what: 'dir1 read and its stream attached'});
		const from = t.fake.calls.length;
		const okAt = t.dir1().lastOkAt!;
		await waitFor(async () => t.dir1().lastOkAt!, (at) => at >= okAt + 6 * PERIOD_MS, {timeoutMs: 10_000, intervalMs: 20, what: 'six more polls'});
		// Dumps (every third poll) and hashes are commands for only those; no whole snapshot is sent.
		expect(t.snapshots(from)).toEqual([]);
		expect(t.extras(from).length).toBeGreaterThan(0);
		expect(weightOf(LIST)(t.dir1())).toBe(1);
		t.stream.list = LIST.replace(/(Route\s+)1/, '$13');
		const seen = await waitFor(async () => weightOf(LIST)(t.dir1()), (w) => w === 3, {timeoutMs: 10_000, intervalMs: 10, what: 'the new weight'});
		expect(seen.elapsedMs).toBeLessThan(4 * PERIOD_MS);
		expect(t.plain(from)).toBe(0);
		// The last dump's VRRP states stand between dumps.
		expect(t.dir1().director?.vrrp?.length).toBeGreaterThan(0);
	});

	it('a config hash due rides with the next dump: every extras command dumps, and the hash still comes', async () => {
		const t = fakeDirector(dir1Profile());
		await waitFor(async () => t.stream.runs === 1 && t.dir1().reachable, (x) => x, {timeoutMs: 10_000, intervalMs: 20, what: 'dir1 read and its stream attached'});
		const from = t.fake.calls.length;
		// The 10th poll's hash (the first poll's came with its whole snapshot) waits for the 12th's dump.
		await waitFor(async () => t.dir1().director?.configSha256, (sha) => sha === 'a'.repeat(64), {timeoutMs: 15_000, intervalMs: 20, what: 'the hash of an extras command stored'});
		const extras = t.extras(from);
		expect(extras.filter((c) => c.argv[4] !== '').length).toBeGreaterThan(0);
		expect(extras.filter((c) => c.argv[5] === 'none')).toEqual([]);
		expect(extras.length).toBeGreaterThanOrEqual(3);
	});

	it('dumps come every third interval: the poll that takes a landed read is not counted', async () => {
		const t = fakeDirector(dir1Profile());
		await waitFor(async () => t.stream.runs === 1 && t.dir1().reachable, (x) => x, {timeoutMs: 10_000, intervalMs: 20, what: 'dir1 read and its stream attached'});
		const from = t.fake.calls.length;
		await waitFor(async () => t.extras(from).length, (n) => n >= 1, {timeoutMs: 10_000, intervalMs: 10, what: 'a dump read beside the polls'});
		const first = Date.now();
		await waitFor(async () => t.extras(from).length, (n) => n >= 4, {timeoutMs: 15_000, intervalMs: 10, what: 'three more'});
		// Three dumps later: nine intervals (six when the landing polls were counted).
		expect(Date.now() - first).toBeGreaterThanOrEqual(8 * PERIOD_MS);
		expect(t.extras(from).every((c) => c.argv[5] !== 'none')).toBe(true);
	});

	it('the stream\'s parsed frame holds the stored table once they are equal: one copy lives, and polls compare nothing', async () => {
		const t = fakeDirector(dir1Profile());
		await waitFor(async () => t.stream.runs === 1 && t.dir1().reachable, (x) => x, {timeoutMs: 10_000, intervalMs: 20, what: 'dir1 read and its stream attached'});
		// The first read was a whole snapshot; the stream's frame parses into equal objects of its own.
		const stored = t.dir1().director!;
		const streams = (t.poller as unknown as {directorStreams: DirectorStreams}).directorStreams;
		const frame = () => {
			const latest = streams.latest('dir1');
			return latest && 'snapshot' in latest ? latest.snapshot : undefined;
		};
		await waitFor(async () => frame(), (f) => f?.ipvs === stored.ipvs && f.addresses === stored.addresses, {timeoutMs: 10_000, intervalMs: 20, what: 'the frame holding the stored table and addresses'});
		expect(t.dir1().director!.ipvs).toBe(stored.ipvs);
		// A changed frame is its own again, and stored as read.
		t.stream.list = LIST.replace(/(Route\s+)1/, '$14');
		await waitFor(async () => weightOf(LIST)(t.dir1()), (w) => w === 4, {timeoutMs: 10_000, intervalMs: 10, what: 'the new weight'});
		expect(frame()!.ipvs).toBe(t.dir1().director!.ipvs);
		expect(frame()!.ipvs).not.toBe(stored.ipvs);
	});

	it('a poll that dumps takes IPVS from the stream and keepalived\'s state from a dump alone; one cut short is incomplete', async () => {
		const t = fakeDirector(dir1Profile());
		await waitFor(async () => t.stream.runs === 1 && t.dir1().reachable, (x) => x, {timeoutMs: 10_000, intervalMs: 20, what: 'dir1 read and its stream attached'});
		t.stream.list = LIST.replace(/(Route\s+)1/, '$17');
		const from = t.fake.calls.length;
		const dumps = await waitFor(async () => t.extras(from).filter((c) => c.argv[5] === 'json'), (d) => d.length >= 1, {timeoutMs: 10_000, intervalMs: 10, what: 'a dump asked for alone'});
		// Its arguments are the snapshot's: no config named (no hash on that poll), the pid file, the dump folder, the signal.
		expect(dumps.value[0]!.argv.slice(4)).toEqual(['', 'json', '/run/keepalived.pid', '/tmp', '36']);
		await waitFor(async () => t.dir1(), (d) => weightOf(LIST)(d) === 7 && (d.director?.vrrp?.length ?? 0) > 0, {timeoutMs: 10_000, intervalMs: 10, what: 'the streamed weight and the dumped states together'});
		expect(t.dir1().director?.problems).toBeUndefined();
		expect(t.snapshots(from)).toEqual([]);
		// The extras' output cut short (no end mark): the frame's own end does not make it whole.
		t.stream.extrasCut = true;
		await waitFor(async () => t.dir1().director?.problems ?? [], (p) => p.includes('snapshot output is incomplete'), {timeoutMs: 10_000, intervalMs: 10, what: 'the cut-short read said so'});
	});

	it('a slow dump is read beside the polls: the streamed IPVS keeps coming meanwhile, the states land when it does', async () => {
		const t = fakeDirector(dir1Profile());
		await waitFor(async () => t.stream.runs === 1 && t.dir1().reachable && (t.dir1().director?.vrrp?.length ?? 0) > 0, (x) => x, {timeoutMs: 10_000, intervalMs: 20, what: 'dir1 read, dumped, and its stream attached'});
		let release = () => {};
		t.stream.extrasHeld = new Promise((r) => (release = r));
		const from = t.fake.calls.length;
		t.poller.poke('dir1');
		await waitFor(async () => t.extras(from).filter((c) => c.argv[5] === 'json').length, (n) => n === 1, {timeoutMs: 10_000, intervalMs: 10, what: 'the poked dump asked for'});
		// While keepalived's dump is being read, the director's IPVS from its stream still shows each period.
		const okAt = t.dir1().lastOkAt!;
		t.stream.list = LIST.replace(/(Route\s+)1/, '$15');
		await waitFor(async () => t.dir1(), (d) => weightOf(LIST)(d) === 5 && d.lastOkAt! >= okAt + 2 * PERIOD_MS, {timeoutMs: 10_000, intervalMs: 10, what: 'the new weight and two polls while the dump is held'});
		// One read beside the polls at a time: the due dumps wait for it.
		expect(t.extras(from).length).toBe(1);
		t.stream.priority = 90;
		expect(t.dir1().director!.vrrp![0]!.effectivePriority).toBe(100);
		release();
		await waitFor(async () => t.dir1().director!.vrrp![0]!.effectivePriority, (p) => p === 90, {timeoutMs: 10_000, intervalMs: 10, what: 'the dumped states landed'});
		expect(weightOf(LIST)(t.dir1())).toBe(5);
		// A read beside the polls that times out while the stream reports: the director answers, only its
		// dump is late. It stays reachable with its streamed IPVS and addresses (a VIP it holds still counts);
		// the last dump's states stand, with the timeout as their error until a dump lands.
		t.stream.extrasFail = true;
		const failedFrom = t.fake.calls.length;
		t.stream.list = LIST.replace(/(Route\s+)1/, '$16');
		await waitFor(async () => t.dir1(), (d) => (d.director?.vrrpError ?? '').includes('timed out'), {timeoutMs: 10_000, intervalMs: 10, what: 'the timed-out dump reported'});
		await waitFor(async () => t.dir1(), (d) => weightOf(LIST)(d) === 6, {timeoutMs: 10_000, intervalMs: 10, what: 'the stream still read'});
		expect(t.dir1().reachable).toBe(true);
		expect(t.dir1().director!.vrrpError).toBe("keepalived's dump: dir1: command timed out after 10000 ms");
		expect(t.dir1().director!.vrrp![0]!.effectivePriority).toBe(90);
		expect(t.dir1().director!.addresses.some((a) => a.address === '192.168.67.100')).toBe(true);
		// Nothing was asked again: no version question, no whole snapshot.
		expect(t.fake.calls.slice(failedFrom).filter((c) => c.argv[0] === 'keepalived')).toEqual([]);
		expect(t.snapshots(failedFrom)).toEqual([]);
		// The next dump that lands clears the error.
		t.stream.extrasFail = false;
		await waitFor(async () => t.dir1(), (d) => d.director?.vrrpError === undefined, {timeoutMs: 10_000, intervalMs: 10, what: 'a dump landed again'});
	});

	it('a read of its own that times out (a silent stream) makes the director unreachable, but keeps what its connection learnt', async () => {
		const t = fakeDirector(dir1Profile());
		await waitFor(async () => t.stream.runs === 1 && t.dir1().reachable, (x) => x, {timeoutMs: 10_000, intervalMs: 20, what: 'dir1 read and its stream attached'});
		const from = t.fake.calls.length;
		t.stream.silent = true;
		t.stream.probeTimesOut = true;
		await waitFor(async () => t.dir1(), (d) => d.reachable === false && (d.error ?? '').includes('timed out'), {timeoutMs: 10_000, intervalMs: 10, what: 'the timed-out read reported'});
		// The host was slow, not gone: once its stream reports again, polls take it, and keepalived's
		// version is not asked again (asked again, the next read is a whole one with a dump and a hash).
		t.stream.probeTimesOut = false;
		t.stream.silent = false;
		t.stream.list = LIST.replace(/(Route\s+)1/, '$18');
		await waitFor(async () => t.dir1(), (d) => d.reachable && weightOf(LIST)(d) === 8, {timeoutMs: 10_000, intervalMs: 10, what: 'the director read from its stream again'});
		expect(t.fake.calls.slice(from).filter((c) => c.argv[0] === 'keepalived' || c.argv[3] === 'lvsdeck-signum')).toEqual([]);
	});

	it('an address event newer than the stream\'s last report stands: a poll taking that frame does not undo it', async () => {
		const t = fakeDirector(dir1Profile(), {events: true});
		const holdsVip = () => t.dir1().director?.addresses.some((a) => a.address === '192.168.67.100') ?? false;
		await waitFor(async () => t.stream.runs === 1 && t.monitor.emit !== undefined && holdsVip(), (x) => x, {timeoutMs: 10_000, intervalMs: 20, what: 'dir1 read with the VIP, its stream and monitor attached'});
		// The stream says nothing more for now (a slow period: its frame stays the latest, and fresh, for three).
		t.stream.silent = true;
		const eventAt = Date.now();
		t.monitor.emit!('Deleted 2: eth0    inet 192.168.67.100/24 scope global secondary eth0:1\\       valid_lft forever preferred_lft forever');
		expect(holdsVip()).toBe(false);
		// The event pokes a poll; it takes the stream's frame, which still holds the VIP, but is older than the event.
		await waitFor(async () => t.dir1().lastOkAt ?? 0, (at) => at > eventAt, {timeoutMs: 10_000, intervalMs: 5, what: 'a poll after the event'});
		expect(t.extras().length).toBeGreaterThan(0);
		expect(holdsVip()).toBe(false);
	});

	it('a stream that falls silent is not trusted: routine polls read the director themselves again', async () => {
		const t = fakeDirector(dir1Profile());
		await waitFor(async () => t.stream.runs === 1 && t.dir1().reachable, (x) => x, {timeoutMs: 10_000, intervalMs: 20, what: 'dir1 read and its stream attached'});
		const from = t.fake.calls.length;
		const okAt = t.dir1().lastOkAt!;
		await waitFor(async () => t.dir1().lastOkAt!, (at) => at >= okAt + 3 * PERIOD_MS, {timeoutMs: 10_000, intervalMs: 20, what: 'polls from the stream'});
		expect(t.plain(from)).toBe(0);
		t.stream.silent = true;
		await waitFor(async () => t.plain(from), (n) => n >= 2, {timeoutMs: 10_000, intervalMs: 20, what: 'routine reads of its own'});
	});

	it('a director reached through sudo, or without a channel to spare, is not streamed', async () => {
		for (const ssh of [{sudo: true}, {maxChannels: 2}]) {
			const t = fakeDirector(dir1Profile(ssh), {directorChannelsHeld: 1});
			await waitFor(async () => t.plain(), (n) => n >= 3, {timeoutMs: 10_000, intervalMs: 20, what: `three routine reads (${JSON.stringify(ssh)})`});
			expect(t.stream.runs, JSON.stringify(ssh)).toBe(0);
		}
	});

	it('a drill pacing the polls stops the streams (its own follower needs the channel); they start again after', async () => {
		const t = fakeDirector(dir1Profile());
		await waitFor(async () => t.stream.live === 1 && t.dir1().reachable, (x) => x, {timeoutMs: 10_000, intervalMs: 20, what: 'dir1 read and its stream attached'});
		t.poller.pace(PERIOD_MS);
		await waitFor(async () => t.stream.live, (n) => n === 0, {timeoutMs: 10_000, intervalMs: 20, what: 'the stream stopped'});
		const from = t.fake.calls.length;
		await waitFor(async () => t.plain(from), (n) => n >= 2, {timeoutMs: 10_000, intervalMs: 20, what: 'routine reads of its own while paced'});
		expect(t.stream.live).toBe(0);
		t.poller.pace(undefined);
		await waitFor(async () => t.stream.live === 1 && t.stream.runs === 2, (x) => x, {timeoutMs: 10_000, intervalMs: 20, what: 'the stream started again'});
	});
});

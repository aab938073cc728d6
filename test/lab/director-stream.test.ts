// Each director reads its IPVS table and addresses in one long-lived session while the poller runs
// (DIRECTOR_STREAM_SCRIPT): against the lab's directors, routine polls send only keepalived's dumps and
// the config hashes as commands of their own (DIRECTOR_EXTRAS_SCRIPT: no IPVS or address reads), read
// beside the polls (a poll does not wait for one), a
// weight changed with ipvsadm shows within a couple of periods, and once the poller stops nothing of
// the stream is left on the host.
import {afterAll, describe, expect, it} from 'vitest';
import {ClusterStore} from '../../src/cluster/store.js';
import {ClusterPoller} from '../../src/cluster/poller.js';
import {createClusterTransport} from '../../src/transport/cluster-transport.js';
import {SshPool} from '../../src/transport/ssh-pool.js';
import type {ExecOptions} from '../../src/transport/types.js';
import {labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile} = labProfile();
const control = new SshPool(profile.hosts);
const vs = profile.virtualServers.find((v) => v.port === 80)!;
const rs1 = profile.hosts.find((h) => h.name === 'rs1')!;
const service = `${vs.vip}:${vs.port}`;
const dest = `${rs1.address}:${vs.port}`;
afterAll(async () => {
	await setWeight(1).catch(() => undefined);
	await control.close();
});

async function setWeight(weight: number): Promise<void> {
	const r = await control.exec('dir1', ['ipvsadm', '-e', '-t', service, '-r', dest, '-g', '-w', String(weight)]);
	if (r.code !== 0) throw new Error(`ipvsadm -e on dir1 exited ${r.code}: ${r.stderr.trim()}`);
}

const streamsOn = async (host: string) => (await control.exec(host, ['pgrep', '-f', 'lvsdeck-dir-strea[m]'])).stdout.trim().split('\n').filter(Boolean).length;

describe('director streams on the lab', () => {
	it('poll IPVS without a session each, show a changed weight, and leave nothing running', async () => {
		const transport = createClusterTransport(profile, {readOnly: true});
		// Every whole snapshot the poller sends to dir1 (`plain` when it asks for no dump and hashes
		// nothing), and every extras command (a dump or a hash alone), with the dump kind it asked for.
		const snapshots: Array<{plain: boolean}> = [];
		const extras: string[] = [];
		// When each extras command and each poll of dir1 began and ended.
		const extrasTimes: Array<{start: number; end?: number}> = [];
		const pollTimes: Array<{start: number; end?: number}> = [];
		const exec = transport.exec.bind(transport);
		transport.exec = (host: string, argv: readonly string[], options?: ExecOptions) => {
			if (host === 'dir1' && argv[3] === 'lvsdeck-probe') snapshots.push({plain: argv[4] === '' && argv[5] === 'none'});
			if (host !== 'dir1' || argv[3] !== 'lvsdeck-extras') return exec(host, argv, options);
			extras.push(argv[5]!);
			const times: {start: number; end?: number} = {start: performance.now()};
			extrasTimes.push(times);
			return exec(host, argv, options).finally(() => (times.end = performance.now()));
		};
		const store = new ClusterStore(profile);
		// As the console runs it: address events on, keepalived's log follower held beside it.
		const poller = new ClusterPoller(profile, transport, store, {intervalMs: 1000, directorChannelsHeld: 1});
		const dir1 = () => store.getState().hosts.find((h) => h.name === 'dir1')!;
		const pollHost = poller.pollHost.bind(poller);
		poller.pollHost = (host, how) => {
			if (host.name !== 'dir1') return pollHost(host, how);
			const times: {start: number; end?: number} = {start: performance.now()};
			pollTimes.push(times);
			return pollHost(host, how).finally(() => (times.end = performance.now()));
		};
		const weight = () => dir1().director?.ipvs.services.find((s) => s.address === vs.vip && s.port === vs.port)?.realServers.find((r) => r.address === rs1.address)?.weight;
		poller.start();
		try {
			await waitFor(async () => (await streamsOn('dir1')) > 0 && weight(), (w) => w === 1, {timeoutMs: 30_000, what: 'dir1 read and its stream running'});
			await new Promise((r) => setTimeout(r, 1500));
			const before = snapshots.length;
			const extrasBefore = extras.length;
			const okAt = dir1().lastOkAt!;
			await waitFor(async () => dir1().lastOkAt!, (at) => at >= okAt + 6000, {timeoutMs: 30_000, what: 'six more polls of dir1'});
			// Dumps (every third poll) and hashes are commands that read
			// only those; IPVS and the addresses come from the stream, so no whole snapshot is sent.
			expect(snapshots.slice(before)).toEqual([]);
			// keepalived's state still comes from its dumps (an extras command): dir1 the master. Waited
			// for rather than counted in those six seconds: with other lab tests busy on the emulated CPU,
			// a poll there can take seconds, and once (in a run beside sudo.test.ts) the six seconds held
			// no third poll.
			await waitFor(async () => extras.slice(extrasBefore), (kinds) => kinds.includes('json'), {timeoutMs: 30_000, what: 'a dump asked for with the extras command'});
			expect(dir1().director?.vrrp?.find((v) => v.name === 'VI_1')?.state).toBe('MASTER');
			expect(dir1().director?.vrrpError).toBeUndefined();
			// The dump is read beside the polls: the poll that sent the extras command ended before its answer came.
			const read = extrasTimes.find((x) => x.end !== undefined)!;
			const sender = pollTimes.find((p) => p.start <= read.start && (p.end === undefined || p.end >= read.start))!;
			expect(sender.end).toBeDefined();
			expect(sender.end!).toBeLessThan(read.end!);
			const changedAt = Date.now();
			await setWeight(3);
			await waitFor(async () => weight(), (w) => w === 3, {timeoutMs: 15_000, intervalMs: 50, what: 'the new weight seen'});
			// The lab's directors share one emulated CPU: a read there takes up to a second or so.
			expect(Date.now() - changedAt).toBeLessThan(8_000);
			expect(snapshots.slice(before)).toEqual([]);
		} finally {
			await setWeight(1).catch(() => undefined);
			poller.stop();
			await transport.close();
		}
		// Its next write after the session went ends it (a period later); nothing outlives that.
		await waitFor(async () => streamsOn('dir1'), (n) => n === 0, {timeoutMs: 15_000, what: 'no stream left on dir1'});
	});
});

// Each real server reads itself in one long-lived session while the poller runs (REALSERVER_STREAM_SCRIPT):
// against the lab's real servers, routine polls open no session of their own, a stopped service shows
// within a couple of periods, and once the poller stops nothing of the stream is left on the host.
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
const rs1 = profile.hosts.find((h) => h.name === 'rs1')!;
afterAll(async () => {
	await control.exec('rs1', rs1.service!.start).catch(() => undefined);
	await control.close();
});

const streamsOn = async (host: string) => (await control.exec(host, ['pgrep', '-f', 'lvsdeck-rs-strea[m]'])).stdout.trim().split('\n').filter(Boolean).length;

describe('real-server streams on the lab', () => {
	it('polls without a session each, show a stopped service, and leave nothing running', async () => {
		const transport = createClusterTransport(profile, {readOnly: true});
		// Every command the poller sends to rs1, by script name or program.
		const sent: string[] = [];
		const exec = transport.exec.bind(transport);
		transport.exec = (host: string, argv: readonly string[], options?: ExecOptions) => {
			if (host === 'rs1') sent.push(argv[1] === '-c' ? argv[3]! : argv[0]!);
			return exec(host, argv, options);
		};
		const store = new ClusterStore(profile);
		const poller = new ClusterPoller(profile, transport, store, {intervalMs: 1000, events: false});
		const rs = () => store.getState().hosts.find((h) => h.name === 'rs1')!;
		poller.start();
		try {
			await waitFor(async () => (await streamsOn('rs1')) > 0 && rs().realServer?.serviceActive, (up) => up === true, {timeoutMs: 30_000, what: 'rs1 read and its stream running'});
			// The stream reports: routine polls go on with no session of their own.
			await new Promise((r) => setTimeout(r, 500));
			const before = sent.length;
			const okAt = rs().lastOkAt!;
			await waitFor(async () => rs().lastOkAt!, (at) => at >= okAt + 3000, {timeoutMs: 20_000, what: 'three more polls of rs1'});
			expect(sent.slice(before)).toEqual([]);
			const stoppedAt = Date.now();
			await control.exec('rs1', rs1.service!.stop);
			await waitFor(async () => rs().realServer?.serviceActive, (a) => a === false, {timeoutMs: 15_000, intervalMs: 50, what: 'rs1 service seen stopped'});
			const seenMs = Date.now() - stoppedAt;
			expect(sent.slice(before)).toEqual([]);
			// The lab's real servers share one emulated CPU: a read there takes up to a second or so.
			expect(seenMs).toBeLessThan(8_000);
			await control.exec('rs1', rs1.service!.start);
			await waitFor(async () => rs().realServer?.serviceActive, (a) => a === true, {timeoutMs: 15_000, intervalMs: 50, what: 'rs1 service seen started'});
		} finally {
			poller.stop();
			await transport.close();
		}
		// Its next write after the session went ends it (a period later); nothing outlives that.
		await waitFor(async () => streamsOn('rs1'), (n) => n === 0, {timeoutMs: 15_000, what: 'no stream left on rs1'});
	});
});

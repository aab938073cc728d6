// A client is only checked for reachability: while the poller runs it writes a heartbeat in one
// long-lived session (HEARTBEAT_STREAM_SCRIPT), and its checks take that instead of running `true` in a
// session each. Against the lab's client: no session after the first check, the heartbeat running on
// the host, and once the poller stops nothing of it left there.
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
afterAll(() => control.close());

/** A short interval: clients are checked (and beat) every fifth one. */
const INTERVAL_MS = 400;

const heartbeatsOn = async (host: string) => (await control.exec(host, ['pgrep', '-f', 'lvsdeck-heartbea[t]'])).stdout.trim().split('\n').filter(Boolean).length;

describe('client heartbeats on the lab', () => {
	it('check the client without a session each, and leave nothing running', async () => {
		const transport = createClusterTransport(profile, {readOnly: true});
		const sent: string[] = [];
		const exec = transport.exec.bind(transport);
		transport.exec = (host: string, argv: readonly string[], options?: ExecOptions) => {
			if (host === 'client1') sent.push(argv[1] === '-c' ? argv[3]! : argv[0]!);
			return exec(host, argv, options);
		};
		const store = new ClusterStore(profile);
		const poller = new ClusterPoller(profile, transport, store, {intervalMs: INTERVAL_MS, events: false, realServerStreams: false, directorStreams: false, portCheck: false});
		const client1 = () => store.getState().hosts.find((h) => h.name === 'client1')!;
		poller.start();
		try {
			await waitFor(async () => (await heartbeatsOn('client1')) > 0 && client1().reachable, (x) => x, {timeoutMs: 30_000, what: 'client1 checked and its heartbeat running'});
			const before = sent.length;
			const okAt = client1().lastOkAt!;
			await waitFor(async () => client1().lastOkAt!, (at) => at >= okAt + 3 * 5 * INTERVAL_MS, {timeoutMs: 30_000, what: 'three more checks of client1'});
			expect(sent.slice(before)).toEqual([]);
			expect(sent.filter((s) => s === 'lvsdeck-heartbeat')).toHaveLength(1);
			expect(client1().reachable).toBe(true);
		} finally {
			poller.stop();
			await transport.close();
		}
		// Its next write after the session went ends it (a period later); nothing outlives that.
		await waitFor(async () => heartbeatsOn('client1'), (n) => n === 0, {timeoutMs: 15_000, what: 'no heartbeat left on client1'});
	});
});

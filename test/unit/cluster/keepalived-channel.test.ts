import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadProfile} from '../../../src/profile/load.js';
import {ClusterStore} from '../../../src/cluster/store.js';
import {KeepalivedChannel} from '../../../src/cluster/keepalived-channel.js';
import type {ExecOptions} from '../../../src/transport/types.js';
import {FakeTransport, ok} from '../../helpers/fake-transport.js';
import {waitFor} from '../../helpers/wait-for.js';

const profile = loadProfile(path.resolve(import.meta.dirname, '../../../profiles/lab.yaml'));
const withFifo = {...profile, keepalived: {...profile.keepalived, notifyFifo: '/run/keepalived.fifo'}};

const PAST = 'Wed Dec  2 07:45:57 2026: (VI_1) Entering BACKUP STATE (init)\nWed Dec  2 07:45:58 2026: Sending gratuitous ARP on eth0\n';

/** A long-lived command: prints `lines`, then runs until aborted (or ends at once when `end`). */
function follow(options: ExecOptions | undefined, lines: readonly string[], end = false) {
	for (const l of lines) options?.onStdoutLine?.(l);
	if (end) return ok('');
	return new Promise<ReturnType<typeof ok>>((resolve) => options?.signal?.addEventListener('abort', () => resolve(ok('')), {once: true}));
}

describe('KeepalivedChannel', () => {
	it("feeds each director's log into the store: past lines, live transitions (sanitized), events", async () => {
		let follows = 0;
		const transport = new FakeTransport((host, argv, options) => {
			if (argv[0] === 'tail' && argv[1] === '-n') return ok(host === 'dir2' ? PAST : '');
			if (argv[0] === 'tail' && argv[1] === '-F') {
				follows++;
				return follow(options, host === 'dir2' ? ['Wed Dec  2 07:46:09 2026: (VI_1) Entering MASTER STATE', 'Wed Dec  2 07:46:10 2026: \u001b[31m(VI_1) received an invalid passwd!'] : []);
			}
			return ok('');
		});
		const store = new ClusterStore(profile);
		const channel = new KeepalivedChannel(profile, transport, store);
		channel.start();
		try {
			const s = (await waitFor(async () => store.getState(), (x) => (x.transitions ?? []).some((t) => t.to === 'MASTER'), {timeoutMs: 5000, intervalMs: 10, what: 'the MASTER transition'})).value;
			expect(transport.calls.filter((c) => c.argv[1] === '-F').map((c) => c.argv)).toContainEqual(['tail', '-F', '-n', '0', '/run/keepalived.log']);
			const master = s.transitions!.find((t) => t.to === 'MASTER')!;
			expect(master).toMatchObject({director: 'dir2', instance: 'VI_1', source: 'log', stamp: 'Wed Dec  2 07:46:09 2026'});
			expect(master.receivedAt).toBeGreaterThan(0);
			expect(s.events.some((e) => e.kind === 'vrrp-state' && e.host === 'dir2' && e.message.includes('-> MASTER'))).toBe(true);
			const log = (await waitFor(async () => store.getState().keepalivedLog?.['dir2'] ?? [], (l) => l.some((x) => x.kind === 'auth-error'), {timeoutMs: 5000, intervalMs: 10, what: 'the auth error line'})).value;
			expect(log.every((l) => !l.message.includes('\u001b'))).toBe(true);
			expect(follows).toBe(2);
		} finally {
			await channel.stop();
		}
	});

	it('says a director is followed once its log showed keepalived\'s lines, and not when the channel ends', async () => {
		const following: Array<[string, boolean]> = [];
		let endFollow: (() => void) | undefined;
		const transport = new FakeTransport((host, argv, options) => {
			if (argv[1] === '-n') return ok(host === 'dir1' ? PAST : '');
			if (host !== 'dir1') return follow(options, []);
			return new Promise<ReturnType<typeof ok>>((resolve) => {
				endFollow = () => resolve(ok(''));
				options?.signal?.addEventListener('abort', () => resolve(ok('')), {once: true});
			});
		});
		const channel = new KeepalivedChannel(profile, transport, new ClusterStore(profile), {onFollowing: (d, f) => following.push([d, f])});
		channel.start();
		try {
			// dir2's log has no keepalived lines (a wrong log source, say): never said to be followed.
			await waitFor(async () => following, (l) => l.length > 0, {timeoutMs: 5000, intervalMs: 10, what: 'dir1 followed'});
			expect(following).toEqual([['dir1', true]]);
			endFollow!();
			await waitFor(async () => following, (l) => l.length > 1, {timeoutMs: 5000, intervalMs: 10, what: 'dir1 no longer followed'});
			expect(following[1]).toEqual(['dir1', false]);
		} finally {
			await channel.stop();
		}
	});

	it('attaches again after the follow command ends, catching up by reading the last lines', async () => {
		let follows = 0;
		let reads = 0;
		const transport = new FakeTransport((host, argv, options) => {
			if (host !== 'dir1') return follow(options, []);
			if (argv[1] === '-n') return (reads++, ok(PAST));
			follows++;
			return follow(options, [], follows < 3);
		});
		const store = new ClusterStore(profile);
		const channel = new KeepalivedChannel(profile, transport, store);
		channel.start();
		try {
			await waitFor(async () => follows, (n) => n >= 3, {timeoutMs: 10_000, intervalMs: 20, what: 'two reattaches'});
			await waitFor(async () => reads, (n) => n >= 3, {timeoutMs: 5000, intervalMs: 20, what: 'a catch-up read per reattach'});
		} finally {
			await channel.stop();
		}
	});

	it('reads a notify FIFO lvsdeck owns only when asked (never in read-only mode)', async () => {
		const run = async (fifo: boolean) => {
			const transport = new FakeTransport((_host, argv, options) => (argv[0] === 'cat' ? follow(options, ['INSTANCE "VI_1" FAULT 80']) : argv[1] === '-F' ? follow(options, []) : ok('')));
			const store = new ClusterStore(withFifo);
			const channel = new KeepalivedChannel(withFifo, transport, store, {fifo});
			channel.start();
			await waitFor(async () => transport.calls.length, (n) => n >= 4, {timeoutMs: 5000, intervalMs: 10, what: 'the channels started'});
			await channel.stop();
			return {cats: transport.calls.filter((c) => c.argv[0] === 'cat').length, transitions: store.getState().transitions ?? []};
		};
		const owned = await run(true);
		expect(owned.cats).toBe(2);
		expect(owned.transitions.map((t) => [t.director, t.to, t.priority, t.source])).toContainEqual(['dir1', 'FAULT', 80, 'fifo']);
		const readOnly = await run(false);
		expect(readOnly.cats).toBe(0);
		expect(readOnly.transitions).toEqual([]);
	});
});

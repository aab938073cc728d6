// keepalived's log channel: the time from a line being appended to a director's keepalived log to its
// arrival in the store (tail -F, the SSH channel, the sanitizer and parser, the store). keepalived's own
// stamps have whole seconds, so the bench's lines carry the director's clock in nanoseconds at the
// moment of writing (the lab's UML hosts share the station's clock).
import {ClusterStore} from '../src/cluster/store.js';
import {KeepalivedChannel} from '../src/cluster/keepalived-channel.js';
import type {Profile} from '../src/profile/model.js';
import {SshPool} from '../src/transport/ssh-pool.js';
import {createClusterTransport} from '../src/transport/cluster-transport.js';
import {median} from './parse.js';

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 2));
	}
}

export async function benchKeepalivedEvents(profile: Profile, log: (line: string) => void): Promise<Record<string, unknown>> {
	const director = profile.hosts.find((h) => h.role === 'director')!.name;
	const file = profile.keepalived.log?.kind === 'file' ? profile.keepalived.log.path : '/run/keepalived.log';
	const control = new SshPool(profile.hosts);
	const transport = createClusterTransport(profile, {readOnly: true});
	const store = new ClusterStore(profile);
	const channel = new KeepalivedChannel(profile, transport, store);
	const arrived = (marker: string) => (store.getState().keepalivedLog?.[director] ?? []).find((l) => l.message.startsWith(`${marker} `) || l.message === marker);
	const runs: number[] = [];
	try {
		channel.start();
		const warm = `lvsdeck-bench-warm-${process.pid}`;
		// Attached once a line appended after the start arrives.
		for (let i = 0; i < 50 && !arrived(warm); i++) {
			await control.exec(director, ['sh', '-c', `echo ${warm} >> ${file}`]);
			await new Promise((r) => setTimeout(r, 200));
		}
		for (let i = 0; i < 15; i++) {
			const marker = `lvsdeck-bench-${process.pid}-${i}`;
			await control.exec(director, ['sh', '-c', `echo "${marker} $(date +%s%N)" >> ${file}`]);
			await until(() => arrived(marker) !== undefined, 10_000, `line ${i}`);
			const line = arrived(marker)!;
			const written = Number(line.message.split(' ')[1]) / 1e6;
			runs.push(+(line.receivedAt - written).toFixed(1));
		}
	} finally {
		await channel.stop();
		await transport.close();
		await control.close();
	}
	const result = {director, lines: runs.length, medianMs: median(runs), maxMs: Math.max(...runs), targetMs: 200};
	log(`keepalived log line to the store on ${director}: median ${result.medianMs} ms, max ${result.maxMs} ms over ${runs.length} lines (target < 200 ms)`);
	return result;
}

// `lvsdeck status --profile FILE [--json] [--watch]`: one read of the whole cluster (or a refreshing
// one), always through a read-only transport. Exit 0 healthy, 1 findings, 2 error.
import {loadProfile} from '../profile/load.js';
import {ClusterStore} from '../cluster/store.js';
import {ClusterPoller} from '../cluster/poller.js';
import {buildStatusReport, formatStatusReport} from '../cluster/report.js';
import {createClusterTransport} from '../transport/cluster-transport.js';
import {assertReadOnlyProfile} from '../transport/read-only-profile.js';
import {runInStation} from '../station.js';
import {CliError} from '../cli-error.js';
import {clearScreen, printJson, printOut} from '../text/sink.js';

export interface StatusOptions {
	readonly profile: string;
	readonly json?: boolean;
	readonly watch?: boolean;
	readonly interval?: string;
	readonly trustHostKey?: readonly string[];
}

/** `--trust-host-key NAME=SHA256:...` (repeatable) into a per-host map. */
export function parseTrust(values: readonly string[] = []): Record<string, string[]> {
	// No prototype: a host named "constructor" or "toString" must start with no trusted keys.
	const trust = Object.create(null) as Record<string, string[]>;
	for (const v of values) {
		const m = /^([A-Za-z0-9][A-Za-z0-9_.-]*)=(SHA256:[A-Za-z0-9+/]{43}=?)$/.exec(v);
		if (!m) throw new CliError(`--trust-host-key ${v}: expected NAME=SHA256:<fingerprint>`, 2);
		(trust[m[1]!] ??= []).push(m[2]!);
	}
	return trust;
}

export function parseInterval(value: string | undefined, fallback = 1000): number {
	if (value === undefined) return fallback;
	const ms = Number(value);
	if (!Number.isInteger(ms) || ms < 200 || ms > 60_000) throw new CliError(`--interval ${value}: expected milliseconds from 200 to 60000`, 2);
	return ms;
}

export async function statusCommand(options: StatusOptions): Promise<number> {
	const profile = loadProfile(options.profile);
	assertReadOnlyProfile(profile);
	const trust = parseTrust(options.trustHostKey);
	const intervalMs = parseInterval(options.interval);
	const reexec = await runInStation(profile.stationNetns);
	if (reexec !== undefined) return reexec;

	const transport = createClusterTransport(profile, {readOnly: true, trust});
	const store = new ClusterStore(profile);
	const poller = new ClusterPoller(profile, transport, store, {intervalMs, events: options.watch ?? false});
	const print = () => {
		const report = buildStatusReport(store.getState());
		if (options.json) printJson(report);
		else {
			if (options.watch) clearScreen();
			printOut(formatStatusReport(report));
		}
		return report.healthy ? 0 : 1;
	};
	try {
		if (!options.watch) {
			await poller.pollOnce();
			return print();
		}
		poller.start();
		let code = 0;
		await new Promise<void>((resolve) => {
			const timer = setInterval(() => (code = print()), intervalMs);
			const stop = () => {
				clearInterval(timer);
				resolve();
			};
			process.once('SIGINT', stop);
			process.once('SIGTERM', stop);
		});
		return code;
	} finally {
		poller.stop();
		await transport.close();
	}
}

// `lvsdeck status --profile FILE [--json] [--watch]`: one read of the whole cluster (or a refreshing
// one), always through a read-only transport. Exit 0 healthy, 1 findings, 2 error.
import {ClusterStore} from '../cluster/store.js';
import {ClusterPoller} from '../cluster/poller.js';
import {CapabilityCache} from '../cluster/caps-cache.js';
import {buildStatusReport, formatStatusReport} from '../cluster/report.js';
import {clearScreen, printJson, printOut} from '../text/sink.js';
import {parseInterval} from './numbers.js';
import {onSignals, INTERRUPT_SIGNALS} from './signals.js';
import {withCluster} from './with-cluster.js';

export interface StatusOptions {
	readonly profile: string;
	readonly json?: boolean;
	readonly watch?: boolean;
	readonly interval?: string;
	readonly trustHostKey?: readonly string[];
}

export function statusCommand(options: StatusOptions): Promise<number> {
	return withCluster({...options, readOnly: true}, () => parseInterval(options.interval), async ({profile, transport}, intervalMs) => {
		const store = new ClusterStore(profile);
		const poller = new ClusterPoller(profile, transport, store, {intervalMs, events: options.watch ?? false, capabilityCache: new CapabilityCache()});
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
			const timer = setInterval(() => (code = print()), intervalMs);
			await new Promise<void>((resolve) => {
				const release = onSignals(INTERRUPT_SIGNALS, () => {
					release();
					resolve();
				});
			});
			clearInterval(timer);
			return code;
		} finally {
			poller.stop();
		}
	});
}

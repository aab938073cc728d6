// `lvsdeck status --profile FILE [--json] [--watch]`: one read of the whole cluster (or a refreshing
// one), always through a read-only transport. Exit 0 healthy, 1 findings, 2 error.
// Only what loading the profile needs is imported up front; the poller, the store and the SSH library
// load once the hosts' TCP connections are under way (withCluster's earlyConnect).
import {parseInterval} from './numbers.js';
import {onSignals, INTERRUPT_SIGNALS} from './signals.js';
import {withCluster} from './with-cluster.js';
import {CliError} from '../cli-error.js';

export interface StatusOptions {
	/** One profile, or several (repeated --profile); --profiles adds every profile of a folder. */
	readonly profile?: string | readonly string[];
	readonly profiles?: readonly string[];
	readonly json?: boolean;
	readonly watch?: boolean;
	readonly interval?: string;
	readonly trustHostKey?: readonly string[];
}

export function statusCommand(options: StatusOptions): Promise<number> {
	const files = typeof options.profile === 'string' ? [options.profile] : (options.profile ?? []);
	if (files.length !== 1 || (options.profiles ?? []).length > 0) return clustersStatus(files, options);
	return withCluster({...options, profile: files[0]!, readOnly: true, earlyConnect: true}, () => parseInterval(options.interval), async ({profile, transport}, intervalMs) => {
		const [{ClusterStore}, {ClusterPoller}, {CapabilityCache}, {buildStatusReport, formatStatusReport}, {clearScreen, printJson, printOut}] = await Promise.all([
			import('../cluster/store.js'),
			import('../cluster/poller.js'),
			import('../cluster/caps-cache.js'),
			import('../cluster/report.js'),
			import('../text/sink.js'),
		]);
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

/**
 * Several clusters (repeated --profile, --profiles DIR): one read of each over one shared pool, printed
 * one after the other under a `== cluster NAME ==` line (JSON: {healthy, clusters: [{cluster, ...report}]});
 * exit 0 when every cluster is healthy, 1 when any has findings. No --watch here: the console and the
 * exporter follow many clusters.
 */
async function clustersStatus(profileOptions: readonly string[], options: StatusOptions): Promise<number> {
	const [{profileFiles, withReadClusters}, {CapabilityCache}, {buildStatusReport, formatStatusReport}, {printJson, printOut}] = await Promise.all([
		import('./clusters.js'),
		import('../cluster/caps-cache.js'),
		import('../cluster/report.js'),
		import('../text/sink.js'),
	]);
	const files = profileFiles(profileOptions, options.profiles);
	if (options.watch) throw new CliError('status --watch follows one cluster; for several use the exporter or one status per cluster', 2);
	return withReadClusters(files, options.trustHostKey, {events: false, capabilityCache: new CapabilityCache()}, async (clusters) => {
		await Promise.all(clusters.map((c) => c.poller.pollOnce()));
		const reports = clusters.map((c) => ({cluster: c.profile.name, report: buildStatusReport(c.store.getState())}));
		const healthy = reports.every((r) => r.report.healthy);
		if (options.json) printJson({healthy, clusters: reports.map((r) => ({cluster: r.cluster, ...r.report}))});
		else printOut(reports.map((r) => `== cluster ${r.cluster} ==\n${formatStatusReport(r.report)}`).join('\n'));
		return healthy ? 0 : 1;
	});
}

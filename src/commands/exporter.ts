// `lvsdeck exporter --profile FILE [--profile FILE ...] --listen ADDR:PORT`: the poller the console uses,
// read-only, one per cluster, served as Prometheus metrics until SIGTERM or Ctrl-C; then the server
// closes, the pollers stop and the SSH connections close.
import {MetricSet, formatExposition, type ExpositionFormat} from '../text/exposition.js';
import {printErr} from '../text/sink.js';
import {addClusterMetrics} from '../cluster/metrics.js';
import {readLastResults} from '../actions/drills/last-results.js';
import {parseInterval} from './numbers.js';
import {parseListen} from './listen-address.js';
import {startMetricsServer, stopMetricsServer} from './metrics-server.js';
import {profileFiles, withReadClusters, type ReadCluster} from './clusters.js';
import {INTERRUPT_SIGNALS, onSignals} from './signals.js';
import {CliError} from '../cli-error.js';

export interface ExporterOptions {
	readonly profile?: readonly string[];
	/** Folders whose every profile is read too (--profiles). */
	readonly profiles?: readonly string[];
	readonly listen: string;
	readonly interval?: string;
	readonly trustHostKey?: readonly string[];
}

/** Every cluster's metrics and the exporter's own, in one exposition. */
export function renderMetrics(clusters: readonly ReadCluster[], format: ExpositionFormat, now = Date.now()): string {
	const set = new MetricSet();
	for (const c of clusters) {
		addClusterMetrics(set, {profile: c.profile, state: c.store.getState(), pollDurationsMs: c.poller.pollDurationsMs(), drills: readLastResults(c.profile.name), now});
	}
	return formatExposition(set.toFamilies(), format);
}

function untilSignal(): Promise<void> {
	return new Promise((resolve) => {
		const release = onSignals(INTERRUPT_SIGNALS, () => {
			release();
			resolve();
		});
	});
}

export function exporterCommand(options: ExporterOptions): Promise<number> {
	const listen = parseListen(options.listen);
	const intervalMs = parseInterval(options.interval);
	return withReadClusters(profileFiles(options.profile, options.profiles), options.trustHostKey, {intervalMs}, async (clusters) => {
		let started;
		try {
			started = await startMetricsServer(listen, (format) => renderMetrics(clusters, format));
		} catch (error) {
			throw new CliError(`--listen ${options.listen}: ${error instanceof Error ? error.message : String(error)}`, 2);
		}
		for (const c of clusters) c.poller.start();
		const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
		printErr(`lvsdeck exporter: ${clusters.map((c) => c.profile.name).join(', ')} on http://${host}:${started.port}/metrics`);
		await untilSignal();
		printErr('lvsdeck exporter: stopping');
		await stopMetricsServer(started.server);
		return 0;
	});
}

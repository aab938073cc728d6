// `lvsdeck check --profile FILE [--profile FILE ...] [--warning [NAME=]RANGE] [--critical [NAME=]RANGE]`:
// a monitoring plugin (Nagios, Icinga, Naemon, Sensu). One read-only poll of each cluster, then one
// status line with performance data and the exit code the guidelines define. Every failure to even
// look (a bad option, a profile that does not load, no namespace) is UNKNOWN, exit 3.
import {checkCluster, CHECK_METRICS, EXIT_CODES, formatPluginOutput, unknownOutput, type CheckMetric, type Thresholds} from '../cluster/plugin-check.js';
import {parseRange, type Range} from '../cluster/check-range.js';
import {printOut} from '../text/sink.js';
import {sanitizeLine} from '../text/sanitize.js';
import {redactSecrets} from '../text/redact.js';
import {profileFiles, withReadClusters} from './clusters.js';
import {wholeOption} from './numbers.js';
import {CliError} from '../cli-error.js';

export interface CheckOptions {
	readonly profile?: readonly string[];
	/** Folders whose every profile is read too (--profiles). */
	readonly profiles?: readonly string[];
	readonly warning?: readonly string[];
	readonly critical?: readonly string[];
	/** Seconds the whole poll may take (the guidelines' -t); past it the status is UNKNOWN. */
	readonly timeout?: string;
	readonly trustHostKey?: readonly string[];
}

/** `NAME=RANGE` (or a bare RANGE for rs_up), repeatable, into one range per figure. */
export function parseThresholds(option: string, values: readonly string[] = []): Partial<Record<CheckMetric, Range>> {
	const out: Partial<Record<CheckMetric, Range>> = {};
	for (const v of values) {
		const eq = v.indexOf('=');
		const name = eq < 0 ? 'rs_up' : v.slice(0, eq);
		if (!(CHECK_METRICS as readonly string[]).includes(name)) throw new CliError(`${option} ${v}: unknown figure "${name}" (one of ${CHECK_METRICS.join(', ')})`, 3);
		try {
			out[name as CheckMetric] = parseRange(eq < 0 ? v : v.slice(eq + 1));
		} catch (error) {
			throw new CliError(`${option} ${v}: ${(error as Error).message}`, 3);
		}
	}
	return out;
}

/** Resolves when `work` does; rejects once `seconds` have passed. */
async function within<T>(seconds: number, work: Promise<T>): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => reject(new Error(`no answer within ${seconds} s (--timeout)`)), seconds * 1000);
	});
	try {
		return await Promise.race([work, late]);
	} finally {
		clearTimeout(timer);
	}
}

async function runCheck(options: CheckOptions, thresholds: Thresholds, timeoutS: number): Promise<number> {
	return withReadClusters(profileFiles(options.profile, options.profiles), options.trustHostKey, {events: false}, async (clusters) => {
		await within(timeoutS, Promise.all(clusters.map((c) => c.poller.pollOnce())));
		const checks = clusters.map((c) => checkCluster({profile: c.profile, state: c.store.getState(), pollDurationsMs: c.poller.pollDurationsMs()}, thresholds));
		const {status, text} = formatPluginOutput(checks, thresholds);
		printOut(text);
		return EXIT_CODES[status];
	});
}

export async function checkCommand(options: CheckOptions): Promise<number> {
	try {
		const thresholds = {warning: parseThresholds('--warning', options.warning), critical: parseThresholds('--critical', options.critical)};
		const timeoutS = wholeOption('--timeout', options.timeout, 1, 3600) ?? 30;
		return await runCheck(options, thresholds, timeoutS);
	} catch (error) {
		// Whatever stopped the check from looking: the plugin's status is UNKNOWN, said on stdout like every status.
		printOut(unknownOutput(redactSecrets(sanitizeLine(error instanceof Error ? error.message : String(error)))));
		return EXIT_CODES.UNKNOWN;
	}
}

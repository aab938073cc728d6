// `lvsdeck drill failover|hard-failover|rs-health|drain --profile FILE [...]` (scripted: no terminal needed, progress on
// stderr, JSON and JUnit reports) and `lvsdeck drill --recover --profile FILE`. Exit 0 pass, 1 an
// expectation failed, 2 error or refused by the preflight.
import type {Profile} from '../profile/model.js';
import type {Transport} from '../transport/types.js';
import {CliError} from '../cli-error.js';
import {DrillRefused, runFailoverDrill, type DrillReport, type FailoverKind} from '../actions/drills/failover.js';
import {openJournals, restoreAndClose} from '../actions/drills/journal.js';
import {runRealServerDrill} from '../actions/drills/realserver-drill.js';
import {toJUnit} from '../actions/drills/report.js';
import {formatDrill} from '../actions/drills/format.js';
import type {HardMethod} from '../actions/drills/faults.js';
import {sanitizeLine} from '../text/sanitize.js';
import {printErr, printOut, writeJsonFile, writeTextFile} from '../text/sink.js';
import {withCluster} from './with-cluster.js';
import {abortOnSignals} from './signals.js';
import {wholeOption} from './numbers.js';
import {checkClientHost, TrafficTargetError} from '../actions/traffic.js';

export const DRILL_KINDS = ['failover', 'hard-failover', 'rs-health', 'drain'] as const;

export interface DrillOptions {
	readonly profile: string;
	readonly instance?: string;
	readonly rs?: string;
	readonly json?: string;
	readonly junit?: string;
	readonly maxFailoverMs?: string;
	readonly maxFailedRequests?: string;
	readonly rate?: string;
	readonly from?: string;
	readonly method?: string;
	readonly recover?: boolean;
	readonly trustHostKey?: readonly string[];
}

interface DrillSettings {
	readonly thresholds: {maxFailoverMs?: number; maxFailedRequests?: number};
	readonly rate: number | undefined;
}

/** The drill's options checked against the profile, before anything runs. */
function checkDrillOptions(profile: Profile, kind: string | undefined, options: DrillOptions): DrillSettings {
	if (!options.recover && !DRILL_KINDS.includes(kind as FailoverKind)) {
		throw new CliError(`drill: expected one of ${DRILL_KINDS.join(', ')} (or --recover), got ${kind ?? 'nothing'}`, 2);
	}
	const thresholds = {
		...(options.maxFailoverMs !== undefined ? {maxFailoverMs: wholeOption('--max-failover-ms', options.maxFailoverMs, 0, 3_600_000)!} : {}),
		...(options.maxFailedRequests !== undefined ? {maxFailedRequests: wholeOption('--max-failed-requests', options.maxFailedRequests, 0, 10_000_000)!} : {}),
	};
	const rate = wholeOption('--rate', options.rate, 1, 2000);
	if (options.method !== undefined && !(kind === 'hard-failover' && (options.method === 'freeze' || options.method === 'cut'))) {
		throw new CliError(`--method ${options.method}: only for hard-failover, and one of freeze, cut`, 2);
	}
	if (options.from) {
		try {
			checkClientHost(profile, options.from);
		} catch (error) {
			if (error instanceof TrafficTargetError) throw new CliError(error.message, 2);
			throw error;
		}
	}
	return {thresholds, rate};
}

const err = (s: string) => printErr(`drill: ${sanitizeLine(s)}`);

export function drillCommand(kind: string | undefined, options: DrillOptions): Promise<number> {
	// A short reconnect backoff: after a dropped connection the restore must run as soon as the host answers.
	return withCluster({...options, backoffMaxMs: 2000}, (profile) => checkDrillOptions(profile, kind, options), async ({profile, transport}, settings) => {
		try {
			return options.recover ? await recover(profile, transport) : await runDrill(profile, transport, kind, options, settings);
		} catch (error) {
			if (error instanceof DrillRefused) throw new CliError(`drill refused: ${error.message}`, 2);
			throw error;
		}
	});
}

/** `--recover`: restore what interrupted drills of this profile left changed. */
async function recover(profile: Profile, transport: Transport): Promise<number> {
	const journals = openJournals(profile.file);
	if (journals.length === 0) {
		err('nothing to recover: no interrupted drill for this profile');
		return 0;
	}
	let ok = true;
	for (const j of journals) {
		err(`recovering ${j.drill} drill started ${j.startedAt}`);
		ok &&= await restoreAndClose(transport, j.restore, j.id, err);
	}
	return ok ? 0 : 2;
}

async function runDrill(profile: Profile, transport: Transport, kind: string | undefined, options: DrillOptions, {thresholds, rate}: DrillSettings): Promise<number> {
	// Ctrl-C: stop the fault early; the drill restores what it changed before it returns.
	const interrupt = abortOnSignals(() => err('interrupted: restoring what the drill changed…'));
	let report: DrillReport;
	try {
		const common = {thresholds, ...(rate ? {rate} : {}), ...(options.from ? {from: options.from} : {}), signal: interrupt.signal, onProgress: err};
		report =
			kind === 'rs-health' || kind === 'drain'
				? await runRealServerDrill(profile, transport, {kind, ...(options.rs ? {rs: options.rs} : {}), ...common})
				: await runFailoverDrill(profile, transport, {kind: kind as FailoverKind, ...(options.instance ? {instance: options.instance} : {}), ...(options.method ? {method: options.method as HardMethod} : {}), ...common});
	} finally {
		interrupt.release();
	}
	const aborted = interrupt.signal.aborted;
	if (aborted) report = {...report, verdict: 'fail', reasons: ['interrupted (Ctrl-C); everything was restored', ...report.reasons]};
	printOut(formatDrill(report));
	if (options.json) writeJsonFile(options.json, report);
	if (options.junit) writeTextFile(options.junit, toJUnit([report]));
	if (aborted) return 130;
	return report.verdict === 'pass' ? 0 : 1;
}

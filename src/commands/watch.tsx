// `lvsdeck watch --profile FILE`: the round-robin watcher against a VIP, from the station or from a
// client host over SSH (--from). At a terminal a live screen; otherwise a progress line a second on
// stderr and the summary on stdout. Exit 0, 1 when more requests failed than --max-failed-requests,
// 2 on an error (including traffic that could not be started).
import {renderScreen} from '../ui/render.js';
import type {Profile} from '../profile/model.js';
import type {Transport} from '../transport/types.js';
import {CliError} from '../cli-error.js';
import {TrafficTargetError} from '../actions/traffic.js';
import {WatchModeError} from '../actions/watch-mode.js';
import {planWatch, watchSession, type WatchEvent, type WatchPlan, type WatchRequest} from '../actions/watch/session.js';
import {watchProgressLine} from '../ui/presenters/watch.js';
import {WatchScreen} from '../ui/watch/WatchScreen.js';
import {sanitizeLine} from '../text/sanitize.js';
import {printErr, printOut, writeJsonFile} from '../text/sink.js';
import {withCluster} from './with-cluster.js';
import {onSignals, INTERRUPT_SIGNALS} from './signals.js';
import {wholeOption} from './numbers.js';

export interface WatchOptions {
	readonly profile: string;
	readonly service?: string;
	readonly path?: string;
	readonly from?: string;
	readonly rate?: string;
	readonly concurrency?: string;
	readonly timeoutMs?: string;
	readonly duration?: string;
	readonly pattern?: string;
	readonly mode?: string;
	readonly send?: string;
	readonly backend?: string;
	readonly json?: string;
	readonly maxFailedRequests?: string;
	readonly trustHostKey?: readonly string[];
}

interface WatchSettings {
	readonly plan: WatchPlan;
	readonly durationS: number | undefined;
	readonly maxFailed: number | undefined;
}

/** The watch's options checked against the profile, before anything runs. */
function checkWatchOptions(profile: Profile, options: WatchOptions): WatchSettings {
	const target = {...(options.service !== undefined ? {service: options.service} : {}), ...(options.from ? {from: options.from} : {})};
	// The service and the client host are named first when they are wrong, then the numbers.
	planOrRefuse(profile, target);
	const rate = wholeOption('--rate', options.rate, 1, 5000) ?? 20;
	const concurrency = wholeOption('--concurrency', options.concurrency, 1, 512);
	const timeoutMs = wholeOption('--timeout-ms', options.timeoutMs, 50, 60_000) ?? 1000;
	const durationS = wholeOption('--duration', options.duration, 1, 86_400);
	const maxFailed = wholeOption('--max-failed-requests', options.maxFailedRequests, 0, 1_000_000_000);
	const path = options.path ?? '/';
	if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$/.test(path)) throw new CliError(`--path ${path}: expected a URL path starting with / (no spaces, brackets or braces)`, 2);
	const pattern = patternOption(options.pattern);
	const choice = {...(options.mode !== undefined ? {mode: options.mode} : {}), ...(options.send !== undefined ? {send: options.send} : {}), ...(options.backend !== undefined ? {backend: options.backend} : {})};
	const request: WatchRequest = {...target, ...choice, path, rate, timeoutMs, ...(concurrency !== undefined ? {concurrency} : {}), ...(pattern ? {pattern} : {})};
	return {plan: planOrRefuse(profile, request), durationS, maxFailed};
}

function patternOption(pattern: string | undefined): RegExp | undefined {
	try {
		return pattern !== undefined ? new RegExp(pattern) : undefined;
	} catch (error) {
		throw new CliError(`--pattern ${pattern}: ${error instanceof Error ? error.message : String(error)}`, 2);
	}
}

/** The service and client host checked against the profile: a wrong one is an error (exit 2). */
function planOrRefuse(profile: Profile, request: WatchRequest): WatchPlan {
	try {
		return planWatch(profile, request);
	} catch (error) {
		if (error instanceof TrafficTargetError || error instanceof WatchModeError) throw new CliError(error.message, 2);
		throw error;
	}
}

export function watchCommand(options: WatchOptions): Promise<number> {
	return withCluster(options, (profile) => checkWatchOptions(profile, options), ({transport}, settings) => runWatch(transport, options, settings));
}

async function runWatch(transport: Transport, options: WatchOptions, settings: WatchSettings): Promise<number> {
	const {plan, maxFailed} = settings;
	const stop = new AbortController();
	const {report, final: s} = await watchSession(plan, transport).run(stop.signal, watchSink(plan, settings.durationS, stop));
	printOut(`watched ${plan.url} from ${plan.from}: ${watchProgressLine(s)}`);
	if (options.json) writeJsonFile(options.json, report);
	if (report.error) throw new CliError(report.error, 2);
	if (maxFailed !== undefined && s.failed + s.timeouts > maxFailed) {
		err(`${s.failed + s.timeouts} requests failed, more than --max-failed-requests ${maxFailed}`);
		return 1;
	}
	return 0;
}

const err = (s: string) => printErr(`watch: ${sanitizeLine(s)}`);

/**
 * Shows the watch session's events (a live screen at a terminal, else a progress line a second) and
 * aborts `stop` when the watch is over: the duration, a signal, q on the screen, a dead remote side.
 */
function watchSink(plan: WatchPlan, durationS: number | undefined, stop: AbortController): (e: WatchEvent) => void {
	const interactive = process.stdout.isTTY === true && process.stdin.isTTY === true;
	const persistenceS = plan.vs.persistenceTimeout;
	const header = {url: plan.url, from: plan.from, rate: plan.rate, ...(persistenceS ? {persistenceS} : {})};
	let app: ReturnType<typeof renderScreen> | undefined;
	let timer: NodeJS.Timeout | undefined;
	// One way out, whatever ends the run.
	const done = () => {
		clearTimeout(timer);
		release();
		app?.unmount();
		stop.abort();
	};
	const release = onSignals(INTERRUPT_SIGNALS, done);
	if (durationS !== undefined) timer = setTimeout(done, durationS * 1000);
	if (!interactive) err(`${header.url} from ${header.from}, ${header.rate} req/s${durationS ? ` for ${durationS} s` : ' until interrupted'}`);
	return (e) => {
		if (e.kind === 'started' && interactive && !stop.signal.aborted) {
			app = renderScreen(<WatchScreen tally={e.tally} weights={plan.weights} header={header} error={e.error} />, {exitOnCtrlC: false, maxFps: 4, patchConsole: true});
			void app.waitUntilExit().then(done);
		} else if (e.kind === 'progress' && !interactive && !stop.signal.aborted) {
			err(watchProgressLine(e.snapshot));
			if (e.error) done();
		}
	};
}

// `lvsdeck watch --profile FILE`: the round-robin watcher against a VIP, from the station or from a
// client host over SSH (--from). At a terminal a live screen; otherwise a progress line a second on
// stderr and the summary on stdout. Exit 0, 1 when more requests failed than --max-failed-requests,
// 2 on an error (including traffic that could not be started).
import {render} from 'ink';
import type {Profile, VirtualServer} from '../profile/model.js';
import type {Transport} from '../transport/types.js';
import {CliError} from '../cli-error.js';
import {checkClientHost, createTrafficWatcher, pickVirtualService, profileWeights, TrafficTargetError, type TrafficWatcher} from '../actions/traffic.js';
import {WatchTally} from '../actions/watch-tally.js';
import {watchProgressLine} from '../ui/presenters/watch.js';
import {WatchScreen} from '../ui/watch/WatchScreen.js';
import {sanitizeLine} from '../text/sanitize.js';
import {printErr, printOut, writeJsonFile} from '../text/sink.js';
import {withCluster} from './with-cluster.js';
import {onSignals, INTERRUPT_SIGNALS} from './signals.js';
import {wholeOption} from './numbers.js';
import {urlHost} from '../profile/subnet.js';

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
	readonly json?: string;
	readonly maxFailedRequests?: string;
	readonly trustHostKey?: readonly string[];
}

interface WatchSettings {
	readonly vs: VirtualServer;
	readonly rate: number;
	readonly concurrency: number | undefined;
	readonly timeoutMs: number;
	readonly durationS: number | undefined;
	readonly maxFailed: number | undefined;
	readonly path: string;
	readonly pattern: RegExp | undefined;
}

/** The watch's options checked against the profile, before anything runs. */
function checkWatchOptions(profile: Profile, options: WatchOptions): WatchSettings {
	let vs;
	try {
		vs = pickVirtualService(profile, options.service);
		if (options.from) checkClientHost(profile, options.from);
	} catch (error) {
		if (error instanceof TrafficTargetError) throw new CliError(error.message, 2);
		throw error;
	}
	const rate = wholeOption('--rate', options.rate, 1, 5000) ?? 20;
	const concurrency = wholeOption('--concurrency', options.concurrency, 1, 512);
	const timeoutMs = wholeOption('--timeout-ms', options.timeoutMs, 50, 60_000) ?? 1000;
	const durationS = wholeOption('--duration', options.duration, 1, 86_400);
	const maxFailed = wholeOption('--max-failed-requests', options.maxFailedRequests, 0, 1_000_000_000);
	const path = options.path ?? '/';
	if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$/.test(path)) throw new CliError(`--path ${path}: expected a URL path starting with / (no spaces, brackets or braces)`, 2);
	let pattern: RegExp | undefined;
	try {
		pattern = options.pattern !== undefined ? new RegExp(options.pattern) : undefined;
	} catch (error) {
		throw new CliError(`--pattern ${options.pattern}: ${error instanceof Error ? error.message : String(error)}`, 2);
	}
	return {vs, rate, concurrency, timeoutMs, durationS, maxFailed, path, pattern};
}

export function watchCommand(options: WatchOptions): Promise<number> {
	return withCluster(options, (profile) => checkWatchOptions(profile, options), ({transport}, settings) => runWatch(transport, options, settings));
}

async function runWatch(transport: Transport, options: WatchOptions, settings: WatchSettings): Promise<number> {
	const {vs, rate, concurrency, timeoutMs, maxFailed, path, pattern} = settings;
	const url = `http://${urlHost(vs.vip)}:${vs.port}${path}`;
	const weights = profileWeights(vs);
	const header = {url, from: options.from ?? 'this station', rate};
	const watcher = createTrafficWatcher({
		url,
		rate,
		timeoutMs,
		keepRecords: false,
		...(concurrency !== undefined ? {concurrency} : {}),
		...(pattern ? {backendPattern: pattern} : {}),
		...(options.from ? {from: {transport, host: options.from}} : {}),
	});
	const tally = WatchTally.of(watcher);
	watcher.start();
	await watchUntilDone(watcher, tally, weights, header, settings.durationS);
	await watcher.stop();
	const s = tally.snapshot(Date.now());
	const report = {
		url,
		from: header.from,
		rate,
		durationMs: s.elapsedMs,
		requests: {total: s.total, ok: s.ok, failed: s.failed, timeouts: s.timeouts, perBackend: Object.fromEntries(s.perBackend)},
		weights,
		latencyP50Ms: s.latencyP50Ms,
		latencyP99Ms: s.latencyP99Ms,
		longestGapMs: s.longestGapMs,
		requestsPerSecond: +((s.total * 1000) / Math.max(1, s.elapsedMs)).toFixed(1),
		error: watcher.error ?? null,
	};
	printOut(`watched ${url} from ${header.from}: ${watchProgressLine(s)}`);
	if (options.json) writeJsonFile(options.json, report);
	if (watcher.error) throw new CliError(watcher.error, 2);
	if (maxFailed !== undefined && s.failed + s.timeouts > maxFailed) {
		err(`${s.failed + s.timeouts} requests failed, more than --max-failed-requests ${maxFailed}`);
		return 1;
	}
	return 0;
}

const err = (s: string) => printErr(`watch: ${sanitizeLine(s)}`);

/** Shows the watch (a live screen at a terminal, else a progress line a second) until it ends. */
function watchUntilDone(watcher: TrafficWatcher, tally: WatchTally, weights: Record<string, number>, header: {url: string; from: string; rate: number}, durationS: number | undefined): Promise<void> {
	const interactive = process.stdout.isTTY === true && process.stdin.isTTY === true;
	return new Promise<void>((resolve) => {
		const timers: NodeJS.Timeout[] = [];
		let app: ReturnType<typeof render> | undefined;
		// One way out, whatever ends the run (duration, a signal, q on the screen, a dead remote side).
		const done = () => {
			for (const t of timers) clearTimeout(t);
			release();
			app?.unmount();
			resolve();
		};
		const release = onSignals(INTERRUPT_SIGNALS, done);
		if (durationS !== undefined) timers.push(setTimeout(done, durationS * 1000));
		if (interactive) {
			app = render(<WatchScreen tally={tally} weights={weights} header={header} error={() => watcher.error} />, {exitOnCtrlC: false, maxFps: 4, patchConsole: true});
			void app.waitUntilExit().then(done);
		} else {
			err(`${header.url} from ${header.from}, ${header.rate} req/s${durationS ? ` for ${durationS} s` : ' until interrupted'}`);
			const tick = () => {
				err(watchProgressLine(tally.snapshot(Date.now())));
				if (watcher.error) return done();
				timers.push(setTimeout(tick, 1000));
			};
			timers.push(setTimeout(tick, 1000));
		}
	});
}

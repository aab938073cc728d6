// The watcher's sustained requests per second, side by side with a shell loop of curl (no sleep)
// hitting the same URL in the same run: against the lab VIP, and against a loopback server in another
// process (so that the server is not the limit). Each watcher request is a new TCP connection.
import {spawn, spawnSync} from 'node:child_process';
import type {Profile} from '../src/profile/model.js';
import {RoundRobinWatcher} from '../src/actions/watcher.js';

interface SideBySide {
	readonly watcherRps: number;
	readonly watcherFailed: number;
	readonly watcherPerBackend: Record<string, number>;
	readonly watcherLatencyP50Ms: number | null;
	readonly watcherLatencyP99Ms: number | null;
	readonly curlLoopRps: number;
	readonly ratio: number;
}

/** Watcher at `rate` for `seconds`, then a curl loop for as long, against the same URL. */
async function sideBySide(url: string, rate: number, seconds: number): Promise<SideBySide> {
	const watcher = new RoundRobinWatcher({url, rate, concurrency: 64, timeoutMs: 2000});
	watcher.start();
	await new Promise((r) => setTimeout(r, seconds * 1000));
	const w = await watcher.stop();
	const started = Date.now();
	const loop = spawnSync('bash', ['-c', `n=0; end=$((SECONDS+${seconds})); while [ $SECONDS -lt $end ]; do curl -s -o /dev/null -m 2 ${url} && n=$((n+1)); done; echo $n`], {encoding: 'utf8'});
	const curlLoopRps = +((Number(loop.stdout.trim()) * 1000) / (Date.now() - started)).toFixed(1);
	const watcherRps = +((w.ok * 1000) / w.durationMs).toFixed(1);
	return {
		watcherRps,
		watcherFailed: w.failed + w.timeouts,
		watcherPerBackend: w.perBackend,
		watcherLatencyP50Ms: w.latencyP50Ms,
		watcherLatencyP99Ms: w.latencyP99Ms,
		curlLoopRps,
		ratio: +(watcherRps / Math.max(0.1, curlLoopRps)).toFixed(1),
	};
}

async function withLoopbackServer<T>(run: (url: string) => Promise<T>): Promise<T> {
	const server = spawn(process.execPath, ['-e', "require('http').createServer((q, s) => s.end('loopback\\n')).listen(0, '127.0.0.1', function () { console.log(this.address().port) })"], {stdio: ['ignore', 'pipe', 'inherit']});
	const port = await new Promise<number>((resolve) => server.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
	try {
		return await run(`http://127.0.0.1:${port}/`);
	} finally {
		server.kill();
	}
}

export async function benchWatcher(profile: Profile, log: (line: string) => void): Promise<Record<string, unknown>> {
	const vs = profile.virtualServers.find((v) => v.protocol === 'TCP')!;
	// Ask the lab for far more than it can serve: the achieved rate is its capacity.
	const lab = await sideBySide(`http://${vs.vip}:${vs.port}/`, 2000, 10);
	const loopback = await withLoopbackServer((url) => sideBySide(url, 400, 5));
	log(`lab VIP: watcher ${lab.watcherRps} req/s (${lab.watcherFailed} failed, p50 ${lab.watcherLatencyP50Ms} ms) vs curl loop ${lab.curlLoopRps} req/s: ${lab.ratio}x (the lab's user-mode kernel serves at most this)`);
	log(`loopback server: watcher ${loopback.watcherRps} req/s at a 400 req/s schedule (${loopback.watcherFailed} failed) vs curl loop ${loopback.curlLoopRps} req/s: ${loopback.ratio}x`);
	return {targetRps: 200, lab, loopback};
}

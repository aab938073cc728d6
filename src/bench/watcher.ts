// The watcher's sustained requests per second against the lab VIP, side by side with a shell loop of
// curl (no sleep) hitting the same VIP in the same run. Each watcher request is a new TCP connection.
import {spawn, spawnSync} from 'node:child_process';
import type {Profile} from '../profile/model.js';
import {RoundRobinWatcher} from '../actions/watcher.js';

/** The watcher's own capacity: a loopback HTTP server in another process, so the server is not the limit. */
async function loopbackCapacity(seconds: number): Promise<{watcherRps: number; failed: number; curlLoopRps: number}> {
	const server = spawn(process.execPath, ['-e', "require('http').createServer((q, s) => s.end('loopback\\n')).listen(0, '127.0.0.1', function () { console.log(this.address().port) })"], {stdio: ['ignore', 'pipe', 'inherit']});
	const port = await new Promise<number>((resolve) => server.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
	try {
		const url = `http://127.0.0.1:${port}/`;
		const watcher = new RoundRobinWatcher({url, rate: 400, concurrency: 64, timeoutMs: 2000});
		watcher.start();
		await new Promise((r) => setTimeout(r, seconds * 1000));
		const w = await watcher.stop();
		const started = Date.now();
		const loop = spawnSync('bash', ['-c', `n=0; end=$((SECONDS+${seconds})); while [ $SECONDS -lt $end ]; do curl -s -o /dev/null -m 2 ${url} && n=$((n+1)); done; echo $n`], {encoding: 'utf8'});
		return {watcherRps: +((w.ok * 1000) / w.durationMs).toFixed(1), failed: w.failed + w.timeouts, curlLoopRps: +((Number(loop.stdout.trim()) * 1000) / (Date.now() - started)).toFixed(1)};
	} finally {
		server.kill();
	}
}

export async function benchWatcher(profile: Profile, log: (line: string) => void, seconds = 10): Promise<Record<string, unknown>> {
	const vs = profile.virtualServers.find((v) => v.protocol === 'TCP')!;
	const url = `http://${vs.vip}:${vs.port}/`;
	// Ask for far more than can be done: the achieved rate is the capacity.
	const watcher = new RoundRobinWatcher({url, rate: 2000, concurrency: 64, timeoutMs: 2000});
	watcher.start();
	await new Promise((r) => setTimeout(r, seconds * 1000));
	const w = await watcher.stop();
	const started = Date.now();
	const loop = spawnSync('bash', ['-c', `n=0; end=$((SECONDS+${seconds})); while [ $SECONDS -lt $end ]; do curl -s -o /dev/null -m 2 ${url} && n=$((n+1)); done; echo $n`], {encoding: 'utf8'});
	const curlOk = Number(loop.stdout.trim());
	const curlRps = +((curlOk * 1000) / (Date.now() - started)).toFixed(1);
	const result = {
		seconds,
		watcherRps: +((w.ok * 1000) / w.durationMs).toFixed(1),
		watcherFailed: w.failed + w.timeouts,
		watcherPerBackend: w.perBackend,
		watcherLatencyP50Ms: w.latencyP50Ms,
		watcherLatencyP99Ms: w.latencyP99Ms,
		curlLoopRps: curlRps,
		ratio: +((w.ok * 1000) / w.durationMs / Math.max(0.1, curlRps)).toFixed(1),
		targetRps: 200,
		loopback: await loopbackCapacity(5),
	};
	log(`lab VIP: watcher ${result.watcherRps} req/s (${result.watcherFailed} failed, p50 ${result.watcherLatencyP50Ms} ms) vs curl loop ${result.curlLoopRps} req/s: ${result.ratio}x (the lab's user-mode kernel serves at most this)`);
	log(`loopback server: watcher ${result.loopback.watcherRps} req/s at a 400 req/s schedule (${result.loopback.failed} failed) vs curl loop ${result.loopback.curlLoopRps} req/s`);
	return result;
}

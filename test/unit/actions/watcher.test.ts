// The round-robin watcher's pure parts: the summary, the live tally (which must agree with the summary),
// the parser for curl's output on a client host (captured from the lab), the live lines, and the station
// watcher itself against real HTTP servers on loopback.
import {readFileSync} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type {AddressInfo} from 'node:net';
import fc from 'fast-check';
import {afterEach, describe, expect, it} from 'vitest';
import {RoundRobinWatcher, summarize, type RequestRecord} from '../../../src/actions/watcher.js';
import {WatchTally} from '../../../src/actions/watch-tally.js';
import {CurlStreamParser, REMOTE_WATCH_SCRIPT, remoteWatchCommand, remoteWatchUrl} from '../../../src/actions/remote-watcher.js';
import {checkClientHost, pickVirtualService, profileWeights, TrafficTargetError} from '../../../src/actions/traffic.js';
import {timelineRuns, watchLines, watchProgressLine} from '../../../src/ui/presenters/watch.js';
import {isReadOnlyCommand} from '../../../src/transport/read-only.js';
import {labProfile} from '../cluster/fixture-state.js';
import {waitFor} from '../../helpers/wait-for.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/lab/${name}`, import.meta.url), 'utf8');

const rec = (start: number, outcome: RequestRecord['outcome'], backend?: string, latency = 5): RequestRecord => ({start, end: start + latency, outcome, ...(backend ? {backend} : {})});

describe('summarize', () => {
	it('counts outcomes, backends and the longest gap between successes that holds failures', () => {
		const records = [rec(0, 'ok', 'rs1'), rec(100, 'ok', 'rs2'), rec(200, 'failed'), rec(300, 'timeout', undefined, 1000), rec(400, 'ok', 'rs1'), rec(500, 'ok', 'rs2')];
		const s = summarize(records, 0, 600);
		expect(s).toMatchObject({total: 6, ok: 4, failed: 1, timeouts: 1, perBackend: {rs1: 2, rs2: 2}, longestGapMs: 300, firstFailureAt: 200, lastFailureAt: 300});
	});

	it('a gap still open at the end runs to the end', () => {
		expect(summarize([rec(0, 'ok', 'a'), rec(100, 'failed')], 0, 1000).longestGapMs).toBe(1000);
	});
});

/** The record-by-record summary summarize computed before it was built on WatchTally: the reference it must still match. */
function referenceSummary(records: readonly RequestRecord[], from: number, to: number) {
	const perBackend: Record<string, number> = {};
	const latencies: number[] = [];
	let ok = 0;
	let failed = 0;
	let timeouts = 0;
	let firstFailureAt: number | null = null;
	let lastFailureAt: number | null = null;
	for (const r of records) {
		if (r.outcome === 'ok') {
			ok++;
			latencies.push(r.end - r.start);
			if (r.backend !== undefined) perBackend[r.backend] = (perBackend[r.backend] ?? 0) + 1;
		} else {
			if (r.outcome === 'timeout') timeouts++;
			else failed++;
			firstFailureAt = firstFailureAt === null ? r.start : Math.min(firstFailureAt, r.start);
			lastFailureAt = lastFailureAt === null ? r.start : Math.max(lastFailureAt, r.start);
		}
	}
	let longestGapMs = 0;
	let lastOk: number | undefined;
	let sawFailure = false;
	for (const r of [...records].sort((a, b) => a.start - b.start)) {
		if (r.outcome === 'ok') {
			if (sawFailure) longestGapMs = Math.max(longestGapMs, r.start - (lastOk ?? from));
			lastOk = r.start;
			sawFailure = false;
		} else {
			sawFailure = true;
		}
	}
	if (sawFailure) longestGapMs = Math.max(longestGapMs, to - (lastOk ?? from));
	latencies.sort((a, b) => a - b);
	const pct = (p: number) => (latencies.length === 0 ? null : latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!);
	const durationMs = Math.max(1, to - from);
	return {total: records.length, ok, failed, timeouts, perBackend, latencyP50Ms: pct(50), latencyP99Ms: pct(99), longestGapMs, firstFailureAt, lastFailureAt, requestsPerSecond: +((records.length * 1000) / durationMs).toFixed(1), durationMs};
}

describe('WatchTally', () => {
	const records = fc
		.array(fc.record({gap: fc.integer({min: 1, max: 200}), outcome: fc.constantFrom<RequestRecord['outcome']>('ok', 'ok', 'ok', 'failed', 'timeout'), backend: fc.constantFrom('rs1', 'rs2', 'rs3'), latency: fc.integer({min: 0, max: 1500})}), {maxLength: 300})
		.map((xs) => {
			let t = 1000;
			return xs.map((x) => {
				t += x.gap;
				return {start: t, end: t + x.latency, outcome: x.outcome, ...(x.outcome === 'ok' ? {backend: x.backend} : {})} as RequestRecord;
			});
		});

	it('summarize, built on the tally, gives every figure the record-by-record reference gives', () => {
		fc.assert(
			fc.property(records, fc.integer({min: 0, max: 5000}), (rs, after) => {
				const to = (rs.at(-1)?.end ?? 1000) + 1 + after;
				expect({...summarize(rs, 1000, to)}).toEqual(referenceSummary(rs, 1000, to));
			}),
		);
	});

	it('agrees with summarize on counts and latency percentiles in any arrival order', () => {
		fc.assert(
			fc.property(records, fc.boolean(), (rs, byEnd) => {
				const tally = new WatchTally(1000);
				const order = byEnd ? [...rs].sort((a, b) => a.end - b.end) : rs;
				for (const r of order) tally.add(r);
				const to = (rs.at(-1)?.end ?? 1000) + 1;
				const t = tally.snapshot(to);
				const s = summarize(rs, 1000, to);
				expect([t.total, t.ok, t.failed, t.timeouts, t.latencyP50Ms, t.latencyP99Ms]).toEqual([s.total, s.ok, s.failed, s.timeouts, s.latencyP50Ms, s.latencyP99Ms]);
				expect(Object.fromEntries(t.perBackend)).toEqual(s.perBackend);
			}),
		);
	});

	it('finds the same longest gap as summarize when failures arrive late (completion order)', () => {
		fc.assert(
			fc.property(records, (rs) => {
				const tally = new WatchTally(1000);
				// successes answer at once, failures report up to 1.5 s late: the live case
				const arrivals = rs.map((r) => (r.outcome === 'ok' ? {...r, end: r.start} : r)).sort((a, b) => a.end - b.end);
				for (const r of arrivals) tally.add(r);
				const to = (rs.at(-1)?.end ?? 1000) + 1;
				expect(tally.snapshot(to).longestGapMs).toBe(summarize(rs, 1000, to).longestGapMs);
			}),
		);
	});

	it('keeps a timeline of fixed-size buckets and shows an open gap', () => {
		const tally = new WatchTally(0, 1000, 5);
		for (let t = 0; t < 3000; t += 100) tally.add(rec(t, 'ok', 'rs1'));
		tally.add(rec(3100, 'failed'));
		tally.add(rec(9000, 'timeout', undefined, 1000));
		const s = tally.snapshot(10_000);
		expect(s.buckets).toHaveLength(5);
		expect(s.buckets.at(-2)).toEqual({ok: 0, bad: 1});
		expect(s.openGapMs).toBe(10_000 - 2900);
		expect(s.longestGapMs).toBe(s.openGapMs);
		const fresh = new WatchTally(0, 1000, 5);
		for (let t = 0; t < 3000; t += 100) fresh.add(rec(t, 'ok', 'rs1'));
		fresh.add(rec(2950, 'failed'));
		expect(timelineRuns(fresh.snapshot(4500).buckets, 10).map((r) => r.text).join('')).toBe('██▒··');
		expect(timelineRuns(fresh.snapshot(4500).buckets, 2).map((r) => r.text).join('')).toBe('··');
	});
});

describe('remote watcher (curl on a client host)', () => {
	it('parses tagged curl lines captured on the lab client into records', () => {
		const parser = new CurlStreamParser((body) => body.trim().split(/\s+/)[0] ?? '');
		const out = fixture('remote-watch-curl.txt')
			.split('\n')
			.map((l) => parser.push(l, 10_000))
			.filter((r) => r !== undefined);
		expect(out).toHaveLength(9);
		expect(out.slice(0, 6).map((r) => [r.outcome, r.backend])).toEqual([
			['ok', 'rs2'],
			['ok', 'rs1'],
			['ok', 'rs1'],
			['ok', 'rs1'],
			['ok', 'rs1'],
			['ok', 'rs1'],
		]);
		// interleaved processes: the body of process 0 is kept apart from process 1's
		expect(out[2]).toMatchObject({start: 10_000 - 225, end: 10_000, localPort: 49644});
		expect(out.slice(6).map((r) => [r.outcome, r.error])).toEqual([
			['failed', 'curl exit 7'],
			['failed', 'curl exit 7'],
			['timeout', 'timeout'],
		]);
	});

	it('counts an HTTP error status as failed', () => {
		const parser = new CurlStreamParser(() => 'x');
		parser.push('0 <html>oops</html>', 1);
		expect(parser.push('0 @@LVSDECK 503 0.010 0 4000', 100)).toMatchObject({outcome: 'failed', error: 'HTTP 503'});
	});

	it('repeats the URL with a curl glob and refuses URLs that would glob on their own', () => {
		expect(remoteWatchUrl('http://192.168.67.100:80/', 5)).toBe('http://192.168.67.100:80/?lvsdeck=[1-5]');
		expect(remoteWatchUrl('http://192.168.67.100:80/x?a=1', 5)).toBe('http://192.168.67.100:80/x?a=1&lvsdeck=[1-5]');
		expect(() => remoteWatchUrl('http://192.168.67.100/{a,b}', 5)).toThrow(/brackets, braces/);
		expect(() => remoteWatchUrl('ftp://192.168.67.100/', 5)).toThrow(/only http/);
		// an IPv6 host's brackets are not a glob to curl; brackets anywhere else still are
		expect(remoteWatchUrl('http://[fd67::100]:80/', 5)).toBe('http://[fd67::100]:80/?lvsdeck=[1-5]');
		expect(() => remoteWatchUrl('http://[fd67::100]:80/[a]', 5)).toThrow(/brackets, braces/);
		expect(isReadOnlyCommand(remoteWatchCommand(remoteWatchUrl('http://[fd67::100]:80/', 2), 60, '1.000', 1))).toBe(true);
	});

	it('is allowed in read-only mode (GET only, nothing written) as a listed script, with arguments of its kinds only', () => {
		expect(isReadOnlyCommand(remoteWatchCommand(remoteWatchUrl('http://192.168.67.100:80/', 2), 60, '1.000', 1))).toBe(true);
		expect(isReadOnlyCommand(remoteWatchCommand('http://x/?lvsdeck=[1-2]', 600, '2', 32))).toBe(true);
		expect(isReadOnlyCommand(['sh', '-c', `${REMOTE_WATCH_SCRIPT}; rm -rf /`, 'lvsdeck-watch', 'http://x/', '60/m', '1', '1'])).toBe(false);
		// curl in the script would send a file for a file:// or telnet:// URL; 10000 processes would swamp the host
		expect(isReadOnlyCommand(remoteWatchCommand('file:///etc/shadow', 60, '1', 1))).toBe(false);
		expect(isReadOnlyCommand(remoteWatchCommand('telnet://192.168.67.1:9/', 60, '1', 1))).toBe(false);
		expect(isReadOnlyCommand(remoteWatchCommand('http://x/', 60, '1', 10_000))).toBe(false);
		expect(isReadOnlyCommand([...remoteWatchCommand('http://x/', 60, '1', 1), 'extra'])).toBe(false);
	});

	it('only client hosts may send the traffic; the service must be a virtual service of the profile', () => {
		expect(() => checkClientHost(labProfile, 'client1')).not.toThrow();
		expect(() => checkClientHost(labProfile, 'rs1')).toThrow(/real server answers the VIP itself/);
		expect(() => checkClientHost(labProfile, 'dir1')).toThrow(TrafficTargetError);
		expect(() => checkClientHost(labProfile, 'nope')).toThrow(/no such host/);
		expect(pickVirtualService(labProfile).vip).toBe('192.168.67.100');
		expect(() => pickVirtualService(labProfile, '192.168.67.100:81')).toThrow(/--service 192.168.67.100:81: not a virtual service of/);
		expect(profileWeights(pickVirtualService(labProfile))).toEqual({rs1: 1, rs2: 1});
	});
});

describe('watch lines', () => {
	it('shows each backend’s share against the weights and warns when it is off', () => {
		const tally = new WatchTally(0);
		for (let i = 0; i < 90; i++) tally.add(rec(i * 10, 'ok', i % 3 === 0 ? 'rs1' : 'rs2'));
		const lines = watchLines(tally.snapshot(1000), {rs1: 1, rs2: 1}, {url: 'http://192.168.67.100:80/', from: 'client1', rate: 90}, 100).map((l) => ({text: l.map((r) => r.text).join(''), tone: l[0]!.tone}));
		expect(lines[0]!.text).toContain('http://192.168.67.100:80/ from client1 · target 90 req/s');
		const rs1 = lines.find((l) => l.text.startsWith('rs1'))!;
		expect(rs1.text).toMatch(/^rs1\s+30\s+33\.3%\s+50\.0%/);
		expect(rs1.tone).toBe('warn');
		expect(lines.every((l) => [...l.text].length <= 100)).toBe(true);
		expect(watchProgressLine(tally.snapshot(1000))).toMatch(/90 requests .* rs1=30 rs2=60$/);
	});

	it('strips terminal control sequences from backend names taken from response bodies', () => {
		const tally = new WatchTally(0);
		tally.add(rec(0, 'ok', '\u001b[2Jevil'));
		const text = watchLines(tally.snapshot(10), {}, {url: 'u', from: 's', rate: 1}, 80)
			.flat()
			.map((r) => r.text)
			.join('');
		expect(text).not.toContain('\u001b');
	});
});

describe('RoundRobinWatcher on loopback', () => {
	const servers: Array<http.Server | net.Server> = [];
	const open = new Set<net.Socket>();
	afterEach(async () => {
		for (const s of open) s.destroy();
		open.clear();
		await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
	});

	it('opens a new connection for every request and reads the backend from the body', async () => {
		const sockets = new Set<net.Socket>();
		let n = 0;
		const server = http.createServer((_req, res) => res.end(`${++n % 2 ? 'rs1' : 'rs2'}\n`));
		server.on('connection', (s) => sockets.add(s));
		servers.push(server);
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		const w = new RoundRobinWatcher({url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, rate: 100});
		w.start();
		await new Promise((r) => setTimeout(r, 300));
		const s = await w.stop();
		expect(s.ok).toBeGreaterThan(5);
		expect(sockets.size).toBe(s.total);
		expect(s.perBackend['rs1']! + s.perBackend['rs2']!).toBe(s.ok);
		expect(new Set(w.records.map((r) => r.localPort)).size).toBe(s.total);
	});

	it('reaches an IPv6 VIP, written in brackets in the URL', async () => {
		const server = http.createServer((_req, res) => res.end('rs6\n'));
		servers.push(server);
		await new Promise<void>((r) => server.listen(0, '::1', r));
		const w = new RoundRobinWatcher({url: `http://[::1]:${(server.address() as AddressInfo).port}/`, rate: 50});
		w.start();
		await waitFor(async () => w.records.length, (n) => n >= 3, {timeoutMs: 5000, what: 'three answered requests'});
		const s = await w.stop();
		expect(s.failed + s.timeouts).toBe(0);
		expect(s.perBackend['rs6']).toBe(s.ok);
	});

	it('a request that gets no answer counts as a timeout after the timeout, not later', async () => {
		// accepts connections and never answers
		const server = net.createServer((socket) => open.add(socket));
		servers.push(server);
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		const w = new RoundRobinWatcher({url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, rate: 20, timeoutMs: 200});
		w.start();
		await new Promise((r) => setTimeout(r, 120));
		const s = await w.stop();
		expect(s.total).toBeGreaterThan(0);
		expect(s.timeouts).toBe(s.total);
		for (const r of w.records) expect(r.end - r.start).toBeLessThan(600);
	});
});

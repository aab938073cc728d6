// The exporter's pieces without a cluster: --listen parsing, the HTTP side (routes, negotiation,
// shutdown), the profiles' checks, and the last drill results kept in the state dir.
import {mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeEach, describe, expect, it} from 'vitest';
import {parseListen} from '../../../src/commands/listen-address.js';
import {startMetricsServer, stopMetricsServer} from '../../../src/commands/metrics-server.js';
import {loadReadOnlyProfiles} from '../../../src/commands/clusters.js';
import {lastResultsDir, readLastResults, recordLastResult} from '../../../src/actions/drills/last-results.js';
import type {DrillReport} from '../../../src/actions/drills/drill-report.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'lvsdeck-exporter-unit-'));
afterAll(() => rmSync(tmp, {recursive: true, force: true}));

describe('--listen', () => {
	it.each([
		['127.0.0.1:9877', {host: '127.0.0.1', port: 9877}],
		['[::1]:9877', {host: '::1', port: 9877}],
		['0.0.0.0:0', {host: '0.0.0.0', port: 0}],
	])('%s', (value, expected) => {
		expect(parseListen(value)).toEqual(expected);
	});

	it.each(['localhost:9877', '127.0.0.1', '::1:9877', '[127.0.0.1]:80', '127.0.0.1:65536', '127.0.0.1:-1', '1.2.3:80', ':9877'])('refuses %s', (value) => {
		expect(() => parseListen(value)).toThrow(/expected an IP address and a port/);
	});
});

describe('the metrics server', () => {
	let base = '';
	let stop: () => Promise<void>;
	const formats: string[] = [];
	let failing = false;

	beforeEach(async () => {
		const {server, port} = await startMetricsServer({host: '127.0.0.1', port: 0}, (format) => {
			formats.push(format);
			if (failing) throw new Error('cannot render: auth_pass hunter2');
			return format === 'openmetrics' ? 'm 1\n# EOF\n' : 'm 1\n';
		});
		base = `http://127.0.0.1:${port}`;
		stop = () => stopMetricsServer(server);
	});
	afterEach(() => stop());

	it('/metrics in the asked format with its content type; /healthz; 404 and 405', async () => {
		const plain = await fetch(`${base}/metrics`);
		expect(plain.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
		expect(await plain.text()).toBe('m 1\n');
		const om = await fetch(`${base}/metrics`, {headers: {accept: 'application/openmetrics-text; version=1.0.0'}});
		expect(om.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
		expect(await om.text()).toBe('m 1\n# EOF\n');
		expect(formats.slice(-2)).toEqual(['prometheus', 'openmetrics']);
		const health = await fetch(`${base}/healthz`);
		expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
		expect((await fetch(`${base}/other`)).status).toBe(404);
		const post = await fetch(`${base}/metrics`, {method: 'POST'});
		expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
	});

	it('a failing render is a 500 whose message has its secrets masked', async () => {
		failing = true;
		try {
			const r = await fetch(`${base}/metrics`);
			expect([r.status, await r.text()]).toEqual([500, 'metrics failed: cannot render: auth_pass ********\n']);
		} finally {
			failing = false;
		}
	});

	it('stops: the port refuses afterwards', async () => {
		await stop();
		stop = async () => {};
		await expect(fetch(`${base}/healthz`)).rejects.toThrow();
	});
});

describe('loadReadOnlyProfiles', () => {
	const lab = path.join(ROOT, 'profiles', 'lab.yaml');

	it('loads several profiles and refuses two with one name', () => {
		expect(loadReadOnlyProfiles([lab]).map((p) => p.name)).toEqual(['lab']);
		expect(() => loadReadOnlyProfiles([lab, lab])).toThrow(/profile name "lab" is also the name of/);
		expect(() => loadReadOnlyProfiles([])).toThrow(/at least one profile/);
	});
});

describe('last drill results in the state dir', () => {
	const report = (drill: 'failover' | 'hard-failover', verdict: 'pass' | 'fail', profile = 'lab', method?: string) =>
		({drill, profile, verdict, failoverMs: 812, expectedBoundMs: 3200, endedAt: '2026-12-01T10:00:00.000Z', ...(method ? {method} : {})}) as unknown as DrillReport;

	beforeEach(() => {
		process.env['LVSDECK_STATE_DIR'] = path.join(tmp, `state-${Math.random().toString(36).slice(2)}`);
	});
	afterEach(() => {
		delete process.env['LVSDECK_STATE_DIR'];
	});

	it('keeps the last result per kind and method for each profile', () => {
		expect(readLastResults('lab')).toEqual([]);
		recordLastResult(report('failover', 'fail'));
		recordLastResult(report('failover', 'pass'));
		recordLastResult(report('hard-failover', 'fail', 'lab', 'cut'));
		recordLastResult(report('failover', 'fail', 'other/../x'));
		expect(readLastResults('lab')).toEqual([
			{drill: 'failover', method: '', verdict: 'pass', failoverMs: 812, expectedBoundMs: 3200, endedAt: Date.parse('2026-12-01T10:00:00.000Z')},
			{drill: 'hard-failover', method: 'cut', verdict: 'fail', failoverMs: 812, expectedBoundMs: 3200, endedAt: Date.parse('2026-12-01T10:00:00.000Z')},
		]);
		expect(readLastResults('other/../x')).toHaveLength(1);
		// Every file stays inside the folder, whatever the profile is called.
		expect(readdirSync(lastResultsDir()).every((f) => !f.includes('/'))).toBe(true);
	});

	it('skips files that are not results', () => {
		recordLastResult(report('failover', 'pass'));
		writeFileSync(path.join(lastResultsDir(), 'junk.json'), '{"profile":"lab","drill":1}');
		writeFileSync(path.join(lastResultsDir(), 'half.json'), '{"profile":');
		expect(readLastResults('lab').map((r) => r.drill)).toEqual(['failover']);
	});
});

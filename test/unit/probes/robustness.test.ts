// Parsers read whatever a remote host sends back, so none of them may throw: random text, random
// mixes of real lines, and every truncation of every real capture must give a result.
import {readdirSync, readFileSync} from 'node:fs';
import {describe, it} from 'vitest';
import fc from 'fast-check';
import {mergeIpvs, parseIpvsList, parseIpvsRate, parseIpvsStats} from '../../../src/probes/ipvs.js';
import {parseKeepalivedData, parseKeepalivedJson, parseKeepalivedStats, parseKeepalivedVersion, parseSignum, redactSecrets} from '../../../src/probes/vrrp.js';
import {parseIpAddrJson, parseIpAddrOneline, parseIpMonitorLine} from '../../../src/probes/vip.js';
import {parseRealServerCheck, parseSysctlLines} from '../../../src/probes/realserver.js';
import {generateIpvsStatsText} from '../../../src/probes/ipvs-synth.js';
import {CurlStreamParser} from '../../../src/actions/remote-watcher.js';

const dir = new URL('../../fixtures/lab/', import.meta.url);
const fixtures = readdirSync(dir)
	.sort()
	.map((name) => ({name, text: readFileSync(new URL(name, dir), 'utf8')}));
const allLines = fixtures.flatMap((f) => f.text.split('\n'));

const parsers: Record<string, (text: string) => unknown> = {
	parseIpvsList,
	parseIpvsStats,
	parseIpvsRate,
	mergeIpvs: (t) => mergeIpvs(parseIpvsList(t), parseIpvsStats(t), parseIpvsRate(t)),
	parseKeepalivedVersion,
	parseSignum,
	parseKeepalivedJson,
	parseKeepalivedData,
	parseKeepalivedStats,
	redactSecrets,
	parseIpAddrJson,
	parseIpAddrOneline,
	parseIpMonitorLine,
	parseIpMonitorLines: (t) => (typeof t === 'string' ? t.split('\n') : []).map(parseIpMonitorLine),
	parseRealServerCheck: (t) => parseRealServerCheck(t, ['192.168.67.100', 'fd00::100/128']),
	parseSysctlLines,
	curlStream: (t) => {
		const parser = new CurlStreamParser((body) => body.slice(0, 10));
		return (typeof t === 'string' ? t.split('\n') : []).map((l) => parser.push(l, 1000) ?? null);
	},
};

/** The parsers that read the format a fixture was captured in (redactSecrets reads anything). */
function ownParsers(fixture: string): string[] {
	const map: [string, string[]][] = [
		['ipvsadm-', ['parseIpvsList', 'parseIpvsStats', 'parseIpvsRate', 'mergeIpvs']],
		['keepalived-json-', ['parseKeepalivedJson']],
		['keepalived-data-', ['parseKeepalivedData']],
		['keepalived-check-data-', ['parseKeepalivedData']],
		['keepalived-stats-', ['parseKeepalivedStats']],
		['keepalived-version', ['parseKeepalivedVersion']],
		['keepalived-signum', ['parseSignum']],
		['keepalived-log', []],
		['ip-j-addr-', ['parseIpAddrJson']],
		['ip-o-addr-', ['parseIpAddrOneline', 'parseIpMonitorLines', 'parseRealServerCheck']],
		['ip-monitor-', ['parseIpMonitorLine', 'parseIpAddrOneline']],
		['sysctl-', ['parseSysctlLines', 'parseRealServerCheck']],
		['remote-watch-curl', ['curlStream']],
	];
	const found = map.find(([prefix]) => fixture.startsWith(prefix));
	return found ? [...found[1], 'redactSecrets'] : [];
}

/** Calls every parser and checks the result is a plain, bounded value (plain checks: this runs ~10^6 times). */
function checkAll(text: string, which: [string, (text: string) => unknown][] = Object.entries(parsers)): void {
	for (const [name, parse] of which) {
		let out: unknown;
		try {
			out = parse(text);
		} catch (e) {
			throw new Error(`${name} threw on ${JSON.stringify(String(text).slice(0, 200))}: ${String(e)}`);
		}
		if (out !== null && typeof out === 'object' && 'problems' in out) {
			const problems = (out as {problems: unknown}).problems;
			if (!Array.isArray(problems) || problems.length > 61) throw new Error(`${name}: bad problem list for ${JSON.stringify(String(text).slice(0, 200))}`);
		}
	}
}

describe('probe parsers never throw', () => {
	it('on random strings (any UTF-16, including lone surrogates)', () => {
		fc.assert(
			fc.property(fc.string({unit: 'binary', maxLength: 400}), (s) => checkAll(s)),
			{numRuns: 500},
		);
	});

	it('on random strings built from the characters of the real formats', () => {
		const chars = fc.constantFrom(...' \t\n:/.[]{}",=-0123456789abcdefKMGTx>@\\'.split(''));
		fc.assert(
			fc.property(fc.string({unit: chars, maxLength: 300}), (s) => checkAll(s)),
			{numRuns: 500},
		);
	});

	it('on random mixes of real fixture lines', () => {
		fc.assert(
			fc.property(fc.array(fc.constantFrom(...allLines), {maxLength: 60}), (lines) => checkAll(lines.join('\n'))),
			{numRuns: 400},
		);
	});

	it('on random mixes of fixture lines cut at random places', () => {
		const piece = fc.tuple(fc.constantFrom(...allLines), fc.nat(), fc.nat()).map(([l, a, b]) => l.slice(Math.min(a, b) % (l.length + 1), Math.max(a, b) % (l.length + 1) || undefined));
		fc.assert(
			fc.property(fc.array(piece, {maxLength: 40}), fc.constantFrom('\n', '\r\n', ' ', ''), (pieces, sep) => checkAll(pieces.join(sep))),
			{numRuns: 300},
		);
	});

	it('on every truncation of every fixture, by the parsers of its format', () => {
		for (const f of fixtures) {
			const own = Object.entries(parsers).filter(([name]) => ownParsers(f.name).includes(name));
			if (own.length === 0) throw new Error(`no parser listed for fixture ${f.name}`);
			for (let i = 0; i <= f.text.length; i++) checkAll(f.text.slice(0, i), own);
		}
	}, 60_000);

	it('on every line-boundary truncation of every fixture, by every parser', () => {
		for (const f of fixtures) {
			let at = 0;
			for (;;) {
				checkAll(f.text.slice(0, at));
				checkAll(f.text.slice(at));
				const next = f.text.indexOf('\n', at);
				if (next < 0) break;
				at = next + 1;
			}
		}
	}, 60_000);

	it('on every truncation of a generated stats table with suffixed numbers', () => {
		const text = generateIpvsStatsText(3, 4, {exact: false, seed: 3});
		for (let i = 0; i <= text.length; i++) checkAll(text.slice(i));
	});

	it('on values of the wrong type from untyped callers', () => {
		for (const v of [undefined, null, 42, {}, []]) checkAll(v as unknown as string);
	});
});

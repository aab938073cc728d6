// Parsers read whatever a remote host sends back, so none of them may throw: random text, random
// mixes of real lines, and every truncation of every real capture must give a result.
import {readdirSync, readFileSync} from 'node:fs';
import {describe, it} from 'vitest';
import fc from 'fast-check';
import {mergeIpvs, parseIpvsList, parseIpvsRate, parseIpvsStats} from '../../../src/probes/ipvs.js';
import {parseKeepalivedData, parseKeepalivedJson, parseKeepalivedStats, parseKeepalivedVersion, parseSignum, redactSecrets} from '../../../src/probes/vrrp.js';
import {parseIpAddrJson, parseIpAddrOneline, parseIpMonitorLine} from '../../../src/probes/vip.js';
import {checkRealServer, parseRealServerCheck, parseSysctlLines} from '../../../src/probes/realserver.js';
import {generateIpvsStatsText} from '../../helpers/ipvs-synth.js';
import {CurlStreamParser} from '../../../src/actions/remote-watcher.js';
import {backendFromBody} from '../../../src/actions/watcher.js';
import {parseDirectorSnapshot} from '../../../src/probes/director-snapshot.js';
import {findForbidden} from '../security/hostile-cluster.js';

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
	checkRealServer: (t) => checkRealServer(t, {address: '192.168.67.10', dr: {vips: ['192.168.67.100'], device: 'dummy0'}, nat: {gateways: []}, tun: {vips: ['192.168.67.101', 'fd00::100']}}),
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
		['rs-check-', ['parseRealServerCheck', 'checkRealServer']],
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

// What a hostile host may put anywhere: escapes, bidi, zero-width, C0/C1 controls, line separators.
const HOSTILE_PIECES = ['\u001b[2J', '\u001b]0;owned\u0007', '\u001bP1$r\u001b\\', '\u009b31m', '\u202e', '\u2066', '\u200b', '\ufeff', '\u061c', '\u0085', '\u0007', '\u0000', '\u2028', '\u001b', '%\u001b[31m'];

/** A fixture with hostile pieces spliced in at random places (inside tokens too). */
const hostileText = (text: string) =>
	fc.array(fc.tuple(fc.nat(), fc.constantFrom(...HOSTILE_PIECES)), {minLength: 1, maxLength: 8}).map((cuts) => {
		let out = text;
		for (const [at, piece] of cuts) {
			const i = at % (out.length + 1);
			out = out.slice(0, i) + piece + out.slice(i);
		}
		return out;
	});

/** Every string in a parse result, with where it is. */
function strings(value: unknown, where = '', out: Array<[string, string]> = []): Array<[string, string]> {
	if (typeof value === 'string') out.push([where, value]);
	else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${where}[${i}]`, out));
	else if (value !== null && typeof value === 'object') {
		for (const [k, v] of Object.entries(value)) {
			out.push([`${where} key`, k]);
			strings(v, `${where}.${k}`, out);
		}
	}
	return out;
}

/** The fields whose shape the parsers promise, by key. */
const SHAPES: Record<string, RegExp> = {
	scheduler: /^(?:[A-Za-z0-9_]{1,16}|\?|)$/,
	forward: /^(?:[A-Za-z]{1,16}|\?|)$/,
	address: /^(?:[0-9A-Fa-f:.]+|)$/,
	masterRouter: /^[0-9A-Fa-f:.]+$/,
	ifname: /^[A-Za-z0-9_.:@+-]{1,32}$/,
	interface: /^[A-Za-z0-9_.:@+-]{1,32}$/,
	label: /^[A-Za-z0-9_.:@+-]{1,32}$/,
	scope: /^[a-z0-9]{1,16}$/,
	name: /^[A-Za-z0-9_.:@+/-]{1,128}$/,
	state: /^(?:INIT|BACKUP|MASTER|FAULT|STOP|DELETED|UNKNOWN)$/,
	wantState: /^(?:INIT|BACKUP|MASTER|FAULT|STOP|DELETED|UNKNOWN)$/,
	version: /^[0-9][0-9A-Za-z.+_-]{0,31}$/,
};

function checkNoUnsafe(name: string, input: string, result: unknown): void {
	for (const [where, s] of strings(result)) {
		const bad = findForbidden(s);
		if (bad) throw new Error(`${name}: ${where} holds ${bad} (input ${JSON.stringify(input.slice(0, 200))})`);
		const key = where.slice(where.lastIndexOf('.') + 1).replace(/\[\d+\]$/, '');
		const shape = SHAPES[key];
		if (shape && !where.includes('problems') && !shape.test(s)) throw new Error(`${name}: ${where} = ${JSON.stringify(s)} is not of its shape`);
	}
}

describe('no parser passes hostile text through', () => {
	const hostileParsers: Record<string, (text: string) => unknown> = {
		...Object.fromEntries(Object.entries(parsers).filter(([name]) => name !== 'redactSecrets' && name !== 'curlStream')),
		directorSnapshotJson: (t) => parseDirectorSnapshot(t, 'json'),
		directorSnapshotData: (t) => parseDirectorSnapshot(t, 'data'),
		curlStream: (t) => {
			const parser = new CurlStreamParser((body) => backendFromBody(body));
			return t.split('\n').map((l) => parser.push(l, 1000) ?? null);
		},
	};

	it('every fixture with hostile characters spliced in: no unsafe string in any result, every shaped field of its shape', () => {
		for (const f of fixtures) {
			const own = Object.entries(hostileParsers).filter(([name]) => ownParsers(f.name).includes(name) || (name === 'curlStream' && f.name.startsWith('remote-watch')));
			fc.assert(
				fc.property(hostileText(f.text), (text) => {
					for (const [name, parse] of own) checkNoUnsafe(name, text, parse(text));
				}),
				{numRuns: 150},
			);
		}
	}, 120_000);

	it('a director snapshot assembled from hostile sections', () => {
		const section = (name: string, file: string) => `\n@@lvsdeck ${name}\n${fixtures.find((f) => f.name === file)!.text}`;
		const snapshot = [section('ipvs-list', 'ipvsadm-Ln-dir1.txt'), section('ipvs-stats', 'ipvsadm-stats-dir1.txt'), section('ipvs-rate', 'ipvsadm-rate-dir1.txt'), section('addr', 'ip-j-addr-dir1.json'), section('vrrp', 'keepalived-json-dir1.json'), '\n@@lvsdeck vrrp-exit\n0\n@@lvsdeck end\n'].join('');
		fc.assert(fc.property(hostileText(snapshot), (text) => checkNoUnsafe('snapshot', text, parseDirectorSnapshot(text, 'json'))), {numRuns: 300});
	});

	it('JSON dumps whose string values carry hostile characters (escaped in the JSON, raw after parsing)', () => {
		const json = fixtures.filter((f) => f.name.endsWith('.json'));
		const piece = fc.constantFrom(...HOSTILE_PIECES);
		fc.assert(
			fc.property(fc.constantFrom(...json), fc.nat(), piece, (f, at, p) => {
				// splice into a string value: right after an opening quote of a value
				const quotes = [...f.text.matchAll(/:"/g)].map((m) => m.index! + 2);
				const i = quotes[at % quotes.length]!;
				const text = f.text.slice(0, i) + JSON.stringify(p).slice(1, -1) + f.text.slice(i);
				const parse = f.name.startsWith('ip-j') ? parseIpAddrJson : parseKeepalivedJson;
				checkNoUnsafe(f.name, text, parse(text));
			}),
			{numRuns: 500},
		);
	});
});

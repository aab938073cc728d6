// The exposition formatter: label values escaped so any string survives a parse, both formats'
// counter naming, OpenMetrics' EOF, format negotiation from the Accept header.
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {escapeHelp, escapeLabelValue, formatExposition, formatValue, MetricSet, negotiateFormat} from '../../../src/text/exposition.js';
import {sanitizeText} from '../../../src/text/sanitize.js';
import {redactSecrets} from '../../../src/text/redact.js';

/** The reverse of the exposition's label escaping, as Prometheus' parser reads it. */
function unescapeLabelValue(text: string): string {
	return text.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

/** `name{a="..",b=".."} value` into its parts, reading quoted values as the parser does. */
function parseSample(line: string): {name: string; labels: Record<string, string>; value: string} {
	const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
	if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
	const labels: Record<string, string> = {};
	const body = m[2] ?? '';
	const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
	let at = 0;
	for (let l = re.exec(body); l; l = re.exec(body)) {
		labels[l[1]!] = unescapeLabelValue(l[2]!);
		at = re.lastIndex;
	}
	if (at !== body.length) throw new Error(`labels not fully read: ${JSON.stringify(body)}`);
	return {name: m[1]!, labels, value: m[3]!};
}

describe('label value escaping', () => {
	it('escapes backslash, double quote and line feed, and nothing else', () => {
		expect(escapeLabelValue('a\\b"c\nd\te')).toBe('a\\\\b\\"c\\nd\te');
	});

	it('round-trips any string through escape and a parser-style unescape', () => {
		fc.assert(fc.property(fc.string({unit: 'binary'}), (s) => unescapeLabelValue(escapeLabelValue(s)) === s));
	});

	it('never leaves a raw line feed or an unescaped double quote', () => {
		fc.assert(
			fc.property(fc.string({unit: 'binary'}), (s) => {
				const e = escapeLabelValue(s);
				return !e.includes('\n') && !/(^|[^\\])(\\\\)*"/.test(e);
			}),
		);
	});

	it('any label values make sample lines a parser reads back to the sanitized values', () => {
		fc.assert(
			fc.property(fc.array(fc.tuple(fc.string({unit: 'binary'}), fc.string({unit: 'binary'})), {minLength: 1, maxLength: 4}), (values) => {
				const set = new MetricSet();
				values.forEach(([a, b], i) => set.add('x_metric', 'gauge', 'help', {a, b, i: String(i)}, i));
				const lines = formatExposition(set.toFamilies(), 'prometheus').trimEnd().split('\n');
				expect(lines).toHaveLength(2 + values.length);
				lines.slice(2).forEach((line, i) => {
					const parsed = parseSample(line);
					expect(parsed.labels).toEqual({a: sanitizeText(redactSecrets(values[i]![0])), b: sanitizeText(redactSecrets(values[i]![1])), i: String(i)});
					expect(parsed.value).toBe(String(i));
				});
			}),
		);
	});

	it('masks a VRRP password in a label value and keeps the line whole', () => {
		const set = new MetricSet();
		set.add('m', 'gauge', 'h', {v: 'auth_pass hunter2', w: 'x'}, 1);
		const line = formatExposition(set.toFamilies(), 'prometheus').split('\n')[2]!;
		expect(parseSample(line).labels).toEqual({v: 'auth_pass ********', w: 'x'});
	});

	it('turns a Unicode line separator into an escaped line feed, never a raw line break', () => {
		const set = new MetricSet();
		set.add('m', 'gauge', 'h', {v: 'a\u2028b\u001B[31mc'}, 1);
		expect(formatExposition(set.toFamilies(), 'prometheus')).toBe('# HELP m h\n# TYPE m gauge\nm{v="a\\nbc"} 1\n');
	});
});

describe('formatExposition', () => {
	const set = new MetricSet();
	set.add('lvsdeck_bytes', 'counter', 'Bytes "in"\\out\nsecond line', {d: 'x'}, 12);
	set.add('lvsdeck_up', 'gauge', 'Up.', {}, 1);
	set.add('lvsdeck_up', 'gauge', 'ignored help', {}, 0);
	set.declare('lvsdeck_none', 'gauge', 'Nothing yet.');

	it('0.0.4: a counter family is named with _total; one value per label set; no EOF', () => {
		expect(formatExposition(set.toFamilies(), 'prometheus')).toBe(
			[
				'# HELP lvsdeck_bytes_total Bytes "in"\\\\out\\nsecond line',
				'# TYPE lvsdeck_bytes_total counter',
				'lvsdeck_bytes_total{d="x"} 12',
				'# HELP lvsdeck_up Up.',
				'# TYPE lvsdeck_up gauge',
				'lvsdeck_up 1',
				'# HELP lvsdeck_none Nothing yet.',
				'# TYPE lvsdeck_none gauge',
				'',
			].join('\n'),
		);
	});

	it('OpenMetrics: the counter family without _total, its samples with it, HELP quotes escaped, # EOF last', () => {
		const text = formatExposition(set.toFamilies(), 'openmetrics');
		expect(text).toContain('# HELP lvsdeck_bytes Bytes \\"in\\"\\\\out\\nsecond line\n# TYPE lvsdeck_bytes counter\nlvsdeck_bytes_total{d="x"} 12\n');
		expect(text.endsWith('\n# EOF\n')).toBe(true);
	});

	it('refuses names that are not metric or label names, and a counter named _total', () => {
		const bad = (name: string, labels: Record<string, string> = {}) => () => {
			const s = new MetricSet();
			s.add(name, 'gauge', 'h', labels, 1);
			formatExposition(s.toFamilies(), 'prometheus');
		};
		expect(bad('1abc')).toThrow(/invalid metric family name/);
		expect(bad('a-b')).toThrow(/invalid metric family name/);
		expect(bad('ok', {'a-b': 'x'})).toThrow(/invalid label name/);
		expect(bad('ok', {__name__: 'x'})).toThrow(/invalid label name/);
		expect(bad('x_total')).toThrow(/invalid metric family name/);
		expect(() => new MetricSet().add('m', 'gauge', 'h', {}, 1)).not.toThrow();
		const s = new MetricSet();
		s.add('m', 'gauge', 'h', {}, 1);
		expect(() => s.add('m', 'counter', 'h', {}, 1)).toThrow(/as counter and gauge/);
	});

	it('writes NaN and infinities by their names', () => {
		expect([NaN, Infinity, -Infinity, 0.25, 3].map(formatValue)).toEqual(['NaN', '+Inf', '-Inf', '0.25', '3']);
	});

	it('escapes HELP per format', () => {
		expect(escapeHelp('a"b', 'prometheus')).toBe('a"b');
		expect(escapeHelp('a"b', 'openmetrics')).toBe('a\\"b');
	});
});

describe('negotiateFormat', () => {
	it.each([
		[undefined, 'prometheus'],
		['text/plain', 'prometheus'],
		['*/*', 'prometheus'],
		['application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'openmetrics'],
		['application/openmetrics-text; version=1.0.0; q=0', 'prometheus'],
		['text/plain;q=0.5, application/OpenMetrics-Text', 'openmetrics'],
	] as const)('%s -> %s', (accept, format) => {
		expect(negotiateFormat(accept)).toBe(format);
	});
});

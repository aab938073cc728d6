// The Prometheus text exposition format (0.0.4) and OpenMetrics 1.0 text, written by hand because
// what the exporter needs is small: gauge and counter families, escaped label values, no histograms.
// Pure: families in, one string out. Label values are masked, sanitized and escaped here, so no caller
// can forget to (masking the finished text instead would eat the closing quote after a secret).
import {sanitizeText} from './sanitize.js';
import {redactSecrets} from './redact.js';

export type MetricType = 'gauge' | 'counter';
export type ExpositionFormat = 'prometheus' | 'openmetrics';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
	readonly labels: Labels;
	readonly value: number;
}

/** One metric family. A counter's `name` is without `_total`: the formatter adds it to each sample. */
export interface MetricFamily {
	readonly name: string;
	readonly type: MetricType;
	readonly help: string;
	readonly samples: readonly Sample[];
}

export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
	prometheus: 'text/plain; version=0.0.4; charset=utf-8',
	openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A label value inside double quotes: backslash, double quote and line feed escaped (both formats). */
export function escapeLabelValue(value: string): string {
	return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text: 0.0.4 escapes backslash and line feed; OpenMetrics also the double quote. */
export function escapeHelp(text: string, format: ExpositionFormat): string {
	const escaped = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
	return format === 'openmetrics' ? escaped.replace(/"/g, '\\"') : escaped;
}

/** A sample value: integers as integers, NaN and infinities by their exposition names. */
export function formatValue(value: number): string {
	if (Number.isNaN(value)) return 'NaN';
	if (value === Infinity) return '+Inf';
	if (value === -Infinity) return '-Inf';
	return String(value);
}

function formatLabels(labels: Labels): string {
	const names = Object.keys(labels);
	if (names.length === 0) return '';
	for (const n of names) if (!LABEL_NAME.test(n) || n.startsWith('__')) throw new Error(`invalid label name ${JSON.stringify(n)}`);
	// Sanitized before the escape: it turns Unicode line separators into line feeds, which the escape covers.
	return `{${names.map((n) => `${n}="${escapeLabelValue(sanitizeText(redactSecrets(labels[n]!)))}"`).join(',')}}`;
}

function formatFamily(family: MetricFamily, format: ExpositionFormat): string[] {
	if (!METRIC_NAME.test(family.name) || family.name.endsWith('_total')) throw new Error(`invalid metric family name ${JSON.stringify(family.name)}`);
	const sampleName = family.type === 'counter' ? `${family.name}_total` : family.name;
	// 0.0.4 names a counter's family by its sample name; OpenMetrics by the name without `_total`.
	const familyName = format === 'openmetrics' ? family.name : sampleName;
	const lines = [`# HELP ${familyName} ${escapeHelp(family.help, format)}`, `# TYPE ${familyName} ${family.type}`];
	const seen = new Set<string>();
	for (const s of family.samples) {
		const labels = formatLabels(s.labels);
		// One value per label set: a second would make the whole scrape invalid.
		if (seen.has(labels)) continue;
		seen.add(labels);
		lines.push(`${sampleName}${labels} ${formatValue(s.value)}`);
	}
	return lines;
}

/** The families as one exposition, in the order given (a family with no samples still says its type). */
export function formatExposition(families: readonly MetricFamily[], format: ExpositionFormat): string {
	const lines = families.flatMap((f) => formatFamily(f, format));
	if (format === 'openmetrics') lines.push('# EOF');
	return `${lines.join('\n')}\n`;
}

/**
 * Which format a scraper asked for: OpenMetrics when its Accept header names
 * application/openmetrics-text with a non-zero quality, else the 0.0.4 text format.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
	if (!accept) return 'prometheus';
	for (const part of accept.split(',')) {
		const [type, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
		if (type !== 'application/openmetrics-text') continue;
		const q = params.find((p) => p.startsWith('q='));
		if (q === undefined || Number(q.slice(2)) > 0) return 'openmetrics';
	}
	return 'prometheus';
}

/** Collects samples by family, so several sources (clusters) can add to one family in any order. */
export class MetricSet {
	private readonly families = new Map<string, {type: MetricType; help: string; samples: Sample[]}>();

	add(name: string, type: MetricType, help: string, labels: Labels, value: number): void {
		let family = this.families.get(name);
		if (!family) {
			family = {type, help, samples: []};
			this.families.set(name, family);
		} else if (family.type !== type) throw new Error(`metric ${name} added as ${type} and ${family.type}`);
		family.samples.push({labels, value});
	}

	/** Declare a family that may have no samples (its HELP and TYPE are still shown). */
	declare(name: string, type: MetricType, help: string): void {
		if (!this.families.has(name)) this.families.set(name, {type, help, samples: []});
	}

	toFamilies(): MetricFamily[] {
		return [...this.families].map(([name, f]) => ({name, ...f}));
	}
}

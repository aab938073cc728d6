// The shipped alert rules and dashboard: promtool checks the rules and runs their tests (CI has
// promtool; without it these skip, saying so), and every metric the rules and the dashboard query is
// one the exporter serves for a fixture cluster.
import {readFileSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {DRILLS, exposition, healthyHosts, NOW, splitBrainHosts} from '../../helpers/metrics-fixture.js';
import {findPromtool, promtool} from '../../helpers/promtool.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const CONTRIB = path.join(ROOT, 'contrib');
const bin = findPromtool();
if (!bin) console.warn('promtool not found (install Debian\'s prometheus, or set LVSDECK_PROMTOOL): the alert rule tests are skipped');

/** Every metric name a scrape holds (sample names: counters with _total). */
function servedNames(): Set<string> {
	const text = [exposition(healthyHosts(NOW), 'prometheus', DRILLS), exposition(splitBrainHosts(), 'prometheus', DRILLS)].join('');
	return new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)![0]));
}

/** The metric names in a PromQL expression: lvsdeck's and node_exporter's IPVS ones (label matchers and strings left out). */
export function metricNames(expr: string): string[] {
	const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{[^}]*\}/g, '');
	return [...new Set(bare.match(/\b(?:lvsdeck|node_ipvs)_[a-zA-Z0-9_]*/g) ?? [])];
}

function ruleExprs(): string[] {
	const text = readFileSync(path.join(CONTRIB, 'prometheus', 'alerts.yaml'), 'utf8');
	// `expr:` one-liners and `expr: |` blocks.
	const exprs: string[] = [];
	const lines = text.split('\n');
	lines.forEach((line, i) => {
		const m = /^(\s*)expr:\s*(.*)$/.exec(line);
		if (!m) return;
		if (m[2] !== '|') exprs.push(m[2]!);
		else exprs.push(lines.slice(i + 1).filter((_, j, rest) => rest.slice(0, j + 1).every((l) => l.startsWith(`${m[1]}  `))).join('\n'));
	});
	return exprs;
}

interface Panel {
	readonly title: string;
	readonly targets?: ReadonlyArray<{readonly expr: string}>;
}

describe('contrib/prometheus/alerts.yaml', () => {
	it.skipIf(!bin)('promtool check rules accepts it', () => {
		const r = promtool(bin!, ['check', 'rules', path.join(CONTRIB, 'prometheus', 'alerts.yaml')]);
		expect(r.stdout).toContain('SUCCESS');
		expect(r.code).toBe(0);
	});

	it.skipIf(!bin)('promtool test rules passes every test file in contrib/prometheus/tests', () => {
		const files = readdirSync(path.join(CONTRIB, 'prometheus', 'tests')).filter((f) => f.endsWith('.yaml'));
		expect(files.length).toBeGreaterThan(0);
		const r = promtool(bin!, ['test', 'rules', ...files], undefined, path.join(CONTRIB, 'prometheus', 'tests'));
		expect(r.stdout + r.stderr).not.toContain('FAILED');
		expect(r.code).toBe(0);
	});

	it('names the alerts the issue asks for, each on metrics the exporter serves', () => {
		const text = readFileSync(path.join(CONTRIB, 'prometheus', 'alerts.yaml'), 'utf8');
		const alerts = [...text.matchAll(/- alert: (\S+)/g)].map((m) => m[1]);
		expect(alerts).toEqual(expect.arrayContaining(['LvsdeckSplitBrain', 'LvsdeckNoMaster', 'LvsdeckVipNotOnPreferredDirector', 'LvsdeckRealServerMissing', 'LvsdeckHostUnreachable', 'LvsdeckConfigDrift', 'LvsdeckDrillFailed', 'LvsdeckDrillSlow']));
		const exprs = ruleExprs();
		expect(exprs).toHaveLength(alerts.length);
		const served = servedNames();
		// lvsdeck_findings has samples only while a finding exists: its family counts as served.
		served.add('lvsdeck_findings');
		for (const expr of exprs) {
			const names = metricNames(expr);
			expect(names.length, expr).toBeGreaterThan(0);
			for (const n of names) expect(served, `${n} in ${expr}`).toContain(n);
		}
	});
});

describe('contrib/grafana/lvsdeck.json', () => {
	const dashboard = JSON.parse(readFileSync(path.join(CONTRIB, 'grafana', 'lvsdeck.json'), 'utf8')) as {panels: Panel[]; templating: {list: Array<{query?: unknown}>}};

	it('every panel queries metrics, and every metric it names is in the exporter output for a fixture state', () => {
		const served = servedNames();
		served.add('lvsdeck_findings');
		expect(dashboard.panels.length).toBeGreaterThan(10);
		for (const panel of dashboard.panels) {
			expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
			for (const t of panel.targets!) {
				const names = metricNames(t.expr);
				expect(names.length, `${panel.title}: ${t.expr}`).toBeGreaterThan(0);
				for (const n of names) expect(served, `${panel.title}: ${n}`).toContain(n);
			}
		}
	});

	it('the cluster variable reads a served metric', () => {
		const queries = dashboard.templating.list.flatMap((v) => (typeof v.query === 'object' && v.query !== null ? [(v.query as {query: string}).query] : []));
		expect(queries.flatMap(metricNames)).toEqual(['lvsdeck_host_up']);
	});

	it('the name check catches a metric the exporter does not serve', () => {
		expect(metricNames('rate(lvsdeck_nope_total{cluster=~"$cluster"}[1m]) > lvsdeck_host_up')).toEqual(['lvsdeck_nope_total', 'lvsdeck_host_up']);
		expect(servedNames().has('lvsdeck_nope_total')).toBe(false);
	});
});

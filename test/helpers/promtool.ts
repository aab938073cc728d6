// promtool for the tests: find it, run it, and turn a scrape into the input series of a rule test.
import {spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';

/** promtool's path (LVSDECK_PROMTOOL, else /usr/bin/promtool, else on PATH), or undefined. */
export function findPromtool(): string | undefined {
	const named = process.env['LVSDECK_PROMTOOL'];
	if (named) return named;
	if (existsSync('/usr/bin/promtool')) return '/usr/bin/promtool';
	const which = spawnSync('sh', ['-c', 'command -v promtool'], {encoding: 'utf8'});
	return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : undefined;
}

export function promtool(bin: string, args: readonly string[], input?: string, cwd?: string): {code: number | null; stdout: string; stderr: string} {
	const r = spawnSync(bin, args, {encoding: 'utf8', input, cwd, timeout: 60_000});
	return {code: r.status, stdout: r.stdout, stderr: r.stderr};
}

/**
 * A 0.0.4 scrape as promtool input series: each sample line becomes a series holding its value
 * `repeat` more times (`'2x8'`), so a rule with a `for:` has time to fire.
 */
export function scrapeToSeries(scrape: string, repeat: number): string {
	const series = scrape
		.split('\n')
		.filter((l) => l !== '' && !l.startsWith('#'))
		.map((line) => {
			const at = line.lastIndexOf(' ');
			const value = line.slice(at + 1);
			// YAML single quotes: the series selector keeps its double quotes and backslashes as they are.
			return `  - series: '${line.slice(0, at).replace(/'/g, "''")}'\n    values: '${value}x${repeat}'`;
		});
	return `input_series:\n${series.join('\n')}\n`;
}

export const ALERTS_FILE = new URL('../../contrib/prometheus/alerts.yaml', import.meta.url).pathname;

/**
 * A promtool rule test of contrib/prometheus/alerts.yaml fed by one scrape (held for 30 s), expecting
 * `alertname` at 30 s with these labels and summary, or not at all (expected undefined).
 */
export function ruleTestOfScrape(scrape: string, alertname: string, expected: {labels: Record<string, string>; summary: string} | undefined): string {
	const exp = expected
		? `\n          - exp_labels: ${JSON.stringify(expected.labels)}\n            exp_annotations: ${JSON.stringify({summary: expected.summary})}`
		: ' []';
	const series = scrapeToSeries(scrape, 6).replace(/\n(?!$)/g, '\n    ');
	return `rule_files:\n  - ${ALERTS_FILE}\nevaluation_interval: 5s\ntests:\n  - interval: 5s\n    ${series}    alert_rule_test:\n      - eval_time: 30s\n        alertname: ${alertname}\n        exp_alerts:${exp}\n`;
}

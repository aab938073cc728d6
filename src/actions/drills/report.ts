// Drill reports for CI: the JSON report as is, and JUnit XML with one test case per drill, the
// figures as properties and a <failure> when an expectation failed.
// Every value goes through xmlAttr/xmlText: sanitized, stripped of what XML 1.0 forbids, escaped.
import type {DrillReport} from './failover.js';
import {xmlAttr, xmlText} from '../../text/xml.js';

export function toJUnit(reports: readonly DrillReport[], suite = 'lvsdeck drills'): string {
	const failures = reports.filter((r) => r.verdict === 'fail').length;
	const seconds = (ms: number) => (ms / 1000).toFixed(3);
	const cases = reports.map((r) => {
		const props: Array<[string, string | number | null]> = [
			['instance', r.instance],
			['vip', r.vip],
			['target', r.target],
			['takeover', r.takeover],
			['failoverMs', r.failoverMs],
			['expectedBoundMs', r.expectedBoundMs],
			['vipLeftMs', r.vipLeftMs],
			['splitBrainMs', r.splitBrainMs],
			['returnMs', r.returnMs],
			['preempt', r.preempt],
			['measuredMinusKeepalivedMs', r.measuredMinusKeepalivedMs],
			['requestsTotal', r.requests.total],
			['requestsFailed', r.requests.failed],
			['requestsTimeouts', r.requests.timeouts],
			['longestGapMs', r.longestGapMs],
			['restored', String(r.restored)],
			...Object.entries(r.requests.perBackend).map(([k, v]): [string, number] => [`perBackend.${k}`, v]),
		];
		const properties = props.map(([k, v]) => `        <property name="${xmlAttr(k)}" value="${xmlAttr(v === null ? '' : String(v))}"/>`).join('\n');
		const failure = r.verdict === 'fail' ? `\n      <failure message="${xmlAttr(r.reasons.join('; '))}" type="expectation">${xmlText(r.reasons.join('\n'))}</failure>` : '';
		const out = r.timeline.map((e) => `${e.t}ms ${e.event}`).join('\n');
		return `    <testcase name="${xmlAttr(`${r.drill} ${r.instance} (${r.target})`)}" classname="lvsdeck.drill.${xmlAttr(r.drill)}" time="${seconds(r.durationMs)}">\n      <properties>\n${properties}\n      </properties>${failure}\n      <system-out>${xmlText(out)}</system-out>\n    </testcase>`;
	});
	const time = seconds(reports.reduce((n, r) => n + r.durationMs, 0));
	return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${reports.length}" failures="${failures}" errors="0" time="${time}">\n  <testsuite name="${xmlAttr(suite)}" tests="${reports.length}" failures="${failures}" errors="0" skipped="0" time="${time}" timestamp="${xmlAttr(reports[0]?.startedAt ?? new Date().toISOString())}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}

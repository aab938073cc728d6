// Parse time of `ipvsadm -Ln --stats --exact` output with 10,000 real servers (target under 20 ms).
import {generateIpvsStatsText} from '../test/helpers/ipvs-synth.js';
import {parseIpvsStats} from '../src/probes/ipvs.js';

export function median(values: readonly number[]): number {
	const s = [...values].sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)]!;
}

export function benchParse(log: (line: string) => void): Record<string, unknown> {
	const text = generateIpvsStatsText(100, 100);
	const runs: number[] = [];
	let rows = 0;
	for (let i = 0; i < 5; i++) parseIpvsStats(text); // warm-up
	for (let i = 0; i < 30; i++) {
		const t = process.hrtime.bigint();
		const table = parseIpvsStats(text);
		runs.push(Number(process.hrtime.bigint() - t) / 1e6);
		rows = table.services.reduce((n, s) => n + s.realServers.length, 0);
	}
	const result = {realServers: rows, bytes: text.length, medianMs: +median(runs).toFixed(3), maxMs: +Math.max(...runs).toFixed(3), targetMs: 20};
	log(`ipvsadm --stats --exact, ${rows} real servers: median ${result.medianMs} ms, max ${result.maxMs} ms (target < 20 ms)`);
	return result;
}

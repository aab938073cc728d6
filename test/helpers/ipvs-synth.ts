// Synthetic ipvsadm output in the byte-exact format of ipvsadm 1.31 (print_title,
// print_service_entry, print_largenum). Used by benchmarks and property tests, never by the product.
import {formatAddrPort} from '../../src/probes/ipvs.js';
import type {IpvsCounters, IpvsRates, IpvsService} from '../../src/probes/ipvs.js';

/** Options for the formatters. */
export interface IpvsFormatOptions {
	/** `--exact` (full integers); otherwise values >= 1e8 get a K/M/G/T suffix. Default true. */
	exact?: boolean;
}

const HEADER = 'IP Virtual Server version 1.2.1 (size=4096)';

/** print_largenum: `%9llu`, or width len+1 with --exact, or an 8-wide value with a K/M/G/T suffix. */
export function formatLargeNum(v: number, exact: boolean): string {
	const i = Math.max(0, Math.trunc(v));
	if (exact) {
		const s = String(i);
		return s.padStart(s.length <= 8 ? 9 : s.length + 1);
	}
	if (i < 1e8) return String(i).padStart(9);
	if (i < 1e9) return `${String(Math.trunc(i / 1e3)).padStart(8)}K`;
	if (i < 1e11) return `${String(Math.trunc(i / 1e6)).padStart(8)}M`;
	if (i < 1e14) return `${String(Math.trunc(i / 1e9)).padStart(8)}G`;
	return `${String(Math.trunc(i / 1e12)).padStart(8)}T`;
}

function svcName(s: IpvsService): string {
	if (s.protocol === 'FWM') return s.family === 'inet6' ? `FWM  ${s.fwmark ?? 0} IPv6` : `FWM  ${s.fwmark ?? 0}`;
	return `${s.protocol}  ${formatAddrPort(s.address, s.port)}`;
}

const ZERO_COUNTERS: IpvsCounters = {conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0};
const ZERO_RATES: IpvsRates = {cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0};

function counterCols(c: IpvsCounters, exact: boolean): string {
	return [c.conns, c.inPkts, c.outPkts, c.inBytes, c.outBytes].map((v) => formatLargeNum(v, exact)).join('');
}

/** Text of `ipvsadm -Ln` for these services (weights, connections, scheduler and flags). */
export function formatIpvsList(services: readonly IpvsService[]): string {
	const out = [HEADER, 'Prot LocalAddress:Port Scheduler Flags', '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'];
	for (const s of services) {
		let line = `${svcName(s)} ${s.scheduler}`;
		if (s.persistent !== undefined) {
			line += ` persistent ${s.persistent}`;
			if (s.netmask !== undefined) line += ` mask ${s.netmask}`;
		}
		for (const f of s.flags) line += ` ${f}`;
		out.push(line);
		for (const r of s.realServers) {
			const d = formatAddrPort(r.address, r.port).padEnd(28);
			out.push(`  -> ${d} ${r.forward.padEnd(7)} ${String(r.weight).padEnd(6)} ${String(r.activeConn).padEnd(10)} ${String(r.inactConn).padEnd(10)}`);
		}
	}
	return `${out.join('\n')}\n`;
}

/** Text of `ipvsadm -Ln --stats [--exact]` for these services (missing stats print as 0). */
export function formatIpvsStats(services: readonly IpvsService[], opts: IpvsFormatOptions = {}): string {
	const exact = opts.exact ?? true;
	const out = [
		HEADER,
		`${'Prot LocalAddress:Port'.padEnd(33)} ${['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map((h) => h.padStart(8)).join(' ')}`,
		'  -> RemoteAddress:Port',
	];
	for (const s of services) {
		out.push(svcName(s).padEnd(33) + counterCols(s.stats ?? ZERO_COUNTERS, exact));
		for (const r of s.realServers) {
			out.push(`  -> ${formatAddrPort(r.address, r.port).padEnd(28)}${counterCols(r.stats ?? ZERO_COUNTERS, exact)}`);
		}
	}
	return `${out.join('\n')}\n`;
}

/** Text of `ipvsadm -Ln --rate [--exact]`; destination cps/pps columns are plain `%8u` like ipvsadm. */
export function formatIpvsRate(services: readonly IpvsService[], opts: IpvsFormatOptions = {}): string {
	const exact = opts.exact ?? true;
	const out = [
		HEADER,
		`${'Prot LocalAddress:Port'.padEnd(33)} ${['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS'].map((h) => h.padStart(8)).join(' ')}`,
		'  -> RemoteAddress:Port',
	];
	for (const s of services) {
		const r = s.rate ?? ZERO_RATES;
		out.push(svcName(s).padEnd(33) + [r.cps, r.inPps, r.outPps, r.inBps, r.outBps].map((v) => formatLargeNum(v, exact)).join(''));
		for (const d of s.realServers) {
			const dr = d.rate ?? ZERO_RATES;
			const small = [dr.cps, dr.inPps, dr.outPps].map((v) => ` ${String(v).padStart(8)}`).join('');
			out.push(`  -> ${formatAddrPort(d.address, d.port).padEnd(28)}${small}${formatLargeNum(dr.inBps, exact)}${formatLargeNum(dr.outBps, exact)}`);
		}
	}
	return `${out.join('\n')}\n`;
}

// Small deterministic PRNG (mulberry32) so generated tables are reproducible.
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * A deterministic table: TCP, UDP, IPv6 and FWM services, each with `realServersPerService` real
 * servers and stats that add up per service (some counters above 1e8 so --exact widths vary).
 */
export function generateIpvsServices(services: number, realServersPerService: number, seed = 1): IpvsService[] {
	const rnd = prng(seed);
	const out: IpvsService[] = [];
	for (let i = 0; i < services; i++) {
		const kind = i % 4;
		const svc: IpvsService =
			kind === 3
				? {protocol: 'FWM', address: '', port: 0, fwmark: i + 1, family: 'inet', scheduler: 'sh', flags: [], realServers: []}
				: kind === 2
					? {protocol: 'TCP', address: `fd00::${(i + 1).toString(16)}`, port: 443, family: 'inet6', scheduler: 'lc', flags: [], realServers: []}
					: {
							protocol: kind === 1 ? 'UDP' : 'TCP',
							address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
							port: kind === 1 ? 53 : 80,
							family: 'inet',
							scheduler: kind === 1 ? 'wlc' : 'rr',
							flags: [],
							realServers: [],
						};
		const total: IpvsCounters = {...ZERO_COUNTERS};
		for (let j = 0; j < realServersPerService; j++) {
			const big = rnd() < 0.1;
			const conns = Math.floor(rnd() * (big ? 5e8 : 1e5));
			const inPkts = conns * 7 + Math.floor(rnd() * 100);
			const outPkts = kind === 3 ? 0 : conns * 5;
			const stats: IpvsCounters = {conns, inPkts, outPkts, inBytes: inPkts * 64, outBytes: outPkts * 900};
			total.conns += stats.conns;
			total.inPkts += stats.inPkts;
			total.outPkts += stats.outPkts;
			total.inBytes += stats.inBytes;
			total.outBytes += stats.outBytes;
			const v6 = svc.family === 'inet6';
			svc.realServers.push({
				address: v6 ? `fd00:1::${(j + 1).toString(16)}` : `192.168.${(j >> 8) & 255}.${j & 255}`,
				port: svc.port,
				forward: kind === 3 ? 'Tunnel' : kind === 1 ? 'Masq' : 'Route',
				weight: 1 + (j % 5),
				activeConn: Math.floor(rnd() * 50),
				inactConn: Math.floor(rnd() * 500),
				stats,
			});
		}
		svc.stats = total;
		out.push(svc);
	}
	return out;
}

/** `ipvsadm -Ln --stats --exact` text for a generated table (see generateIpvsServices). */
export function generateIpvsStatsText(services: number, realServersPerService: number, opts: IpvsFormatOptions & {seed?: number} = {}): string {
	return formatIpvsStats(generateIpvsServices(services, realServersPerService, opts.seed), opts);
}

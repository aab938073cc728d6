// The IPVS table as ipvsadm prints it (-Ln, --stats, --rate). Pure: builders return argv, parsers
// never throw and report what they could not read as problems. Formats: ipvsadm.c print_title /
// print_service_entry / print_largenum (facts file 3e).
import type {Argv, VirtualServer} from '../profile/model.js';
import {IPVS_SCHEDULERS} from '../profile/schedulers.js';
import {isFlagToken, isForwardName, isPlainAddress, isSchedulerName, quoteToken} from './shape.js';

/**
 * The usual words of a table, as one string each: a word cut from a line is a string of its own, and a
 * fleet console holds tens of thousands of real servers, each with its forwarding method.
 */
const KNOWN_FORWARD = new Map(['Route', 'Masq', 'Tunnel', 'Local'].map((w) => [w, w]));
const KNOWN_SCHEDULER = new Map<string, string>(IPVS_SCHEDULERS.map((w) => [w, w]));

/** Protocol column of a service line; FWM services have no address. */
export type IpvsProtocol = 'TCP' | 'UDP' | 'SCTP' | 'FWM';

/** Cumulative counters from `--stats`. */
export interface IpvsCounters {
	conns: number;
	inPkts: number;
	outPkts: number;
	inBytes: number;
	outBytes: number;
}

/** Per-second rates from `--rate`. */
export interface IpvsRates {
	cps: number;
	inPps: number;
	outPps: number;
	inBps: number;
	outBps: number;
}

/** One `  -> addr:port ...` destination line. From --stats/--rate alone, forward is '' and the numbers 0. */
export interface IpvsRealServer {
	/** IPv6 without brackets. */
	address: string;
	port: number;
	forward: 'Route' | 'Masq' | 'Tunnel' | 'Local' | string;
	weight: number;
	activeConn: number;
	inactConn: number;
	stats?: IpvsCounters;
	rate?: IpvsRates;
}

/** One virtual service with its real servers. */
export interface IpvsService {
	protocol: IpvsProtocol;
	/** '' for FWM. */
	address: string;
	/** 0 for FWM. */
	port: number;
	fwmark?: number;
	/** Set when known; FWM services need it to tell `FWM 7` from `FWM 7 IPv6`. */
	family?: 'inet' | 'inet6';
	/** '' when the output had no scheduler column (--stats, --rate). */
	scheduler: string;
	/** Persistence timeout in seconds. */
	persistent?: number;
	netmask?: string;
	/** Anything else after the scheduler (`pe sip`, `ops`, scheduler flags). */
	flags: string[];
	realServers: IpvsRealServer[];
	stats?: IpvsCounters;
	rate?: IpvsRates;
}

/** A parsed table and what could not be parsed. */
export interface IpvsTable {
	services: IpvsService[];
	problems: string[];
}

/** `ipvsadm -Ln --exact`: services, real servers, weights, connection counts. */
export function ipvsListCommand(): Argv {
	return ['ipvsadm', '-Ln', '--exact'];
}

/** `ipvsadm -Ln --stats --exact`: cumulative counters as full integers. */
export function ipvsStatsCommand(): Argv {
	return ['ipvsadm', '-Ln', '--stats', '--exact'];
}

/** `ipvsadm -Ln --rate --exact`: per-second rates as full integers. */
export function ipvsRateCommand(): Argv {
	return ['ipvsadm', '-Ln', '--rate', '--exact'];
}

/** `addr:port`, with brackets around IPv6 like ipvsadm prints it. */
export function formatAddrPort(address: string, port: number): string {
	return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Stable identity of a service: 'TCP 192.168.67.100:80', 'FWM 7', 'TCP [fd00::100]:443'. */
export function serviceKey(s: Pick<IpvsService, 'protocol' | 'address' | 'port' | 'fwmark' | 'family'>): string {
	if (s.protocol === 'FWM') return s.family === 'inet6' ? `FWM ${s.fwmark ?? 0} IPv6` : `FWM ${s.fwmark ?? 0}`;
	return `${s.protocol} ${formatAddrPort(s.address, s.port)}`;
}

/** The service in an IPVS table for a profile's virtual service, if the table has it. */
export function findService(table: IpvsTable | undefined, vs: Pick<VirtualServer, 'protocol' | 'vip' | 'port'>): IpvsService | undefined {
	const key = serviceKey({protocol: vs.protocol, address: vs.vip, port: vs.port});
	return table?.services.find((s) => serviceKey(s) === key);
}

/** Identity of a real server inside its service: '192.168.67.10:80', '[fd00::10]:443'. */
export function realServerKey(r: Pick<IpvsRealServer, 'address' | 'port'>): string {
	return formatAddrPort(r.address, r.port);
}

/** Parse `ipvsadm -Ln` output (services, real servers, weights, connections). */
export function parseIpvsList(text: string): IpvsTable {
	return parseIpvs(text, 'list');
}

/** Parse `ipvsadm -Ln --stats [--exact]` output; fills `stats` on services and real servers. */
export function parseIpvsStats(text: string): IpvsTable {
	return parseIpvs(text, 'stats');
}

/** Parse `ipvsadm -Ln --rate [--exact]` output; fills `rate` on services and real servers. */
export function parseIpvsRate(text: string): IpvsTable {
	return parseIpvs(text, 'rate');
}

/**
 * Join a list table with stats and rate tables by service key and real-server address:port.
 * The list is the base: entries only in stats/rate (the table changed between the commands) are
 * reported as problems, not added.
 */
export function mergeIpvs(list: IpvsTable, stats?: IpvsTable, rate?: IpvsTable): IpvsTable {
	const problems = new Problems();
	for (const p of list.problems) problems.add(p);
	const byKey = new Map(list.services.map((s) => [serviceKey(s), s]));
	const statsOf = stats ? metricsOf(byKey, stats, 'stats', problems) : undefined;
	const rateOf = rate ? metricsOf(byKey, rate, 'rate', problems) : undefined;
	const services = list.services.map((s) => {
		const stats = statsOf?.get(s)?.stats ?? s.stats;
		const rate = rateOf?.get(s)?.rate ?? s.rate;
		return {
			...s,
			flags: [...s.flags],
			realServers: s.realServers.map((r) => withMetrics(r, statsOf?.get(r)?.stats ?? r.stats, rateOf?.get(r)?.rate ?? r.rate)),
			...(stats ? {stats} : {}),
			...(rate ? {rate} : {}),
		};
	});
	return {services, problems: problems.done()};
}

type Measured = {stats?: IpvsCounters; rate?: IpvsRates};

/**
 * Which entry of `other` measures each list service and real server (the list's objects as keys; the
 * last of equal keys, as a lookup by key finds), with a problem for each entry the list lacks.
 */
function metricsOf(byKey: ReadonlyMap<string, IpvsService>, other: IpvsTable, label: 'stats' | 'rate', problems: Problems): Map<object, Measured> {
	const measured = new Map<object, Measured>();
	for (const p of other.problems) problems.add(`${label}: ${p}`);
	for (const o of other.services) {
		const key = serviceKey(o);
		const s = byKey.get(key);
		if (!s) {
			problems.add(`${label}: service ${key} is not in the list output (table changed between commands?)`);
			continue;
		}
		if (o[label]) measured.set(s, o);
		const rsByKey = new Map(s.realServers.map((r) => [realServerKey(r), r]));
		for (const or of o.realServers) {
			const r = rsByKey.get(realServerKey(or));
			if (!r) problems.add(`${label}: real server ${realServerKey(or)} of ${key} is not in the list output`);
			else if (or[label]) measured.set(r, or);
		}
	}
	return measured;
}

// withMetrics copies these fields by name: a field added to IpvsRealServer must be added there too.
const REAL_SERVER_FIELDS_COPIED: Exclude<keyof IpvsRealServer, 'address' | 'port' | 'forward' | 'weight' | 'activeConn' | 'inactConn' | 'stats' | 'rate'> extends never ? true : false = true;
void REAL_SERVER_FIELDS_COPIED;

/**
 * A real server with its counters and rates, made in one literal per shape. Adding them to a copy one
 * by one gave nearly every real server a hidden class of its own in a long-running process (V8 stopped
 * sharing the transitions): at 100 clusters, about 24,000 classes and 10 MB of heap.
 */
function withMetrics(r: IpvsRealServer, stats: IpvsCounters | undefined, rate: IpvsRates | undefined): IpvsRealServer {
	const {address, port, forward, weight, activeConn, inactConn} = r;
	if (stats && rate) return {address, port, forward, weight, activeConn, inactConn, stats, rate};
	if (stats) return {address, port, forward, weight, activeConn, inactConn, stats};
	if (rate) return {address, port, forward, weight, activeConn, inactConn, rate};
	return {address, port, forward, weight, activeConn, inactConn};
}

// ---------------------------------------------------------------------------------------------

type Mode = 'list' | 'stats' | 'rate';

const MAX_PROBLEMS = 50;

/** Collects problems, capped so a garbage input cannot produce a huge result. */
class Problems {
	readonly list: string[] = [];
	private dropped = 0;
	/** Messages are built lazily: garbage input can have thousands of bad lines. */
	add(p: string | (() => string)): void {
		if (this.list.length < MAX_PROBLEMS) this.list.push(typeof p === 'string' ? p : p());
		else this.dropped++;
	}
	done(): string[] {
		if (this.dropped > 0) this.list.push(`... and ${this.dropped} more problems`);
		return this.list;
	}
}

/** Short, printable excerpt of a line for a problem message (unsafe characters escaped). */
function excerpt(line: string): string {
	return quoteToken(line, 80);
}

const PROTOCOLS = new Set<string>(['TCP', 'UDP', 'SCTP', 'FWM']);

// V8's split on a simple whitespace class beats a hand-written scanner here.
function tokens(line: string): string[] {
	const t = line.trim();
	return t === '' ? [] : t.split(/[ \t\r]+/);
}

/**
 * Hot path for --stats/--rate lines: reads exactly five counters starting at `pos` without
 * allocating substrings. Returns false on anything that is not `digits[K|M|G|T]` separated by blanks.
 */
function scanFiveCounts(line: string, pos: number, out: number[]): boolean {
	const len = line.length;
	let i = pos;
	for (let k = 0; k < 5; k++) {
		while (i < len && isBlank(line.charCodeAt(i))) i++;
		if (i >= len) return false;
		let v = 0;
		let digits = 0;
		while (i < len) {
			const c = line.charCodeAt(i);
			if (c < 48 || c > 57) break;
			v = v * 10 + (c - 48);
			digits++;
			i++;
		}
		if (digits === 0 || digits > 20) return false;
		if (i < len && !isBlank(line.charCodeAt(i))) {
			const m = SUFFIX[line[i] ?? ''];
			if (m === undefined) return false;
			v *= m;
			i++;
			if (i < len && !isBlank(line.charCodeAt(i))) return false;
		}
		out[k] = v;
	}
	while (i < len && isBlank(line.charCodeAt(i))) i++;
	return i === len;
}

function isBlank(c: number): boolean {
	return c === 32 || c === 9 || c === 13;
}

const SUFFIX: Record<string, number> = {K: 1e3, M: 1e6, G: 1e9, T: 1e12};

function isDigits(s: string): boolean {
	if (s.length === 0 || s.length > 20) return false;
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c < 48 || c > 57) return false;
	}
	return true;
}

/** A counter as printed by print_largenum: digits, or digits + K/M/G/T (1K = 1000) without --exact. */
function parseCount(tok: string | undefined): number | undefined {
	if (tok === undefined) return undefined;
	if (isDigits(tok)) return Number(tok);
	const mult = SUFFIX[tok.slice(-1)];
	const digits = tok.slice(0, -1);
	return mult !== undefined && isDigits(digits) ? Number(digits) * mult : undefined;
}

/** A plain decimal integer; weights are printed with %d, so allow a sign. */
function parseIntToken(tok: string | undefined): number | undefined {
	if (tok === undefined) return undefined;
	if (tok.startsWith('-')) return isDigits(tok.slice(1)) ? -Number(tok.slice(1)) : undefined;
	return isDigits(tok) ? Number(tok) : undefined;
}

/** `1.2.3.4:80` or `[fd00::1]:80` → address without brackets and port. */
function parseAddrPort(s: string): {address: string; port: number; family: 'inet' | 'inet6'} | undefined {
	let address: string;
	let portText: string;
	if (s.startsWith('[')) {
		const close = s.indexOf(']:');
		if (close < 0) return undefined;
		address = s.slice(1, close);
		portText = s.slice(close + 2);
	} else {
		const colon = s.lastIndexOf(':');
		if (colon < 0) return undefined;
		address = s.slice(0, colon);
		portText = s.slice(colon + 1);
	}
	const port = parseIntToken(portText);
	if (port === undefined || port < 0 || port > 65535) return undefined;
	if (!isPlainAddress(address)) return undefined;
	return {address, port, family: address.includes(':') ? 'inet6' : 'inet'};
}

function modeFromHeader(toks: string[]): Mode | undefined {
	if (toks.includes('Conns')) return 'stats';
	if (toks.includes('CPS')) return 'rate';
	if (toks.includes('Scheduler')) return 'list';
	return undefined;
}

/** Where the numeric destination columns sit, counted from the end of the line. */
interface DestLayout {
	weightFromEnd?: number;
	activeFromEnd: number;
	inactFromEnd: number;
}

const DEFAULT_LAYOUT: DestLayout = {weightFromEnd: 3, activeFromEnd: 2, inactFromEnd: 1};

// Counting from the end survives the optional TunnelInfo column (`--tun-info`, ipvsadm 1.31).
function layoutFromHeader(cols: string[]): DestLayout {
	const fromEnd = (name: string): number | undefined => {
		const i = cols.indexOf(name);
		return i < 0 ? undefined : cols.length - i;
	};
	return {
		weightFromEnd: fromEnd('Weight'),
		activeFromEnd: fromEnd('ActiveConn') ?? 2,
		inactFromEnd: fromEnd('InActConn') ?? 1,
	};
}

function fiveCounts(toks: string[], from: number): number[] | undefined {
	if (toks.length < from + 5) return undefined;
	const out: number[] = [];
	for (let i = from; i < from + 5; i++) {
		const n = parseCount(toks[i]);
		if (n === undefined) return undefined;
		out.push(n);
	}
	return out;
}

function toCounters(n: number[]): IpvsCounters {
	return {conns: n[0] ?? 0, inPkts: n[1] ?? 0, outPkts: n[2] ?? 0, inBytes: n[3] ?? 0, outBytes: n[4] ?? 0};
}

function toRates(n: number[]): IpvsRates {
	return {cps: n[0] ?? 0, inPps: n[1] ?? 0, outPps: n[2] ?? 0, inBps: n[3] ?? 0, outBps: n[4] ?? 0};
}

function parseIpvs(text: string, expected: Mode): IpvsTable {
	const problems = new Problems();
	const services: IpvsService[] = [];
	if (typeof text !== 'string') return {services, problems: ['input is not text']};
	let mode: Mode = expected;
	let layout = DEFAULT_LAYOUT;
	let current: IpvsService | undefined;
	let sawHeader = false;
	const lines = text.split('\n');
	const nums: number[] = [0, 0, 0, 0, 0];
	for (let n = 0; n < lines.length; n++) {
		const line = lines[n] ?? '';
		if (line.startsWith('  -> ')) {
			if (mode !== 'list' && current) {
				// Fast path: address token, then five counters.
				let end = 5;
				while (end < line.length && !isBlank(line.charCodeAt(end))) end++;
				const ap = parseAddrPort(line.slice(5, end));
				if (ap && scanFiveCounts(line, end, nums)) {
					const rs: IpvsRealServer = {address: ap.address, port: ap.port, forward: '', weight: 0, activeConn: 0, inactConn: 0};
					if (mode === 'stats') rs.stats = toCounters(nums);
					else rs.rate = toRates(nums);
					current.realServers.push(rs);
					continue;
				}
			}
			const toks = tokens(line);
			if (toks[1] === 'RemoteAddress:Port') {
				if (mode === 'list') layout = layoutFromHeader(toks.slice(2));
				continue;
			}
			if (!current) {
				problems.add(() => `line ${n + 1}: real server before any service: ${excerpt(line)}`);
				continue;
			}
			const rs = parseDest(toks, mode, layout, (what) => problems.add(() => `line ${n + 1}: ${what}`));
			if (typeof rs === 'string') problems.add(() => `line ${n + 1}: ${rs}: ${excerpt(line)}`);
			else current.realServers.push(rs);
			continue;
		}
		const toks = tokens(line);
		if (toks.length === 0) continue;
		const first = toks[0] ?? '';
		if (PROTOCOLS.has(first)) {
			const svc = parseServiceLine(toks, mode, (what) => problems.add(() => `line ${n + 1}: ${what}`));
			if (typeof svc === 'string') {
				problems.add(() => `line ${n + 1}: ${svc}: ${excerpt(line)}`);
				current = undefined;
			} else {
				services.push(svc);
				current = svc;
			}
			continue;
		}
		if (first === 'IP' && toks[1] === 'Virtual' && toks[2] === 'Server') continue;
		if (first === 'Prot') {
			const m = modeFromHeader(toks);
			if (m) {
				sawHeader = true;
				if (m !== expected) problems.add(`expected ${expected} output but the header is ${m} output; parsed as ${m}`);
				mode = m;
			}
			continue;
		}
		problems.add(() => `line ${n + 1}: unrecognised line: ${excerpt(line)}`);
	}
	if (!sawHeader && services.length > 0) problems.add('no ipvsadm header line; output may be incomplete');
	return {services, problems: problems.done()};
}

/** Reports a field that was refused (the row itself is kept). */
type Refuse = (what: string) => void;

function parseServiceLine(toks: string[], mode: Mode, refuse: Refuse): IpvsService | string {
	const protocol = toks[0] as IpvsProtocol;
	let i = 2;
	let svc: IpvsService;
	if (protocol === 'FWM') {
		const mark = parseIntToken(toks[1]);
		if (mark === undefined || mark < 0) return 'bad firewall mark';
		let family: 'inet' | 'inet6' = 'inet';
		// IPv6 FWM services print as `FWM  7 IPv6`.
		if (toks[2] === 'IPv6') {
			family = 'inet6';
			i = 3;
		}
		svc = {protocol, address: '', port: 0, fwmark: mark, family, scheduler: '', flags: [], realServers: []};
	} else {
		const ap = toks[1] === undefined ? undefined : parseAddrPort(toks[1]);
		if (!ap) return 'bad service address';
		svc = {protocol, address: ap.address, port: ap.port, family: ap.family, scheduler: '', flags: [], realServers: []};
	}
	if (mode === 'stats' || mode === 'rate') {
		const nums = fiveCounts(toks, i);
		if (!nums) return `expected 5 ${mode} columns`;
		if (mode === 'stats') svc.stats = toCounters(nums);
		else svc.rate = toRates(nums);
		return svc;
	}
	const sched = toks[i];
	if (sched === undefined) return 'missing scheduler';
	if (isSchedulerName(sched)) svc.scheduler = KNOWN_SCHEDULER.get(sched) ?? sched;
	else {
		svc.scheduler = '?';
		refuse(`scheduler ${quoteToken(sched)} is not a word; shown as ?`);
	}
	for (i++; i < toks.length; i++) {
		const t = toks[i] ?? '';
		const next = toks[i + 1];
		if (!isFlagToken(t)) {
			refuse(`flag ${quoteToken(t)} is not a word; dropped`);
		} else if (t === 'persistent' && parseIntToken(next) !== undefined) {
			svc.persistent = parseIntToken(next);
			i++;
		} else if ((t === 'mask' || t === 'pe') && next !== undefined) {
			i++;
			if (!isFlagToken(next)) refuse(`${t} ${quoteToken(next)} is not a word; dropped`);
			else if (t === 'mask') svc.netmask = next;
			else svc.flags.push(`pe ${next}`);
		} else svc.flags.push(t);
	}
	return svc;
}

function parseDest(toks: string[], mode: Mode, layout: DestLayout, refuse: Refuse): IpvsRealServer | string {
	const ap = toks[1] === undefined ? undefined : parseAddrPort(toks[1]);
	if (!ap) return 'bad real server address';
	const rs: IpvsRealServer = {address: ap.address, port: ap.port, forward: '', weight: 0, activeConn: 0, inactConn: 0};
	if (mode === 'stats' || mode === 'rate') {
		const nums = fiveCounts(toks, 2);
		if (!nums) return `expected 5 ${mode} columns`;
		if (mode === 'stats') rs.stats = toCounters(nums);
		else rs.rate = toRates(nums);
		return rs;
	}
	const len = toks.length;
	if (len < 6) return 'expected forward, weight and connection columns';
	const active = parseCount(toks[len - layout.activeFromEnd]);
	const inact = parseCount(toks[len - layout.inactFromEnd]);
	const weight = layout.weightFromEnd === undefined ? 0 : parseIntToken(toks[len - layout.weightFromEnd]);
	if (active === undefined || inact === undefined || weight === undefined) return 'bad weight or connection count';
	const forward = toks[2] ?? '';
	if (isForwardName(forward)) rs.forward = KNOWN_FORWARD.get(forward) ?? forward;
	else {
		rs.forward = '?';
		refuse(`forwarding method ${quoteToken(forward)} is not a word; shown as ?`);
	}
	rs.weight = weight;
	rs.activeConn = active;
	rs.inactConn = inact;
	return rs;
}

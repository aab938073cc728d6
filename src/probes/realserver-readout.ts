// What REALSERVER_CHECK_SCRIPT reports about a real server, read into plain data: per-interface
// sysctls, addresses, links and default routes. Pure; never throws. The mode checks are in realserver.ts.
import {isIP} from 'node:net';
import {normalizeAddress, parseIpAddrOneline, type IfAddress} from './vip.js';
import {isInterfaceName} from './shape.js';

/** The per-interface IPv4 sysctls the checks need (undefined: not reported or unreadable). */
export interface InterfaceSysctls {
	arpIgnore?: number;
	arpAnnounce?: number;
	rpFilter?: number;
}

export interface LinkState {
	/** Without the `@peer` suffix (`tunl0@NONE` is tunl0). */
	name: string;
	/** The UP flag (administratively up). */
	up: boolean;
}

export interface DefaultRoute {
	family: 4 | 6;
	via?: string;
	dev?: string;
}

export interface RealServerReadout {
	/** Keyed by the /proc/sys/net/ipv4/conf entry: all, default, lo, eth0, ... (null-prototype object). */
	sysctls: Record<string, InterfaceSysctls>;
	/** Raw sysctl text values by full key, for the old `all`/`lo` fields and their messages. */
	rawSysctls: Record<string, string>;
	addresses: IfAddress[];
	links: LinkState[];
	defaultRoutes: DefaultRoute[];
	problems: string[];
}

const KEY_RE = /^[A-Za-z0-9_.\-/]{1,200}$/;
/** Sysctl values are printable ASCII (several numbers are tab-separated). */
const VALUE_RE = /^[\x20-\x7e\t]{0,200}$/;

/** `sysctl a.b.c = 1` (or `a.b.c=1`) lines into key → value text; other lines are problems. */
export function parseSysctlLines(text: string): {values: Record<string, string>; problems: string[]} {
	const values = Object.create(null) as Record<string, string>;
	const problems: string[] = [];
	if (typeof text !== 'string') return {values, problems: ['input is not text']};
	const lines = text.split('\n');
	for (let n = 0; n < lines.length; n++) {
		const line = (lines[n] ?? '').trim();
		if (line === '') continue;
		const eq = line.indexOf('=');
		const key = eq < 0 ? '' : line.slice(0, eq).trim();
		if (!KEY_RE.test(key)) {
			if (problems.length < 50) problems.push(`line ${n + 1}: not a "key = value" line`);
			continue;
		}
		const value = line.slice(eq + 1).trim();
		if (!VALUE_RE.test(value)) {
			if (problems.length < 50) problems.push(`line ${n + 1}: the value of ${key} is not printable text; dropped`);
			continue;
		}
		values[key] = value;
	}
	return {values, problems};
}

const SYSCTL_FIELDS: ReadonlyArray<[string, keyof InterfaceSysctls]> = [
	['arp_ignore', 'arpIgnore'],
	['arp_announce', 'arpAnnounce'],
	['rp_filter', 'rpFilter'],
];

/** net.ipv4.conf.<if>.<name> values into per-interface numbers (interface names may hold dots). */
function interfaceSysctls(values: Record<string, string>): Record<string, InterfaceSysctls> {
	const out = Object.create(null) as Record<string, InterfaceSysctls>;
	for (const [key, value] of Object.entries(values)) {
		if (!key.startsWith('net.ipv4.conf.') || !/^\d{1,4}$/.test(value)) continue;
		for (const [suffix, field] of SYSCTL_FIELDS) {
			if (!key.endsWith(`.${suffix}`)) continue;
			const ifname = key.slice('net.ipv4.conf.'.length, -suffix.length - 1);
			if (!isInterfaceName(ifname)) continue;
			(out[ifname] ??= {})[field] = Number(value);
		}
	}
	return out;
}

/** One `ip -o link show` line: `3: tunl0@NONE: <NOARP,UP,LOWER_UP> mtu 1480 ...`. */
export function parseLinkLine(line: string): LinkState | undefined {
	const m = /^\d{1,10}: ([^:@\s]{1,15})(?:@[^:\s]{1,20})?: <([A-Z0-9_,-]{0,200})>/.exec(line.trim());
	if (!m || !isInterfaceName(m[1])) return undefined;
	return {name: m[1]!, up: m[2]!.split(',').includes('UP')};
}

/** One `ip route show default` line: `default via 10.0.1.1 dev eth1 ...` (or `default dev tun0 ...`). */
export function parseDefaultRoute(line: string, family: 4 | 6): DefaultRoute | undefined {
	const toks = line.trim().split(/\s+/);
	if (toks[0] !== 'default') return undefined;
	const route: DefaultRoute = {family};
	for (let i = 1; i < toks.length - 1; i++) {
		const v = toks[i + 1]!;
		if (toks[i] === 'via' && isIP(v) !== 0) route.via = v;
		else if (toks[i] === 'dev' && isInterfaceName(v)) route.dev = v;
	}
	return route;
}

/** `flags.<if>=0x1003` (/sys/class/net/<if>/flags): IFF_UP is bit 0x1. */
function parseFlagsLine(tag: string, value: string): LinkState | undefined {
	const name = tag.slice('flags.'.length);
	if (!isInterfaceName(name) || !/^0x[0-9a-fA-F]{1,8}$/.test(value.trim())) return undefined;
	return {name, up: (parseInt(value.trim(), 16) & 0x1) === 1};
}

/** The kernel's flags of each interface (`flags.eth0=0x1003` lines): IFF_LOOPBACK 0x8, IFF_NOARP 0x80. */
export function interfaceFlags(text: string): Map<string, number> {
	const flags = new Map<string, number>();
	for (const line of (typeof text === 'string' ? text : '').split('\n')) {
		const m = /^flags\.([^=]{1,15})=(0x[0-9a-fA-F]{1,8})\r?$/.exec(line);
		if (m && isInterfaceName(m[1])) flags.set(m[1]!, parseInt(m[2]!, 16));
	}
	return flags;
}

const RTF_UP = 0x1;
const RTF_REJECT = 0x200;

/** A /proc/net/route line (`eth0 00000000 010200C0 0003 ... 00000000 ...`, little-endian hex): the default route, if it is one. */
export function parseProcRoute4(line: string): DefaultRoute | undefined {
	const f = line.trim().split(/\s+/);
	if (f.length < 8 || f[1] !== '00000000' || f[7] !== '00000000' || !/^[0-9A-Fa-f]{8}$/.test(f[2] ?? '') || !/^[0-9A-Fa-f]{4}$/.test(f[3] ?? '')) return undefined;
	const flags = parseInt(f[3]!, 16);
	if ((flags & RTF_UP) === 0 || (flags & RTF_REJECT) !== 0) return undefined;
	const route: DefaultRoute = {family: 4};
	if (isInterfaceName(f[0])) route.dev = f[0];
	const g = f[2]!;
	if (g !== '00000000') route.via = [6, 4, 2, 0].map((i) => parseInt(g.slice(i, i + 2), 16)).join('.');
	return route;
}

/** A /proc/net/ipv6_route line (dest len src len nexthop metric refcnt use flags dev): the default route, if it is one. */
export function parseProcRoute6(line: string): DefaultRoute | undefined {
	const f = line.trim().split(/\s+/);
	if (f.length < 10 || !/^0{32}$/.test(f[0]!) || f[1] !== '00' || !/^[0-9a-fA-F]{32}$/.test(f[4] ?? '') || !/^[0-9a-fA-F]{8}$/.test(f[8] ?? '')) return undefined;
	const flags = parseInt(f[8]!, 16);
	if ((flags & RTF_UP) === 0 || (flags & RTF_REJECT) !== 0) return undefined;
	const route: DefaultRoute = {family: 6};
	if (isInterfaceName(f[9])) route.dev = f[9];
	const hop = f[4]!;
	if (!/^0{32}$/.test(hop)) route.via = normalizeAddress(hop.match(/.{4}/g)!.join(':'));
	return route;
}

/**
 * Read REALSERVER_CHECK_SCRIPT's output. Also accepts the older script's `lo.addr=` lines, and plain
 * `sysctl` lines followed by raw `ip -o addr show` lines.
 */
export function parseRealServerReadout(text: string): RealServerReadout {
	const sysctlLines: string[] = [];
	const addrLines: string[] = [];
	const links: LinkState[] = [];
	const defaultRoutes: DefaultRoute[] = [];
	const problems: string[] = [];
	for (const raw of (typeof text === 'string' ? text : '').split('\n')) {
		const line = raw.replace(/\r$/, '');
		const eq = line.indexOf('=');
		const tag = eq < 0 ? '' : line.slice(0, eq);
		const rest = line.slice(eq + 1);
		if (tag === 'addr' || tag === 'lo.addr') addrLines.push(rest);
		else if (tag.startsWith('flags.')) {
			const l = parseFlagsLine(tag, rest);
			if (l) links.push(l);
		} else if (tag === 'route4' || tag === 'route6') {
			const r = tag === 'route4' ? parseProcRoute4(rest) : parseProcRoute6(rest);
			if (r) defaultRoutes.push(r);
		} else if (tag === 'link') {
			const l = parseLinkLine(rest);
			if (l) links.push(l);
		} else if (tag === 'route' || tag === 'route6') {
			const r = parseDefaultRoute(rest, tag === 'route' ? 4 : 6);
			if (r) defaultRoutes.push(r);
		} else if (/^\d{1,10}: /.test(line)) addrLines.push(line);
		else if (line.trim() !== '') sysctlLines.push(line);
	}
	const {values, problems: sysctlProblems} = parseSysctlLines(sysctlLines.join('\n'));
	problems.push(...sysctlProblems);
	const parsed = parseIpAddrOneline(addrLines.join('\n'));
	problems.push(...parsed.problems);
	if (addrLines.length === 0) problems.push('no addresses were reported');
	return {sysctls: interfaceSysctls(values), rawSysctls: values, addresses: parsed.addresses, links, defaultRoutes, problems};
}

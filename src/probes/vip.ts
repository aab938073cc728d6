// Interface addresses (who holds a VIP): `ip -j addr`, `ip -o addr` and `ip -o monitor address`.
// Pure builders and parsers; parsers never throw.
import {isIP} from 'node:net';
import type {Argv} from '../profile/model.js';
import {isInterfaceName, isPlainAddress, isScopeWord} from './shape.js';

/** One address on one interface. */
export interface IfAddress {
	ifname: string;
	family: 'inet' | 'inet6';
	/** Without prefix; IPv6 as printed by ip (canonical). */
	address: string;
	prefix: number;
	label?: string;
	scope?: string;
	secondary?: boolean;
}

/** Addresses plus what could not be read. */
export interface IfAddressList {
	addresses: IfAddress[];
	problems: string[];
	/**
	 * Links that are not up and running (`ip -j` flags without UP or LOWER_UP), as keepalived sees an
	 * interface fail; only `ip -j addr` says (absent from the one-line format).
	 */
	downLinks?: string[];
}

/** keepalived counts an interface up when it is administratively up and has its lower layer (carrier). */
function linkDown(flags: unknown): boolean {
	return Array.isArray(flags) && !(flags.includes('UP') && flags.includes('LOWER_UP'));
}

/** `ip -j addr show`: every address, as JSON. */
export function ipAddrJsonCommand(): Argv {
	return ['ip', '-j', 'addr', 'show'];
}

/** `ip -o addr show`: one address per line, for hosts whose ip lacks -j. */
export function ipAddrOnelineCommand(): Argv {
	return ['ip', '-o', 'addr', 'show'];
}

/** `ip -o monitor address`: a long-running stream, one added/deleted address per line. */
export function ipMonitorAddressCommand(): Argv {
	return ['ip', '-o', 'monitor', 'address'];
}

const MAX_PROBLEMS = 50;

function capped(problems: string[]): string[] {
	if (problems.length <= MAX_PROBLEMS) return problems;
	return [...problems.slice(0, MAX_PROBLEMS), `... and ${problems.length - MAX_PROBLEMS} more problems`];
}

function isRecord(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const validIfname = isInterfaceName;

/** A plain address of the family (no zone index: `fe80::1%eth0` would let any text in). */
function addressOf(v: unknown, family: 'inet' | 'inet6'): v is string {
	return isPlainAddress(v) && isIP(v) === (family === 'inet' ? 4 : 6);
}

function validPrefix(n: number, family: 'inet' | 'inet6'): boolean {
	return Number.isInteger(n) && n >= 0 && n <= (family === 'inet' ? 32 : 128);
}

/** Parse `ip -j addr show`. Links without addresses and empty `{}` entries (filtered) are skipped. */
export function parseIpAddrJson(text: string): IfAddressList {
	const addresses: IfAddress[] = [];
	const problems: string[] = [];
	const downLinks: string[] = [];
	if (typeof text !== 'string' || text.trim() === '') return {addresses, problems: ['empty ip -j addr output']};
	let root: unknown;
	try {
		root = JSON.parse(text);
	} catch {
		return {addresses, problems: ['ip -j addr output is not valid JSON (truncated?)']};
	}
	if (!Array.isArray(root)) return {addresses, problems: ['ip -j addr output is not an array of links']};
	root.forEach((link, li) => {
		if (!isRecord(link) || !validIfname(link.ifname)) {
			problems.push(`link #${li + 1} has no usable ifname`);
			return;
		}
		const ifname = link.ifname;
		if (linkDown(link.flags)) downLinks.push(ifname);
		const infos = link.addr_info;
		if (infos === undefined) return;
		if (!Array.isArray(infos)) {
			problems.push(`${ifname}: addr_info is not an array`);
			return;
		}
		for (const a of infos) {
			if (!isRecord(a) || Object.keys(a).length === 0) continue;
			const family = a.family;
			if (family !== 'inet' && family !== 'inet6') continue;
			const local = a.local;
			const prefix = a.prefixlen;
			if (!addressOf(local, family) || typeof prefix !== 'number' || !validPrefix(prefix, family)) {
				problems.push(`${ifname}: unreadable ${family} address entry`);
				continue;
			}
			const addr: IfAddress = {ifname, family, address: local, prefix};
			if (isInterfaceName(a.label)) addr.label = a.label;
			else if (a.label !== undefined) problems.push(`${ifname}: label of ${local} is not an interface label; dropped`);
			if (isScopeWord(a.scope)) addr.scope = a.scope;
			else if (a.scope !== undefined) problems.push(`${ifname}: scope of ${local} is not a word; dropped`);
			if (a.secondary === true) addr.secondary = true;
			addresses.push(addr);
		}
	});
	return {addresses, problems: capped(problems), downLinks};
}

function prefixNumber(s: string): number {
	return /^\d{1,3}$/.test(s) ? Number(s) : Number.NaN;
}

// Words ip prints after the address that take a value.
const WITH_VALUE = new Set(['peer', 'brd', 'scope', 'metric', 'proto', 'any']);
// Flags ip prints without a value (ipaddress.c ifa_flag_names and friends).
const FLAGS = new Set([
	'secondary',
	'temporary',
	'primary',
	'tentative',
	'deprecated',
	'dadfailed',
	'home',
	'nodad',
	'optimistic',
	'mngtmpaddr',
	'noprefixroute',
	'autojoin',
	'stable-privacy',
	'permanent',
	'dynamic',
]);

/** One `ip -o addr` line (without any monitor prefix); a string says why it is not an address. */
function parseOnelineAddr(line: string): IfAddress | string | undefined {
	// Everything after the first backslash is lifetimes (the -o continuation marker).
	const bs = line.indexOf('\\');
	const main = bs < 0 ? line : line.slice(0, bs);
	const toks = main.trim().split(/[ \t]+/);
	if (toks.length === 1 && toks[0] === '') return undefined;
	const idx = toks[0] ?? '';
	if (!/^\d{1,10}:$/.test(idx)) return 'not an address line';
	const ifname = toks[1];
	const family = toks[2];
	if (!validIfname(ifname)) return 'no interface name';
	if (family !== 'inet' && family !== 'inet6') return undefined; // other families are not ours
	const ap = toks[3] ?? '';
	const slash = ap.indexOf('/');
	const address = slash < 0 ? ap : ap.slice(0, slash);
	if (!addressOf(address, family)) return `bad ${family} address`;
	let prefix = slash < 0 ? (family === 'inet' ? 32 : 128) : prefixNumber(ap.slice(slash + 1));
	const addr: IfAddress = {ifname, family, address, prefix};
	for (let i = 4; i < toks.length; i++) {
		const t = toks[i] ?? '';
		if (WITH_VALUE.has(t)) {
			const v = toks[i + 1];
			i++;
			if (v === undefined) break;
			if (t === 'scope') {
				if (isScopeWord(v)) addr.scope = v;
			}
			// `inet A peer B/N`: the prefix is printed on the peer.
			else if (t === 'peer' && slash < 0 && v.includes('/')) prefix = prefixNumber(v.slice(v.indexOf('/') + 1));
		} else if (t === 'secondary') addr.secondary = true;
		else if (!FLAGS.has(t) && i === toks.length - 1 && family === 'inet' && isInterfaceName(t)) addr.label = t;
	}
	if (!validPrefix(prefix, family)) return 'bad prefix length';
	addr.prefix = prefix;
	return addr;
}

/** Parse `ip -o addr show` (one address per line). */
export function parseIpAddrOneline(text: string): IfAddressList {
	const addresses: IfAddress[] = [];
	const problems: string[] = [];
	if (typeof text !== 'string') return {addresses, problems: ['input is not text']};
	const lines = text.split('\n');
	for (let n = 0; n < lines.length; n++) {
		const r = parseOnelineAddr(lines[n] ?? '');
		if (r === undefined) continue;
		if (typeof r === 'string') problems.push(`line ${n + 1}: ${r}`);
		else addresses.push(r);
	}
	return {addresses, problems: capped(problems)};
}

/**
 * One line of `ip -o monitor address`: `Deleted ` marks a removal, no prefix an addition.
 * Optional leading `[...]` tags (`ip monitor all`, timestamps) are skipped.
 */
export function parseIpMonitorLine(line: string): {kind: 'added' | 'deleted'; addr: IfAddress} | undefined {
	if (typeof line !== 'string') return undefined;
	let rest = line.trimStart();
	while (rest.startsWith('[')) {
		const close = rest.indexOf(']');
		if (close < 0) return undefined;
		rest = rest.slice(close + 1).trimStart();
	}
	let kind: 'added' | 'deleted' = 'added';
	if (rest.startsWith('Deleted ')) {
		kind = 'deleted';
		rest = rest.slice('Deleted '.length);
	}
	const addr = parseOnelineAddr(rest);
	return typeof addr === 'object' ? {kind, addr} : undefined;
}

/** Canonical text of an address (drops a /prefix; IPv6 lower-case and compressed). */
export function normalizeAddress(ip: string): string {
	const slash = ip.indexOf('/');
	const a = (slash < 0 ? ip : ip.slice(0, slash)).trim();
	if (isIP(a) !== 6) return a;
	try {
		// The WHATWG URL parser serialises IPv6 in the RFC 5952 form ip prints.
		return new URL(`http://[${a}]/`).hostname.slice(1, -1);
	} catch {
		return a.toLowerCase();
	}
}

/** Whether any of the addresses is `ip` ('192.168.67.100', '192.168.67.100/24' or IPv6). */
export function holdsAddress(addrs: readonly IfAddress[], ip: string): boolean {
	const want = normalizeAddress(ip);
	if (want === '') return false;
	return addrs.some((a) => normalizeAddress(a.address) === want);
}

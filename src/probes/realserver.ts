// Real-server readiness for LVS-DR: the ARP sysctls and the VIPs on lo. Pure builder and parser.
import type {Argv} from '../profile/model.js';
import {REALSERVER_CHECK_SCRIPT} from '../transport/read-only-scripts.js';
import {normalizeAddress, parseIpAddrOneline} from './vip.js';

// The script (ARP sysctls from /proc/sys, then lo's addresses) is in the transport's list of read-only scripts.
export {REALSERVER_CHECK_SCRIPT} from '../transport/read-only-scripts.js';

/** Runs REALSERVER_CHECK_SCRIPT. */
export function realServerCheckCommand(): Argv {
	return ['sh', '-c', REALSERVER_CHECK_SCRIPT, 'lvsdeck-rs-check'];
}

/** ARP sysctls, VIPs on lo and whether the host can take DR traffic without answering ARP. */
export interface RealServerCheck {
	arpIgnore: {all?: number; lo?: number};
	arpAnnounce: {all?: number; lo?: number};
	/** Requested VIPs found on lo, as given. */
	vipsOnLo: string[];
	/** Requested VIPs not on lo, as given. */
	missingVips: string[];
	/**
	 * arp_ignore >= 1 and arp_announce >= 2 on `all`. The kernel applies max(all, <interface>) for
	 * the interface the ARP request arrives on / leaves from (eth0, never lo), so the lo values alone
	 * prove nothing; only `all` covers every interface.
	 */
	arpOk: boolean;
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

function sysctlNumber(values: Record<string, string>, key: string, problems: string[]): number | undefined {
	const v = values[key];
	if (v === undefined) {
		problems.push(`${key} was not reported`);
		return undefined;
	}
	if (!/^\d{1,4}$/.test(v)) {
		problems.push(`${key} could not be read (${v === 'missing' ? 'no such file' : 'not a number'})`);
		return undefined;
	}
	return Number(v);
}

/**
 * Parse the output of realServerCheckCommand (also accepts plain `sysctl` lines followed by raw
 * `ip -o addr show` lines). `vips` may carry a prefix ('192.168.67.100/32').
 */
export function parseRealServerCheck(text: string, vips: string[]): RealServerCheck {
	const problems: string[] = [];
	const sysctlLines: string[] = [];
	const addrLines: string[] = [];
	const input = typeof text === 'string' ? text : '';
	for (const raw of input.split('\n')) {
		const line = raw.replace(/\r$/, '');
		if (line.startsWith('lo.addr=')) addrLines.push(line.slice('lo.addr='.length));
		else if (/^\d{1,10}: /.test(line)) addrLines.push(line);
		else if (line.trim() !== '') sysctlLines.push(line);
	}
	const {values, problems: sysctlProblems} = parseSysctlLines(sysctlLines.join('\n'));
	problems.push(...sysctlProblems);
	const arpIgnore = {
		all: sysctlNumber(values, 'net.ipv4.conf.all.arp_ignore', problems),
		lo: sysctlNumber(values, 'net.ipv4.conf.lo.arp_ignore', problems),
	};
	const arpAnnounce = {
		all: sysctlNumber(values, 'net.ipv4.conf.all.arp_announce', problems),
		lo: sysctlNumber(values, 'net.ipv4.conf.lo.arp_announce', problems),
	};
	const ignoreOk = (arpIgnore.all ?? 0) >= 1;
	const announceOk = (arpAnnounce.all ?? 0) >= 2;
	if (!ignoreOk) {
		problems.push(
			(arpIgnore.lo ?? 0) >= 1
				? 'arp_ignore is set on lo but not on all: the kernel uses max(all, receiving interface), so eth0 still answers ARP for the VIPs'
				: 'net.ipv4.conf.all.arp_ignore must be >= 1 so the host does not answer ARP for the VIPs',
		);
	}
	if (!announceOk) {
		problems.push(
			(arpAnnounce.lo ?? 0) >= 2
				? 'arp_announce is set on lo but not on all: the kernel uses max(all, sending interface), so ARP may still announce a VIP'
				: 'net.ipv4.conf.all.arp_announce must be >= 2 so ARP requests never use a VIP as source',
		);
	}
	const parsed = parseIpAddrOneline(addrLines.join('\n'));
	problems.push(...parsed.problems);
	if (addrLines.length === 0) problems.push('no addresses of lo were reported');
	const onLo = parsed.addresses.filter((a) => a.ifname === 'lo');
	const vipsOnLo: string[] = [];
	const missingVips: string[] = [];
	for (const vip of Array.isArray(vips) ? vips : []) {
		const want = normalizeAddress(vip);
		const found = onLo.find((a) => normalizeAddress(a.address) === want);
		if (!found) {
			missingVips.push(vip);
			continue;
		}
		vipsOnLo.push(vip);
		// A VIP on lo with a shorter prefix makes the whole subnet local and breaks replies.
		const host = found.family === 'inet' ? 32 : 128;
		if (found.prefix !== host) problems.push(`VIP ${want} is on lo as /${found.prefix}; it should be /${host}`);
	}
	return {arpIgnore, arpAnnounce, vipsOnLo, missingVips, arpOk: ignoreOk && announceOk, problems: problems.slice(0, 60)};
}

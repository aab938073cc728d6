// Real-server readiness by forwarding mode, from one read of the host (REALSERVER_CHECK_SCRIPT):
// DR: the VIPs on lo (or the dummy device the profile names) and ARP sysctls as the kernel applies
// them; NAT: the default route via the directors' gateway; TUN: the tunnel device up with the VIPs and
// rp_filter that lets decapsulated packets in. Pure builder and checks.
import type {Argv} from '../profile/model.js';
import {REALSERVER_CHECK_SCRIPT, REALSERVER_POLL_SCRIPT, REALSERVER_STREAM_SCRIPT, SERVICE_STATUS_MARK} from '../transport/read-only-scripts.js';
import {normalizeAddress, type IfAddress} from './vip.js';
import {parseRealServerReadout, type InterfaceSysctls, type RealServerReadout} from './realserver-readout.js';
import {inSubnet} from './subnet.js';
import {streamPeriodSeconds} from './stream-frames.js';

export {parseSysctlLines} from './realserver-readout.js';
// The script (sysctls from /proc/sys, addresses, links, default routes) is in the transport's list of read-only scripts.
export {REALSERVER_CHECK_SCRIPT} from '../transport/read-only-scripts.js';

/** Runs REALSERVER_CHECK_SCRIPT. */
export function realServerCheckCommand(): Argv {
	return ['sh', '-c', REALSERVER_CHECK_SCRIPT, 'lvsdeck-rs-check'];
}

/** REALSERVER_CHECK_SCRIPT and then the service's status command, in one session (REALSERVER_POLL_SCRIPT). */
export function realServerPollCommand(serviceStatus: Argv): Argv {
	return ['sh', '-c', REALSERVER_POLL_SCRIPT, 'lvsdeck-rs-poll', ...serviceStatus];
}

/**
 * REALSERVER_POLL_SCRIPT every `periodMs` in one long-lived session, writing only changes
 * (REALSERVER_STREAM_SCRIPT). `serviceStatus` empty: no service, `true` runs in its place.
 */
export function realServerStreamCommand(periodMs: number, serviceStatus: Argv): Argv {
	return ['sh', '-c', REALSERVER_STREAM_SCRIPT, 'lvsdeck-rs-stream', streamPeriodSeconds(periodMs), ...(serviceStatus.length > 0 ? serviceStatus : ['true'])];
}

/**
 * REALSERVER_POLL_SCRIPT's output: the check's text, and the service status command's exit status
 * (undefined when the output was cut short before it).
 */
export function splitRealServerPoll(text: string): {check: string; serviceCode: number | undefined} {
	const mark = `\n${SERVICE_STATUS_MARK} `;
	const at = text.lastIndexOf(mark);
	if (at < 0) return {check: text, serviceCode: undefined};
	const m = /^(\d+)\n?$/.exec(text.slice(at + mark.length));
	return {check: text.slice(0, at), serviceCode: m ? Number(m[1]) : undefined};
}

/** What the services a host serves need from it, by forwarding mode (a host may serve several). */
export interface RealServerExpectations {
	/** The host's real address (from the profile): its interface is the one whose ARP values count. */
	readonly address?: string;
	/** VIPs of DR services, held on `device` (default lo). */
	readonly dr?: {readonly vips: readonly string[]; readonly device?: string};
	/** NAT: the default route must go via one of `gateways`; none known: via any address in the real address's subnet. */
	readonly nat?: {readonly gateways: readonly string[]};
	/** VIPs of TUN services, held on tunl0 (IPv4) or ip6tnl0 (IPv6). */
	readonly tun?: {readonly vips: readonly string[]};
}

/** An ARP sysctl: `all`, lo, the real address's interface, and what the kernel uses: max(all, interface). */
export interface ArpValue {
	all?: number;
	lo?: number;
	interface?: number;
	effective?: number;
}

export interface NatCheck {
	/** Gateway addresses the profile gives (VRRP VIPs in the real server's subnet); empty: any in the subnet. */
	gateways: string[];
	/** The `via` of each default route found. */
	defaultVia: string[];
	ok: boolean;
	/** Why not ok, or how it was judged when the profile names no gateway. */
	note?: string;
}

export interface TunCheck {
	/** The tunnel devices the VIPs need (tunl0, ip6tnl0). */
	devices: string[];
	/** Of those, the ones that are missing or not up. */
	down: string[];
	vipsOnTunnel: string[];
	missingVips: string[];
	rpFilter: {all?: number; tunnel?: number; effective?: number};
	/** rp_filter strict (1) on the tunnel drops decapsulated packets whose source routes elsewhere; 0 or 2 pass. */
	rpFilterOk: boolean;
	ok: boolean;
}

/** A real server's readiness for the modes it serves; DR fields keep their old names. */
export interface RealServerCheck {
	arpIgnore: ArpValue;
	arpAnnounce: ArpValue;
	/** The interface whose ARP values count (the one carrying the real address). */
	arpInterface?: string;
	/** false when no service needs the ARP settings (NAT, IPv6, TUN across a router): arpOk is then true. */
	arpRequired: boolean;
	/** The device the DR VIPs must be on (lo unless the profile names one). */
	vipDevice: string;
	/** Requested DR VIPs found on vipDevice, as given. */
	vipsOnLo: string[];
	/** Requested DR VIPs not on vipDevice, as given. */
	missingVips: string[];
	/** Effective arp_ignore >= 1 and arp_announce >= 2 where needed (the kernel applies max(all, interface)). */
	arpOk: boolean;
	nat?: NatCheck;
	tun?: TunCheck;
	problems: string[];
}

const hostPrefix = (a: IfAddress): number => (a.family === 'inet' ? 32 : 128);
const isV4 = (vip: string): boolean => !normalizeAddress(vip).includes(':');
const maxOf = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : Math.max(a, b));

/** The interfaces carrying the real address; without one, those with a global IPv4 address that is not a VIP. */
function realInterfaces(r: RealServerReadout, address: string | undefined, notThese: ReadonlySet<string>, vips: ReadonlySet<string>): IfAddress[] {
	if (address !== undefined) {
		const want = normalizeAddress(address);
		const found = r.addresses.filter((a) => normalizeAddress(a.address) === want);
		if (found.length > 0) return found;
	}
	return r.addresses.filter((a) => a.family === 'inet' && a.scope !== 'host' && !notThese.has(a.ifname) && !vips.has(normalizeAddress(a.address)));
}

/** The kernel's value for ARP on `ifname`: max(all, ifname) (IN_DEV_MAXCONF). */
function arpValue(r: RealServerReadout, field: keyof InterfaceSysctls, ifname: string | undefined): ArpValue {
	const all = r.sysctls['all']?.[field];
	const lo = r.sysctls['lo']?.[field];
	const own = ifname === undefined ? undefined : r.sysctls[ifname]?.[field];
	return {all, lo, ...(ifname !== undefined ? {interface: own} : {}), effective: maxOf(all, own)};
}

function sysctlProblem(r: RealServerReadout, key: string): string | undefined {
	const v = r.rawSysctls[key];
	if (v === undefined) return `${key} was not reported`;
	if (!/^\d{1,4}$/.test(v)) return `${key} could not be read (${v === 'missing' ? 'no such file' : 'not a number'})`;
	return undefined;
}

function arpProblems(r: RealServerReadout, ignore: ArpValue, announce: ArpValue, ifname: string | undefined): string[] {
	const problems: string[] = [];
	const on = ifname ?? 'all';
	const where = ifname ? `all or ${ifname}` : 'all';
	if ((ignore.effective ?? 0) < 1) {
		problems.push(
			(ignore.lo ?? 0) >= 1
				? `arp_ignore is set on lo but not on ${where}: the kernel uses max(all, receiving interface), so ${on} still answers ARP for the VIPs`
				: `arp_ignore on ${on} is ${ignore.effective ?? '?'} (max of all and ${on}); it must be >= 1 so the host does not answer ARP for the VIPs`,
		);
	}
	if ((announce.effective ?? 0) < 2) {
		problems.push(
			(announce.lo ?? 0) >= 2
				? `arp_announce is set on lo but not on ${where}: the kernel uses max(all, sending interface), so ARP may still announce a VIP`
				: `arp_announce on ${on} is ${announce.effective ?? '?'} (max of all and ${on}); it must be >= 2 so ARP requests never use a VIP as source`,
		);
	}
	return problems;
}

/** Each requested VIP found (with a host prefix) on one of `devices`, or missing. */
function vipsOn(r: RealServerReadout, vips: readonly string[], deviceOf: (vip: string) => string, problems: string[]): {found: string[]; missing: string[]} {
	const found: string[] = [];
	const missing: string[] = [];
	for (const vip of vips) {
		const want = normalizeAddress(vip);
		const device = deviceOf(vip);
		const at = r.addresses.find((a) => a.ifname === device && normalizeAddress(a.address) === want);
		if (!at) {
			missing.push(vip);
			continue;
		}
		found.push(vip);
		// A VIP with a shorter prefix makes the whole subnet local and breaks replies.
		if (at.prefix !== hostPrefix(at)) problems.push(`VIP ${want} is on ${device} as /${at.prefix}; it should be /${hostPrefix(at)}`);
	}
	return {found, missing};
}

function natCheck(r: RealServerReadout, gateways: readonly string[], own: readonly IfAddress[], v6: boolean): NatCheck {
	const routes = r.defaultRoutes.filter((d) => d.family === (v6 ? 6 : 4));
	const defaultVia = routes.flatMap((d) => (d.via ? [d.via] : []));
	if (gateways.length > 0) {
		const wanted = new Set(gateways.map(normalizeAddress));
		const ok = defaultVia.some((v) => wanted.has(normalizeAddress(v)));
		return {gateways: [...gateways], defaultVia, ok, ...(ok ? {} : {note: `the default route must go via the directors' gateway ${gateways.join(' or ')}, not ${defaultVia.join(', ') || 'nothing (no default route)'}`})};
	}
	const ok = defaultVia.some((v) => own.some((a) => inSubnet(v, a.address, a.prefix)));
	return {
		gateways: [],
		defaultVia,
		ok,
		note: ok
			? `the profile names no gateway VIP in this subnet; accepted the default route via ${defaultVia.join(', ')} in the real address's subnet`
			: `the default route must go via the directors (an address in the real address's subnet; the profile names no gateway VIP there), not ${defaultVia.join(', ') || 'nothing (no default route)'}`,
	};
}

function tunCheck(r: RealServerReadout, vips: readonly string[], problems: string[]): TunCheck {
	const deviceOf = (vip: string) => (isV4(vip) ? 'tunl0' : 'ip6tnl0');
	const devices = [...new Set(vips.map(deviceOf))];
	const down = devices.filter((d) => !r.links.some((l) => l.name === d && l.up));
	const {found, missing} = vipsOn(r, vips, deviceOf, problems);
	const all = r.sysctls['all']?.rpFilter;
	const tunnel = r.sysctls['tunl0']?.rpFilter;
	// rp_filter is IPv4 only; the kernel uses max(all, interface).
	const needsRp = devices.includes('tunl0');
	const effective = needsRp ? maxOf(all, tunnel) : undefined;
	const rpFilterOk = !needsRp || effective !== 1;
	return {devices, down, vipsOnTunnel: found, missingVips: missing, rpFilter: {all, tunnel, effective}, rpFilterOk, ok: down.length === 0 && missing.length === 0 && rpFilterOk};
}

/** Checks a real server's readout against what the services it serves need. */
export function checkRealServer(text: string, expect: RealServerExpectations): RealServerCheck {
	const r = parseRealServerReadout(text);
	const problems = [...r.problems];
	const vipDevice = expect.dr?.device ?? 'lo';
	const drVips = [...(expect.dr?.vips ?? [])];
	const tunVips = [...(expect.tun?.vips ?? [])];
	const allVips = new Set([...drVips, ...tunVips].map(normalizeAddress));
	const own = realInterfaces(r, expect.address, new Set(['lo', vipDevice, 'tunl0', 'ip6tnl0']), allVips);
	const arpInterface = own.find((a) => a.family === 'inet')?.ifname;
	const arpIgnore = arpValue(r, 'arpIgnore', arpInterface);
	const arpAnnounce = arpValue(r, 'arpAnnounce', arpInterface);
	// The ARP trouble exists for IPv4 VIPs the host holds where ARP requests for them can reach it: DR
	// always (same segment as the director), TUN when the VIP lies in the real address's own subnet.
	const ownV4 = own.filter((a) => a.family === 'inet');
	const arpRequired = drVips.some(isV4) || tunVips.some((v) => isV4(v) && ownV4.some((a) => inSubnet(normalizeAddress(v), a.address, a.prefix)));
	if (arpRequired) {
		for (const key of ['net.ipv4.conf.all.arp_ignore', 'net.ipv4.conf.all.arp_announce']) {
			const p = sysctlProblem(r, key);
			if (p) problems.push(p);
		}
	}
	const arpFailures = arpRequired ? arpProblems(r, arpIgnore, arpAnnounce, arpInterface) : [];
	problems.push(...arpFailures);
	const dr = vipsOn(r, drVips, () => vipDevice, problems);
	const v6 = expect.address !== undefined && !isV4(expect.address);
	const nat = expect.nat ? natCheck(r, expect.nat.gateways, own, v6) : undefined;
	if (nat && !nat.ok && nat.note) problems.push(nat.note);
	const tun = tunVips.length > 0 ? tunCheck(r, tunVips, problems) : undefined;
	return {
		arpIgnore,
		arpAnnounce,
		...(arpInterface !== undefined ? {arpInterface} : {}),
		arpRequired,
		vipDevice,
		vipsOnLo: dr.found,
		missingVips: dr.missing,
		arpOk: arpFailures.length === 0,
		...(nat ? {nat} : {}),
		...(tun ? {tun} : {}),
		problems: problems.slice(0, 60),
	};
}

/**
 * The DR check with the VIPs on lo (deploy's plan uses it). Also accepts plain `sysctl` lines
 * followed by raw `ip -o addr show` lines. `vips` may carry a prefix ('192.168.67.100/32').
 */
export function parseRealServerCheck(text: string, vips: string[], address?: string): RealServerCheck {
	return checkRealServer(text, {dr: {vips: Array.isArray(vips) ? vips : []}, ...(address !== undefined ? {address} : {})});
}

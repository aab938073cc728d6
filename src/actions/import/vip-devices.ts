// Import: where the DR real servers hold their VIPs. Read with the real-server readout the console
// uses (REALSERVER_CHECK_SCRIPT, on the read-only allow-list): a host whose DR VIPs are all on one
// dummy interface (NOARP, not loopback) rather than lo gets that interface as its vip_device, so
// render, deploy and the findings look there. Best effort: a host that cannot be read keeps lo, and
// a note says why.
import type {Profile} from '../../profile/model.js';
import type {Transport} from '../../transport/types.js';
import {realServerCheckCommand} from '../../probes/realserver.js';
import {interfaceFlags, parseRealServerReadout} from '../../probes/realserver-readout.js';
import {normalizeAddress} from '../../probes/vip.js';

const IFF_LOOPBACK = 0x8;
const IFF_NOARP = 0x80;
const READ_TIMEOUT_MS = 10_000;

/** The dummy interface holding every one of `vips` (none on lo), from the readout; undefined: lo (or unclear). */
export function vipDeviceOf(readout: string, vips: readonly string[]): string | undefined {
	if (vips.length === 0) return undefined;
	const {addresses} = parseRealServerReadout(readout);
	const flags = interfaceFlags(readout);
	const devices = new Set<string>();
	for (const vip of vips) {
		const on = addresses.filter((a) => normalizeAddress(a.address) === normalizeAddress(vip)).map((a) => a.ifname);
		if (on.length === 0 || on.includes('lo')) return undefined;
		const dummies = on.filter((d) => ((flags.get(d) ?? 0) & (IFF_NOARP | IFF_LOOPBACK)) === IFF_NOARP && d !== 'tunl0');
		if (dummies.length !== 1) return undefined;
		devices.add(dummies[0]!);
	}
	return devices.size === 1 ? [...devices][0] : undefined;
}

/** Each DR real server's VIPs (as the profile has them). */
function drVipsByHost(profile: Profile): Map<string, string[]> {
	const out = new Map<string, string[]>();
	for (const vs of profile.virtualServers) {
		if (vs.forwarding !== 'DR') continue;
		for (const rs of vs.realServers) {
			const list = out.get(rs.host) ?? [];
			if (!list.includes(vs.vip)) list.push(vs.vip);
			out.set(rs.host, list);
		}
	}
	return out;
}

export interface VipDevices {
	/** Host name → its dummy VIP device (hosts on lo are absent). */
	readonly devices: Map<string, string>;
	/** Hosts that could not be read, and why. */
	readonly notes: string[];
}

export async function detectVipDevices(profile: Profile, transport: Transport): Promise<VipDevices> {
	const devices = new Map<string, string>();
	const notes: string[] = [];
	await Promise.all(
		[...drVipsByHost(profile)].map(async ([host, vips]) => {
			try {
				const r = await transport.exec(host, realServerCheckCommand(), {timeoutMs: READ_TIMEOUT_MS});
				if (r.code !== 0) throw new Error(r.timedOut ? 'timed out' : r.stderr.trim().split('\n')[0] || `exit ${r.code}`);
				const device = vipDeviceOf(r.stdout, vips);
				if (device) devices.set(host, device);
			} catch (error) {
				notes.push(`${host}: could not read where it holds its VIPs (${error instanceof Error ? error.message : String(error)}); vip_device not set (lo)`);
			}
		}),
	);
	return {devices, notes: notes.sort()};
}

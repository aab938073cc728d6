// What a real server needs for each LVS forwarding mode, rendered from the profile:
// - DR: each VIP as a host address on lo (or on the dummy device the host's `vip_device` names), and
//   ARP sysctls that keep it from answering ARP for those VIPs;
// - TUN: the ipip module, tunl0 up holding each VIP, rp_filter off on tunl0 and all (the kernel uses
//   the larger of the two; decapsulated packets arrive on tunl0 from a source routed elsewhere), and the
//   same ARP sysctls (a VIP on tunl0 must not be answered for on the shared network);
// - NAT: no VIP; the default route via the directors' floating gateway address (the VRRP address in
//   the real server's network), so replies go back through IPVS.
// The sysctls are persisted in /etc/sysctl.d; deploy applies everything live through one idempotent
// script (actions/deploy/realserver-script.ts) that takes the setup as the argument words built here,
// and installs a boot-time copy with a systemd unit so all of it comes back after a reboot.
import {isIP} from 'node:net';
import type {Profile} from '../profile/model.js';
import {natGatewayOf} from '../profile/subnet.js';

export const ARP_SYSCTL_FILE = '/etc/sysctl.d/90-lvsdeck-lvs-dr.conf';

/** The kernel's tunnel device for ipip (created by the ipip module). */
export const TUN_DEVICE = 'tunl0';

export interface RealServerSetup {
	/** VIPs of DR services, on `vipDevice`. */
	readonly drVips: readonly string[];
	/** Where the DR VIPs live: lo, or a dummy interface (created by the setup). */
	readonly vipDevice: string;
	/** VIPs of TUN services, on tunl0. */
	readonly tunVips: readonly string[];
	/** NAT: the default route's gateway. */
	readonly gateway?: string;
	/** Live and persisted: `net.ipv4.conf.all.arp_ignore` -> `1`, in file order. */
	readonly sysctls: ReadonlyArray<readonly [string, string]>;
}

function vipsOf(profile: Profile, host: string, forwarding: 'DR' | 'TUN'): string[] {
	const vips = profile.virtualServers.filter((vs) => vs.forwarding === forwarding && vs.realServers.some((rs) => rs.host === host)).map((vs) => vs.vip);
	return [...new Set(vips)];
}

/** The VIPs this real server must carry (DR and TUN; NAT services need none). */
export function realServerVips(profile: Profile, host: string): string[] {
	return [...new Set([...vipsOf(profile, host, 'DR'), ...vipsOf(profile, host, 'TUN')])];
}

function arpSysctls(devices: readonly string[]): Array<[string, string]> {
	const keys = ['all', ...devices];
	return [...keys.map((k): [string, string] => [`net.ipv4.conf.${k}.arp_ignore`, '1']), ...keys.map((k): [string, string] => [`net.ipv4.conf.${k}.arp_announce`, '2'])];
}

export function realServerSetup(profile: Profile, host: string): RealServerSetup {
	const me = profile.hosts.find((h) => h.name === host);
	const vipDevice = me?.vipDevice ?? 'lo';
	const drVips = vipsOf(profile, host, 'DR');
	const tunVips = vipsOf(profile, host, 'TUN');
	const gateway = natGatewayOf(profile, host);
	const arpDevices = [...(drVips.length > 0 ? [vipDevice] : []), ...(tunVips.length > 0 ? [TUN_DEVICE] : [])];
	// ARP answers and rp_filter are IPv4 settings; an IPv6-only real server needs neither.
	const v4 = [...drVips, ...tunVips].some((v) => isIP(v) === 4);
	const sysctls: Array<[string, string]> = [
		...(v4 && arpDevices.length > 0 ? arpSysctls(arpDevices) : []),
		...(tunVips.length > 0 ? ([['net.ipv4.conf.all.rp_filter', '0'], [`net.ipv4.conf.${TUN_DEVICE}.rp_filter`, '0']] as Array<[string, string]>) : []),
	];
	return {drVips, vipDevice, tunVips, ...(gateway ? {gateway} : {}), sysctls};
}

/** The sysctl.d file for the real server (the ARP lines of a DR server on lo exactly as earlier lvsdeck wrote them). */
export function renderRealServerSysctlConf(profileName: string, setup: RealServerSetup): string {
	const drOnLoOnly = setup.tunVips.length === 0 && setup.vipDevice === 'lo' && setup.drVips.length > 0 && setup.sysctls.length === 4;
	if (drOnLoOnly) return renderArpSysctlConf(profileName);
	const modes = [...(setup.drVips.length > 0 ? [`DR (VIPs on ${setup.vipDevice})`] : []), ...(setup.tunVips.length > 0 ? ['TUN (VIPs on tunl0)'] : []), ...(setup.gateway ? [`NAT (default route via ${setup.gateway})`] : [])];
	return [
		`# Rendered by lvsdeck (profile "${profileName}"): LVS real server, ${modes.join(', ') || 'no forwarding mode'}.`,
		...(setup.sysctls.some(([k]) => k.endsWith('.arp_ignore')) ? ['# arp_ignore/arp_announce: only the real address answers ARP, and only with the real address as source.'] : []),
		...(setup.tunVips.length > 0 ? ['# rp_filter 0: tunnelled packets arrive on tunl0 from sources routed elsewhere (the kernel uses max(all, dev)).'] : []),
		...(setup.sysctls.length === 0 ? ['# No sysctl is needed.'] : []),
		...setup.sysctls.map(([k, v]) => `${k} = ${v}`),
		'',
	].join('\n');
}

export function renderArpSysctlConf(profileName: string): string {
	return [
		`# Rendered by lvsdeck (profile "${profileName}"): LVS-DR real server. The VIPs live on lo;`,
		'# only the real address may answer ARP, and only with the real address as source.',
		'net.ipv4.conf.all.arp_ignore = 1',
		'net.ipv4.conf.lo.arp_ignore = 1',
		'net.ipv4.conf.all.arp_announce = 2',
		'net.ipv4.conf.lo.arp_announce = 2',
		'',
	].join('\n');
}

/**
 * The setup as the argument words of the setup script: `dev=NAME` then that device's VIPs, `tun=VIP`
 * per TUN VIP, `gw=ADDRESS`. A VIP before any `dev=` goes on lo (what earlier lvsdeck passed).
 * The sysctls travel in the file itself.
 */
export function setupArgs(setup: RealServerSetup): string[] {
	return [
		...(setup.drVips.length > 0 && setup.vipDevice !== 'lo' ? [`dev=${setup.vipDevice}`] : []),
		...setup.drVips,
		...setup.tunVips.map((v) => `tun=${v}`),
		...(setup.gateway ? [`gw=${setup.gateway}`] : []),
	];
}

/** What `lvsdeck render` and the deploy plan say the setup does, one line. */
export function describeSetup(setup: RealServerSetup): string {
	const parts = [
		...(setup.drVips.length > 0 ? [`VIPs ${setup.drVips.join(', ')} on ${setup.vipDevice}${setup.vipDevice === 'lo' ? '' : ' (dummy)'}`] : []),
		...(setup.tunVips.length > 0 ? [`VIPs ${setup.tunVips.join(', ')} on tunl0 (ipip)`] : []),
		...(setup.gateway ? [`default route via ${setup.gateway}`] : []),
	];
	return parts.join(', ') || 'no VIPs';
}

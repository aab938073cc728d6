// What a real server must have for the services it serves, by forwarding mode (a host may serve DR,
// NAT and TUN services at once), derived from the profile. Pure.
import {isIP} from 'node:net';
import type {Host, PortExchange, Profile} from '../profile/model.js';
import type {RealServerExpectations} from '../probes/realserver.js';
import {inSubnet} from '../probes/subnet.js';

/** The services a real server answers for, one per protocol and port, as the station should probe them. */
export interface ServicePort {
	readonly protocol: 'TCP' | 'UDP';
	readonly port: number;
	/** The virtual server's send/expect pair (`probe`) for this port, if it has one. */
	readonly exchange?: PortExchange;
}

function servedBy(profile: Profile, host: string) {
	return profile.virtualServers.filter((vs) => vs.realServers.some((rs) => rs.host === host));
}

/**
 * The NAT gateway: the profile has no field of its own for it; the directors' internal gateway is a
 * VRRP VIP (moved with the public VIP in a sync group), so every instance VIP in the real address's
 * subnet (by the VIP's own prefix) is one. None: the check accepts any default route in that subnet.
 */
export function natGateways(profile: Profile, address: string): string[] {
	if (isIP(address) === 0) return [];
	const vips = profile.instances.flatMap((i) => i.vips).filter((v) => isIP(v.address) === isIP(address) && inSubnet(address, v.address, v.prefix));
	return [...new Set(vips.map((v) => v.address))];
}

export function realServerExpectations(profile: Profile, host: Host): RealServerExpectations {
	const vses = servedBy(profile, host.name);
	const vipsOf = (mode: 'DR' | 'TUN') => [...new Set(vses.filter((vs) => vs.forwarding === mode).map((vs) => vs.vip))];
	const dr = vipsOf('DR');
	const tun = vipsOf('TUN');
	const nat = vses.some((vs) => vs.forwarding === 'NAT');
	return {
		address: host.address,
		...(dr.length > 0 ? {dr: {vips: dr, ...(host.vipDevice ? {device: host.vipDevice} : {})}} : {}),
		...(nat ? {nat: {gateways: natGateways(profile, host.address)}} : {}),
		...(tun.length > 0 ? {tun: {vips: tun}} : {}),
	};
}

/** The forwarding modes of the services a host serves, in a fixed order. */
export function servedModes(profile: Profile, host: string): Array<'DR' | 'NAT' | 'TUN'> {
	const modes = new Set(servedBy(profile, host).map((vs) => vs.forwarding));
	return (['DR', 'NAT', 'TUN'] as const).filter((m) => modes.has(m));
}

/** The ports a real server serves, with the protocol to probe each with. */
export function servicePorts(profile: Profile, host: string): ServicePort[] {
	const seen = new Map<string, ServicePort>();
	for (const vs of servedBy(profile, host)) {
		for (const rs of vs.realServers.filter((r) => r.host === host)) {
			const key = `${vs.protocol}/${rs.port}`;
			// Two services on one port (two VIPs): the first with a probe says how to ask it.
			if (!seen.get(key)?.exchange) seen.set(key, {protocol: vs.protocol, port: rs.port, ...(vs.probe ? {exchange: vs.probe} : {})});
		}
	}
	return [...seen.values()];
}

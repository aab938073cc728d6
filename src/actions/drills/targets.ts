// What a drill aims at, from the profile alone: the VRRP instance and the virtual service whose traffic
// is watched (failover kinds), or the real server and its service (rs-health, drain). `service`
// (`VIP:PORT`, `udp:VIP:PORT`) picks any TCP or UDP service; without it the first TCP service wins
// (then a UDP one), as before.
import type {Profile, RealServer, VirtualServer, VrrpInstance} from '../../profile/model.js';
import {pickVirtualService, TrafficTargetError} from '../traffic.js';
import {DrillRefused} from './common.js';

function serviceOrRefuse(profile: Profile, service: string): VirtualServer {
	try {
		return pickVirtualService(profile, service);
	} catch (error) {
		if (error instanceof TrafficTargetError) throw new DrillRefused(error.message.replace(/^--service /, 'service '));
		throw error;
	}
}

const onInstance = (inst: VrrpInstance, vs: VirtualServer) => inst.vips.some((v) => v.address === vs.vip);

/** A TCP service first, then a UDP one: TCP is what a drill watched before services had modes. */
function preferTcp(list: readonly VirtualServer[]): VirtualServer | undefined {
	return list.find((v) => v.protocol === 'TCP') ?? list[0];
}

/** The instance to fail over and the service to watch through it, or a refusal. */
export function failoverTarget(profile: Profile, instance: string | undefined, service: string | undefined): {inst: VrrpInstance; vs: VirtualServer} {
	const vs = service !== undefined ? serviceOrRefuse(profile, service) : undefined;
	const inst = instance !== undefined ? profile.instances.find((i) => i.name === instance) : vs ? profile.instances.find((i) => onInstance(i, vs)) : profile.instances[0];
	if (!inst) throw new DrillRefused(instance !== undefined ? `no VRRP instance ${instance} in profile ${profile.name}` : vs ? `no VRRP instance carries ${vs.vip}` : `profile ${profile.name} has no VRRP instance`);
	if (inst.members.length < 2) throw new DrillRefused(`${inst.name} has one director: nothing to fail over to`);
	if (vs) {
		if (!onInstance(inst, vs)) throw new DrillRefused(`service ${service}: ${vs.vip} is not a VIP of ${inst.name}`);
		return {inst, vs};
	}
	const first = inst.vips[0]!.address;
	const found = preferTcp(profile.virtualServers.filter((v) => v.vip === first)) ?? preferTcp(profile.virtualServers.filter((v) => onInstance(inst, v)));
	if (!found) throw new DrillRefused(`no virtual service on ${inst.vips.map((v) => v.address).join(', ')} to send traffic to`);
	return {inst, vs: found};
}

/** The real server and the service it is drilled in, or a refusal. */
export function realServerTarget(profile: Profile, rsName: string | undefined, service: string | undefined): {vs: VirtualServer; rs: RealServer} {
	const has = (v: VirtualServer) => rsName === undefined || v.realServers.some((r) => r.host === rsName);
	let vs: VirtualServer | undefined;
	if (service !== undefined) {
		vs = serviceOrRefuse(profile, service);
		if (!has(vs)) throw new DrillRefused(`${rsName} is not a real server of ${vs.protocol} ${vs.vip}:${vs.port}`);
	} else {
		vs = preferTcp(profile.virtualServers.filter(has));
		if (!vs) throw new DrillRefused(rsName ? `${rsName} is not a real server of any virtual service` : 'the profile has no virtual service');
	}
	const rs = rsName ? vs.realServers.find((r) => r.host === rsName)! : vs.realServers[0];
	if (!rs) throw new DrillRefused(`${vs.vip}:${vs.port} has no real servers`);
	return {vs, rs};
}

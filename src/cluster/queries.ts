// Questions asked of the cluster state, answered in one place: who holds a VIP (the active director),
// which directors are MASTER of an instance, a virtual service or a real server as a director's IPVS
// table has it, and the directors of an instance. Operations and views ask here instead of searching
// the state themselves.
import type {Profile, RealServer, VirtualServer, VrrpInstance} from '../profile/model.js';
import {findService, type IpvsRealServer, type IpvsService} from '../probes/ipvs.js';
import type {ClusterState, HostState} from './types.js';

type ServiceKey = Pick<VirtualServer, 'protocol' | 'vip' | 'port'>;

/** The host state of `name` (undefined when the profile has no such host or it was never polled). */
export function hostOn(state: ClusterState, name: string | undefined): HostState | undefined {
	return state.hosts.find((h) => h.name === name);
}

/** The virtual service in `director`'s IPVS table (undefined when the director or the service is absent). */
export function serviceOn(state: ClusterState, director: string | undefined, vs: ServiceKey): IpvsService | undefined {
	return findService(hostOn(state, director)?.director?.ipvs, vs);
}

/** A real server's entry in a virtual service of `director`'s IPVS table (undefined when absent). */
export function realServerOn(state: ClusterState, director: string | undefined, vs: ServiceKey, rs: Pick<RealServer, 'address' | 'port'>): IpvsRealServer | undefined {
	return serviceOn(state, director, vs)?.realServers.find((r) => r.address === rs.address && r.port === rs.port);
}

/** The directors holding a VIP now (one when healthy; none or several are failures). */
export function vipHolders(state: ClusterState, vip: string): readonly string[] {
	return state.vips.find((v) => v.vip === vip)?.holders ?? [];
}

/** The active director of a VIP: its only holder (undefined when none or several hold it). */
export function activeDirector(state: ClusterState, vip: string): string | undefined {
	const holders = vipHolders(state, vip);
	return holders.length === 1 ? holders[0] : undefined;
}

/** The VRRP state `director` reports for an instance (undefined when unknown). */
export function vrrpStateOn(state: ClusterState, director: string, instance: string): string | undefined {
	return hostOn(state, director)?.director?.vrrp?.find((v) => v.name === instance)?.state;
}

/** The reachable directors that report MASTER for an instance. */
export function mastersOf(state: ClusterState, instance: string): HostState[] {
	return state.hosts.filter((h) => h.reachable && h.director?.vrrp?.some((x) => x.name === instance && x.state === 'MASTER'));
}

/** The directors of an instance, in profile order (none when the profile has no such instance). */
export function instanceMembers(profile: Profile, instance: string): readonly string[] {
	return profile.instances.find((i) => i.name === instance)?.members.map((m) => m.director) ?? [];
}

/** The instances `director` is a member of. */
export function instancesOf(profile: Profile, director: string): VrrpInstance[] {
	return profile.instances.filter((i) => i.members.some((m) => m.director === director));
}

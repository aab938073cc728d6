// Reading one virtual service out of the cluster state: as a director's IPVS table has it.
import type {VirtualServer} from '../profile/model.js';
import {findService, type IpvsService} from '../probes/ipvs.js';
import type {ClusterState} from './types.js';

/** The virtual service in `director`'s IPVS table (undefined when the director or the service is absent). */
export function serviceOn(state: ClusterState, director: string | undefined, vs: Pick<VirtualServer, 'protocol' | 'vip' | 'port'>): IpvsService | undefined {
	return findService(state.hosts.find((h) => h.name === director)?.director?.ipvs, vs);
}

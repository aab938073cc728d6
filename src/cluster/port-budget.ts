// The station's port probes (port-probe.ts: a TCP connect or a UDP datagram per real-server port per
// poll) are its costliest reads at scale: about 8% of a core per 1,000 a second (npm run bench --
// fleet), half the fleet's whole cost at 100 clusters. Whatever the station watches, it probes at most
// STATION_PORT_PROBES_PER_S ports a second: beyond that, each real server's ports are probed every few
// polls instead of every poll. Every poll still reads the directors' IPVS tables, which carry
// keepalived's own health-check verdict on each real server, and a real server whose stream reports a
// change is probed at once (poller.ts).
import type {Profile} from '../profile/model.js';
import {servicePorts} from './rs-expectations.js';

export const STATION_PORT_PROBES_PER_S = 1000;

/** Real-server service ports the station would probe each poll across these profiles. */
export function probedPorts(profiles: readonly Profile[]): number {
	let ports = 0;
	for (const p of profiles) for (const h of p.hosts) if (h.role === 'realserver') ports += servicePorts(p, h.name).length;
	return ports;
}

/** Time between two port probes of one real server: the poll interval, or a whole multiple of it over the budget. */
export function portCheckSpacingMs(profiles: readonly Profile[], intervalMs: number): number {
	const perSecond = probedPorts(profiles) * (1000 / intervalMs);
	return intervalMs * Math.max(1, Math.ceil(perSecond / STATION_PORT_PROBES_PER_S));
}

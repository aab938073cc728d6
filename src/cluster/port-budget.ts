// The station's port probes (port-probe.ts: a TCP connect or a UDP datagram per real-server port per
// poll) are its costliest reads at scale: each is a socket of its own, about 110 us of CPU all told
// (the kernel's part included) on the 2-core machines the benches ran on (npm run bench -- fleet,
// LVSDECK_FLEET_PORT_CHECKS=0 for the A/B: at 400 probes a second, about 4.5 points of the fleet's
// 26-29% of a core at 100 clusters). Whatever the station watches, it probes at most
// STATION_PORT_PROBES_PER_S ports a second (about 2% of a core): beyond that, each real server's ports
// are probed every few polls instead of every poll (every 30 s at 100 lab-shaped clusters, 6,000
// ports). Every poll still reads the directors' IPVS tables, which carry keepalived's own health-check
// verdict on each real server, and a real server whose stream reports a change is probed at once
// (poller.ts). One cluster (the console on the lab: 6 ports) is probed every poll.
import type {Profile} from '../profile/model.js';
import {servicePorts} from './rs-expectations.js';

export const STATION_PORT_PROBES_PER_S = 200;

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

/**
 * Where in the spacing a host's port checks fall: a whole number of intervals below `spacingMs`, the
 * same for an address every time, spread evenly over many addresses (FNV-1a of the address). 0 when
 * the spacing is one interval or less.
 */
export function spreadOffsetMs(address: string, spacingMs: number, intervalMs: number): number {
	const slots = Math.floor(spacingMs / intervalMs);
	if (slots <= 1) return 0;
	let hash = 0x811c9dc5;
	for (let i = 0; i < address.length; i++) hash = Math.imul(hash ^ address.charCodeAt(i), 0x01000193) >>> 0;
	return (hash % slots) * intervalMs;
}

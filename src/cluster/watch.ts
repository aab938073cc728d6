// A cluster being watched: a store and a way to poll one host into it. The console passes its own
// (so deploy verification and drills add no polling of their own); a command without one gets a
// private store and poller (no timers, no events, no port checks).
import type {Host, Profile} from '../profile/model.js';
import type {Transport} from '../transport/types.js';
import {ClusterPoller} from './poller.js';
import {ClusterStore} from './store.js';

export interface ClusterWatch {
	readonly store: ClusterStore;
	pollHost(host: Host): Promise<void>;
}

/** A watch of its own over `transport`: a store and a poller that polls only when asked. */
export function ownClusterWatch(profile: Profile, transport: Transport): ClusterWatch {
	const store = new ClusterStore(profile);
	const poller = new ClusterPoller(profile, transport, store, {events: false, portCheck: false});
	return {store, pollHost: (h) => poller.pollHost(h)};
}

/** Polls every host of the profile once, in parallel. */
export async function pollAll(profile: Profile, watch: ClusterWatch): Promise<void> {
	await Promise.all(profile.hosts.map((h) => watch.pollHost(h)));
}

// The transport for a cluster: every profile host over the ssh2 pool, whatever its name. Nothing is
// routed by a host's name: a host called "local" is a remote host like any other, reached over SSH
// with its host key checked. Commands on the operator's own station go through a separate, explicit
// transport (createStationTransport), never through a profile host. Read-only mode wraps each, so no
// caller can get around it; the profile is checked for commands read-only mode would refuse before
// anything runs.
import type {Profile} from '../profile/model.js';
import {LocalTransport} from './local.js';
import {ReadOnlyTransport} from './read-only.js';
import {assertReadOnlyProfile} from './read-only-profile.js';
import {SshPool, type SshPoolOptions} from './ssh-pool.js';
import type {Transport} from './types.js';

export interface ClusterTransportOptions extends SshPoolOptions {
	readonly readOnly?: boolean;
}

export function createClusterTransport(profile: Profile, options: ClusterTransportOptions = {}): Transport {
	if (options.readOnly) assertReadOnlyProfile(profile);
	const ssh = new SshPool(profile.hosts, options);
	return options.readOnly ? new ReadOnlyTransport(ssh) : ssh;
}

/** Commands on the operator's station (in its network namespace when the profile names one). */
export function createStationTransport(profile: Profile, options: {readonly readOnly?: boolean} = {}): Transport {
	const local = new LocalTransport(profile.stationNetns);
	return options.readOnly ? new ReadOnlyTransport(local) : local;
}

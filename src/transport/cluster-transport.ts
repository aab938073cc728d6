// Routes each host to its transport: "local" to the station (execa), every profile host to the ssh2
// pool. Read-only mode wraps the whole thing, so no caller can get around it; the profile is checked
// for commands read-only mode would refuse before anything runs.
import type {Profile} from '../profile/model.js';
import {LocalTransport, LOCAL_HOST} from './local.js';
import {ReadOnlyTransport} from './read-only.js';
import {assertReadOnlyProfile} from './read-only-profile.js';
import {SshPool, type SshPoolOptions} from './ssh-pool.js';
import type {ExecOptions, ExecResult, HostStatus, Transport} from './types.js';

class RoutedTransport implements Transport {
	constructor(
		private readonly ssh: SshPool,
		private readonly local: LocalTransport,
	) {}

	exec(host: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
		return host === LOCAL_HOST ? this.local.exec(host, argv, options) : this.ssh.exec(host, argv, options);
	}

	status(host: string): HostStatus {
		return host === LOCAL_HOST ? this.local.status(host) : this.ssh.status(host);
	}

	onStatus(listener: (s: HostStatus) => void): () => void {
		return this.ssh.onStatus(listener);
	}

	async close(): Promise<void> {
		await Promise.all([this.ssh.close(), this.local.close()]);
	}
}

export interface ClusterTransportOptions extends SshPoolOptions {
	readonly readOnly?: boolean;
}

export function createClusterTransport(profile: Profile, options: ClusterTransportOptions = {}): Transport {
	if (options.readOnly) assertReadOnlyProfile(profile);
	const routed = new RoutedTransport(new SshPool(profile.hosts, options), new LocalTransport(profile.stationNetns));
	return options.readOnly ? new ReadOnlyTransport(routed) : routed;
}

// Several clusters at once (status, check, the exporter, the fleet console and wall): a host that appears
// in several profiles (the same address, port, user, keys, trust and jump path) gets one SSH connection.
// One SshPool holds a connection per distinct host; each cluster gets a view of it that speaks its own
// host names. The same long-lived follower asked by several clusters is one channel (SharedStreams).
import type {Host, Profile} from '../profile/model.js';
import {ReadOnlyTransport} from './read-only.js';
import {assertReadOnlyProfile} from './read-only-profile.js';
import {SshPool, type SshPoolOptions} from './ssh-pool.js';
import {isSharedStream, SharedStreams} from './shared-streams.js';
import type {ExecOptions, ExecResult, HostStatus, Transport} from './types.js';

/** What makes two hosts one connection: everything about how it is reached, not what it is called. */
function connectionIdentity(profile: Profile, host: Host, seen: ReadonlySet<string> = new Set()): string {
	const jumpHost = host.ssh.jump === undefined || seen.has(host.name) ? undefined : profile.hosts.find((h) => h.name === host.ssh.jump);
	const jump = jumpHost ? connectionIdentity(profile, jumpHost, new Set([...seen, host.name])) : host.ssh.jump === undefined ? null : `unresolved:${host.ssh.jump}`;
	const {jump: _jump, ...ssh} = host.ssh;
	return JSON.stringify({address: host.address, ssh, jump});
}

export interface SharedClusterTransports {
	/** One transport per profile, in order, each answering to that profile's host names. */
	readonly transports: readonly Transport[];
	/** How many SSH connections the hosts of every profile need (distinct hosts). */
	readonly connections: number;
	/** Closes the one pool under every transport. */
	close(): Promise<void>;
}

/** The pool's name for each connection: the first profile's host name, made unique where two differ. */
function poolHosts(profiles: readonly Profile[]): {hosts: Host[]; keyOf: Array<Map<string, string>>} {
	const byIdentity = new Map<string, string>();
	const used = new Set<string>();
	const hosts: Host[] = [];
	const keyOf = profiles.map((profile) => {
		const names = new Map<string, string>();
		for (const host of profile.hosts) {
			const identity = connectionIdentity(profile, host);
			let key = byIdentity.get(identity);
			if (key === undefined) {
				key = host.name;
				for (let n = 2; used.has(key); n++) key = `${host.name}#${n}`;
				used.add(key);
				byIdentity.set(identity, key);
				hosts.push({...host, name: key});
			}
			names.set(host.name, key);
		}
		return names;
	});
	// Jumps name hosts of their own profile: point them at the pool's names.
	const jumpKeys = new Map<string, string>();
	profiles.forEach((profile, i) => profile.hosts.forEach((h) => h.ssh.jump !== undefined && jumpKeys.set(keyOf[i]!.get(h.name)!, keyOf[i]!.get(h.ssh.jump) ?? h.ssh.jump)));
	return {hosts: hosts.map((h) => (jumpKeys.has(h.name) ? {...h, ssh: {...h.ssh, jump: jumpKeys.get(h.name)!}} : h)), keyOf};
}

/** --trust-host-key names hosts as the profiles do: each pool connection trusts what any of its names was given. */
function trustByKey(trust: Readonly<Record<string, readonly string[]>>, keyOf: ReadonlyArray<ReadonlyMap<string, string>>): Record<string, string[]> {
	const out = Object.create(null) as Record<string, string[]>;
	for (const keys of keyOf) {
		for (const [name, key] of keys) {
			const given = Object.hasOwn(trust, name) ? trust[name]! : [];
			for (const f of given) if (!(out[key] ??= []).includes(f)) out[key]!.push(f);
		}
	}
	return out;
}

/** A cluster's view of the shared pool: its host names in, its host names out. */
class ClusterView implements Transport {
	constructor(
		private readonly pool: SshPool,
		private readonly keys: ReadonlyMap<string, string>,
		private readonly streams: SharedStreams,
	) {}

	private key(host: string): string {
		return this.keys.get(host) ?? host;
	}

	exec(host: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
		const key = this.key(host);
		if (!isSharedStream(options)) return this.pool.exec(key, argv, options);
		const {signal: _mine, onStdoutLine: _each, ...rest} = options;
		return this.streams.follow(JSON.stringify([key, argv]), options, (signal, onStdoutLine) => this.pool.exec(key, argv, {...rest, signal, onStdoutLine}));
	}

	status(host: string): HostStatus {
		return {...this.pool.status(this.key(host)), host};
	}

	onStatus(listener: (status: HostStatus) => void): () => void {
		return this.pool.onStatus((s) => {
			for (const [name, key] of this.keys) if (key === s.host) listener({...s, host: name});
		});
	}

	hostKey(host: string): string | undefined {
		return this.pool.hostKey(this.key(host));
	}

	/** The pool is shared: SharedClusterTransports.close closes it once. */
	async close(): Promise<void> {}
}

export function createSharedClusterTransports(profiles: readonly Profile[], options: SshPoolOptions & {readonly readOnly?: boolean} = {}): SharedClusterTransports {
	if (options.readOnly) for (const p of profiles) assertReadOnlyProfile(p);
	const {hosts, keyOf} = poolHosts(profiles);
	const pool = new SshPool(hosts, {...options, ...(options.trust ? {trust: trustByKey(options.trust, keyOf)} : {})});
	const streams = new SharedStreams();
	const transports = keyOf.map((keys): Transport => {
		const view = new ClusterView(pool, keys, streams);
		return options.readOnly ? new ReadOnlyTransport(view) : view;
	});
	return {transports, connections: hosts.length, close: () => pool.close()};
}

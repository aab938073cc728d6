// The opening sequence of every command that talks to a cluster, written once: load the profile, check
// it and the command's own options before anything runs (an error changes nothing and never enters
// the station namespace), re-run inside the station namespace when the profile names one, open the
// transport, run, and always close it.
import type {Profile} from '../profile/model.js';
import {parseProfile, readProfileFile} from '../profile/load.js';
import {earlySocketsFor} from '../transport/connect-hints.js';
import {assertReadOnlyProfile} from '../transport/read-only-profile.js';
import type {Transport} from '../transport/types.js';
import {runInStation} from '../station.js';
import {CliError} from '../cli-error.js';

export interface ClusterOptions {
	/** The profile file. */
	readonly profile: string;
	/** `--trust-host-key NAME=SHA256:...` values. */
	readonly trustHostKey?: readonly string[] | undefined;
	/** A read-only transport; the profile is checked for read-only mode first. */
	readonly readOnly?: boolean;
	/** Reconnect backoff cap: short for commands that must reach a host again as soon as it answers. */
	readonly backoffMaxMs?: number;
	/**
	 * Open every host's TCP connection as soon as the profile is loaded, before the SSH library and the
	 * command's own modules, or take over those `preconnect` opened from the last run's hints (and keep
	 * hints for the next): for commands that read every host at once (status).
	 */
	readonly earlyConnect?: boolean;
}

export interface ClusterSession {
	readonly profile: Profile;
	readonly transport: Transport;
}

/** `--trust-host-key NAME=SHA256:...` (repeatable) into a per-host map. */
export function parseTrust(values: readonly string[] = []): Record<string, string[]> {
	// No prototype: a host named "constructor" or "toString" must start with no trusted keys.
	const trust = Object.create(null) as Record<string, string[]>;
	for (const v of values) {
		const m = /^([A-Za-z0-9][A-Za-z0-9_.-]*)=(SHA256:[A-Za-z0-9+/]{43}=?)$/.exec(v);
		if (!m) throw new CliError(`--trust-host-key ${v}: expected NAME=SHA256:<fingerprint>`, 2);
		(trust[m[1]!] ??= []).push(m[2]!);
	}
	return trust;
}

/**
 * Runs `run` with the profile and an open transport, and returns its exit code (or the exit code of
 * the same command re-run in the station namespace). `prepare` checks the command's options against
 * the profile before anything else happens; what it returns is handed to `run`.
 */
export async function withCluster<T>(options: ClusterOptions, prepare: (profile: Profile) => T, run: (cluster: ClusterSession, prepared: T) => Promise<number>): Promise<number> {
	const text = readProfileFile(options.profile);
	const profile = parseProfile(text, options.profile);
	if (options.readOnly) assertReadOnlyProfile(profile);
	const trust = parseTrust(options.trustHostKey);
	const prepared = prepare(profile);
	const reexec = await runInStation(profile.stationNetns, process.argv, profile.hosts.length);
	if (reexec !== undefined) return reexec;
	const early = options.earlyConnect ? earlySocketsFor(profile, text) : undefined;
	// Loaded only now (it brings ssh2), so that the early connections are under way meanwhile.
	const {createClusterTransport} = await import('../transport/cluster-transport.js');
	let transport: Transport;
	try {
		transport = createClusterTransport(profile, {
			trust,
			...(options.readOnly ? {readOnly: true} : {}),
			...(options.backoffMaxMs !== undefined ? {backoffMaxMs: options.backoffMaxMs} : {}),
			...(early ? {early} : {}),
		});
	} catch (error) {
		early?.close();
		throw error;
	}
	try {
		return await run({profile, transport}, prepared);
	} finally {
		await transport.close();
	}
}

// The opening sequence of a command that reads several clusters at once (the exporter, check): every
// profile loaded and checked for read-only mode before anything runs, one station namespace for all,
// one read-only transport, store and poller per cluster, and all of them closed at the end.
import {readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import type {Profile} from '../profile/model.js';
import {loadProfile} from '../profile/load.js';
import {createSharedClusterTransports} from '../transport/shared-pool.js';
import {assertReadOnlyProfile} from '../transport/read-only-profile.js';
import type {Transport} from '../transport/types.js';
import {ClusterStore} from '../cluster/store.js';
import {portCheckSpacingMs} from '../cluster/port-budget.js';
import {ClusterPoller, type PollerOptions} from '../cluster/poller.js';
import {runInStation} from '../station.js';
import {CliError} from '../cli-error.js';
import {parseTrust} from './with-cluster.js';

export interface ReadCluster {
	readonly profile: Profile;
	readonly transport: Transport;
	readonly store: ClusterStore;
	readonly poller: ClusterPoller;
}

/** The --profile files, then every *.yaml and *.yml in each --profiles folder (by name, one level). */
export function profileFiles(files: readonly string[] = [], dirs: readonly string[] = []): string[] {
	const fromDirs = dirs.flatMap((dir) => {
		let names: string[];
		try {
			if (!statSync(dir).isDirectory()) throw new Error('not a folder');
			names = readdirSync(dir);
		} catch (error) {
			throw new CliError(`--profiles ${dir}: ${error instanceof Error && 'code' in error ? String((error as NodeJS.ErrnoException).code) : (error as Error).message}`, 2);
		}
		const yaml = names.filter((n) => /\.ya?ml$/.test(n) && !n.startsWith('.')).sort();
		if (yaml.length === 0) throw new CliError(`--profiles ${dir}: no profile (*.yaml, *.yml) in this folder`, 2);
		return yaml.map((n) => path.join(dir, n));
	});
	return [...new Set([...files, ...fromDirs].map((f) => path.resolve(f)))];
}

/** How many hosts the profiles name together (what the process's heap must hold). */
export function hostCount(profiles: readonly Profile[]): number {
	return profiles.reduce((n, p) => n + p.hosts.length, 0);
}

/** Load every profile (read-only checked); the names label the clusters, so they must differ. */
export function loadReadOnlyProfiles(files: readonly string[]): Profile[] {
	return loadClusterProfiles(files, true);
}

/** Load every profile (read-only checked when `readOnly`: the console need not be); names must differ, one station namespace. */
export function loadClusterProfiles(files: readonly string[], readOnly: boolean): Profile[] {
	if (files.length === 0) throw new CliError('--profile or --profiles: at least one profile is needed', 2);
	const profiles = files.map((f) => {
		const p = loadProfile(f);
		if (readOnly) assertReadOnlyProfile(p);
		return p;
	});
	const seen = new Map<string, string>();
	profiles.forEach((p, i) => {
		const other = seen.get(p.name);
		if (other !== undefined) throw new CliError(`--profile ${files[i]}: profile name "${p.name}" is also the name of ${other}; each cluster needs its own name`, 2);
		seen.set(p.name, files[i]!);
	});
	const netns = new Set(profiles.map((p) => p.stationNetns ?? ''));
	if (netns.size > 1) throw new CliError(`--profile: the profiles name different station namespaces (${[...netns].map((n) => n || 'none').join(', ')}); run one command per namespace`, 2);
	return profiles;
}

/**
 * Runs `run` with a read-only store and poller per profile (the poller not started: `run` decides how
 * to poll), inside the profiles' station namespace; closes every poller and transport afterwards.
 */
export async function withReadClusters(files: readonly string[], trustHostKey: readonly string[] | undefined, pollerOptions: PollerOptions, run: (clusters: readonly ReadCluster[]) => Promise<number>): Promise<number> {
	const profiles = loadReadOnlyProfiles(files);
	const trust = parseTrust(trustHostKey);
	const reexec = await runInStation(profiles[0]!.stationNetns, process.argv, hostCount(profiles));
	if (reexec !== undefined) return reexec;
	// A host in several profiles gets one SSH connection (one pool, a view of it per cluster).
	const shared = createSharedClusterTransports(profiles, {trust, readOnly: true});
	// The station's port budget is shared by every cluster it polls (port-budget.ts).
	const options: PollerOptions = {portCheckSpacingMs: portCheckSpacingMs(profiles, pollerOptions.intervalMs ?? 1000), ...pollerOptions};
	const clusters = profiles.map((profile, i) => {
		const transport = shared.transports[i]!;
		const store = new ClusterStore(profile);
		return {profile, transport, store, poller: new ClusterPoller(profile, transport, store, options)};
	});
	try {
		return await run(clusters);
	} finally {
		for (const c of clusters) c.poller.stop();
		await shared.close();
	}
}

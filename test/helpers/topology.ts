// The topology tests (vitest project `topologies`): each file brings the lab up from its own profile
// (NAT, TUN, IPv6), drives it only through the CLI and the station namespace, and takes it down at the
// end. The lab is one shared resource: a lab already up (from any profile or worktree) is refused,
// never taken down.
import {spawnSync, type SpawnSyncReturns} from 'node:child_process';
import {mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {loadProfile} from '../../src/profile/load.js';
import type {Profile} from '../../src/profile/model.js';
import {labProcesses, runningLabPid} from '../../src/lab/lab.js';
import {planLab, type LabPlan} from '../../src/lab/plan.js';
import {netnsExists} from '../../src/transport/netns.js';
import {CLI, ROOT} from './lab.js';

export interface Topology {
	readonly file: string;
	readonly profile: Profile;
	readonly plan: LabPlan;
	readonly tmp: string;
	readonly env: NodeJS.ProcessEnv;
}

export function topology(name: string): Topology {
	const file = path.join(ROOT, 'profiles', name);
	const profile = loadProfile(file);
	const tmp = mkdtempSync(path.join(os.tmpdir(), `lvsdeck-${profile.name}-`));
	return {file, profile, plan: planLab(profile), tmp, env: {...process.env, LVSDECK_STATE_DIR: path.join(tmp, 'state')}};
}

/** Why no lab may be brought up now, or undefined. */
export function otherLabUp(t: Topology): string | undefined {
	if (netnsExists(t.plan.netns)) return `network namespace ${t.plan.netns} exists`;
	if (runningLabPid(t.plan) !== undefined || labProcesses(t.plan).length > 0) return 'a lab kernel of this worktree runs';
	return undefined;
}

export function cli(t: Topology, args: readonly string[], timeoutMs = 180_000): SpawnSyncReturns<string> {
	return spawnSync(process.execPath, [CLI, ...args], {encoding: 'utf8', timeout: timeoutMs, env: t.env});
}

/** Brings the lab up from the topology's profile; refuses (throws) when any lab is up already. */
export function bringUp(t: Topology): void {
	const busy = otherLabUp(t);
	if (busy) {
		throw new Error(
			`refusing to start the ${t.profile.name} lab: another lab is up (${busy}). Take it down (node dist/cli.js lab down) and run the topology tests alone, under flock /tmp/lvsdeck-lab.lock.`,
		);
	}
	const r = cli(t, ['lab', 'up', '--profile', t.file], 120_000);
	if (r.status !== 0) {
		cli(t, ['lab', 'down', '--profile', t.file]);
		throw new Error(`lab up --profile ${t.file} failed (exit ${r.status}):\n${r.stderr}`);
	}
}

export function takeDown(t: Topology): void {
	const r = cli(t, ['lab', 'down', '--profile', t.file], 60_000);
	if (r.status !== 0) throw new Error(`lab down failed (exit ${r.status}): ${r.stderr}`);
}

/** Runs argv in the station namespace (the lab's, never the root namespace's network). */
export function inStation(t: Topology, argv: readonly string[], timeoutMs = 30_000): SpawnSyncReturns<string> {
	return spawnSync('ip', ['netns', 'exec', t.plan.netns, ...argv], {encoding: 'utf8', timeout: timeoutMs});
}

/** ssh from the station to a lab host with the lab's key and strict host-key checking. */
export function sshFromStation(t: Topology, host: string, command: string): SpawnSyncReturns<string> {
	const address = t.profile.hosts.find((h) => h.name === host)!.address;
	const lab = path.join(ROOT, '.lab');
	return inStation(t, [
		'ssh',
		'-i',
		path.join(lab, 'id_ed25519'),
		'-o',
		`UserKnownHostsFile=${path.join(lab, 'known_hosts')}`,
		'-o',
		'StrictHostKeyChecking=yes',
		'-o',
		'BatchMode=yes',
		'-o',
		'ConnectTimeout=5',
		`root@${address}`,
		command,
	]);
}

export interface WatchSummary {
	readonly requests: {readonly total: number; readonly ok: number; readonly failed: number; readonly timeouts: number; readonly perBackend: Record<string, number>};
}

/**
 * Seconds of requests through the first VIP, from the station or from a client host. From a client the
 * first answers wait for an SSH session and curl's start inside the lab's slow kernel, so it runs longer.
 */
export function watchVip(t: Topology, from?: string): {run: SpawnSyncReturns<string>; summary?: WatchSummary} {
	const json = path.join(t.tmp, `watch-${from ?? 'station'}.json`);
	const seconds = from ? '8' : '3';
	// What is checked is where requests go, not how fast: right after a topology boots, its emulated hosts
	// (one CPU for all of them) sometimes took over the default second to answer (2 of 30 requests, NAT).
	const run = cli(t, ['watch', '--profile', t.file, '--duration', seconds, '--rate', '10', '--timeout-ms', '3000', '--json', json, ...(from ? ['--from', from] : [])], 60_000);
	try {
		return {run, summary: JSON.parse(readFileSync(json, 'utf8')) as WatchSummary};
	} catch {
		return {run};
	}
}

export interface ServiceWatchSummary extends WatchSummary {
	readonly url: string;
	readonly mode: string;
	readonly backendSource: string;
	readonly weights: Record<string, number>;
}

/** `VIP:PORT` as --service takes it (an IPv6 VIP in brackets). */
export function serviceArg(vip: string, port: number): string {
	return `${vip.includes(':') ? `[${vip}]` : vip}:${port}`;
}

/**
 * Ten seconds of requests to one service at a gentle rate (the lab's answerers fork per connection on
 * one emulated CPU; this measures where requests go, not how many the lab takes).
 */
export function watchService(t: Topology, service: string): {run: SpawnSyncReturns<string>; summary?: ServiceWatchSummary} {
	const json = path.join(t.tmp, `watch-${service.replace(/[^0-9a-z]/gi, '_')}.json`);
	const run = cli(t, ['watch', '--profile', t.file, '--service', service, '--duration', '10', '--rate', '5', '--timeout-ms', '3000', '--json', json], 60_000);
	try {
		return {run, summary: JSON.parse(readFileSync(json, 'utf8')) as ServiceWatchSummary};
	} catch {
		return {run};
	}
}

/** A drill through the CLI, with its JSON report; `service` watches that service (at 5 requests a second). */
export function drill(t: Topology, kind: 'failover' | 'rs-health', service?: string): {run: SpawnSyncReturns<string>; report?: Record<string, unknown>} {
	const json = path.join(t.tmp, `${kind}${service ? `-${service.replace(/[^0-9a-z]/gi, '_')}` : ''}.json`);
	const run = cli(t, ['drill', kind, '--profile', t.file, '--json', json, ...(service ? ['--service', service, '--rate', '5'] : [])]);
	try {
		return {run, report: JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>};
	} catch {
		return {run};
	}
}

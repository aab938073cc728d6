// `lvsdeck doctor` as a session, the same for every caller (the CLI command, the console's D key): read
// the cluster once as status does, read each director's firewalls (firewalld too), clocks, sysctls,
// keepalived build, config test and installed config, read keepalived's counters twice a few adverts
// apart, then keepalived's log (checker reasons, advert senders), and turn it all into checks
// (checks/*.ts, pure). Read-only: the caller passes a read-only transport, and every
// command here is one its guard allows. Callers are sinks: they print or draw the report.
import {ClusterPoller} from '../../cluster/poller.js';
import {ClusterStore} from '../../cluster/store.js';
import type {ClusterState} from '../../cluster/types.js';
import type {KeepalivedConfig} from '../../keepalived-conf/index.js';
import {parseAdvertSenders} from '../../probes/keepalived-advert-log.js';
import {parseCheckerLog} from '../../probes/keepalived-checker-log.js';
import type {Profile} from '../../profile/model.js';
import type {Transport} from '../../transport/types.js';
import {byStatus, doctorExitCode, type DoctorCheck, type DoctorReport} from './check.js';
import {clockCheck, clockOffset} from './checks/clock.js';
import {firewallCheck} from './checks/firewall.js';
import {firewalldCheck, type VrrpUse} from './checks/firewalld.js';
import {buildCheck, configTestCheck, featuresUsed, keywordsCheck, versionChecks, versionOf} from './checks/keepalived.js';
import {lvsChecks} from './checks/lvs.js';
import {healthChecks, realServerChecks, type CheckerLog} from './checks/realservers.js';
import {scriptsCheck, scriptUses} from './checks/scripts.js';
import {transportChecks, vridChecks, type InstalledOn} from './checks/vrrp-config.js';
import {vrrpTrafficChecks, type SenderLog} from './checks/vrrp-traffic.js';
import {formatDoctor} from './format.js';
import {commands, readDirectorOnce, readFirewalld, runnerOf, type DirectorReads, type Runner} from './reads.js';

export interface DoctorOptions {
	readonly signal?: AbortSignal;
	/** This machine's clock (epoch ms); tests pass their own. */
	readonly now?: () => number;
	readonly sleep?: (ms: number) => Promise<void>;
	/** How long keepalived's counters get to move between the two reads (default: 3 advert intervals, at least 2.5 s). */
	readonly windowMs?: number;
}

export type {DoctorReport} from './check.js';

export interface DoctorSessionResult {
	readonly report: DoctorReport;
	readonly text: string;
}

/** A doctor session over one cluster: what the console holds instead of a transport. */
export type DoctorSessions = () => Promise<DoctorSessionResult>;

export function doctorSessions(profile: Profile, transport: Transport, options: DoctorOptions = {}): DoctorSessions {
	return async () => {
		const report = await runDoctor(profile, transport, options);
		return {report, text: formatDoctor(report)};
	};
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function windowFor(profile: Profile): number {
	const advert = Math.max(1, ...profile.instances.map((i) => i.advertInt));
	return Math.max(2500, advert * 3000);
}

/** One poll of every host, as `lvsdeck status` reads it. */
async function pollCluster(profile: Profile, transport: Transport): Promise<ClusterState> {
	const store = new ClusterStore(profile);
	const poller = new ClusterPoller(profile, transport, store, {events: false});
	await poller.pollOnce();
	return store.getState();
}

/** The script files the installed config runs, for `stat` (none when the config was not read). */
function scriptPaths(reads: Pick<DirectorReads, 'installed'>): string[] {
	if (reads.installed.kind !== 'parsed') return [];
	return [...new Set(scriptUses(reads.installed.config).map((u) => u.path))].filter((p) => p.startsWith('/')).slice(0, 32);
}

async function readDirectors(run: Runner, profile: Profile, state: ClusterState, options: DoctorOptions, windowMs: number): Promise<DirectorReads[]> {
	const now = options.now ?? Date.now;
	const sleep = options.sleep ?? defaultSleep;
	const directors = profile.hosts.filter((h) => h.role === 'director').map((h) => h.name);
	const statsCommand = (d: string) => commands.stats(state.hosts.find((h) => h.name === d)?.director?.pidFile ?? profile.keepalived.pidFile, profile.keepalived.dumpDir);
	const first = await Promise.all(directors.map(async (d) => ({d, stats: await run(d, statsCommand(d)), at: now()})));
	const once = await Promise.all(directors.map((d) => readDirectorOnce(run, profile, d, now)));
	// firewalld is read inside the counters' window (its time is taken off the sleep), not alongside
	// the reads above: a small director runs only so many commands at once within the command timeout.
	const firewalld = await Promise.all(directors.map((d) => readFirewalld(run, d)));
	const firstAt = Math.max(...first.map((f) => f.at));
	await sleep(Math.max(0, firstAt + windowMs - now()));
	const second = await Promise.all(directors.map((d) => run(d, statsCommand(d))));
	// keepalived's log is read after the window, so it holds the lines written while the counters moved.
	return Promise.all(
		directors.map(async (d, i) => {
			const paths = scriptPaths(once[i]!);
			const scripts = paths.length > 0 ? await run(d, commands.stat(paths)) : undefined;
			const log = await run(d, commands.log(profile));
			return {host: d, ...once[i]!, firewalld: firewalld[i]!, stats: [first[i]!.stats, second[i]!], ...(scripts ? {scripts} : {}), log, logReadAt: now()};
		}),
	);
}

/** Why a log read gave nothing to parse, or undefined when it did. */
function logError(r: DirectorReads): string | undefined {
	if (!r.log) return 'not read';
	if (!r.log.ok) return r.log.error;
	if (r.log.code !== 0) return r.log.stderr.trim().split('\n')[0] || `exit ${r.log.code ?? 'signal'}`;
	return undefined;
}

/** The director's own time at the log read: our clock moved by its measured offset (its log stamps are in its time). */
function directorNow(r: DirectorReads): number {
	const at = r.logReadAt ?? r.clock.receivedAt;
	const o = clockOffset(r.clock);
	return 'offsetMs' in o ? at + o.offsetMs : at;
}

/** Every address a member may send adverts from: the profile's, the directors' interfaces, the configs' unicast addresses. */
function memberAddresses(profile: Profile, state: ClusterState, configs: readonly InstalledOn[]): Set<string> {
	const directors = profile.hosts.filter((h) => h.role === 'director');
	const out = new Set(directors.map((h) => h.address.toLowerCase()));
	for (const h of state.hosts) if (directors.some((d) => d.name === h.name)) for (const a of h.director?.addresses ?? []) out.add(a.address.toLowerCase());
	for (const {config} of configs)
		for (const i of config.vrrpInstances ?? []) {
			if (i.unicastSrcIp) out.add(i.unicastSrcIp.toLowerCase());
			for (const p of i.unicastPeer ?? []) out.add(p.address.toLowerCase());
		}
	return out;
}

/** The VRRP instances a director's installed config runs (else the profile's), for the firewalld check. */
function vrrpUses(profile: Profile, director: string, config: KeepalivedConfig | undefined): VrrpUse[] {
	if (config) return (config.vrrpInstances ?? []).map((i) => ({instance: i.name, iface: i.interface ?? '', unicast: (i.unicastPeer ?? []).length > 0}));
	return profile.instances.filter((i) => i.members.some((m) => m.director === director)).map((i) => ({instance: i.name, iface: i.interface, unicast: i.unicast}));
}

/** Every check, from what was read (pure). */
export function evaluate(profile: Profile, state: ClusterState, reads: readonly DirectorReads[], windowMs: number): DoctorCheck[] {
	const installed: InstalledOn[] = reads.flatMap((r) => (r.installed.kind === 'parsed' ? [{director: r.host, config: r.installed.config}] : []));
	const configOf = (r: DirectorReads) => (r.installed.kind === 'parsed' ? r.installed.config : undefined);
	const logs = reads.map((r) => ({r, error: logError(r)}));
	const senders: SenderLog[] = logs.flatMap(({r, error}) => (error === undefined && r.log?.ok ? [{director: r.host, senders: parseAdvertSenders(r.log.stdout, directorNow(r)), readAt: directorNow(r)}] : []));
	const checkerLogs: CheckerLog[] = logs.map(({r, error}) => (error === undefined && r.log?.ok ? {director: r.host, events: parseCheckerLog(r.log.stdout, directorNow(r))} : {director: r.host, error: error ?? 'not read'}));
	return [
		...vrrpTrafficChecks(profile, state, reads.map((r) => ({director: r.host, reads: r.stats})), windowMs, senders, memberAddresses(profile, state, installed)),
		...reads.map((r) => firewallCheck(r.host, r.nft, r.iptables, r.iptablesLegacy)),
		...reads.map((r) => firewalldCheck(r.host, r.firewalld, vrrpUses(profile, r.host, configOf(r)))),
		...transportChecks(installed),
		...vridChecks(installed),
		clockCheck(reads.map((r) => ({director: r.host, clock: r.clock}))),
		...reads.map((r) => scriptsCheck(r.host, r.installed.kind === 'parsed' ? r.installed.config : undefined, r.scripts)),
		...reads.flatMap((r) => lvsChecks(profile, r.host, r.sysctl)),
		...realServerChecks(profile, state),
		...healthChecks(profile, state, checkerLogs),
		...versionChecks(reads.map((r) => ({director: r.host, version: r.version}))),
		...reads.map((r) => buildCheck(r.host, r.version, featuresUsed(profile, configOf(r)))),
		...reads.map((r) => configTestCheck(r.host, profile.keepalived.configPath, r.configTest)),
		...reads.map((r) => keywordsCheck(r.host, r.installed, versionOf(r.version))),
	];
}

/** Runs every check once; never throws for a host that cannot be read (its checks are skipped). */
export async function runDoctor(profile: Profile, transport: Transport, options: DoctorOptions = {}): Promise<DoctorReport> {
	const windowMs = options.windowMs ?? windowFor(profile);
	const state = await pollCluster(profile, transport);
	const reads = await readDirectors(runnerOf(transport, options.signal), profile, state, options, windowMs);
	const checks = byStatus(evaluate(profile, state, reads, windowMs));
	return {checks, code: doctorExitCode(checks), windowMs};
}

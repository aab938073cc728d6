// Real-server drills on the active director: rs-health (stop the service on a real server; measure how
// long keepalived's checks take to remove it, that nothing fails after the removal, and the return) and
// drain (weight 0 with ipvsadm; new connections must leave it). Journaled and always restored.
import {realServerService, type Profile, type RealServer, type ServiceCommands, type VirtualServer} from '../../profile/model.js';
import {shellJoin} from '../../transport/quote.js';
import type {ClusterState} from '../../cluster/types.js';
import {realServerOn, serviceOn, vipHolders} from '../../cluster/queries.js';
import type {Transport} from '../../transport/types.js';
import type {RequestRecord, TrafficWatcher} from '../watcher.js';
import {drillReport, type RealServerDrillReport} from './drill-report.js';
import {runDrillEngine, type DrillContext, type DrillOutcome, type DrillStrategy} from './engine.js';
import {DrillRefused, preflightDirectors, until, type DrillCommonOptions, type DrillThresholds} from './common.js';
import {realServerTarget} from './targets.js';
import {newTemplateClients, readTemplateClients} from './persistence.js';

export type RealServerDrillKind = 'rs-health' | 'drain';

export interface RealServerDrillOptions extends DrillCommonOptions {
	readonly kind: RealServerDrillKind;
	readonly rs?: string;
	/** The service (`VIP:PORT`) the real server is drilled in (default: its first TCP one). */
	readonly service?: string;
	readonly thresholds?: DrillThresholds;
}

/** How long keepalived's checks may take to notice a dead real server: first check, tries, delays. */
export function removalBoundMs(vs: VirtualServer, rs: RealServer): number {
	const c = rs.check;
	if (c.type === 'none') return 0;
	return Math.round((vs.delayLoop + (c.retry + 1) * (c.connectTimeout + c.delayBeforeRetry)) * 1000);
}

/** The kernel copies IPVS counters to what ipvsadm reads on its estimator's tick. */
const ESTIMATOR_TICK_MS = 2000;

const FORWARD_FLAG = {DR: '-g', NAT: '-m', TUN: '-i'} as const;

function weightArgv(vs: VirtualServer, rs: RealServer, weight: number): string[] {
	const proto = vs.protocol === 'UDP' ? '-u' : '-t';
	return ['ipvsadm', '-e', proto, `${vs.vip}:${vs.port}`, '-r', `${rs.address}:${rs.port}`, FORWARD_FLAG[vs.forwarding], '-w', String(weight)];
}


export function runRealServerDrill(profile: Profile, transport: Transport, options: RealServerDrillOptions): Promise<RealServerDrillReport> {
	return runDrillEngine(profile, transport, options, options.thresholds, realServerStrategy(options.kind, options.rs, options.service));
}

/**
 * The real server and its service (the named one, else its first TCP one), or a refusal; rs-health also
 * needs the unit serving that virtual service there (realServerService: the real server's, the virtual
 * server's rs_service, else the host's service).
 */
export function drillTarget(profile: Profile, kind: RealServerDrillKind, rsName: string | undefined, service: string | undefined): {vs: VirtualServer; rs: RealServer; unit: ServiceCommands | undefined} {
	const {vs, rs} = realServerTarget(profile, rsName, service);
	const unit = realServerService(profile, vs, rs);
	if (kind === 'rs-health' && !unit) throw new DrillRefused(`${rs.host} has no service commands for ${vs.protocol} ${vs.vip}:${vs.port} in the profile (the real server's service, the virtual server's rs_service or the host's service)`);
	if (kind === 'rs-health' && rs.check.type === 'none') throw new DrillRefused(`${rs.host} has no health check in ${vs.vip}:${vs.port}: keepalived would never remove it`);
	return {vs, rs, unit};
}

/**
 * The active director of the service: the same director checks as the failover drills (a drill on a
 * cluster that could not fail over if something went wrong meanwhile is not one to run).
 */
function activeDirectorFor(profile: Profile, state: ClusterState, vs: VirtualServer): string {
	const inst = profile.instances.find((i) => i.vips.some((v) => v.address === vs.vip));
	if (inst && inst.members.length > 1) return preflightDirectors(state, inst).target;
	const holders = vipHolders(state, vs.vip);
	if (holders.length !== 1) throw new DrillRefused(`preflight: ${vs.vip} is on ${holders.join(' and ') || 'no director'}`);
	return holders[0]!;
}

/** Requests in the watcher's records after the removal and before the restore, a grace period aside. */
function afterRemoval(watcher: TrafficWatcher, removedAt: number | undefined, restoredAt: number | undefined): RequestRecord[] {
	const grace = 250; // a request already on its way when the table changed
	return watcher.records.filter((r) => removedAt !== undefined && r.start > removedAt + grace && (restoredAt === undefined || r.start < restoredAt));
}

/** The drain's judgement: IPVS's Conns counters over two estimator ticks, the drained one against the others. */
async function drainCounts(context: DrillContext, director: string, vs: VirtualServer, rs: RealServer, pollDirector: () => Promise<boolean>, reasons: string[]): Promise<number | undefined> {
	const {cluster, options, mark} = context;
	const conns = () => new Map((serviceOn(cluster.store.getState(), director, vs)?.realServers ?? []).map((r) => [`${r.address}:${r.port}`, r.stats?.conns ?? 0]));
	const key = `${rs.address}:${rs.port}`;
	await until(() => false, ESTIMATOR_TICK_MS + 500, options.signal);
	await pollDirector();
	const a = conns();
	await until(() => false, 2 * ESTIMATOR_TICK_MS + 500, options.signal);
	await pollDirector();
	const b = conns();
	if (options.signal?.aborted) return undefined;
	const scheduled = (b.get(key) ?? 0) - (a.get(key) ?? 0);
	const others = [...b].filter(([k]) => k !== key).reduce((n, [k, v]) => n + v - (a.get(k) ?? 0), 0);
	mark(`over ${((2 * ESTIMATOR_TICK_MS + 500) / 1000).toFixed(1)} s IPVS scheduled ${scheduled} new connections to ${rs.host} and ${others} to the others`);
	if (others <= 0) reasons.push(`IPVS scheduled no connections to the other real servers while ${rs.host} was drained, so the drain could not be judged`);
	return scheduled;
}

/** One real-server drill's target and what it measured, filled in as it runs. */
interface RealServerRun {
	readonly kind: RealServerDrillKind;
	readonly vs: VirtualServer;
	readonly rs: RealServer;
	/** The unit rs-health stops and starts (absent for drain). */
	readonly service: ServiceCommands | undefined;
	readonly label: string;
	readonly director: string;
	readonly bound: number;
	readonly waitMs: number;
	inTable(): boolean;
	pollDirector(): Promise<boolean>;
	nodest: string;
	injectedAt?: number;
	removedAt?: number;
	restoredAt?: number;
	backAt?: number;
	scheduledWhileDrained?: number;
	/** Persistence: clients templates tied to the server when the drain began, and how many were tied after. */
	templatesBefore?: Set<string>;
	newTemplates?: number;
	failedAfterRemoval: number;
	toTargetAfter: number;
}

function realServerRun(context: DrillContext, kind: RealServerDrillKind, rsName: string | undefined, service: string | undefined): RealServerRun {
	const {profile, cluster} = context;
	const {vs, rs, unit} = drillTarget(profile, kind, rsName, service);
	const director = activeDirectorFor(profile, cluster.store.getState(), vs);
	const directorHost = profile.hosts.find((h) => h.name === director)!;
	const bound = kind === 'rs-health' ? removalBoundMs(vs, rs) : 0;
	return {
		kind,
		vs,
		rs,
		service: unit,
		label: `${vs.protocol} ${vs.vip}:${vs.port}`,
		director,
		bound,
		waitMs: bound * 2 + 10_000,
		inTable: () => (realServerOn(cluster.store.getState(), director, vs, rs)?.weight ?? 0) > 0,
		pollDirector: async () => {
			await cluster.pollHost(directorHost);
			return true;
		},
		nodest: '',
		failedAfterRemoval: 0,
		toTargetAfter: 0,
	};
}

/** rs-health stops the real server's service; drain sets its weight to 0 on the active director. */
export function realServerStrategy(kind: RealServerDrillKind, rsName: string | undefined, serviceName?: string): DrillStrategy<RealServerDrillReport> {
	return {
		kind,
		async prepare(context) {
			const d = realServerRun(context, kind, rsName, serviceName);
			const {rs, vs, service, label, director} = d;
			if (!d.inTable()) throw new DrillRefused(`preflight: ${rs.host} is not in ${label} on ${director} with a weight above 0`);
			return {
				service: vs,
				changes: [kind === 'rs-health' ? rs.host : director],
				ready: `${rs.host} in ${label} on ${director}`,
				plan: kind === 'rs-health' ? `stop ${service!.name} on ${rs.host} (${shellJoin(service!.stop)}); ${director} should remove it from ${label}; then start it again (${shellJoin(service!.start)})` : `set ${rs.host}'s weight in ${label} to 0 on ${director}; then back to ${rs.weight}`,
				restore:
					kind === 'rs-health'
						? [{host: rs.host, argv: service!.start, description: `start ${service!.name} (${shellJoin(service!.start)})`}]
						: [{host: director, argv: weightArgv(vs, rs, rs.weight), description: `weight ${rs.weight} for ${rs.host} in ${label}`}],
				beforeJournal: () => readNodest(context, d),
				inject: (at, reasons) => injectRealServerFault(context, d, at, reasons),
				restoring: (at) => void (d.restoredAt = at),
				async awaitReturn(reasons) {
					if (await until(async () => (await d.pollDirector()) && d.inTable(), d.waitMs, undefined, 200)) {
						d.backAt = Date.now();
						context.mark(`${rs.host} back in ${label} on ${director}`, d.backAt);
					} else {
						reasons.push(`${rs.host} did not come back into ${label} within ${d.waitMs} ms`);
					}
				},
				tailMs: 500,
				finish: (watcher, reasons) => judgeTraffic(d, watcher, reasons, context.mark),
				measured: () => ({what: 'removal', ms: since(d.removedAt, d.injectedAt)}),
				report: (c) => realServerReport(d, c),
			};
		},
	};
}

const since = (at: number | undefined, from: number | undefined): number | null => (at !== undefined && from !== undefined ? at - from : null);

/**
 * With expire_nodest_conn 0, IPVS drops a SYN from a client port it still has an entry for (DR entries
 * linger in FIN_WAIT) when that entry points at the removed server: the client waits for its
 * retransmit. Worth knowing before, and the likely cause if requests fail after the removal.
 */
async function readNodest({transport, mark}: DrillContext, d: RealServerRun): Promise<void> {
	d.nodest = d.kind === 'rs-health' ? (await transport.exec(d.director, ['sysctl', '-n', 'net.ipv4.vs.expire_nodest_conn'])).stdout.trim() : '';
	if (d.nodest === '0') mark(`note: net.ipv4.vs.expire_nodest_conn is 0 on ${d.director}; requests from client ports IPVS still has entries for ${d.rs.host} are dropped after its removal`);
}

/** Stops the service (rs-health) or sets weight 0 (drain), then waits for the table to show it. */
async function injectRealServerFault(context: DrillContext, d: RealServerRun, at: number, reasons: string[]): Promise<void> {
	const {transport, mark, options} = context;
	const {kind, rs, vs, service, label, director} = d;
	if (kind === 'drain' && vs.persistenceTimeout !== undefined) d.templatesBefore = await readTemplateClients(transport, director, vs, rs);
	d.injectedAt = at;
	mark(kind === 'rs-health' ? `stopping ${service!.name} on ${rs.host}` : `weight 0 for ${rs.host} on ${director}`, at);
	const inject = await transport.exec(kind === 'rs-health' ? rs.host : director, kind === 'rs-health' ? service!.stop : weightArgv(vs, rs, 0));
	if (inject.code !== 0) reasons.push(`fault injection failed: ${inject.stderr.trim() || `exit ${inject.code}`}`);
	const gone = await until(async () => (await d.pollDirector()) && !d.inTable(), d.waitMs, options.signal, 200);
	if (gone) {
		d.removedAt = Date.now();
		mark(kind === 'rs-health' ? `${director} removed ${rs.host} from ${label}` : `${rs.host} drained (weight 0) on ${director}`, d.removedAt);
	} else if (!options.signal?.aborted) {
		reasons.push(`${rs.host} was not removed from ${label} within ${d.waitMs} ms`);
	}
	// Traffic after the removal must not fail, and a drained server must get no new connections.
	// IPVS's Conns counter counts connections it schedules (not reused entries), but the kernel
	// publishes its counters only on the estimator's 2 s tick: both readings are taken more than a
	// tick after the drain, and the other real servers' counters must move in between, so a zero
	// for the drained one means something.
	// With persistence, clients IPVS tied to the server before keep going there: the templates judge.
	const persistent = kind === 'drain' && vs.persistenceTimeout !== undefined;
	if (kind === 'drain' && gone) d.scheduledWhileDrained = await drainCounts(context, director, vs, rs, d.pollDirector, persistent ? [] : reasons);
	else await until(() => false, 3000, options.signal);
	if (persistent && gone && !options.signal?.aborted) await judgeTemplates(context, d, reasons);
}

/** Persistence: no client may be newly tied to the drained server; clients tied before are named. */
async function judgeTemplates({transport, mark}: DrillContext, d: RealServerRun, reasons: string[]): Promise<void> {
	const {director, vs, rs} = d;
	const after = await readTemplateClients(transport, director, vs, rs);
	if (!after || !d.templatesBefore) {
		reasons.push(`could not read the connection table on ${director} to count persistence templates`);
		return;
	}
	const fresh = newTemplateClients(d.templatesBefore, after);
	d.newTemplates = fresh.length;
	const kept = [...after].filter((c) => d.templatesBefore!.has(c)).length;
	mark(`persistence_timeout ${vs.persistenceTimeout} s: ${kept} clients still tied to ${rs.host} by templates made before the drain (IPVS honours them until they expire), ${fresh.length} newly tied`);
	if (fresh.length > 0) reasons.push(`IPVS tied ${fresh.length} new clients to ${rs.host} (persistence templates) after it was drained: ${fresh.slice(0, 5).join(', ')}`);
}

/** After the traffic stopped: requests that failed after the removal, and new connections to a drained server. */
function judgeTraffic(d: RealServerRun, watcher: TrafficWatcher, reasons: string[], mark: (e: string, at?: number) => void): void {
	const {kind, rs, director} = d;
	const after = afterRemoval(watcher, d.removedAt, d.restoredAt);
	d.failedAfterRemoval = after.filter((r) => r.outcome !== 'ok').length;
	// IPVS keys connections on the client's address and port: a SYN from a port it still has an entry for
	// (DR entries linger in FIN_WAIT) goes to the old real server whatever its weight. Those are not new
	// connections, so the drain verdict uses IPVS's Conns counter; answers seen by the watcher are logged.
	const answeredByTarget = after.filter((r) => r.outcome === 'ok' && r.backend === rs.host).length;
	if (kind === 'drain' && d.injectedAt !== undefined) markLastToTarget(watcher, rs.host, d.injectedAt, d.restoredAt, mark);
	const persistent = d.vs.persistenceTimeout !== undefined;
	d.toTargetAfter = persistent && kind === 'drain' ? (d.newTemplates ?? 0) : (d.scheduledWhileDrained ?? answeredByTarget);
	if (kind === 'rs-health' && d.failedAfterRemoval > 0) {
		const hint = d.nodest === '0' ? ` (likely cause: net.ipv4.vs.expire_nodest_conn is 0 on ${director}; set it to 1)` : '';
		reasons.push(`${d.failedAfterRemoval} requests failed after ${rs.host} was removed${hint}`);
	}
	if (kind === 'drain' && !persistent && d.toTargetAfter > 0) reasons.push(`IPVS scheduled ${d.toTargetAfter} new connections to ${rs.host} after it was drained`);
	if (kind === 'drain' && !persistent && answeredByTarget > d.toTargetAfter) mark(`${answeredByTarget - d.toTargetAfter} requests from client ports IPVS still had entries for reached ${rs.host} anyway (not new connections)`);
}

function realServerReport(d: RealServerRun, c: DrillOutcome): RealServerDrillReport {
	const removalMs = since(d.removedAt, d.injectedAt);
	const target = {instance: d.label, service: d.label, vip: d.vs.vip, target: d.rs.host, takeover: d.director};
	const measured = {
		failoverMs: removalMs,
		removalMs,
		vipLeftMs: null,
		expectedBoundMs: d.bound,
		splitBrainMs: 0 as const,
		returnMs: since(d.backAt, d.restoredAt),
		preempt: '-' as const,
		keepalivedTransitionAt: null,
		measuredMinusKeepalivedMs: null,
	};
	return drillReport(d.kind, c, target, measured, {failedAfterRemoval: d.failedAfterRemoval, toTargetAfterRemoval: d.toTargetAfter});
}

/** When new connections stopped reaching the drained server, as the client saw it. */
function markLastToTarget(watcher: TrafficWatcher, host: string, injectedAt: number, restoredAt: number | undefined, mark: (e: string, at?: number) => void): void {
	const lastToTarget = watcher.records.filter((r) => r.outcome === 'ok' && r.backend === host && r.start >= injectedAt && r.start < (restoredAt ?? Infinity)).reduce((m, r) => Math.max(m, r.start), -1);
	if (lastToTarget >= 0) mark(`last request answered by ${host} was sent ${lastToTarget - injectedAt} ms after the weight change`, lastToTarget);
	else mark(`no request sent after the weight change reached ${host}`, injectedAt);
}

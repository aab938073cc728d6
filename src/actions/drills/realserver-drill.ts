// Real-server drills on the active director: rs-health (stop the service on a real server; measure how
// long keepalived's checks take to remove it, that nothing fails after the removal, and the return) and
// drain (weight 0 with ipvsadm; new connections must leave it). Journaled and always restored.
import type {Profile, RealServer, VirtualServer} from '../../profile/model.js';
import {realServerOn, serviceOn} from '../../cluster/queries.js';
import type {Transport} from '../../transport/types.js';
import type {DrillReport} from './failover.js';
import {
	cleanBaseline,
	confirmDrill,
	DrillRefused,
	drillCluster,
	drillTraffic,
	drillWatcher,
	expectationReasons,
	openJournal,
	preflightDirectors,
	requestCounts,
	runPreflightChecks,
	timelineRecorder,
	until,
	type DrillCommonOptions,
	type DrillThresholds,
} from './common.js';
import {restoreAndClose, type RestoreStep} from './journal.js';

export type RealServerDrillKind = 'rs-health' | 'drain';

export interface RealServerDrillOptions extends DrillCommonOptions {
	readonly kind: RealServerDrillKind;
	readonly rs?: string;
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


export async function runRealServerDrill(profile: Profile, transport: Transport, options: RealServerDrillOptions): Promise<DrillReport> {
	const progress = options.onProgress ?? (() => {});
	const vs = profile.virtualServers.find((v) => v.protocol === 'TCP' && (options.rs === undefined || v.realServers.some((r) => r.host === options.rs)));
	if (!vs) throw new DrillRefused(options.rs ? `${options.rs} is not a real server of any TCP virtual service` : 'the profile has no TCP virtual service');
	const rs = options.rs ? vs.realServers.find((r) => r.host === options.rs)! : vs.realServers[0]!;
	const rsHost = profile.hosts.find((h) => h.name === rs.host)!;
	if (options.kind === 'rs-health' && !rsHost.service) throw new DrillRefused(`${rs.host} has no service commands in the profile`);
	if (options.kind === 'rs-health' && rs.check.type === 'none') throw new DrillRefused(`${rs.host} has no health check in ${vs.vip}:${vs.port}: keepalived would never remove it`);
	const label = `${vs.protocol} ${vs.vip}:${vs.port}`;
	const startedAt = Date.now();
	const timeline = timelineRecorder(progress);
	const mark = timeline.mark;

	const cluster = drillCluster(profile, transport, options);
	const store = cluster.store;
	await cluster.pollAll();
	// The same director checks as the failover drills: a drill on a cluster that could not fail over
	// if something went wrong meanwhile is not one to run.
	const inst = profile.instances.find((i) => i.vips.some((v) => v.address === vs.vip));
	let director: string;
	if (inst && inst.members.length > 1) {
		director = preflightDirectors(store.getState(), inst).target;
	} else {
		const placement = store.getState().vips.find((v) => v.vip === vs.vip);
		if (placement?.holders.length !== 1) throw new DrillRefused(`preflight: ${vs.vip} is on ${placement?.holders.join(' and ') || 'no director'}`);
		director = placement.holders[0]!;
	}
	const directorHost = profile.hosts.find((h) => h.name === director)!;
	const entry = () => realServerOn(store.getState(), director, vs, rs);
	const inTable = () => {
		const e = entry();
		return e !== undefined && e.weight > 0;
	};
	if (!inTable()) throw new DrillRefused(`preflight: ${rs.host} is not in ${label} on ${director} with a weight above 0`);
	await runPreflightChecks(profile, transport, options, options.kind, [options.kind === 'rs-health' ? rs.host : director]);
	const url = `http://${vs.vip}:${vs.port}/`;
	const baseline = await cleanBaseline(drillTraffic(url, transport, options));
	const base = baseline.summary();
	mark(`preflight ok: ${rs.host} in ${label} on ${director}; ${base.ok} baseline requests ok${options.from ? ` from ${options.from}` : ''}`);
	await confirmDrill(options, options.kind === 'rs-health' ? `stop ${rsHost.service!.name} on ${rs.host} (${rsHost.service!.stop.join(' ')}); ${director} should remove it from ${label}; then start it again` : `set ${rs.host}'s weight in ${label} to 0 on ${director}; then back to ${rs.weight}`);

	// With expire_nodest_conn 0, IPVS drops a SYN from a client port it still has an entry for (DR
	// entries linger in FIN_WAIT) when that entry points at the removed server: the client waits for
	// its retransmit. Worth knowing before, and the likely cause if requests fail after the removal.
	const nodest = options.kind === 'rs-health' ? (await transport.exec(director, ['sysctl', '-n', 'net.ipv4.vs.expire_nodest_conn'])).stdout.trim() : '';
	if (nodest === '0') mark(`note: net.ipv4.vs.expire_nodest_conn is 0 on ${director}; requests from client ports IPVS still has entries for ${rs.host} are dropped after its removal`);
	const restore: RestoreStep[] =
		options.kind === 'rs-health'
			? [{host: rs.host, argv: rsHost.service!.start, description: `start ${rsHost.service!.name} (${rsHost.service!.start.join(' ')})`}]
			: [{host: director, argv: weightArgv(vs, rs, rs.weight), description: `weight ${rs.weight} for ${rs.host} in ${label}`}];
	const journalId = openJournal(profile, options.kind, startedAt, restore);

	const watcher = drillWatcher(url, transport, options);
	const reasons: string[] = [];
	let injectedAt: number | undefined;
	let removedAt: number | undefined;
	let restoredAt: number | undefined;
	let backAt: number | undefined;
	let restored = false;
	let scheduledWhileDrained: number | undefined;
	const bound = options.kind === 'rs-health' ? removalBoundMs(vs, rs) : 0;
	const pollDirector = async () => {
		await cluster.pollHost(directorHost);
		return true;
	};
	try {
		watcher.start();
		await new Promise((r) => setTimeout(r, 1000));
		if (options.signal?.aborted) throw new Error('aborted before the fault');
		injectedAt = Date.now();
		mark(options.kind === 'rs-health' ? `stopping ${rsHost.service!.name} on ${rs.host}` : `weight 0 for ${rs.host} on ${director}`, injectedAt);
		const inject = await transport.exec(options.kind === 'rs-health' ? rs.host : director, options.kind === 'rs-health' ? rsHost.service!.stop : weightArgv(vs, rs, 0));
		if (inject.code !== 0) reasons.push(`fault injection failed: ${inject.stderr.trim() || `exit ${inject.code}`}`);
		const gone = await until(async () => (await pollDirector()) && !inTable(), bound * 2 + 10_000, options.signal, 200);
		if (gone) {
			removedAt = Date.now();
			mark(options.kind === 'rs-health' ? `${director} removed ${rs.host} from ${label}` : `${rs.host} drained (weight 0) on ${director}`, removedAt);
		} else if (!options.signal?.aborted) {
			reasons.push(`${rs.host} was not removed from ${label} within ${bound * 2 + 10_000} ms`);
		}
		// Traffic after the removal must not fail, and a drained server must get no new connections.
		// IPVS's Conns counter counts connections it schedules (not reused entries), but the kernel
		// publishes its counters only on the estimator's 2 s tick: both readings are taken more than a
		// tick after the drain, and the other real servers' counters must move in between, so a zero
		// for the drained one means something.
		if (options.kind === 'drain' && gone) {
			const conns = () => new Map((serviceOn(store.getState(), director, vs)?.realServers ?? []).map((r) => [`${r.address}:${r.port}`, r.stats?.conns ?? 0]));
			const key = `${rs.address}:${rs.port}`;
			await until(() => false, ESTIMATOR_TICK_MS + 500, options.signal);
			await pollDirector();
			const a = conns();
			await until(() => false, 2 * ESTIMATOR_TICK_MS + 500, options.signal);
			await pollDirector();
			const b = conns();
			if (!options.signal?.aborted) {
				scheduledWhileDrained = (b.get(key) ?? 0) - (a.get(key) ?? 0);
				const others = [...b].filter(([k]) => k !== key).reduce((n, [k, v]) => n + v - (a.get(k) ?? 0), 0);
				mark(`over ${((2 * ESTIMATOR_TICK_MS + 500) / 1000).toFixed(1)} s IPVS scheduled ${scheduledWhileDrained} new connections to ${rs.host} and ${others} to the others`);
				if (others <= 0) reasons.push(`IPVS scheduled no connections to the other real servers while ${rs.host} was drained, so the drain could not be judged`);
			}
		} else {
			await until(() => false, 3000, options.signal);
		}
	} finally {
		restoredAt = Date.now();
		mark(`restoring: ${restore.map((r) => r.description).join('; ')}`, restoredAt);
		restored = await restoreAndClose(transport, restore, journalId, progress);
	}
	if (await until(async () => (await pollDirector()) && inTable(), bound * 2 + 10_000, undefined, 200)) {
		backAt = Date.now();
		mark(`${rs.host} back in ${label} on ${director}`, backAt);
	} else {
		reasons.push(`${rs.host} did not come back into ${label} within ${bound * 2 + 10_000} ms`);
	}
	await new Promise((r) => setTimeout(r, 500));
	const summary = await watcher.stop();
	if (watcher.error) reasons.push(watcher.error);
	const grace = 250; // a request already on its way when the table changed
	const after = watcher.records.filter((r) => removedAt !== undefined && r.start > removedAt + grace && (restoredAt === undefined || r.start < restoredAt));
	const failedAfterRemoval = after.filter((r) => r.outcome !== 'ok').length;
	// IPVS keys connections on the client's address and port: a SYN from a port it still has an entry for
	// (DR entries linger in FIN_WAIT) goes to the old real server whatever its weight. Those are not new
	// connections, so the drain verdict uses IPVS's Conns counter; answers seen by the watcher are logged.
	const answeredByTarget = after.filter((r) => r.outcome === 'ok' && r.backend === rs.host).length;
	if (options.kind === 'drain' && injectedAt !== undefined) {
		// When new connections stopped reaching the drained server, as the client saw it.
		const lastToTarget = watcher.records.filter((r) => r.outcome === 'ok' && r.backend === rs.host && r.start >= injectedAt! && r.start < (restoredAt ?? Infinity)).reduce((m, r) => Math.max(m, r.start), -1);
		if (lastToTarget >= 0) mark(`last request answered by ${rs.host} was sent ${lastToTarget - injectedAt} ms after the weight change`, lastToTarget);
		else mark(`no request sent after the weight change reached ${rs.host}`, injectedAt);
	}
	const toTargetAfter = scheduledWhileDrained ?? answeredByTarget;
	if (options.kind === 'rs-health' && failedAfterRemoval > 0) {
		const hint = nodest === '0' ? ` (likely cause: net.ipv4.vs.expire_nodest_conn is 0 on ${director}; set it to 1)` : '';
		reasons.push(`${failedAfterRemoval} requests failed after ${rs.host} was removed${hint}`);
	}
	if (options.kind === 'drain' && toTargetAfter > 0) reasons.push(`IPVS scheduled ${toTargetAfter} new connections to ${rs.host} after it was drained`);
	if (options.kind === 'drain' && answeredByTarget > toTargetAfter) mark(`${answeredByTarget - toTargetAfter} requests from client ports IPVS still had entries for reached ${rs.host} anyway (not new connections)`);
	if (!restored) reasons.push('RESTORE FAILED: run lvsdeck drill --recover');
	const removalMs = removedAt !== undefined && injectedAt !== undefined ? removedAt - injectedAt : null;
	reasons.push(...expectationReasons(options.thresholds, 'removal', removalMs, summary));
	const endedAt = Date.now();
	const zero = injectedAt ?? startedAt;
	return {
		drill: options.kind,
		profile: profile.name,
		instance: label,
		vip: vs.vip,
		target: rs.host,
		takeover: director,
		verdict: reasons.length === 0 ? 'pass' : 'fail',
		reasons,
		failoverMs: removalMs,
		vipLeftMs: null,
		expectedBoundMs: bound,
		splitBrainMs: 0,
		returnMs: backAt !== undefined && restoredAt !== undefined ? backAt - restoredAt : null,
		preempt: '-',
		keepalivedTransitionAt: null,
		measuredMinusKeepalivedMs: null,
		requests: requestCounts(summary),
		failedAfterRemoval,
		toTargetAfterRemoval: toTargetAfter,
		longestGapMs: summary.longestGapMs,
		latencyP50Ms: summary.latencyP50Ms,
		latencyP99Ms: summary.latencyP99Ms,
		restored,
		startedAt: new Date(startedAt).toISOString(),
		endedAt: new Date(endedAt).toISOString(),
		durationMs: endedAt - startedAt,
		timeline: timeline.report(zero),
	};
}

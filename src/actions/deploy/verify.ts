// Deploy, verification: after a reload the director must run keepalived with the profile's VRRP
// instances and IPVS table, and keep doing so for a full health-check cycle.
import type {Profile} from '../../profile/model.js';
import type {ClusterStore} from '../../cluster/store.js';
import {serviceKey} from '../../probes/ipvs.js';
import {hostOn, instancesOf, mastersOf, realServerOn, serviceOn} from '../../cluster/queries.js';
import {ownClusterWatch, type ClusterWatch} from '../../cluster/watch.js';
import type {Transport} from '../../transport/types.js';


/**
 * One full health-check cycle: keepalived puts real servers in the table as up before their first
 * check, so a table can only be trusted after every check had the time to run, retry and fail.
 */
export function healthCycleMs(profile: Profile): number {
	let worst = 0;
	for (const vs of profile.virtualServers) {
		for (const rs of vs.realServers) {
			const c = rs.check;
			const perTry = c.type === 'none' ? 0 : c.connectTimeout + c.delayBeforeRetry;
			const tries = c.type === 'none' ? 0 : c.retry + 1;
			worst = Math.max(worst, vs.delayLoop + perTry * tries);
		}
	}
	return Math.min(60_000, (worst + 1) * 1000);
}

/** Time allowed to reach a matching state, before it must then hold for a health-check cycle. */
export function verifyBudgetMs(profile: Profile): number {
	return Math.min(90_000, Math.max(10_000, healthCycleMs(profile) + 5000));
}

/** What is wrong with a director after a reload, or undefined when it matches the profile. */
export function directorMismatch(profile: Profile, store: ClusterStore, director: string): string | undefined {
	const state = store.getState();
	const host = hostOn(state, director);
	if (!host?.reachable || !host.director) return `${director} did not answer: ${host?.error ?? 'no data'}`;
	const d = host.director;
	if (d.keepalivedActive !== true) return `keepalived is not running on ${director}`;
	const mine = instancesOf(profile, director);
	for (const inst of mine) {
		const v = d.vrrp?.find((x) => x.name === inst.name);
		if (!v) return `${director} reports no VRRP instance ${inst.name}`;
		if (v.state !== 'MASTER' && v.state !== 'BACKUP') return `${director}: ${inst.name} is ${v.state}`;
		const masters = mastersOf(state, inst.name);
		if (masters.length !== 1) return `${inst.name} has ${masters.length} masters (${masters.map((m) => m.name).join(', ') || 'none'})`;
	}
	const vips = new Set(mine.flatMap((i) => i.vips.map((v) => v.address)));
	for (const vs of profile.virtualServers.filter((v) => vips.has(v.vip))) {
		const key = serviceKey({protocol: vs.protocol, address: vs.vip, port: vs.port});
		const svc = serviceOn(state, director, vs);
		if (!svc) return `${director}: ${key} is not in the IPVS table`;
		if (svc.scheduler !== vs.scheduler) return `${director}: ${key} uses ${svc.scheduler}, not ${vs.scheduler}`;
		for (const rs of vs.realServers) {
			const entry = realServerOn(state, director, vs, rs);
			if (!entry) return `${director}: ${rs.host} (${rs.address}:${rs.port}) is not in ${key}`;
			if (entry.weight !== rs.weight) return `${director}: ${rs.host} has weight ${entry.weight} in ${key}, the profile says ${rs.weight}`;
		}
	}
	return undefined;
}

export interface VerifyResult {
	/** What is wrong (undefined: matches and kept matching). */
	readonly problem?: string;
	/** Did the director answer at the last look? (No: the result says nothing about its config.) */
	readonly answered: boolean;
}

/** The director must match the profile, and keep matching for one full health-check cycle. */
export async function verifyDirector(profile: Profile, transport: Transport, director: string, timeoutMs: number, watch?: ClusterWatch): Promise<VerifyResult> {
	const poller = watch ?? ownClusterWatch(profile, transport);
	const store = poller.store;
	const directors = profile.hosts.filter((h) => h.role === 'director');
	const settleMs = healthCycleMs(profile);
	const end = Date.now() + timeoutMs + settleMs;
	let problem: string | undefined = 'not checked yet';
	let matchingSince: number | undefined;
	while (Date.now() < end) {
		await Promise.all(directors.map((h) => poller.pollHost(h)));
		problem = directorMismatch(profile, store, director);
		if (problem) matchingSince = undefined;
		else if (matchingSince === undefined) matchingSince = Date.now();
		else if (Date.now() - matchingSince >= settleMs) return {answered: true};
		await new Promise((r) => setTimeout(r, 500));
	}
	const answered = hostOn(store.getState(), director)?.reachable === true;
	return {problem: problem ?? `did not stay matching for ${Math.round(settleMs / 1000)} s`, answered};
}

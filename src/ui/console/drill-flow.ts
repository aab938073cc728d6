// The drills and the round-robin watcher as guided flows in the console: preflight, confirmation, a
// live block (VIP holder, VRRP states, the watcher's per-backend counts and gaps) over the drill's
// timeline, an abort key that restores everything, and the report at the end.
import type {Profile, VirtualServer} from '../../profile/model.js';
import type {ClusterStore} from '../../cluster/store.js';
import type {ClusterWatch} from '../../cluster/watch.js';
import {DrillRefused, drillTrafficLabel} from '../../actions/drills/common.js';
import {urlHost, watchUrl} from '../../actions/watch-mode.js';
import type {DrillSpec} from '../../actions/drills/run.js';
import {isRealServerReport} from '../../actions/drills/drill-report.js';
import {ABORTED_FROM_CONSOLE, type DrillSessionResult, type DrillSessions} from '../../actions/drills/session.js';
import {pickVirtualService, TrafficTargetError, type TrafficWatcher} from '../../actions/traffic.js';
import type {WatchEvent, WatchSession, WatchSessions} from '../../actions/watch/session.js';
import {WatchTally} from '../../actions/watch-tally.js';
import {drillLiveLines, liveWeights, type DrillFocus} from '../presenters/drill.js';
import {watchLines, watchProgressLine, type WatchLine} from '../presenters/watch.js';
import type {ActionLog} from '../action-log.js';
import type {FlowStore} from './flow.js';
import {clockTime} from '../format.js';

export type ConsoleDrillKind = 'failover' | 'hard-failover' | 'cut-vrrp' | 'rs-health' | 'drain';

const TITLES: Record<ConsoleDrillKind, string> = {
	'failover': 'Failover drill (graceful stop of keepalived on the master)',
	'hard-failover': 'Hard-failure drill (freeze keepalived on the master)',
	'cut-vrrp': 'Hard-failure drill (cut VRRP between the directors: split brain)',
	'rs-health': 'Real-server health drill (stop the service on a real server)',
	'drain': 'Drain drill (weight 0 on the active director)',
};

export interface FlowContext {
	readonly profile: Profile;
	/** Runs a drill on the cluster (the console holds no transport itself). */
	readonly drills: DrillSessions;
	/** Runs the round-robin watcher (the console makes no traffic itself). */
	readonly watches: WatchSessions;
	readonly log: ActionLog;
	readonly store: ClusterStore;
	/** The console's poller: drills read the cluster through it instead of polling the hosts twice. */
	readonly cluster?: ClusterWatch;
	/** Slow the console's own polling while a drill runs (undefined: back to normal). */
	readonly pace?: (intervalMs: number | undefined) => void;
	/** The row under the cursor picks the instance or the real server. */
	readonly selectedKey?: string;
}

/** The drill a console kind and its target mean, as the engine takes it. */
export function consoleDrillSpec(kind: ConsoleDrillKind, focus: DrillFocus): DrillSpec {
	if (kind === 'rs-health' || kind === 'drain') return {kind, rs: focus.rs!};
	return {kind: kind === 'failover' ? 'failover' : 'hard-failover', ...(kind === 'cut-vrrp' ? {method: 'cut' as const} : {}), instance: focus.instance!};
}

/** What the selected row points at: an instance, a real server, a VIP, and the service of an IPVS row. */
export interface ConsoleTarget {
	readonly instance?: string;
	readonly rs?: string;
	readonly vip?: string;
	/** `tcp:VIP:PORT` or `udp:VIP:PORT` (an IPVS service row, or a real server under one). */
	readonly service?: string;
}

/** An IPVS row's service key (`TCP 192.168.67.100:9000`, `UDP [fd67::100]:9053`) as a service name; FWM has none. */
function serviceOfKey(key: string | undefined): string | undefined {
	const m = /^(TCP|UDP) (.+)$/.exec(key ?? '');
	return m ? `${m[1]!.toLowerCase()}:${m[2]!}` : undefined;
}

/** Pure: which instance, real server or service the selected row points at (keys from the presenters). */
export function pickTarget(profile: Profile, selectedKey: string | undefined): ConsoleTarget {
	if (!selectedKey) return {};
	const parts = selectedKey.split('|');
	if (parts[0] === 'vip' && parts[1]) {
		const inst = profile.instances.find((i) => i.vips.some((v) => v.address === parts[1]));
		return {vip: parts[1], ...(inst ? {instance: inst.name} : {})};
	}
	if (parts[0] === 'vrrp' && parts[2]) return {instance: parts[2]};
	if (parts[0] === 'rs' && parts[1]) return {rs: parts[1]};
	if (parts[0] === 'ipvs') {
		// ipvs|director|service, or ipvs|director|service|address:port for a real server under it
		const service = serviceOfKey(parts[2]);
		const vs = service !== undefined ? findService(profile, service) : undefined;
		const inst = vs ? profile.instances.find((i) => i.vips.some((v) => v.address === vs.vip)) : undefined;
		const onService = vs && service ? {service, vip: vs.vip, ...(inst ? {instance: inst.name} : {})} : {};
		const address = parts.length > 3 ? parts.at(-1)?.replace(/:\d+$/, '').replace(/^\[|\]$/g, '') : undefined;
		const host = address !== undefined ? profile.hosts.find((h) => h.role === 'realserver' && h.address === address) : undefined;
		return {...onService, ...(host ? {rs: host.name} : {})};
	}
	return {};
}

/** The profile's virtual service of a name, or undefined (a table row the profile does not have). */
function findService(profile: Profile, service: string): VirtualServer | undefined {
	try {
		return pickVirtualService(profile, service);
	} catch (error) {
		if (error instanceof TrafficTargetError) return undefined;
		throw error;
	}
}

const clock = (at = Date.now()) => `${clockTime(at)}.${String(at % 1000).padStart(3, '0')}`;

/** The console's own poll interval while a drill runs: the drill reads what it needs itself. */
const DRILL_POLL_MS = 5000;

/** The watcher's live lines; `endedAt` freezes them when the traffic stopped. */
function trafficLive(tally: () => WatchTally | undefined, weights: () => Record<string, number>, header: {url: string; from: string; rate: number}, endedAt: () => number | undefined, timelineRows = 1) {
	return (width: number): WatchLine[] => {
		const t = tally();
		return t ? [[{text: '', tone: 'normal'}], ...watchLines(t.snapshot(endedAt() ?? Date.now()), weights(), header, width, timelineRows)] : [];
	};
}

/** The service as a drill names it: `tcp:VIP:PORT` or `udp:VIP:PORT`. */
const serviceName = (vs: VirtualServer) => `${vs.protocol.toLowerCase()}:${urlHost(vs.vip)}:${vs.port}`;

/**
 * The drill's target from the selected row: the real server and its service (the selected one, else its
 * first TCP one), or the instance and the service watched through its VIP (the selected one, else a TCP
 * one on the VIP, else any).
 */
function drillFocus(profile: Profile, kind: ConsoleDrillKind, target: ConsoleTarget): {focus: DrillFocus; vs: VirtualServer | undefined; chosen: boolean} {
	const chosen = target.service !== undefined ? findService(profile, target.service) : undefined;
	if (kind === 'rs-health' || kind === 'drain') {
		const serves = (v: VirtualServer) => target.rs === undefined || v.realServers.some((r) => r.host === target.rs);
		const vs = chosen && serves(chosen) ? chosen : (profile.virtualServers.find((v) => v.protocol === 'TCP' && serves(v)) ?? profile.virtualServers.find(serves));
		if (!vs) throw new DrillRefused(target.rs ? `${target.rs} is not a real server of any virtual service` : 'the profile has no virtual service');
		return {focus: {vip: vs.vip, rs: target.rs ?? vs.realServers[0]!.host, vs}, vs, chosen: vs === chosen};
	}
	const inst = profile.instances.find((i) => i.name === target.instance) ?? profile.instances[0];
	if (!inst) throw new DrillRefused('the profile has no VRRP instance');
	const vip = inst.vips[0]!.address;
	const onVip = profile.virtualServers.filter((v) => v.vip === vip);
	const vs = chosen && inst.vips.some((v) => v.address === chosen.vip) ? chosen : (onVip.find((v) => v.protocol === 'TCP') ?? onVip[0]);
	return {focus: {vip: vs?.vip ?? vip, instance: inst.name, ...(vs ? {vs} : {})}, vs, chosen: vs !== undefined && vs === chosen};
}

/**
 * The drill a console kind, its target and the watched service mean, as the engine takes it: the
 * service is named when a row chose it (else the engine picks the same default as drillFocus).
 */
function drillSpecFor(kind: ConsoleDrillKind, focus: DrillFocus, vs: VirtualServer | undefined, chosen: boolean): DrillSpec {
	const spec = consoleDrillSpec(kind, focus);
	return vs && chosen ? {...spec, service: serviceName(vs)} : spec;
}

export function startDrillFlow(flow: FlowStore, kind: ConsoleDrillKind, ctx: FlowContext): void {
	const {profile, log, store} = ctx;
	const rsDrill = kind === 'rs-health' || kind === 'drain';
	let vs: VirtualServer | undefined;
	let focus: DrillFocus;
	let chosen: boolean;
	try {
		({focus, vs, chosen} = drillFocus(profile, kind, pickTarget(profile, ctx.selectedKey)));
	} catch (error) {
		log.append('warn', `${kind} drill: refused: ${error instanceof Error ? error.message : String(error)}`);
		return;
	}
	// The service's own mode (as `watch` picks it): tcp on 9000, udp on 9053, http on 80.
	const traffic = vs ? drillTrafficLabel(vs, {}) : undefined;
	const header = {url: vs ? watchUrl(vs) : focus.vip, from: 'this station', rate: 20};
	const who = focus.rs ? `${focus.rs} in ${vs ? `${vs.protocol} ${urlHost(vs.vip)}:${vs.port}` : focus.vip}` : `${focus.instance} (${focus.vip})`;
	flow.start(
		{
			title: TITLES[kind],
			phase: 'working',
			lines: [
				`target: ${who}${ctx.selectedKey ? '' : ' (select a row first to pick another)'}`,
				`traffic: ${traffic ?? 'none (no virtual service on the VIP)'}${ctx.selectedKey?.startsWith('ipvs|') ? '' : ' (select an IPVS service row to drill another service)'}`,
				rsDrill ? `preflight: ${focus.rs} in the active director's table, clean traffic through the VIP…` : 'preflight: both directors healthy, a backup ready, clean traffic through the VIP…',
			],
			prompt: 'preflight… · a abort',
		},
		async () => {
			const signal = flow.abortSignal();
			let tally: WatchTally | undefined;
			let endedAt: number | undefined;
			const live = trafficLive(() => tally, () => (vs ? liveWeights(store.getState(), vs) : {}), header, () => endedAt);
			flow.showLive((width) => [...drillLiveLines(store.getState(), profile, focus, width), ...live(width)]);
			const common = {
				signal,
				...(ctx.cluster ? {cluster: ctx.cluster} : {}),
				onProgress: (line: string) => flow.append(`${clock()}  ${line}`),
				onWatcher: (w: TrafficWatcher) => {
					tally = WatchTally.of(w, 500);
				},
				confirm: async (plan: string) => {
					if (signal.aborted) return false;
					flow.append('', 'the drill will:', ...plan.split('; ').map((step) => `  - ${step}`), 'everything it changes is restored at the end, on abort, and after a dropped connection');
					const yes = await flow.ask('run this drill? y run · n cancel');
					flow.update({phase: 'working', prompt: yes ? 'drill running · a abort (restores everything)' : 'cancelled…'});
					if (yes) {
						log.append('info', `${kind} drill: started on ${who}`);
						ctx.pace?.(DRILL_POLL_MS);
					}
					return yes;
				},
			};
			let session: DrillSessionResult;
			try {
				session = await ctx.drills(drillSpecFor(kind, focus, vs, chosen), common, ABORTED_FROM_CONSOLE);
			} catch (error) {
				endedAt = Date.now();
				ctx.pace?.(undefined);
				const message = error instanceof Error ? error.message : String(error);
				const refused = error instanceof DrillRefused;
				flow.append('', refused ? `refused: ${message}` : `drill error: ${message}`);
				log.append(refused ? 'warn' : 'error', `${kind} drill: ${refused ? 'refused' : 'error'}: ${message}`);
				flow.update({phase: 'done', abortable: false, prompt: `${kind} drill ${refused ? 'refused' : 'ERROR'} · Esc closes`});
				return;
			}
			endedAt = Date.now();
			ctx.pace?.(undefined);
			const {report} = session;
			const ms = isRealServerReport(report) ? report.removalMs : report.failoverMs;
			flow.append('', ...session.text.split('\n'));
			log.append(report.verdict === 'pass' ? 'info' : 'warn', `${kind} drill on ${who}: ${report.verdict.toUpperCase()}${ms !== null ? `, ${ms} ms` : ''}, restored ${report.restored ? 'yes' : 'NO'}`);
			flow.update({phase: 'done', abortable: false, prompt: `${kind} drill ${report.verdict.toUpperCase()} · ↑↓ scroll · Esc closes`});
		},
	);
}

/** The round-robin watcher against the selected IPVS service, else the selected VIP (or the first TCP service), in its mode, until the abort key. */
export function startWatchFlow(flow: FlowStore, ctx: FlowContext): void {
	const {profile, store, log} = ctx;
	const target = pickTarget(profile, ctx.selectedKey);
	let session: WatchSession;
	try {
		session = ctx.watches(target.service ? {service: target.service} : target.vip ? {vip: target.vip} : {});
	} catch (error) {
		log.append('warn', `watcher: ${error instanceof Error ? error.message : String(error)}`);
		return;
	}
	const {plan} = session;
	const header = {url: plan.url, from: plan.from, rate: plan.rate};
	const {watch} = plan;
	const lines = [`traffic: ${plan.url}${watch.send !== undefined ? ` (sending ${watch.send})` : ''}, ${watch.mode} mode, backends from the ${watch.backendSource === 'table' ? 'connection table' : 'answers'}`];
	flow.start({title: `Round-robin watcher (${watch.mode})`, phase: 'working', lines, prompt: 'watching · a stops'}, async () => {
		let tally: WatchTally | undefined;
		let endedAt: number | undefined;
		const live = trafficLive(() => tally, () => liveWeights(store.getState(), plan.vs), header, () => endedAt, 3);
		const onStarted = (e: WatchEvent) => {
			if (e.kind !== 'started') return;
			tally = e.tally;
			log.append('info', `watcher: started against ${plan.url}`);
			flow.showLive((width) => [...drillLiveLines(store.getState(), profile, {vip: plan.vs.vip}, width), ...live(width)]);
		};
		const result = await session.run(flow.abortSignal(), onStarted);
		endedAt = result.endedAt;
		const summary = watchProgressLine(result.final);
		flow.append(`stopped: ${summary}`);
		log.append('info', `watcher: ${summary}`);
		flow.update({phase: 'done', abortable: false, prompt: 'watcher stopped · Esc closes'});
	});
}

// The drills and the round-robin watcher as guided flows in the console: preflight, confirmation, a
// live block (VIP holder, VRRP states, the watcher's per-backend counts and gaps) over the drill's
// timeline, an abort key that restores everything, and the report at the end.
import type {Profile, VirtualServer} from '../../profile/model.js';
import type {ClusterStore} from '../../cluster/store.js';
import type {ClusterWatch} from '../../cluster/watch.js';
import {DrillRefused} from '../../actions/drills/common.js';
import type {DrillSpec} from '../../actions/drills/run.js';
import {ABORTED_FROM_CONSOLE, type DrillSessionResult, type DrillSessions} from '../../actions/drills/session.js';
import {createTrafficWatcher, pickVirtualService, type TrafficWatcher} from '../../actions/traffic.js';
import {WatchTally} from '../../actions/watch-tally.js';
import {drillLiveLines, liveWeights, type DrillFocus} from '../presenters/drill.js';
import {watchLines, watchProgressLine, type WatchLine} from '../presenters/watch.js';
import type {ActionLog} from '../action-log.js';
import type {FlowStore} from './flow.js';
import {clockTime} from '../format.js';
import {urlHost} from '../../profile/subnet.js';

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

/** Pure: which instance or real server the selected row points at (keys from the presenters). */
export function pickTarget(profile: Profile, selectedKey: string | undefined): {instance?: string; rs?: string; vip?: string} {
	if (!selectedKey) return {};
	const parts = selectedKey.split('|');
	if (parts[0] === 'vip' && parts[1]) {
		const inst = profile.instances.find((i) => i.vips.some((v) => v.address === parts[1]));
		return {vip: parts[1], ...(inst ? {instance: inst.name} : {})};
	}
	if (parts[0] === 'vrrp' && parts[2]) return {instance: parts[2]};
	if (parts[0] === 'rs' && parts[1]) return {rs: parts[1]};
	if (parts[0] === 'ipvs') {
		// ipvs|director|service|address:port
		const address = parts.at(-1)?.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
		const host = profile.hosts.find((h) => h.role === 'realserver' && h.address === address);
		if (host) return {rs: host.name};
	}
	return {};
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

export function startDrillFlow(flow: FlowStore, kind: ConsoleDrillKind, ctx: FlowContext): void {
	const {profile, log, store} = ctx;
	const target = pickTarget(profile, ctx.selectedKey);
	const rsDrill = kind === 'rs-health' || kind === 'drain';
	let vs: VirtualServer | undefined;
	let focus: DrillFocus;
	try {
		if (rsDrill) {
			vs = profile.virtualServers.find((v) => v.protocol === 'TCP' && (target.rs === undefined || v.realServers.some((r) => r.host === target.rs)));
			if (!vs) throw new DrillRefused('the profile has no TCP virtual service');
			focus = {vip: vs.vip, rs: target.rs ?? vs.realServers[0]!.host, vs};
		} else {
			const inst = profile.instances.find((i) => i.name === target.instance) ?? profile.instances[0];
			if (!inst) throw new DrillRefused('the profile has no VRRP instance');
			vs = profile.virtualServers.find((v) => v.vip === inst.vips[0]?.address && v.protocol === 'TCP');
			focus = {vip: inst.vips[0]!.address, instance: inst.name};
		}
	} catch (error) {
		log.append('warn', `${kind} drill: refused: ${error instanceof Error ? error.message : String(error)}`);
		return;
	}
	const header = {url: vs ? `http://${urlHost(vs.vip)}:${vs.port}/` : focus.vip, from: 'this station', rate: 20};
	const who = focus.rs ? `${focus.rs} in ${focus.vip}` : `${focus.instance} (${focus.vip})`;
	flow.start(
		{
			title: TITLES[kind],
			phase: 'working',
			lines: [
				`target: ${who}${ctx.selectedKey ? '' : ' (select a row first to pick another)'}`,
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
				session = await ctx.drills(consoleDrillSpec(kind, focus), common, ABORTED_FROM_CONSOLE);
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
			flow.append('', ...session.text.split('\n'));
			log.append(report.verdict === 'pass' ? 'info' : 'warn', `${kind} drill on ${who}: ${report.verdict.toUpperCase()}${report.failoverMs !== null ? `, ${report.failoverMs} ms` : ''}, restored ${report.restored ? 'yes' : 'NO'}`);
			flow.update({phase: 'done', abortable: false, prompt: `${kind} drill ${report.verdict.toUpperCase()} · ↑↓ scroll · Esc closes`});
		},
	);
}

/** The round-robin watcher against the selected VIP (or the first TCP service) until the abort key. */
export function startWatchFlow(flow: FlowStore, ctx: FlowContext): void {
	const {profile, store, log} = ctx;
	const target = pickTarget(profile, ctx.selectedKey);
	let vs: VirtualServer;
	try {
		vs = target.vip ? (profile.virtualServers.find((v) => v.vip === target.vip && v.protocol === 'TCP') ?? pickVirtualService(profile)) : pickVirtualService(profile);
	} catch (error) {
		log.append('warn', `watcher: ${error instanceof Error ? error.message : String(error)}`);
		return;
	}
	const url = `http://${urlHost(vs.vip)}:${vs.port}/`;
	const header = {url, from: 'this station', rate: 20};
	flow.start({title: 'Round-robin watcher', phase: 'working', lines: [], prompt: 'watching · a stops'}, async () => {
		const signal = flow.abortSignal();
		const watcher = createTrafficWatcher({url, rate: header.rate, timeoutMs: 1000, keepRecords: false});
		const tally = WatchTally.of(watcher);
		watcher.start();
		log.append('info', `watcher: started against ${url}`);
		let endedAt: number | undefined;
		const live = trafficLive(() => tally, () => liveWeights(store.getState(), vs), header, () => endedAt, 3);
		flow.showLive((width) => [...drillLiveLines(store.getState(), profile, {vip: vs.vip}, width), ...live(width)]);
		await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), {once: true}));
		await watcher.stop();
		endedAt = Date.now();
		const summary = watchProgressLine(tally.snapshot(endedAt));
		flow.append(`stopped: ${summary}`);
		log.append('info', `watcher: ${summary}`);
		flow.update({phase: 'done', abortable: false, prompt: 'watcher stopped · Esc closes'});
	});
}

// `lvsdeck [console] --profile FILE` and `lvsdeck wall --profile FILE`: the Ink screens over one
// store and poller. The wall is always read-only (enforced in the transport), and so is
// `console --read-only`. With several clusters (repeated --profile, --profiles DIR) each cluster gets
// the same runtime as one screen would, under the fleet console or the fleet wall.
import {renderScreen} from '../ui/render.js';
import {ClusterStore} from '../cluster/store.js';
import {ClusterPoller} from '../cluster/poller.js';
import {portCheckSpacingMs} from '../cluster/port-budget.js';
import {KeepalivedChannel, keepalivedChannelsPerDirector} from '../cluster/keepalived-channel.js';
import {HistoryKeeper} from '../actions/history/collect.js';
import {CapabilityCache} from '../cluster/caps-cache.js';
import {createClusterTransport} from '../transport/cluster-transport.js';
import {createSharedClusterTransports} from '../transport/shared-pool.js';
import {readOnlyTransportFor} from '../transport/read-only-profile.js';
import type {Transport} from '../transport/types.js';
import type {Profile} from '../profile/model.js';
import {CliError} from '../cli-error.js';
import {ActionLog} from '../ui/action-log.js';
import {RateHistory} from '../ui/history.js';
import {ConsoleApp} from '../ui/console/App.js';
import {WallApp} from '../ui/wall/Wall.js';
import {FleetApp} from '../ui/console/Fleet.js';
import {FleetWall} from '../ui/wall/FleetWall.js';
import {runInStation} from '../station.js';
import {hostCount, loadClusterProfiles, profileFiles} from './clusters.js';
import type {ConsoleActions} from '../ui/console/actions.js';
import {startDrillFlow, startWatchFlow} from '../ui/console/drill-flow.js';
import {FlowStore} from '../ui/console/flow.js';
import type {ClusterWatch} from '../cluster/watch.js';
import {deploySession} from '../actions/deploy/session.js';
import {drillSessions} from '../actions/drills/session.js';
import {doctorSessions, type DoctorSessions} from '../actions/doctor/session.js';
import {ReadOnlyTransport} from '../transport/read-only.js';
import {watchSessions} from '../actions/watch/session.js';
import {parseInterval, wholeOption} from './numbers.js';
import {onSignals} from './signals.js';
import {parseTrust, withCluster} from './with-cluster.js';

export interface ScreenOptions {
	/** One profile, or several (repeated --profile); --profiles adds every profile of a folder. */
	readonly profile?: string | readonly string[];
	readonly profiles?: readonly string[];
	readonly interval?: string;
	readonly readOnly?: boolean;
	/** The wall over several clusters: seconds each page shows when the clusters do not fit at once. */
	readonly rotate?: string;
	readonly trustHostKey?: readonly string[];
}

/** Every action key opens its guided flow; one flow at a time. */
function consoleActions(profile: Profile, transport: Transport, log: ActionLog, flow: FlowStore, watch: ClusterWatch, store: ClusterStore, pace: (ms: number | undefined) => void): ConsoleActions {
	return {
		run(kind, context) {
			const ctx = {profile, drills: drillSessions(profile, transport), watches: watchSessions(profile, transport), log, store, cluster: watch, pace, ...(context.selectedKey ? {selectedKey: context.selectedKey} : {})};
			switch (kind) {
				case 'deploy':
					void flow.deploy(deploySession(profile, transport, {watch}), log);
					return;
				case 'failover-drill':
					return startDrillFlow(flow, 'failover', ctx);
				case 'hard-failover-drill':
					return startDrillFlow(flow, 'hard-failover', ctx);
				case 'cut-vrrp-drill':
					return startDrillFlow(flow, 'cut-vrrp', ctx);
				case 'rs-health-drill':
					return startDrillFlow(flow, 'rs-health', ctx);
				case 'drain':
					return startDrillFlow(flow, 'drain', ctx);
				case 'round-robin-watch':
					return startWatchFlow(flow, ctx);
			}
		},
	};
}

export interface ScreenRuntime {
	readonly transport: Transport;
	readonly store: ClusterStore;
	readonly poller: ClusterPoller;
	readonly log: ActionLog;
	readonly history: RateHistory;
	/** Undefined when read-only: no action entry point exists at all. */
	readonly actions?: ConsoleActions;
	readonly flow?: FlowStore;
	/** The doctor (console only), always through the read-only guard whatever the console is. */
	readonly doctor?: DoctorSessions;
	readonly readOnly: boolean;
	/** keepalived's events as they happen (the log channel, and the notify FIFO when allowed); started with the poller. */
	readonly keepalived: KeepalivedChannel;
	stop(): Promise<void>;
}

/**
 * The wiring shared by the console and the wall (and their tests): transport, store, poller,
 * history, action log, actions. The wall is read-only whatever the options say, and read-only wraps
 * the transport itself, so no key, action or bug can get a changing command through.
 */
export function createScreenRuntime(
	profile: Profile,
	mode: 'console' | 'wall',
	options: {readOnly?: boolean; intervalMs?: number; trust?: Record<string, string[]>; inner?: Transport; opened?: Transport; keepHistory?: boolean; portCheckSpacingMs?: number} = {},
): ScreenRuntime {
	const readOnly = mode === 'wall' || options.readOnly === true;
	const transport = options.opened ?? screenTransport(profile, readOnly, options);

	const store = new ClusterStore(profile);
	const intervalMs = options.intervalMs ?? (mode === 'wall' ? 2000 : 1000);
	// Under several clusters the station's port budget is shared: the fleet screen passes the spacing.
	const portCheck = options.portCheckSpacingMs ?? portCheckSpacingMs([profile], intervalMs);
	// Reading a notify FIFO consumes its lines: only where the profile says lvsdeck owns it, never read-only.
	const fifo = !readOnly;
	// The keepalived channel's followers (below) hold channels on each director beside the poller's.
	const directorChannelsHeld = keepalivedChannelsPerDirector(profile, {fifo});
	const poller = new ClusterPoller(profile, transport, store, {intervalMs, capabilityCache: new CapabilityCache(), portCheckSpacingMs: portCheck, directorChannelsHeld});
	const log = new ActionLog();
	const history = new RateHistory();
	const detach = history.attach(store);
	const flow = readOnly ? undefined : new FlowStore();
	const lastWhy = new Map<string, string>();
	const keepalived = new KeepalivedChannel(profile, transport, store, {
		fifo,
		// One line per distinct reason, not one per reattach.
		onDetach: (d, why) => {
			if (lastWhy.get(d) !== why) log.append('info', `keepalived log channel on ${d} ended: ${why}; attaching again`);
			lastWhy.set(d, why);
		},
		// keepalived logged a transition: read that director's states now instead of at its next dump.
		onTransition: (d) => poller.poke(d),
		// Transitions arrive as they happen: the routine dumps can come less often.
		onFollowing: (d, following) => poller.keepalivedFollowed(d, following),
	});
	const vrrpHistory = options.keepHistory ? new HistoryKeeper(profile, store) : undefined;
	return {
		transport,
		store,
		poller,
		log,
		history,
		readOnly,
		...(mode === 'console' ? {doctor: doctorSessions(profile, new ReadOnlyTransport(transport))} : {}),
		keepalived,
		...(flow ? {flow, actions: consoleActions(profile, transport, log, flow, {store, pollHost: (h) => poller.pollHost(h)}, store, (ms) => poller.pace(ms))} : {}),
		async stop() {
			detach();
			poller.stop();
			// Stop following first, then close the connections before waiting for the followers: a
			// follower in the middle of a catch-up read would otherwise hold the exit for up to a command
			// timeout (a slow director); closing ends every command at once.
			const followers = keepalived.stop();
			await transport.close();
			await followers;
			vrrpHistory?.stop();
		},
	};
}

/** The screen's transport: `inner` (tests), wrapped when read-only, or a new one to the cluster. */
function screenTransport(profile: Profile, readOnly: boolean, options: {trust?: Record<string, string[]>; inner?: Transport}): Transport {
	if (options.inner) return readOnly ? readOnlyTransportFor(profile, options.inner) : options.inner;
	return createClusterTransport(profile, {readOnly, ...(options.trust ? {trust: options.trust} : {})});
}

/** The screen's own option checks, before anything connects: the poll interval, and a terminal. */
function prepareScreen(mode: 'console' | 'wall', options: ScreenOptions): number {
	const intervalMs = parseInterval(options.interval, mode === 'wall' ? 2000 : 1000);
	if (!process.stdout.isTTY || !process.stdin.isTTY) {
		throw new CliError(`the ${mode} needs a terminal; for scripts use "lvsdeck status --json" (or the drill commands)`, 2);
	}
	return intervalMs;
}

/** One cluster: today's console or wall. Several: the fleet console or the fleet wall. */
function screenCommand(mode: 'console' | 'wall', options: ScreenOptions): Promise<number> {
	const given = typeof options.profile === 'string' ? [options.profile] : (options.profile ?? []);
	const files = given.length === 1 && (options.profiles ?? []).length === 0 ? given : profileFiles(given, options.profiles);
	if (files.length === 1) return runScreen(mode, {...options, profile: files[0]!});
	return runFleetScreen(mode, files, options);
}

function runScreen(mode: 'console' | 'wall', options: ScreenOptions & {readonly profile: string}): Promise<number> {
	const readOnly = mode === 'wall' || options.readOnly === true;
	const prepare = () => prepareScreen(mode, options);
	// withCluster opens the transport read-only when the screen is; the runtime uses it as it is.
	return withCluster({...options, readOnly}, prepare, async ({profile, transport}, intervalMs) => {
		const rt = createScreenRuntime(profile, mode, {readOnly, intervalMs, opened: transport, keepHistory: true});
		rt.log.append('info', `${mode} started on profile ${profile.name}${rt.readOnly ? ' (read-only)' : ''}`);
		rt.poller.start();
		rt.keepalived.start();
		const app =
			mode === 'wall'
				? renderScreen(<WallApp profile={profile} store={rt.store} />, {exitOnCtrlC: true, maxFps: 2, patchConsole: true})
				: renderScreen(<ConsoleApp profile={profile} store={rt.store} history={rt.history} log={rt.log} {...(rt.actions ? {actions: rt.actions} : {})} {...(rt.flow ? {flow: rt.flow} : {})} {...(rt.doctor ? {doctor: rt.doctor} : {})} />, {
						exitOnCtrlC: false,
						maxFps: 8,
						patchConsole: true,
						// Not Ink's incrementalRendering: it writes 8.5x fewer bytes a frame for the same CPU
						// (npm run bench -- consoleRender), but in the lab's tmux end-to-end test its frames,
						// which fill the terminal but one line, piled up instead of replacing each other.
					});
		// Closing the terminal or a kill: a running drill restores what it changed before the console goes.
		const release = onSignals(['SIGTERM', 'SIGHUP'], () => {
			release();
			void (rt.flow?.shutdown() ?? Promise.resolve()).finally(() => app.unmount());
		});
		try {
			await app.waitUntilExit();
			await rt.flow?.shutdown();
		} finally {
			release();
			await rt.stop();
		}
		return 0;
	});
}

/**
 * Several clusters: every profile loaded and checked first (read-only ones for the wall and a read-only
 * console), one station namespace, a runtime per cluster (transport, store, poller, keepalived channel,
 * log, flows), all stopped at the end.
 */
async function runFleetScreen(mode: 'console' | 'wall', files: readonly string[], options: ScreenOptions): Promise<number> {
	const readOnly = mode === 'wall' || options.readOnly === true;
	const profiles = loadClusterProfiles(files, readOnly);
	const trust = parseTrust(options.trustHostKey);
	const rotateMs = (wholeOption('--rotate', options.rotate, 1, 3600) ?? 10) * 1000;
	const intervalMs = prepareScreen(mode, options);
	const reexec = await runInStation(profiles[0]!.stationNetns, process.argv, hostCount(profiles));
	if (reexec !== undefined) return reexec;
	// One pool for every cluster, as status, check and the exporter have: a host in several profiles is
	// one connection, and the long-lived followers every cluster keeps on its directors (address monitor,
	// keepalived's log) are one channel each for that host, not one per cluster (shared-streams.ts).
	const shared = createSharedClusterTransports(profiles, {trust, readOnly});
	const runtimes: ScreenRuntime[] = [];
	try {
		const spacing = portCheckSpacingMs(profiles, intervalMs);
		for (const [i, profile] of profiles.entries()) runtimes.push(createScreenRuntime(profile, mode, {readOnly, intervalMs, opened: shared.transports[i]!, keepHistory: true, portCheckSpacingMs: spacing}));
		for (const [i, rt] of runtimes.entries()) {
			rt.log.append('info', `${mode} started on profile ${profiles[i]!.name} (one of ${profiles.length} clusters)${rt.readOnly ? ' (read-only)' : ''}`);
			rt.poller.start();
			rt.keepalived.start();
		}
		const clusters = runtimes.map((rt, i) => ({profile: profiles[i]!, store: rt.store, history: rt.history, log: rt.log, ...(rt.actions ? {actions: rt.actions} : {}), ...(rt.flow ? {flow: rt.flow} : {}), ...(rt.doctor ? {doctor: rt.doctor} : {})}));
		const app =
			mode === 'wall'
				? renderScreen(<FleetWall clusters={clusters} rotateMs={rotateMs} />, {exitOnCtrlC: true, maxFps: 2, patchConsole: true})
				: renderScreen(<FleetApp clusters={clusters} />, {exitOnCtrlC: false, maxFps: 8, patchConsole: true});
		const shutdownFlows = () => Promise.all(runtimes.map((rt) => rt.flow?.shutdown()));
		// Closing the terminal or a kill: every running drill restores what it changed before the console goes.
		const release = onSignals(['SIGTERM', 'SIGHUP'], () => {
			release();
			void shutdownFlows().finally(() => app.unmount());
		});
		try {
			await app.waitUntilExit();
			await shutdownFlows();
		} finally {
			release();
		}
		return 0;
	} finally {
		// As one screen does: every follower told to stop, then the connections closed (which ends any
		// command still running), then wait for the runtimes.
		const stopped = Promise.all(runtimes.map((rt) => rt.stop()));
		await shared.close();
		await stopped;
	}
}

export function consoleCommand(options: ScreenOptions): Promise<number> {
	return screenCommand('console', options);
}

export function wallCommand(options: ScreenOptions): Promise<number> {
	return screenCommand('wall', options);
}

// Polls every host in parallel on its own chained timer (never two polls of one host at once, and a
// slow or dead host never delays the others), keeps the last good data with its age, and follows VIP
// moves as events (`ip -o monitor address` on each director, vip-follower.ts) so a move shows within
// milliseconds.
import {isDeepStrictEqual} from 'node:util';
import {hostByName, type Host, type Profile} from '../profile/model.js';
import {readInstalledConfig, sudoConfigFolder} from '../probes/installed-config.js';
import {directorExtrasCommand, directorSnapshotCommand, parseDirectorSnapshot, withExtras, type DirectorSnapshot, type DumpKind} from '../probes/director-snapshot.js';
import {checkRealServer, realServerCheckCommand, realServerPollCommand, realServerStreamCommand, splitRealServerPoll, type RealServerCheck} from '../probes/realserver.js';
import type {IfAddress} from '../probes/vip.js';
import {heartbeatStreamCommand} from '../probes/heartbeat.js';
import {keepalivedSignumCommand, keepalivedVersionCommand} from '../probes/vrrp.js';
import {detectCapabilities, signumFallback, signumQuestions, type KeepalivedCapabilities} from '../probes/keepalived-caps.js';
import {TransportError, type ExecResult, type Transport} from '../transport/types.js';
import {needsRoot} from '../transport/sudo.js';
import type {CapabilityCache, CachedCapabilities} from './caps-cache.js';
import type {ClusterStore} from './store.js';
import {ConfigDriftTracker} from './drift.js';
import {AddressMonitor, type IpMonitorEvent} from './vip-follower.js';
import {portAnswers} from './port-probe.js';
import {spreadOffsetMs} from './port-budget.js';
import {HostStreams, type HostStreamsOptions} from './host-streams.js';
import {DirectorStreams} from './director-streams.js';
import {ReadsBeside} from './reads-beside.js';
import {HOST_DOWN_BACKOFF} from './line-follower.js';
import {realServerExpectations, servedModes, servicePorts, type ServicePort} from './rs-expectations.js';

import {LastParsed} from './last-parsed.js';
import {StableFields} from './stable-fields.js';
import type {DirectorData, HostState, RealServerData} from './types.js';

/** A real server's check and its service's status, as command results. */
type RealServerRead = {readonly check: ExecResult; readonly service?: ExecResult};

/** Parse problems kept per director (status shows them; the rest are counted by the parsers). */
const MAX_PROBLEMS_KEPT = 10;

/** Hash the installed keepalived.conf on every Nth poll of a director. */
const CONFIG_HASH_EVERY = 10;

/**
 * Ask keepalived for a VRRP dump on every Nth poll of a director, and at once when something says its
 * state moved (a VIP came or went there, keepalived started or stopped). A dump makes keepalived's VRRP
 * process write a file, and reading it costs the director about half of a poll; VRRP states change
 * only with those signs or (priorities, counters) slowly.
 */
const VRRP_DUMP_EVERY = 3;

/**
 * The same where keepalived's own log is followed live and is known to carry keepalived's lines
 * (`keepalivedFollowed`): every transition it logs pokes a dump at once, and the address monitor
 * pokes on every VIP that comes or goes, so the routine dump only refreshes priorities and counters.
 * On the lab the routine dumps were a third of the console's CPU (README, benchmarks).
 */
const VRRP_DUMP_EVERY_FOLLOWED = 10;

/**
 * A host whose poll took long is left idle this many times as long before the next one: a director
 * that answers slowly (loaded, or a slow machine like the lab's) is not kept busy by its monitor. On a
 * host that answers in tens of milliseconds the interval alone decides.
 */
const SLOW_POLL_IDLE_FACTOR = 2;

/** After an event asks for a poll now, the host still gets this much rest since its last poll (ms). */
const POKE_REST_MS = 100;

export interface PollerOptions {
	/** Time between the starts of two polls of one host (default 1000 ms). */
	readonly intervalMs?: number;
	/** Follow VIP moves with `ip -o monitor address` (default true). */
	readonly events?: boolean;
	/** Check real servers' service ports from the station: TCP connect, UDP datagram (default true). */
	readonly portCheck?: boolean;
	/**
	 * Least time between two routine port checks of one real server (port-budget.ts; default: every
	 * poll). Between them the last answers stand; a host whose stream reported a change, and every poll
	 * that is not routine (status, drills, deploy), checks afresh.
	 */
	readonly portCheckSpacingMs?: number;
	/** Keep directors' keepalived capabilities between runs (default: asked anew by each process). */
	readonly capabilityCache?: CapabilityCache;
	/**
	 * While started, each real server reads itself every interval in one long-lived session and writes
	 * only what changed (host-streams.ts); routine polls use that (default true).
	 */
	readonly realServerStreams?: boolean;
	/**
	 * While started, each director reached without sudo reads its IPVS table and addresses every
	 * interval in one long-lived session and writes only what changed (director-streams.ts); routine
	 * polls that ask for no dump and no config hash use that (default true).
	 */
	readonly directorStreams?: boolean;
	/**
	 * While started, each client or bastion writes a heartbeat in one long-lived session (HEARTBEAT_STREAM_SCRIPT)
	 * at its check interval; its reachability checks use that (default true).
	 */
	readonly heartbeats?: boolean;
	/**
	 * Long-lived channels the caller keeps on each director besides the poller's own (the console's
	 * keepalived log and notify FIFO followers): a director's stream starts only where one of its
	 * max_channels stays free for the polls that dump or hash, and for commands.
	 */
	readonly directorChannelsHeld?: number;
}


/** A director's read: its snapshot, the pid file and capabilities it was read with, and whether keepalived dumped. */
interface DirectorRead {
	readonly snapshot: DirectorSnapshot;
	readonly pidFile: string;
	readonly caps: KeepalivedCapabilities;
	readonly dumped: boolean;
	/**
	 * When the addresses were read, for a stream's frame (its last report; a slow stream's can be older
	 * than an address event); undefined for a command's read (the poll's start).
	 */
	readonly addressesAt?: number;
}

function describe(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/**
 * A command that ran past its timeout on a connection that stands: the host (or its keepalived) is
 * slow, not gone, so what was learnt on the connection (keepalived's capabilities) still holds.
 */
class CommandTimedOut extends TransportError {}

/** Client and bastion hosts are polled this many times less often than directors and real servers. */
const CLIENT_INTERVAL_FACTOR = 5;

export class ClusterPoller {
	private readonly timers = new Map<string, HostTimer>();
	// A host's entries here stay and are cleared to undefined or false, never deleted: a Map's delete
	// leaves a tombstone it later rehashes away into a new table, and a poll a second per host made that
	// a steady stream of tables living long enough to be promoted, then dying in the old generation.
	private readonly inFlight = new Map<string, Promise<void> | undefined>();
	/** Directors whose poll in flight is a routine one without keepalived's dump (until it decides to dump). */
	private readonly inFlightRoutine = new Map<string, boolean>();
	private addressMonitor: AddressMonitor | undefined;
	private realServerStreams: HostStreams | undefined;
	private heartbeats: HostStreams | undefined;
	private directorStreams: DirectorStreams | undefined;
	/** While a drill paces the polls, directors are not streamed (pace). */
	private directorStreamsPaused = false;
	/** Directors with room for a stream (set at start). */
	private readonly streamedDirectors = new Set<string>();
	/** Each real server's check, parsed once per text (a streamed report that did not change is not parsed again). */
	private readonly checks = new LastParsed((name, text) => checkRealServer(text, realServerExpectations(this.profile, hostByName(this.profile, name))));
	/** Each real server's streamed report read as the check's and the service's results, once per report. */
	private readonly reports = new LastParsed((name, text) => streamedReport(hostByName(this.profile, name), text));
	/** Each real server's service ports (the profile does not change under a poller: worked out once). */
	private readonly ports = new Map<string, ServicePort[]>();
	/** What each real server's data was last built from (its parsed check, service status and port answers). */
	private readonly realServerInputs = new Map<string, {parsed: RealServerCheck; service: number | null | undefined; answers: PortAnswers | undefined}>();
	/** Each real server's last port check: when it started, and the answers (in servicePorts order). */
	private readonly portChecks = new Map<string, {at: number; answers: PortAnswers}>();
	/** Real servers whose stream reported a change since their last port check. */
	private readonly portRecheck = new Set<string>();
	private readonly capabilities = new Map<string, KeepalivedCapabilities>();
	private readonly pollCount = new Map<string, number>();
	/** How long each host's last poll took, ms (the exporter reports it). */
	private readonly durations = new Map<string, number>();
	/** Directors whose keepalived events are followed live (keepalivedFollowed). */
	private readonly followedDirectors = new Set<string>();
	/** Last time an address event changed a director's addresses (polls started earlier must not undo it). */
	private readonly addrEventAt = new Map<string, number>();
	/** Directors whose next poll asks keepalived for a dump whatever the count says. */
	private readonly dumpDue = new Set<string>();
	/** Directors whose next poll that can hashes the installed config (every CONFIG_HASH_EVERY polls). */
	private readonly hashDue = new Set<string>();
	/** Streamed directors' dump and hash reads, beside their polls; a landed one is taken by a poll at once. */
	private readonly readsBeside = new ReadsBeside((director) => this.pollSoon(hostByName(this.profile, director), 0));
	/** A director's parsed fields that stand for equal stored ones (the store then sees no change without a deep compare). */
	private readonly stable = new StableFields<'ipvs' | 'addresses' | 'downLinks' | 'vrrp'>();
	/** Hosts asked for while their poll was in flight: polled again right after it. */
	private readonly pokedInFlight = new Set<string>();
	private running = false;
	private intervalMs: number;
	/** Compares installed configs with the rendered ones in keepalived terms, reading them only when needed. */
	private readonly drift: ConfigDriftTracker;

	constructor(
		private readonly profile: Profile,
		private readonly transport: Transport,
		private readonly store: ClusterStore,
		private readonly options: PollerOptions = {},
	) {
		this.intervalMs = options.intervalMs ?? 1000;
		this.drift = new ConfigDriftTracker({
			rendered: (director) => store.rendered(director),
			read: (director) => {
				const host = profile.hosts.find((h) => h.name === director)!;
				const {configPath} = profile.keepalived;
				return readInstalledConfig((argv) => this.probe(host, argv), configPath, {fallbackConfigId: director, ...(host.ssh.sudo ? {confineTo: sudoConfigFolder(configPath)} : {})});
			},
		});
		transport.onStatus((s) => this.store.updateHost(s.host, (prev) => ({...prev, conn: s})));
	}

	/**
	 * Poll less often for a while (a drill measuring the cluster should not compete with the console for
	 * the directors' CPU); undefined goes back to the configured interval. Address events still arrive.
	 * The directors' streams stop meanwhile: the drill follows each director's addresses on a channel of
	 * its own, and with the stream, the address monitor and keepalived's log it would take the last of
	 * the default four, leaving the drill's own commands waiting for good. They start again with the
	 * first poll after.
	 */
	pace(intervalMs: number | undefined): void {
		this.intervalMs = intervalMs ?? this.options.intervalMs ?? 1000;
		this.directorStreamsPaused = intervalMs !== undefined;
		if (this.directorStreamsPaused) void this.directorStreams?.stop();
	}

	/**
	 * Whether keepalived's events on this director are followed live (the console's log channel, once
	 * its catch-up read found keepalived's lines): its routine dumps then come every tenth poll, not
	 * every third. False again when the channel ends.
	 */
	keepalivedFollowed(director: string, followed: boolean): void {
		if (followed) this.followedDirectors.add(director);
		else this.followedDirectors.delete(director);
	}

	/** Poll every host once, in parallel; resolves when all have answered or failed. */
	async pollOnce(): Promise<void> {
		await Promise.allSettled(this.profile.hosts.map((h) => this.pollHost(h)));
	}

	/** Each host's last poll duration in ms (hosts not polled yet are absent). */
	pollDurationsMs(): ReadonlyMap<string, number> {
		return this.durations;
	}

	start(): void {
		if (this.running) return;
		this.running = true;
		for (const h of this.profile.hosts) void this.loop(h);
		if (this.options.events ?? true) {
			const directors = this.profile.hosts.filter((x) => x.role === 'director').map((h) => h.name);
			this.addressMonitor = new AddressMonitor(this.transport, directors, {
				onEvent: (director, event, at) => this.onAddressEvent(director, event, at),
				...HOST_DOWN_BACKOFF,
			});
			this.addressMonitor.start();
		}
		if (this.options.realServerStreams ?? true) this.startRealServerStreams();
		if (this.options.directorStreams ?? true) this.startDirectorStreams();
		if (this.options.heartbeats ?? true) this.startHeartbeats();
	}

	/** Clients and bastions beat instead of being asked for `true` each check. */
	private startHeartbeats(): void {
		const periodMs = this.intervalMs * CLIENT_INTERVAL_FACTOR;
		this.heartbeats = this.startStreams(
			this.profile.hosts.filter((h) => h.role !== 'director' && h.role !== 'realserver'),
			{command: () => heartbeatStreamCommand(periodMs), periodMs, onChange: () => {}},
		);
	}

	/**
	 * Long-lived reads of these hosts (undefined when none may have one): a stream holds one of a
	 * host's channels for good, so a host allowed only one keeps its polls.
	 */
	private startStreams(hosts: readonly Host[], options: HostStreamsOptions): HostStreams | undefined {
		const streamed = hosts.filter((h) => h.ssh.maxChannels >= 2);
		if (streamed.length === 0) return undefined;
		const streams = new HostStreams(this.transport, streamed.map((h) => h.name), options);
		streams.start();
		return streams;
	}

	/** Directors' streams start one by one, each once its first poll told where keepalived's pid is. */
	private startDirectorStreams(): void {
		// Held for good: the stream itself (in place of the channel the routine polls took each second), the
		// address monitor, and the caller's followers.
		const held = 1 + (this.options.events ?? true ? 1 : 0) + (this.options.directorChannelsHeld ?? 0);
		// Through sudo, sudoers names each command line a director may run: the stream is not among them.
		const hosts = this.profile.hosts.filter((h) => h.role === 'director' && !h.ssh.sudo && h.ssh.maxChannels >= held + 1);
		if (hosts.length === 0) return;
		for (const h of hosts) this.streamedDirectors.add(h.name);
		const byName = new Map(hosts.map((h) => [h.name, h]));
		this.directorStreams = new DirectorStreams(this.transport, {
			periodMs: this.options.intervalMs ?? 1000,
			dumpDir: this.profile.keepalived.dumpDir,
			// A change shows at once, not at the next routine poll.
			onChange: (name) => this.pollSoon(byName.get(name)!),
		});
	}

	private startRealServerStreams(): void {
		const periodMs = this.options.intervalMs ?? 1000;
		const hosts = this.profile.hosts.filter((h) => h.role === 'realserver');
		const byName = new Map(hosts.map((h) => [h.name, h]));
		this.realServerStreams = this.startStreams(hosts, {
			command: (name) => realServerStreamCommand(periodMs, streamedStatus(byName.get(name)!)),
			periodMs,
			// A change shows at once, not at the next routine poll, and its ports are checked with it.
			onChange: (name) => {
				this.portRecheck.add(name);
				this.pollSoon(byName.get(name)!);
			},
		});
	}

	stop(): void {
		this.running = false;
		for (const t of this.timers.values()) clearTimeout(t.timer);
		this.timers.clear();
		void this.addressMonitor?.stop();
		this.addressMonitor = undefined;
		void this.realServerStreams?.stop();
		this.realServerStreams = undefined;
		void this.heartbeats?.stop();
		this.heartbeats = undefined;
		void this.directorStreams?.stop();
		this.directorStreams = undefined;
		this.streamedDirectors.clear();
		this.readsBeside.clear();
		this.checks.clear();
		this.reports.clear();
		this.stable.clear();
		this.realServerInputs.clear();
		this.portChecks.clear();
	}

	private async loop(host: Host): Promise<void> {
		if (!this.running) return;
		const started = Date.now();
		// The host's first poll includes the SSH handshake: it sets no back-off.
		const first = !this.durations.has(host.name);
		await this.pollHost(host, {routine: true});
		if (!this.running) return;
		this.schedule(host, this.pokedInFlight.delete(host.name) ? POKE_REST_MS : nextPollWaitMs(this.hostIntervalMs(host), Date.now() - started, !first));
	}

	/**
	 * The host's next routine poll in `waitMs`. The same wait as last time re-arms the host's timer
	 * (`refresh`) instead of making another: a timer lives an interval, so at a fleet's thousands of
	 * polls a second each new one was garbage the old generation had to collect.
	 */
	private schedule(host: Host, waitMs: number): void {
		const previous = this.timers.get(host.name);
		if (previous?.waitMs === waitMs) {
			previous.timer.refresh();
			return;
		}
		if (previous) clearTimeout(previous.timer);
		this.timers.set(host.name, {waitMs, timer: setTimeout(() => void this.loop(host), waitMs)});
	}

	/**
	 * Directors and real servers are polled at the interval. Hosts that are neither (clients, bastions)
	 * are only checked for reachability, which is not urgent: every fifth interval, to spare them a
	 * session a second.
	 */
	private hostIntervalMs(host: Host): number {
		return host.role === 'director' || host.role === 'realserver' ? this.intervalMs : this.intervalMs * CLIENT_INTERVAL_FACTOR;
	}

	/**
	 * Something says this director's VRRP state moved: poll it now (or right after the poll in flight)
	 * with a keepalived dump.
	 */
	poke(director: string): void {
		this.dumpDue.add(director);
		const host = this.profile.hosts.find((h) => h.name === director);
		if (host) this.pollSoon(host);
	}

	/** A routine poll of the host now (or right after the poll in flight), while running. */
	private pollSoon(host: Host, restMs = POKE_REST_MS): void {
		if (!this.running) return;
		if (this.inFlight.get(host.name) !== undefined) this.pokedInFlight.add(host.name);
		else this.schedule(host, restMs);
	}

	/**
	 * Reads a host now. Never overlaps with itself for one host: a second call joins the poll in flight,
	 * or, when that one is a routine poll without keepalived's dump and this call wants the full read,
	 * follows it. `routine`: the poller's own timed polls, which ask for the dump only every third time
	 * or when poked; everyone else (status, a drill or deploy reading the cluster now) gets a full read.
	 */
	pollHost(host: Host, how: {routine?: boolean} = {}): Promise<void> {
		const routine = how.routine === true;
		const current = this.inFlight.get(host.name);
		if (current) return routine || this.inFlightRoutine.get(host.name) !== true ? current : current.then(() => this.pollHost(host));
		const started = Date.now();
		if (routine && host.role === 'director') this.inFlightRoutine.set(host.name, true);
		const p = (host.role === 'director' ? this.pollDirector(host, routine) : host.role === 'realserver' ? this.pollRealServer(host, routine) : this.pollReachable(host)).finally(() => {
			this.inFlight.set(host.name, undefined);
			this.inFlightRoutine.set(host.name, false);
			this.durations.set(host.name, Date.now() - started);
		});
		this.inFlight.set(host.name, p);
		return p;
	}

	private markUnreachable(host: Host, error: string): void {
		this.store.updateHost(host.name, (prev) => ({
			...prev,
			reachable: false,
			error,
			lastPollAt: Date.now(),
			conn: this.transport.status(host.name),
		}));
	}

	/**
	 * Runs a probe; a transport failure or a timeout means the host is unreachable. `timeoutMs`: less
	 * than the host's command timeout, when part of it has passed already (a silent stream).
	 */
	private async probe(host: Host, argv: readonly string[], timeoutMs?: number): Promise<ExecResult> {
		const r = await this.transport.exec(host.name, argv, timeoutMs === undefined ? undefined : {timeoutMs});
		if (r.timedOut) throw new CommandTimedOut('unreachable', host.name, `${host.name}: command timed out after ${host.ssh.commandTimeoutMs} ms`);
		return r;
	}

	/**
	 * A client or bastion answers: its heartbeat came on time, or (none, or silent for a while) it runs
	 * `true` within what is left of its command timeout.
	 */
	private async pollReachable(host: Host): Promise<void> {
		try {
			const beat = this.heartbeats?.latestText(host.name);
			if (beat === undefined || 'silentMs' in beat) await this.probe(host, ['true'], beat && timeLeftAfterSilence(host, beat.silentMs));
			const done = Date.now();
			this.store.updateHost(host.name, (prev) => ({...prev, reachable: true, lastOkAt: done, lastPollAt: done, conn: this.transport.status(host.name)}));
		} catch (error) {
			this.markUnreachable(host, describe(error));
		}
	}

	/**
	 * What this director's keepalived is and can do (version, --signum, JSON dump, pid files), which
	 * decides how to ask it for a dump. Asked once per host: two runs of the binary at most, one when
	 * the version predates --signum.
	 */
	private async detectCapabilities(host: Host): Promise<KeepalivedCapabilities> {
		const version = await this.probe(host, keepalivedVersionCommand());
		const versionText = `${version.stdout}\n${version.stderr}`;
		const questions = signumQuestions(versionText);
		let signumText: string | undefined;
		if (questions.length > 0) {
			signumText = (await this.probe(host, keepalivedSignumCommand(questions))).stdout;
			const more = signumFallback(questions, signumText);
			if (more.length > 0) signumText += `\n${(await this.probe(host, keepalivedSignumCommand(more))).stdout}`;
		}
		return detectCapabilities(versionText, signumText);
	}

	/**
	 * Capabilities to read this director with: those checked on this connection, else the cached ones
	 * (checked against the host key and binary after the first snapshot), else asked now.
	 */
	private async keepalivedCapabilities(host: Host): Promise<{caps: KeepalivedCapabilities; unchecked?: CachedCapabilities}> {
		const known = this.capabilities.get(host.name);
		if (known) return {caps: known};
		const cached = this.options.capabilityCache?.read(host);
		if (cached) return {caps: cached.caps, unchecked: cached};
		return {caps: await this.detectCapabilities(host)};
	}

	/** One snapshot of a director with these capabilities (the config hashed when `hash`, keepalived's dump asked for when `dump`). */
	private async snapshot(host: Host, caps: KeepalivedCapabilities, hash: boolean, dump: boolean, timeoutMs?: number): Promise<{snapshot: DirectorSnapshot; pidFile: string}> {
		// Through sudo, always: sudoers allows exact command lines, and an empty word cannot be written in one.
		const hashPath = host.ssh.sudo || hash ? this.profile.keepalived.configPath : '';
		const request = this.dumpRequest(caps, dump);
		const r = await this.probe(host, directorSnapshotCommand(hashPath, request), timeoutMs);
		return {snapshot: parseDirectorSnapshot(r.stdout, request.kind), pidFile: request.pidFile};
	}

	/**
	 * Snapshot with the capabilities at hand; cached ones hold only for the same host key and keepalived
	 * binary, otherwise they are asked again and the snapshot retaken. Fresh ones are cached.
	 */
	private async checkedSnapshot(host: Host, hash: boolean, dump: boolean, timeoutMs?: number): Promise<DirectorRead> {
		const checked = this.capabilities.has(host.name);
		let {caps, unchecked} = await this.keepalivedCapabilities(host);
		// The binary is named with the config's hash, and keepalived dumps: always on the first snapshot of a connection.
		let taken = await this.snapshot(host, caps, hash || !checked, dump || !checked, timeoutMs);
		if (checked) return {...taken, caps, dumped: dump};
		const hostKey = this.transport.hostKey?.(host.name);
		const binary = taken.snapshot.keepalivedBinary;
		if (unchecked && (unchecked.hostKey !== hostKey || unchecked.binary !== binary)) {
			caps = await this.detectCapabilities(host);
			unchecked = undefined;
			taken = await this.snapshot(host, caps, true, true);
		}
		this.capabilities.set(host.name, caps);
		const seen = taken.snapshot.keepalivedBinary;
		if (!unchecked && hostKey !== undefined && seen !== undefined) this.options.capabilityCache?.write(host, {hostKey, binary: seen, caps});
		return {...taken, caps, dumped: true};
	}

	/** What a snapshot or extras command asks of keepalived: its dump (when `dump`, and it has one) with the signal for it. */
	private dumpRequest(caps: KeepalivedCapabilities, dump: boolean): {kind: DumpKind; pidFile: string; dumpDir: string; signal?: number} {
		const kind = dump ? caps.dump.kind : 'none';
		const base = {kind, pidFile: this.pidFileOf(caps), dumpDir: this.profile.keepalived.dumpDir};
		return kind === 'none' || caps.dump.kind === 'none' ? base : {...base, signal: caps.dump.signal};
	}

	/** The profile's pid_file when it names one, else where this keepalived version keeps it. */
	private pidFileOf(caps: KeepalivedCapabilities): string {
		return this.profile.keepalived.pidFileDefaulted ? caps.pidFile : this.profile.keepalived.pidFile;
	}

	/**
	 * A routine read without dump or hash: the director's streamed frame when it reported lately; when
	 * it has fallen silent, a read of its own within what is left of the command timeout, counted from
	 * its last report; undefined when there is no stream to go by (the caller reads the director).
	 */
	private streamedDirector(host: Host): Promise<DirectorRead> | undefined {
		const caps = this.capabilities.get(host.name);
		const latest = caps && this.directorStreams?.latest(host.name);
		if (!caps || latest === undefined) return undefined;
		if ('snapshot' in latest) return Promise.resolve({snapshot: latest.snapshot, pidFile: this.pidFileOf(caps), caps, dumped: false, addressesAt: latest.at});
		const leftMs = timeLeftAfterSilence(host, latest.silentMs);
		return leftMs === undefined ? undefined : this.checkedSnapshot(host, false, false, leftMs);
	}

	/**
	 * A routine read of a director whose stream reported lately (and whose capabilities were checked on
	 * this connection): IPVS and the addresses from the stream's latest frame, with keepalived's dump and
	 * the config's hash when a read of those beside the polls has landed. When they are due and none is
	 * under way, that read starts now (ReadsBeside), and this poll takes the frame alone. Undefined
	 * without a live stream (the caller reads the director itself).
	 */
	private fromStream(host: Host, dumpByCount: boolean): Promise<DirectorRead> | undefined {
		const caps = this.capabilities.get(host.name);
		const latest = caps && this.directorStreams?.latest(host.name);
		if (!caps || latest === undefined || !('snapshot' in latest)) return undefined;
		// The frame's snapshot is parsed once per frame: its IPVS table and addresses keep their identity.
		let landed: ReturnType<ReadsBeside['take']>;
		try {
			landed = this.readsBeside.take(host.name);
		} catch (error) {
			if (!(error instanceof CommandTimedOut)) throw error;
			// The stream reported lately: the director answers, only keepalived's dump (or the hash) ran
			// late. Its addresses and IPVS stand (a VIP it holds still counts, in a split brain too); its
			// VRRP states are the last dump's, with this as their error until a dump lands.
			const vrrpError = `keepalived's dump: ${describe(error)}`;
			return Promise.resolve({snapshot: {...latest.snapshot, vrrpError}, pidFile: this.pidFileOf(caps), caps, dumped: false, addressesAt: latest.at});
		}
		if (landed) return Promise.resolve({snapshot: withExtras(latest.snapshot, landed.stdout, landed.kind), pidFile: landed.pidFile, caps, dumped: landed.dumped, addressesAt: latest.at});
		if (!this.readsBeside.running(host.name)) {
			// A hash due waits for the next dump (at most two polls; where the log is followed both come on
			// every tenth): one command for both instead of one each, at a fleet's hundreds a second.
			const dump = this.dumpDue.delete(host.name) || dumpByCount;
			if (dump) this.readBeside(host, caps, this.hashDue.delete(host.name), dump);
		}
		return Promise.resolve({snapshot: latest.snapshot, pidFile: this.pidFileOf(caps), caps, dumped: false, addressesAt: latest.at});
	}

	/** Starts the director's dump or hash read beside its polls (the extras command: only those). */
	private readBeside(host: Host, caps: KeepalivedCapabilities, hash: boolean, dump: boolean): void {
		const request = this.dumpRequest(caps, dump);
		const command = directorExtrasCommand(hash ? this.profile.keepalived.configPath : '', request);
		this.readsBeside.start(host.name, {kind: request.kind, pidFile: request.pidFile, dumped: dump}, () => this.probe(host, command));
	}

	/**
	 * A read of the director by a command of its own (no live stream, or not a routine poll): that read
	 * replaces any beside the polls. A routine poll without dump or hash takes a silent stream's
	 * last frame while it may (streamedDirector).
	 */
	private readItself(host: Host, routine: boolean, dumpByCount: boolean): Promise<DirectorRead> {
		this.readsBeside.drop(host.name);
		const dump = this.dumpDue.delete(host.name) || !routine || dumpByCount;
		// A routine poll that dumps is as good as a full read: a read asked for meanwhile joins it.
		if (dump) this.inFlightRoutine.set(host.name, false);
		const hash = this.hashDue.delete(host.name);
		return (routine && !dump && !hash && this.streamedDirector(host)) || this.checkedSnapshot(host, hash, dump);
	}

	private async pollDirector(host: Host, routine: boolean): Promise<void> {
		const at = Date.now();
		let snapshot: DirectorSnapshot;
		let caps: KeepalivedCapabilities;
		let pidFile: string;
		let dumped: boolean;
		let addressesAt: number | undefined;
		try {
			// The installed config rarely changes: hash it on the first poll and every 10th after. A poll
			// that only takes a read landed beside the polls is not counted: counted, it made every other
			// timed poll a dump.
			const counted = !this.readsBeside.waiting(host.name);
			const n = this.pollCount.get(host.name) ?? 0;
			if (counted) this.pollCount.set(host.name, n + 1);
			const dumpByCount = counted && n % (this.followedDirectors.has(host.name) ? VRRP_DUMP_EVERY_FOLLOWED : VRRP_DUMP_EVERY) === 0;
			// A hash due while a read beside the polls is under way is owed to the next one.
			if (counted && n % CONFIG_HASH_EVERY === 0) this.hashDue.add(host.name);
			({snapshot, pidFile, caps, dumped, addressesAt} = await ((routine && this.fromStream(host, dumpByCount)) || this.readItself(host, routine, dumpByCount)));
			if (this.streamedDirectors.has(host.name) && !this.directorStreamsPaused) this.directorStreams?.ensure(host.name, pidFile);
		} catch (error) {
			// Ask again after a reconnect: keepalived may have been upgraded meanwhile. Not after a command
			// that only ran late: asking again makes the next read the first of a connection (hash and
			// dump, and no stream), which a host slow enough to time out answers later still.
			if (!(error instanceof CommandTimedOut)) this.capabilities.delete(host.name);
			this.markUnreachable(host, describe(error));
			return;
		}
		const parsed = snapshot;
		const found = caps;
		const previous = this.store.host(host.name)?.director;
		// keepalived started or stopped since the last poll: its states are worth a dump now.
		if (!dumped && parsed.keepalivedRunning !== undefined && previous?.keepalivedActive !== undefined && parsed.keepalivedRunning !== previous.keepalivedActive) this.poke(host.name);
		// Between dumps the last dump's states and error stand (unless keepalived is not running at all).
		const keptError = !dumped && parsed.keepalivedRunning !== false ? previous?.vrrpError : undefined;
		// No dump could be asked for: say why (unless keepalived is simply not running).
		const vrrpError = parsed.vrrpError ?? keptError ?? (found.dump.kind === 'none' && parsed.keepalivedRunning !== false ? `no VRRP dump: ${found.dump.why}` : undefined);
		const installedSha256 = parsed.configSha256 !== undefined ? parsed.configSha256 : previous?.configSha256;
		// The tracker never throws by design; a bug there must not end this host's polling.
		const drift = await this.drift.update(host.name, installedSha256).catch(() => undefined);
		// The stored parts this read equalled (kept by identity), for the stream's parse to hold (settle).
		const kept: {ipvs?: DirectorData['ipvs']; addresses?: DirectorData['addresses']} = {};
		this.store.updateHost(host.name, (prev): HostState => {
			// An address event newer than this read's addresses stands (a stream's frame can be older than the poll).
			const keepEventAddrs = (this.addrEventAt.get(host.name) ?? 0) > (addressesAt ?? at) && prev.director !== undefined;
			const stored = prev.director;
			const vrrp = parsed.vrrp ? this.stable.keep(host.name, 'vrrp', parsed.vrrp, stored?.vrrp) : stored?.vrrp;
			const director: DirectorData = {
				ipvs: this.stable.keep(host.name, 'ipvs', parsed.ipvs, stored?.ipvs),
				addresses: keepEventAddrs ? prev.director!.addresses : this.stable.keep(host.name, 'addresses', parsed.addresses, stored?.addresses),
				...(parsed.downLinks.length > 0 ? {downLinks: this.stable.keep(host.name, 'downLinks', parsed.downLinks, stored?.downLinks)} : {}),
				...(vrrp ? {vrrp} : {}),
				...(vrrpError ? {vrrpError} : {}),
				keepalived: found,
				pidFile,
				...(parsed.problems.length > 0 ? {problems: parsed.problems.slice(0, MAX_PROBLEMS_KEPT)} : {}),
				...(parsed.keepalivedRunning !== undefined ? {keepalivedActive: parsed.keepalivedRunning} : {}),
				...(parsed.configSha256 !== undefined
					? {configSha256: parsed.configSha256}
					: prev.director?.configSha256 !== undefined
						? {configSha256: prev.director.configSha256}
						: {}),
				...(drift ? {drift} : {}),
			};
			if (director.ipvs !== parsed.ipvs) kept.ipvs = director.ipvs;
			if (!keepEventAddrs && director.addresses !== parsed.addresses) kept.addresses = director.addresses;
			const rest = withoutError(prev);
			const done = Date.now();
			// The same data keeps its identity, so the store can tell a poll that changed nothing (and a
			// screen draws no frame for it): each read parses into new objects, equal or not.
			const same = prev.director !== undefined && (sameFields(prev.director, director) || isDeepStrictEqual(prev.director, director));
			return {...rest, reachable: true, lastOkAt: done, lastPollAt: done, conn: this.transport.status(host.name), director: same ? prev.director! : director};
		});
		if (kept.ipvs !== undefined || kept.addresses !== undefined) this.directorStreams?.settle(host.name, parsed, {ipvs: kept.ipvs ?? parsed.ipvs, addresses: kept.addresses ?? parsed.addresses});
	}

	/**
	 * The host's read from its stream, when the stream reported lately; the service's status is read
	 * apart when the stream could not run it (it needs root through sudo).
	 */
	private streamedRead(host: Host): RealServerRead | Promise<RealServerRead> | undefined {
		const report = this.realServerStreams?.latestText(host.name);
		if (report === undefined) return undefined;
		if ('silentMs' in report) {
			const leftMs = timeLeftAfterSilence(host, report.silentMs);
			return leftMs === undefined ? undefined : this.readRealServer(host, leftMs);
		}
		const read = this.reports.get(host.name, report.text);
		if (!host.service || streamedStatus(host).length > 0) return read;
		return this.probe(host, host.service.status).then(
			(service) => ({check: read.check, service}),
			() => ({check: read.check}),
		);
	}

	/**
	 * The real-server check and the service's status: one session running both, except through sudo
	 * (where sudoers names each command line) or without a service.
	 */
	private async readRealServer(host: Host, timeoutMs?: number): Promise<RealServerRead> {
		if (!host.service) return {check: await this.probe(host, realServerCheckCommand(), timeoutMs)};
		if (host.ssh.sudo) return this.readRealServerApart(host, host.service.status, timeoutMs);
		// A status command read-only mode refuses must not cost the check: then each goes on its own.
		const r = await this.probe(host, realServerPollCommand(host.service.status), timeoutMs).catch((error: unknown) => {
			if (error instanceof TransportError && error.kind === 'read-only') return undefined;
			throw error;
		});
		if (r === undefined) return this.readRealServerApart(host, host.service.status, timeoutMs);
		const {check, serviceCode} = splitRealServerPoll(r.stdout);
		return {check: {...r, stdout: check}, ...(serviceCode === undefined ? {} : {service: {...r, stdout: '', stderr: '', code: serviceCode}})};
	}

	/** The check and the service's status as two commands; a failed status only leaves it unknown. */
	private async readRealServerApart(host: Host, status: readonly string[], timeoutMs?: number): Promise<RealServerRead> {
		const [check, service] = await Promise.allSettled([this.probe(host, realServerCheckCommand(), timeoutMs), this.probe(host, status, timeoutMs)]);
		if (check.status === 'rejected') throw check.reason;
		return {check: check.value, ...(service.status === 'fulfilled' ? {service: service.value} : {})};
	}

	/** The real server's port answers: probed now when due (a promise), else the last ones. */
	private portAnswersOf(host: Host, ports: readonly ServicePort[], routine: boolean): Promise<PortAnswers | undefined> | PortAnswers | undefined {
		if (this.options.portCheck === false) return undefined;
		const last = this.portChecks.get(host.name);
		// A host coming back from unreachable may come back changed: its ports are checked with it.
		const recheck = this.portRecheck.delete(host.name) || this.store.host(host.name)?.reachable === false;
		// Polls come an interval apart, give or take: half an interval early is on time.
		if (routine && last && !recheck && Date.now() - last.at < (this.options.portCheckSpacingMs ?? 0) - this.intervalMs / 2) return last.answers;
		// A host's first check counts as made up to a spacing earlier, by where its address falls: the
		// fleet's checks then spread over the spacing instead of all coming in the same second.
		const at = Date.now() - (last ? 0 : spreadOffsetMs(host.address, this.options.portCheckSpacingMs ?? 0, this.intervalMs));
		return Promise.all(ports.map((p) => portAnswers(host.address, p, 1500))).then((answers) => {
			this.portChecks.set(host.name, {at, answers});
			return answers;
		});
	}

	private async pollRealServer(host: Host, routine: boolean): Promise<void> {
		let ports = this.ports.get(host.name);
		if (!ports) this.ports.set(host.name, (ports = servicePorts(this.profile, host.name)));
		// Both under way before either is awaited; the port probes never reject. Most polls of a fleet
		// probe no port (port-budget.ts) and take their read from the stream: no promise is made for them.
		const answering = this.portAnswersOf(host, ports, routine);
		let read: RealServerRead;
		try {
			// A streamed read that is there already is taken as it is, without a promise.
			const streamed = routine ? this.streamedRead(host) : undefined;
			read = streamed === undefined ? await this.readRealServer(host) : streamed instanceof Promise ? await streamed : streamed;
		} catch (error) {
			this.markUnreachable(host, describe(error));
			return;
		}
		const parsed = this.checks.get(host.name, read.check.stdout);
		const answers = answering instanceof Promise ? await answering : answering;
		// The same inputs (a streamed text that did not change is the same parsed object) give the same data:
		// a fleet's quiet real servers are then neither rebuilt nor compared deep each second.
		// The port answers are the same array until the next port check.
		const lastInputs = this.realServerInputs.get(host.name);
		const service = read.service?.code;
		const sameInputs = lastInputs !== undefined && lastInputs.parsed === parsed && lastInputs.service === service && lastInputs.answers === answers;
		if (!sameInputs) this.realServerInputs.set(host.name, {parsed, service, answers});
		this.store.updateHost(host.name, (prev): HostState => {
			const rest = withoutError(prev);
			const done = Date.now();
			const data = sameInputs && prev.realServer !== undefined ? prev.realServer : realServerData(parsed, servedModes(this.profile, host.name), read.service, answers && portsAnswering(ports, answers));
			// The same data keeps its identity, so the store can tell a poll that changed nothing.
			const realServer = prev.realServer !== undefined && (data === prev.realServer || isDeepStrictEqual(prev.realServer, data)) ? prev.realServer : data;
			return {...rest, reachable: true, lastOkAt: done, lastPollAt: done, conn: this.transport.status(host.name), realServer};
		});
	}

	private onAddressEvent(director: string, event: IpMonitorEvent, at: number): void {
		const same = (a: IfAddress) => a.address === event.addr.address && a.ifname === event.addr.ifname;
		this.addrEventAt.set(director, at);
		const isVip = this.profile.instances.some((i) => i.vips.some((v) => v.address === event.addr.address));
		if (isVip) {
			this.poke(director);
			this.store.pushEvent({
				at,
				host: director,
				kind: event.kind === 'added' ? 'vip-added' : 'vip-removed',
				message: `${event.addr.address} ${event.kind === 'added' ? 'added on' : 'removed from'} ${director} (${event.addr.ifname})`,
			});
		}
		this.store.updateHost(director, (prev) => {
			if (!prev.director) return prev;
			const others = prev.director.addresses.filter((a) => !same(a));
			const addresses = event.kind === 'added' ? [...others, event.addr] : others;
			return {...prev, director: {...prev.director, addresses}};
		});
	}
}

/** The host's state without its last error (the state itself when it has none: no copy on every quiet poll). */
function withoutError(prev: HostState): HostState {
	if (prev.error === undefined) return prev;
	const {error: _dropped, ...rest} = prev;
	return rest;
}

/** A host's routine-poll timer and the wait it was set for (refreshed while the wait stays the same). */
interface HostTimer {
	readonly timer: NodeJS.Timeout;
	readonly waitMs: number;
}

/** A real server's port checks: true answered, false refused, undefined no evidence (in servicePorts order). */
type PortAnswers = ReadonlyArray<boolean | undefined>;

/** A streamed report split into the check and the service's exit, read as command results. */
function streamedReport(host: Host, text: string): RealServerRead {
	const {check, serviceCode} = splitRealServerPoll(text);
	const result = (stdout: string, code: number): ExecResult => ({code, stdout, stderr: '', timedOut: false, durationMs: 0});
	// A host without a service has no status to show, whatever the report carries.
	return {check: result(check, 0), ...(serviceCode === undefined || !host.service ? {} : {service: result('', serviceCode)})};
}

/**
 * True when `a` and `b` have the same fields holding the same values by identity: a read whose parts
 * are the ones parsed last time (a streamed frame that did not change) is then known equal without
 * walking it, as a deep compare would for every director each second.
 */
function sameFields(a: object, b: object): boolean {
	let n = 0;
	for (const k in a) {
		if ((a as Record<string, unknown>)[k] !== (b as Record<string, unknown>)[k]) return false;
		n++;
	}
	for (const _k in b) n--;
	return n === 0;
}

/**
 * A host whose stream fell silent must answer a read of its own within what is left of its command
 * timeout, counted from the stream's last report; undefined when nothing is left (read it afresh).
 */
function timeLeftAfterSilence(host: Host, silentMs: number): number | undefined {
	const leftMs = host.ssh.commandTimeoutMs - silentMs;
	return leftMs > 0 ? leftMs : undefined;
}

/**
 * The service status command a real server's stream runs: none without a service, or when it needs
 * root on a host reached through sudo (the stream runs as the login user).
 */
function streamedStatus(host: Host): readonly string[] {
	if (!host.service) return [];
	return host.ssh.sudo && needsRoot(host.service.status) ? [] : host.service.status;
}

/**
 * Time from the end of one poll of a host to the start of the next: the rest of the interval, but at
 * least a quarter of it, and after a slow poll (`backOff`: not the first, which includes the SSH
 * handshake) at least SLOW_POLL_IDLE_FACTOR times as long as that poll took.
 */
export function nextPollWaitMs(intervalMs: number, pollMs: number, backOff: boolean): number {
	const rest = Math.max(intervalMs / 4, intervalMs - pollMs);
	return backOff ? Math.max(rest, SLOW_POLL_IDLE_FACTOR * pollMs) : rest;
}

/** What the store keeps of a real server's poll: the mode checks, the service status and the port answers. */
function realServerData(parsed: RealServerCheck, modes: RealServerData['modes'], service: ExecResult | undefined, ports: RealServerData['ports'] | undefined): RealServerData {
	// One refusal is enough to say the service is down; all must answer to say it is up.
	const answered = ports?.map((p) => p.answering);
	const portAnswering = answered === undefined ? undefined : answered.includes(false) ? false : answered.length > 0 && answered.every((a) => a === true) ? true : undefined;
	return {
		modes,
		vipsOnLo: parsed.vipsOnLo,
		missingVips: parsed.missingVips,
		vipDevice: parsed.vipDevice,
		...(parsed.arpInterface !== undefined ? {arpInterface: parsed.arpInterface} : {}),
		arpRequired: parsed.arpRequired,
		arpIgnore: parsed.arpIgnore,
		arpAnnounce: parsed.arpAnnounce,
		arpOk: parsed.arpOk,
		...(parsed.nat ? {nat: parsed.nat} : {}),
		...(parsed.tun ? {tun: parsed.tun} : {}),
		...(service ? {serviceActive: service.code === 0} : {}),
		...(portAnswering !== undefined ? {portAnswering} : {}),
		...(ports ? {ports} : {}),
	};
}

/**
 * Each port with its answer, built as one literal: spreading the port made every such object a hidden
 * class of its own (6,000 of them in a fleet of 2,000 real servers), and carried the probe's exchange,
 * which is not part of the report.
 */
function portsAnswering(ports: readonly ServicePort[], answers: ReadonlyArray<boolean | null | undefined>): NonNullable<RealServerData['ports']> {
	return ports.map((p, i) => ({protocol: p.protocol, port: p.port, answering: answers[i] ?? null}));
}

// keepalived's events as they happen: one long-lived channel per director that follows keepalived's log
// (`tail -F` of the profile's file, or `journalctl -f`), attached again with back-off when it ends
// (line-follower.ts), catching up on what was written meanwhile by reading the log's last lines. Where
// the profile names a notify FIFO that lvsdeck alone reads, a second channel reads it (not in
// read-only mode: reading a FIFO consumes its lines). Every line feeds the store: the log view's lines
// and the VRRP transitions (with keepalived's own timestamp). Polling stays the fallback: the poller's
// dumps still give each instance's state, and a transition the log missed shows from there.
import type {Profile} from '../profile/model.js';
import {DEFAULT_KEEPALIVED_LOG} from '../profile/model.js';
import {keepalivedLogFollowCommand, keepalivedLogReadCommand, parseKeepalivedLogLine, type KeepalivedLogLine} from '../probes/keepalived-log.js';
import {parseNotifyFifoLine} from '../probes/keepalived-fifo.js';
import type {Transport} from '../transport/types.js';
import {sanitizeLine} from '../text/sanitize.js';
import {LineFollower} from './line-follower.js';
import type {ClusterStore} from './store.js';
import {transitionsFromLog, type VrrpTransition} from './transitions.js';

export interface KeepalivedChannelOptions {
	/** Lines of the log read at start and after each reattach (the log view's first lines, the catch-up). */
	readonly backfillLines?: number;
	/** Also read the profile's notify_fifo (never in read-only mode). */
	readonly fifo?: boolean;
	/** When a channel ends or cannot start, with why (the console's action log shows it). */
	readonly onDetach?: (director: string, why: string) => void;
	/** keepalived said (live, not from the past) that an instance on this director changed state. */
	readonly onTransition?: (director: string) => void;
	/**
	 * Whether this director's log is followed live and carries keepalived's lines: true with each batch of
	 * keepalived's lines (a catch-up read or a live line), false each time the channel ends. Said again
	 * as often as it holds: the receiver keeps the state (the poller's keepalivedFollowed).
	 */
	readonly onFollowing?: (director: string, following: boolean) => void;
}

/** Back off from a director whose channel keeps failing: 0.5 s, 1 s, 2 s ... 10 s; one that ran 10 s was fine. */
const retryDelayMs = (shortRuns: number) => (shortRuns === 0 ? 0 : Math.min(10_000, 500 * 2 ** Math.min(shortRuns - 1, 5)));

/** The instances a director runs, by the profile (a logged stop applies to each of them). */
function instancesOf(profile: Profile, director: string): string[] {
	return profile.instances.filter((i) => i.members.some((m) => m.director === director)).map((i) => i.name);
}

/** The notify FIFO a channel with these options reads, if any. */
function fifoRead(profile: Profile, fifo: boolean | undefined): string | undefined {
	return fifo ? profile.keepalived.notifyFifo : undefined;
}

/** How many long-lived channels a KeepalivedChannel with these options holds on each director: its log, and the FIFO it reads. */
export function keepalivedChannelsPerDirector(profile: Profile, options: Pick<KeepalivedChannelOptions, 'fifo'>): number {
	return fifoRead(profile, options.fifo) === undefined ? 1 : 2;
}

/** One raw line of a director's log: sanitized first (it is remote text), then parsed. */
export function parseReceivedLine(raw: string, now: number): KeepalivedLogLine | undefined {
	return parseKeepalivedLogLine(sanitizeLine(raw), now);
}

export class KeepalivedChannel {
	private readonly followers: LineFollower[] = [];
	private readonly directors: string[];

	constructor(
		private readonly profile: Profile,
		private readonly transport: Transport,
		private readonly store: ClusterStore,
		private readonly options: KeepalivedChannelOptions = {},
	) {
		this.directors = profile.hosts.filter((h) => h.role === 'director').map((h) => h.name);
	}

	private get source() {
		return this.profile.keepalived.log ?? DEFAULT_KEEPALIVED_LOG;
	}

	/** Starts following every director; the past lines are read first on each (not awaited). */
	start(): void {
		const lines = this.options.backfillLines ?? 200;
		const log = new LineFollower(this.transport, this.directors, {
			command: () => keepalivedLogFollowCommand(this.source),
			onLine: (director, line, at) => this.onLogLines(director, [line], at),
			onReattach: (director) => this.backfill(director, lines),
			retryDelayMs,
			longRunMs: 10_000,
			onDetach: (director, why) => {
				this.options.onFollowing?.(director, false);
				this.options.onDetach?.(director, why);
			},
		});
		this.followers.push(log);
		const fifo = fifoRead(this.profile, this.options.fifo);
		if (fifo !== undefined) {
			this.followers.push(
				new LineFollower(this.transport, this.directors, {
					command: () => ['cat', fifo],
					onLine: (director, line, at) => this.onFifoLine(director, line, at),
					retryDelayMs,
					longRunMs: 10_000,
					...(this.options.onDetach ? {onDetach: (d, why) => this.options.onDetach!(d, `notify FIFO: ${why}`)} : {}),
				}),
			);
		}
		for (const f of this.followers) f.start();
		for (const d of this.directors) void this.backfill(d, lines);
	}

	stop(): Promise<void> {
		return Promise.all(this.followers.map((f) => f.stop())).then(() => undefined);
	}

	/** Reads the log's last lines into the store (duplicates of what arrived live merge away). */
	private async backfill(director: string, lines: number): Promise<boolean> {
		try {
			const r = await this.transport.exec(director, keepalivedLogReadCommand(this.source, lines));
			if (r.code !== 0) return false;
			this.onLogLines(director, r.stdout.split('\n'), Date.now(), {past: true});
			return true;
		} catch {
			return false;
		}
	}

	private onLogLines(director: string, raw: readonly string[], at: number, how: {past?: boolean} = {}): void {
		const parsed = raw.map((l) => parseReceivedLine(l, at)).filter((l): l is KeepalivedLogLine => l !== undefined);
		if (parsed.length === 0) return;
		// keepalived's own lines on this director's channel: its transitions will come as they happen.
		this.options.onFollowing?.(director, true);
		// Past lines fill the log view only where the channel has not shown newer ones yet.
		if (!how.past || (this.store.getState().keepalivedLog?.[director]?.length ?? 0) === 0) this.store.recordLogLines(director, parsed, at);
		const transitions: VrrpTransition[] = transitionsFromLog(director, parsed, instancesOf(this.profile, director)).map((t) => (how.past ? t : {...t, receivedAt: at}));
		if (transitions.length > 0) this.store.recordTransitions(transitions);
		if (transitions.length > 0 && !how.past) this.options.onTransition?.(director);
	}

	private onFifoLine(director: string, raw: string, at: number): void {
		const line = parseNotifyFifoLine(sanitizeLine(raw));
		if (line?.kind !== 'state' || line.scope !== 'INSTANCE') return;
		const to = line.state === 'DELETED' ? 'STOP' : line.state;
		this.store.recordTransitions([{director, instance: line.name, to, priority: line.priority, at, source: 'fifo', receivedAt: at}]);
		this.options.onTransition?.(director);
	}
}

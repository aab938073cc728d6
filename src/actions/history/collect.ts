// The history as `lvsdeck history` and the console build it: what keepalived's own log on each director
// says happened (so a night's failovers show even when lvsdeck was not running), merged with the
// history kept in the state dir, and written back. `HistoryKeeper` writes what the console sees live.
import type {Profile} from '../../profile/model.js';
import {DEFAULT_KEEPALIVED_LOG} from '../../profile/model.js';
import {keepalivedLogReadCommand, parseKeepalivedLogLine, type KeepalivedLogLine} from '../../probes/keepalived-log.js';
import type {Transport} from '../../transport/types.js';
import {sanitizeLine} from '../../text/sanitize.js';
import {mergeTransitions, transitionsFromLog, type VrrpTransition} from '../../cluster/transitions.js';
import type {ClusterStore} from '../../cluster/store.js';
import {loadHistory, saveHistory} from './file.js';

export interface PastReadOptions {
	/** Lines of each director's log to read (default 2000). */
	readonly lines?: number;
	/** From the journal: only since then (a file is read by lines only). */
	readonly sinceMs?: number;
}

export interface PastRead {
	readonly transitions: VrrpTransition[];
	/** Directors whose log could not be read, with why (the history then holds what was kept before). */
	readonly unread: ReadonlyArray<{readonly director: string; readonly why: string}>;
}

function instancesOf(profile: Profile, director: string): string[] {
	return profile.instances.filter((i) => i.members.some((m) => m.director === director)).map((i) => i.name);
}

/** The transitions in each director's log (read in parallel; a director that does not answer is named). */
export async function readPastTransitions(transport: Transport, profile: Profile, options: PastReadOptions = {}): Promise<PastRead> {
	const source = profile.keepalived.log ?? DEFAULT_KEEPALIVED_LOG;
	const directors = profile.hosts.filter((h) => h.role === 'director').map((h) => h.name);
	const unread: Array<{director: string; why: string}> = [];
	const lists = await Promise.all(
		directors.map(async (director) => {
			try {
				const r = await transport.exec(director, keepalivedLogReadCommand(source, options.lines ?? 2000, options.sinceMs));
				if (r.code !== 0) {
					unread.push({director, why: sanitizeLine(r.stderr.trim().split('\n')[0] ?? '') || `exit ${r.code}`});
					return [];
				}
				const now = Date.now();
				const lines = r.stdout.split('\n').map((l) => parseKeepalivedLogLine(sanitizeLine(l), now)).filter((l): l is KeepalivedLogLine => l !== undefined);
				return transitionsFromLog(director, lines, instancesOf(profile, director));
			} catch (error) {
				unread.push({director, why: error instanceof Error ? error.message : String(error)});
				return [];
			}
		}),
	);
	return {transitions: lists.flat(), unread};
}

/** The stored history merged with what the directors' logs say now, written back; returns the merge. */
export async function collectHistory(transport: Transport, profile: Profile, options: PastReadOptions = {}): Promise<PastRead> {
	const past = await readPastTransitions(transport, profile, options);
	const merged = mergeTransitions([loadHistory(profile), past.transitions]);
	saveHistory(profile, merged);
	return {transitions: merged, unread: past.unread};
}

/** Writes the store's transitions to the profile's history when they change (at most every `everyMs`). */
export class HistoryKeeper {
	private written: readonly VrrpTransition[] | undefined;
	private timer: NodeJS.Timeout | undefined;
	private readonly detach: () => void;

	constructor(
		private readonly profile: Profile,
		private readonly store: ClusterStore,
		private readonly everyMs = 2000,
	) {
		// What was kept before is the start of what the console shows.
		store.recordTransitions(loadHistory(profile), {asEvents: false});
		this.written = store.getState().transitions;
		// Transitions come with derived snapshots, never with a poll that moved only times.
		this.detach = store.subscribe(
			(s) => {
				if (s.transitions !== this.written && !this.timer) this.timer = setTimeout(() => this.flush(), this.everyMs);
			},
			{times: false},
		);
	}

	/** Writes now if anything changed since the last write. */
	flush(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		const now = this.store.getState().transitions;
		if (!now || now === this.written) return;
		// On disk, merged with what another lvsdeck (or `history`) wrote meanwhile.
		saveHistory(this.profile, mergeTransitions([loadHistory(this.profile), now]));
		this.written = now;
	}

	stop(): void {
		this.detach();
		this.flush();
	}
}

// `lvsdeck history --profile FILE [--since DURATION] [--json]`: every VRRP transition of the cluster,
// from keepalived's own log on each director (read-only) merged with the history kept in the state
// dir, with keepalived's own timestamps. Exit 0; 1 when a director's log could not be read (what was
// kept is still printed); 2 on an error.
import {collectHistory} from '../actions/history/collect.js';
import {historyFile} from '../actions/history/file.js';
import {transitionsSince, type VrrpTransition} from '../cluster/transitions.js';
import {printErr, printJson, printOut} from '../text/sink.js';
import {parseDuration, wholeOption} from './numbers.js';
import {withCluster} from './with-cluster.js';

export interface HistoryOptions {
	readonly profile: string;
	readonly since?: string;
	readonly lines?: string;
	readonly json?: boolean;
	readonly trustHostKey?: readonly string[];
}

/** One transition as JSON: its time as ISO and as keepalived wrote it. */
export function transitionJson(t: VrrpTransition) {
	return {
		time: new Date(t.at).toISOString(),
		director: t.director,
		instance: t.instance,
		from: t.from ?? null,
		to: t.to,
		priority: t.priority ?? null,
		source: t.source,
		logged: t.stamp ?? null,
	};
}

/** One line: `2026-12-02T07:46:09.000Z  dir2  VI_1  BACKUP -> MASTER  prio 80  log  "Wed Dec  2 07:46:09 2026"`. */
export function formatTransitionLine(t: VrrpTransition): string {
	const cells = [new Date(t.at).toISOString(), t.director, t.instance, `${t.from ?? '?'} -> ${t.to}`, t.priority !== undefined ? `prio ${t.priority}` : '', t.source, t.stamp !== undefined ? `keepalived: ${t.stamp}` : ''];
	return cells.filter((c) => c !== '').join('  ');
}

export function historyCommand(options: HistoryOptions): Promise<number> {
	const prepare = () => ({sinceMs: parseDuration('--since', options.since), lines: wholeOption('--lines', options.lines, 1, 5000)});
	return withCluster({...options, readOnly: true}, prepare, async ({profile, transport}, {sinceMs, lines}) => {
		const since = sinceMs !== undefined ? Date.now() - sinceMs : undefined;
		const {transitions, unread} = await collectHistory(transport, profile, {...(lines !== undefined ? {lines} : {}), ...(since !== undefined ? {sinceMs: since} : {})});
		const shown = since !== undefined ? transitionsSince(transitions, since) : transitions;
		if (options.json) {
			printJson({profile: profile.name, file: historyFile(profile), since: since !== undefined ? new Date(since).toISOString() : null, unread, transitions: shown.map(transitionJson)});
		} else {
			for (const u of unread) printErr(`history: ${u.director}: keepalived's log could not be read: ${u.why}`);
			if (shown.length === 0) printOut(`no VRRP transitions${since !== undefined ? ` since ${new Date(since).toISOString()}` : ''} for ${profile.name}`);
			for (const t of shown) printOut(formatTransitionLine(t));
		}
		return unread.length > 0 ? 1 : 0;
	});
}

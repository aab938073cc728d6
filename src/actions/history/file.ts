// The VRRP history of one profile, kept in the state dir: every transition lvsdeck read from keepalived's
// log or saw live, bounded, written atomically (a reader never sees half a file). One file per profile
// file, so two profiles named alike never share one.
import {readFileSync} from 'node:fs';
import {createHash} from 'node:crypto';
import path from 'node:path';
import type {Profile} from '../../profile/model.js';
import {HISTORY_MAX, type TransitionSource, type VrrpTransition} from '../../cluster/transitions.js';
import {stateDir, writeStateFile} from '../../text/state-dir.js';

/** The state dir's history folder. */
export function historyDir(): string {
	return stateDir('history');
}

/** `<name>-<12 hex of the profile file's path>.json`. */
export function historyFile(profile: Pick<Profile, 'name' | 'file'>): string {
	const id = createHash('sha256').update(path.resolve(profile.file)).digest('hex').slice(0, 12);
	return path.join(historyDir(), `${profile.name.replace(/[^A-Za-z0-9_.-]/g, '_')}-${id}.json`);
}

interface HistoryFileContent {
	readonly version: 1;
	readonly profile: string;
	readonly profileFile: string;
	readonly transitions: readonly VrrpTransition[];
}

const SOURCES: readonly string[] = ['log', 'fifo', 'poll'];

/** One stored transition, or undefined when the record is not of that shape (a damaged or foreign file). */
function asTransition(v: unknown): VrrpTransition | undefined {
	if (typeof v !== 'object' || v === null) return undefined;
	const r = v as Record<string, unknown>;
	const text = (x: unknown) => typeof x === 'string' && x.length > 0 && x.length <= 128;
	if (!text(r['director']) || !text(r['instance']) || !text(r['to']) || typeof r['at'] !== 'number' || !Number.isFinite(r['at'])) return undefined;
	if (typeof r['source'] !== 'string' || !SOURCES.includes(r['source'])) return undefined;
	return {
		director: r['director'] as string,
		instance: r['instance'] as string,
		to: r['to'] as string,
		at: r['at'],
		source: r['source'] as TransitionSource,
		...(text(r['from']) ? {from: r['from'] as string} : {}),
		...(typeof r['priority'] === 'number' ? {priority: r['priority']} : {}),
		...(text(r['stamp']) ? {stamp: r['stamp'] as string} : {}),
	};
}

/** The stored history of this profile; empty when there is none (or it cannot be read). */
export function loadHistory(profile: Pick<Profile, 'name' | 'file'>): VrrpTransition[] {
	let raw: unknown;
	try {
		raw = JSON.parse(readFileSync(historyFile(profile), 'utf8'));
	} catch {
		return [];
	}
	const list = (raw as {transitions?: unknown})?.transitions;
	if (!Array.isArray(list)) return [];
	return list.map(asTransition).filter((t): t is VrrpTransition => t !== undefined);
}

/** Writes the history (the newest HISTORY_MAX), through a temporary file renamed into place. */
export function saveHistory(profile: Pick<Profile, 'name' | 'file'>, transitions: readonly VrrpTransition[]): void {
	const file = historyFile(profile);
	// Arrival times say nothing once written: the history keeps keepalived's own.
	const kept = transitions.slice(-HISTORY_MAX).map(({receivedAt: _arrival, ...t}) => t);
	const content: HistoryFileContent = {version: 1, profile: profile.name, profileFile: path.resolve(profile.file), transitions: kept};
	writeStateFile(file, content);
}

// The console's append-only action log (what the operator asked for and what happened), with times.
// Entries never hold a VRRP password: whatever is appended is masked first.
import {redactSecrets} from '../text/redact.js';

export interface LogEntry {
	readonly at: number;
	readonly level: 'info' | 'warn' | 'error';
	readonly text: string;
}

export class ActionLog {
	private entries: LogEntry[] = [];
	private readonly listeners = new Set<() => void>();

	constructor(
		private readonly limit = 500,
		private readonly now: () => number = Date.now,
	) {}

	append(level: LogEntry['level'], text: string): void {
		this.entries = [...this.entries, {at: this.now(), level, text: redactSecrets(text)}].slice(-this.limit);
		for (const l of this.listeners) l();
	}

	/** Stable snapshot (a new array only when something was appended), for useSyncExternalStore. */
	list(): readonly LogEntry[] {
		return this.entries;
	}

	subscribe(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}
}

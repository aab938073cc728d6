/**
 * Each key's last text and what it parsed into: the same text again gives the same object without
 * parsing (a quiet host's stream brings the same report every period; an equal result keeping its
 * identity is also what lets the store see that nothing changed).
 */
export class LastParsed<T> {
	private readonly last = new Map<string, {text: string; readonly value: T}>();

	constructor(private readonly parse: (key: string, text: string) => T) {}

	get(key: string, text: string): T {
		const last = this.last.get(key);
		if (last?.text === text) {
			// The newest copy is kept: it is the one the caller holds too (a stream's latest line), so
			// the older, equal copy can go rather than every host's text living twice.
			last.text = text;
			return last.value;
		}
		const value = this.parse(key, text);
		this.last.set(key, {text, value});
		return value;
	}

	/**
	 * Replaces what `key`'s last text parsed into with `update`'s equal value (parts the caller already
	 * holds, so that one copy of them lives); the text stays, so the same text gives the new value.
	 */
	adopt(key: string, update: (value: T) => T): void {
		const last = this.last.get(key);
		if (!last) return;
		const value = update(last.value);
		if (value !== last.value) this.last.set(key, {text: last.text, value});
	}

	delete(key: string): void {
		this.last.delete(key);
	}

	clear(): void {
		this.last.clear();
	}
}

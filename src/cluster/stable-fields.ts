import {isDeepStrictEqual} from 'node:util';

/**
 * Keeps the identity of a host's stored data across reads that parse it anew. `keep` returns the
 * stored value when the new one equals it, and remembers that pairing: the same parsed object (a
 * stream's frame, parsed once) then stands for the stored one without another deep compare. Without
 * the pairing a host whose first read was a whole snapshot compared its equal frame deep on every poll
 * (the stored table kept the first read's identity; each poll brought the frame's).
 */
export class StableFields<Field extends string> {
	private readonly pairs = new Map<string, Map<Field, {readonly read: unknown; readonly stored: unknown}>>();

	keep<T>(host: string, field: Field, read: T, stored: T | undefined): T {
		if (stored === undefined) return read;
		let byField = this.pairs.get(host);
		const pair = byField?.get(field);
		if (read === stored) {
			// The reader now brings the stored object itself (DirectorStreams.settle): the pairing, and
			// the equal copy it held, can go.
			if (pair !== undefined) byField!.delete(field);
			return read;
		}
		if (pair !== undefined && pair.read === read && pair.stored === stored) return stored;
		if (!isDeepStrictEqual(read, stored)) return read;
		if (!byField) this.pairs.set(host, (byField = new Map()));
		byField.set(field, {read, stored});
		return stored;
	}

	clear(): void {
		this.pairs.clear();
	}
}

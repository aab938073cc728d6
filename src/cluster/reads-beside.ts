// A streamed director's keepalived dump and config hash, read beside its polls rather than in them. On a
// slow director (the lab's emulated CPU, where each process costs tens of ms) that read takes about a
// second; a poll waiting for it held the director's IPVS table and addresses back by as much, and the
// poller then rested twice as long after it. The routine poll that asks for the dump starts the read
// here and takes the stream's frame at once; the read lands here and asks for a poll, which takes it
// with the latest frame. One such read per director at a time.
import type {DumpKind} from '../probes/director-snapshot.js';

/** A landed read: the extras command's output and what it was asked with. */
export interface LandedRead {
	readonly stdout: string;
	readonly kind: DumpKind;
	readonly pidFile: string;
	/** Whether it asked keepalived for a dump. */
	readonly dumped: boolean;
}

type Slot = {readonly running: true} | {readonly landed: LandedRead} | {readonly failed: unknown} | undefined;

export class ReadsBeside {
	// Entries stay, cleared to undefined (as the poller's maps: no tombstones a second per director).
	private readonly slots = new Map<string, Slot>();

	/** `landed`: a director's read finished (or failed): its next poll should take it. */
	constructor(private readonly landed: (director: string) => void) {}

	/** Is a read of this director under way? */
	running(director: string): boolean {
		const slot = this.slots.get(director);
		return slot !== undefined && 'running' in slot;
	}

	/** Starts the director's read (`read` runs it); `asked` is what it asks for. */
	start(director: string, asked: Omit<LandedRead, 'stdout'>, read: () => Promise<{stdout: string}>): void {
		const token = {running: true} as const;
		this.slots.set(director, token);
		const land = (slot: Slot) => {
			// Cleared meanwhile (stopped, or a read of the director's own came first): this one is stale.
			if (this.slots.get(director) !== token) return;
			this.slots.set(director, slot);
			this.landed(director);
		};
		read().then(
			(r) => land({landed: {...asked, stdout: r.stdout}}),
			(failed: unknown) => land({failed}),
		);
	}

	/** Has a read of this director landed, not yet taken? */
	waiting(director: string): boolean {
		return this.landedSlot(director) !== undefined;
	}

	/** The director's landed read, once (thrown again when it failed); undefined while none has landed. */
	take(director: string): LandedRead | undefined {
		const slot = this.landedSlot(director);
		if (slot === undefined) return undefined;
		this.slots.set(director, undefined);
		if ('failed' in slot) throw slot.failed;
		return slot.landed;
	}

	/** The director's slot once its read has landed or failed; undefined while none is there or it runs. */
	private landedSlot(director: string): Exclude<Slot, undefined | {readonly running: true}> | undefined {
		const slot = this.slots.get(director);
		return slot === undefined || 'running' in slot ? undefined : slot;
	}

	/** Forgets the director's read, landed or under way (a newer read of its own replaces it). */
	drop(director: string): void {
		if (this.slots.get(director) !== undefined) this.slots.set(director, undefined);
	}

	clear(): void {
		this.slots.clear();
	}
}

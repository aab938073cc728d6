// How many SSH handshakes this process has in progress at once. A fleet console opens a connection to
// every host at start (2,200 at 100 clusters): all at once, every key exchange's state and garbage is
// alive together, V8 grows its heap to hold it and keeps those pages (the fleet bench's RSS after
// start), and the handshakes compete for one thread anyway. In turns of a few dozen they finish as
// fast. The pool asks for a turn once the host's TCP connection is up, so hosts that do not answer
// never hold one; a handshake waiting for its turn has not started, and its timeout runs from its turn.

/** A counting gate: `enter` resolves when fewer than `limit` are inside; the function it gives leaves. */
export class HandshakeGate {
	private inside = 0;
	private readonly waiting: Array<() => void> = [];
	private wasBusy = false;

	/** `onBusy` hears when the gate goes from empty to holding a handshake, and back. */
	constructor(
		readonly limit: number,
		private readonly onBusy?: (busy: boolean) => void,
	) {}

	/** Resolves with the function that leaves once inside; rejects with the abort's reason if `signal` aborts while it waits. */
	enter(signal?: AbortSignal): Promise<() => void> {
		const why = () => (signal?.reason instanceof Error ? signal.reason : new Error('aborted while waiting for a handshake turn'));
		return new Promise((resolve, reject) => {
			if (signal?.aborted) return reject(why());
			const admit = () => {
				signal?.removeEventListener('abort', onAbort);
				this.inside++;
				this.busy(true);
				let left = false;
				resolve(() => {
					if (left) return;
					left = true;
					this.inside--;
					// A waiter admitted here enters before the gate could look empty.
					this.waiting.shift()?.();
					if (this.inside === 0) this.busy(false);
				});
			};
			const onAbort = () => {
				const at = this.waiting.indexOf(admit);
				if (at >= 0) this.waiting.splice(at, 1);
				reject(why());
			};
			if (this.inside < this.limit) return admit();
			signal?.addEventListener('abort', onAbort, {once: true});
			this.waiting.push(admit);
		});
	}

	private busy(now: boolean): void {
		if (now === this.wasBusy) return;
		this.wasBusy = now;
		this.onBusy?.(now);
	}

	/** Handshakes in progress and waiting (for tests). */
	get load(): {inside: number; waiting: number} {
		return {inside: this.inside, waiting: this.waiting.length};
	}
}

/** node's own Buffer pool size (8 KB), restored when no handshake is in progress. */
const BUFFER_POOL_SIZE = Buffer.poolSize;

/**
 * Small Buffers made while a handshake is in progress come from no pool. ssh2 keeps two such Buffers
 * for a connection's life (the peer's identification and the cipher's tag, each a few bytes); taken
 * from node's pool, each kept an 8 KB slab alive whatever else died in it: about 10 MB of the fleet
 * console's memory at 2,200 hosts (`npm run bench -- fleet`, a heap snapshot). Pooling is only worth
 * its slabs for the many short-lived Buffers of the steady state, so it stays on between handshakes.
 */
function unpooledWhileBusy(busy: boolean): void {
	Buffer.poolSize = busy ? 0 : BUFFER_POOL_SIZE;
}

/** The process's gate: every connection the SSH pools open goes through it. */
export const sshHandshakes = new HandshakeGate(48, unpooledWhileBusy);

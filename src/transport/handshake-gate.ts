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

	constructor(readonly limit: number) {}

	enter(): Promise<() => void> {
		return new Promise((resolve) => {
			const admit = () => {
				this.inside++;
				let left = false;
				resolve(() => {
					if (left) return;
					left = true;
					this.inside--;
					this.waiting.shift()?.();
				});
			};
			if (this.inside < this.limit) admit();
			else this.waiting.push(admit);
		});
	}

	/** Handshakes in progress and waiting (for tests). */
	get load(): {inside: number; waiting: number} {
		return {inside: this.inside, waiting: this.waiting.length};
	}
}

/** The process's gate: every connection the SSH pools open goes through it. */
export const sshHandshakes = new HandshakeGate(48);

// Who holds a VIP, followed by events: one `ip -o monitor address` per director plus an initial read.
// Cheap on the hosts (no polling) and immediate, which is what drills measure.
import {ipMonitorAddressCommand, parseIpMonitorLine} from '../../probes/vip.js';
import type {Transport} from '../../transport/types.js';

export class VipTracker {
	private readonly held = new Set<string>();
	private readonly controller = new AbortController();
	private readonly monitors: Array<Promise<unknown>> = [];

	constructor(
		private readonly transport: Transport,
		private readonly vip: string,
		private readonly directors: readonly string[],
		private readonly onChange: (holders: string[], at: number) => void,
	) {}

	holders(): string[] {
		return this.directors.filter((d) => this.held.has(d));
	}

	private set(director: string, holds: boolean, at: number): void {
		if (this.held.has(director) === holds) return;
		if (holds) this.held.add(director);
		else this.held.delete(director);
		this.onChange(this.holders(), at);
	}

	/** Attach the monitors first, then read the current state, so no change falls in between. */
	async start(): Promise<void> {
		for (const d of this.directors) this.monitors.push(this.follow(d));
		await new Promise((r) => setTimeout(r, 300));
		await Promise.all(this.directors.map((d) => this.read(d).catch(() => undefined)));
	}

	private async read(director: string): Promise<void> {
		const r = await this.transport.exec(director, ['ip', '-o', 'addr', 'show']);
		if (r.code === 0) this.set(director, r.stdout.includes(` ${this.vip}/`), Date.now());
	}

	/**
	 * One director's monitor for the life of the tracker. When the connection drops, it is attached
	 * again (once the host answers) and the state is read afresh, since changes in between were missed.
	 */
	private async follow(director: string): Promise<void> {
		let attached = false;
		for (let round = 0; !this.controller.signal.aborted; round++) {
			const started = Date.now();
			const ended = this.transport
				.exec(director, ipMonitorAddressCommand(), {
					timeoutMs: 0,
					signal: this.controller.signal,
					onStdoutLine: (line) => {
						const e = parseIpMonitorLine(line);
						if (e?.addr.address === this.vip) this.set(director, e.kind === 'added', Date.now());
					},
				})
				.catch(() => undefined);
			if (round > 0) {
				await new Promise((r) => setTimeout(r, 300));
				attached = await this.read(director).then(
					() => true,
					() => false,
				);
			}
			await ended;
			if (this.controller.signal.aborted) return;
			// Reconnect without hammering a host that is down.
			if (!attached || Date.now() - started < 1000) await new Promise((r) => setTimeout(r, 500));
		}
	}

	async stop(): Promise<void> {
		this.controller.abort();
		await Promise.all(this.monitors);
	}
}

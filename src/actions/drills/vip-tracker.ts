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
		for (const d of this.directors) {
			this.monitors.push(
				this.transport
					.exec(d, ipMonitorAddressCommand(), {
						timeoutMs: 0,
						signal: this.controller.signal,
						onStdoutLine: (line) => {
							const e = parseIpMonitorLine(line);
							if (e?.addr.address === this.vip) this.set(d, e.kind === 'added', Date.now());
						},
					})
					.catch(() => undefined),
			);
		}
		await new Promise((r) => setTimeout(r, 300));
		await Promise.all(
			this.directors.map(async (d) => {
				const r = await this.transport.exec(d, ['ip', '-o', 'addr', 'show']);
				this.set(d, r.stdout.includes(` ${this.vip}/`), Date.now());
			}),
		);
	}

	async stop(): Promise<void> {
		this.controller.abort();
		await Promise.all(this.monitors);
	}
}

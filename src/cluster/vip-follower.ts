// Following where addresses (and so VIPs) are, by events: one long-lived `ip -o monitor address` per
// director, attached again when it ends (line-follower.ts). Immediate and cheap on the hosts (no polling). The poller
// feeds every event into the store; drills follow one VIP's holders with VipFollower and time each
// change by the moment its line arrived, which is what a failover measurement needs.
import {ipMonitorAddressCommand, parseIpMonitorLine} from '../probes/vip.js';
import type {Transport} from '../transport/types.js';
import {LineFollower} from './line-follower.js';

/** One line of `ip -o monitor address`: an address added to or deleted from an interface. */
export type IpMonitorEvent = NonNullable<ReturnType<typeof parseIpMonitorLine>>;

export interface AddressMonitorOptions {
	/** Each address event of `director`, with the time its line arrived. */
	readonly onEvent: (director: string, event: IpMonitorEvent, at: number) => void;
	/**
	 * After attaching again (not the first time): catch up on changes missed while detached.
	 * False when the host did not answer, which counts as a short run.
	 */
	readonly onReattach?: (director: string) => Promise<boolean>;
	/** The wait before attaching again, by the number of short runs in a row (0 after a long one). */
	readonly retryDelayMs: (shortRuns: number) => number;
	/** A monitor that ran at least this long ended normally, not in a failure. */
	readonly longRunMs: number;
}

/** The one address monitor: one `ip -o monitor address` per director, attached again when it ends. */
export class AddressMonitor {
	private readonly lines: LineFollower;

	constructor(transport: Transport, directors: readonly string[], options: AddressMonitorOptions) {
		this.lines = new LineFollower(transport, directors, {
			command: () => ipMonitorAddressCommand(),
			onLine: (director, line, at) => {
				const event = parseIpMonitorLine(line);
				if (event) options.onEvent(director, event, at);
			},
			...(options.onReattach ? {onReattach: options.onReattach} : {}),
			retryDelayMs: options.retryDelayMs,
			longRunMs: options.longRunMs,
		});
	}

	start(): void {
		this.lines.start();
	}

	/** Detaches every monitor; resolves when they have ended. */
	stop(): Promise<void> {
		return this.lines.stop();
	}
}

/** Before reading the state, give the monitors time to attach, so no change falls in between. */
const ATTACH_MS = 300;

/** Who holds one VIP, followed by events, with an initial read (and a read after each reattach). */
export class VipFollower {
	private readonly held = new Set<string>();
	private readonly monitor: AddressMonitor;

	constructor(
		private readonly transport: Transport,
		private readonly vip: string,
		private readonly directors: readonly string[],
		private readonly onChange: (holders: string[], at: number) => void,
	) {
		this.monitor = new AddressMonitor(transport, directors, {
			onEvent: (director, e, at) => {
				if (e.addr.address === vip) this.set(director, e.kind === 'added', at);
			},
			onReattach: async (director) => {
				await new Promise((r) => setTimeout(r, ATTACH_MS));
				return this.read(director).then(
					() => true,
					() => false,
				);
			},
			// A drill measures: attach again at once after a monitor that ran, soon after one that failed.
			retryDelayMs: (shortRuns) => (shortRuns === 0 ? 0 : 500),
			longRunMs: 1000,
		});
	}

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
		this.monitor.start();
		await new Promise((r) => setTimeout(r, ATTACH_MS));
		await Promise.all(this.directors.map((d) => this.read(d).catch(() => undefined)));
	}

	private async read(director: string): Promise<void> {
		const r = await this.transport.exec(director, ['ip', '-o', 'addr', 'show']);
		if (r.code === 0) this.set(director, r.stdout.includes(` ${this.vip}/`), Date.now());
	}

	stop(): Promise<void> {
		return this.monitor.stop();
	}
}

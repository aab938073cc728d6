// Following where addresses (and so VIPs) are, by events: one long-lived `ip -o monitor address` per
// director, attached again when it ends. Immediate and cheap on the hosts (no polling). The poller
// feeds every event into the store; drills follow one VIP's holders with VipFollower and time each
// change by the moment its line arrived, which is what a failover measurement needs.
import {ipMonitorAddressCommand, parseIpMonitorLine} from '../probes/vip.js';
import type {Transport} from '../transport/types.js';

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

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
	if (ms <= 0 || signal.aborted) return Promise.resolve();
	return new Promise((resolve) => {
		const done = () => {
			clearTimeout(timer);
			signal.removeEventListener('abort', done);
			resolve();
		};
		const timer = setTimeout(done, ms);
		signal.addEventListener('abort', done, {once: true});
	});
}

/** The one address monitor: one `ip -o monitor address` per director, attached again when it ends. */
export class AddressMonitor {
	private readonly controller = new AbortController();
	private readonly runs: Array<Promise<void>> = [];

	constructor(
		private readonly transport: Transport,
		private readonly directors: readonly string[],
		private readonly options: AddressMonitorOptions,
	) {}

	start(): void {
		for (const d of this.directors) this.runs.push(this.follow(d));
	}

	/** Detaches every monitor; resolves when they have ended. */
	async stop(): Promise<void> {
		this.controller.abort();
		await Promise.all(this.runs);
	}

	private attach(director: string): Promise<unknown> {
		return this.transport
			.exec(director, ipMonitorAddressCommand(), {
				timeoutMs: 0,
				signal: this.controller.signal,
				onStdoutLine: (line) => {
					const event = parseIpMonitorLine(line);
					if (event) this.options.onEvent(director, event, Date.now());
				},
			})
			.catch(() => undefined); // unreachable for now: attach again later
	}

	/** One director's monitor for the life of this one. */
	private async follow(director: string): Promise<void> {
		const {signal} = this.controller;
		let shortRuns = 0;
		for (let round = 0; !signal.aborted; round++) {
			const started = Date.now();
			const ended = this.attach(director);
			const caughtUp = round > 0 && this.options.onReattach ? await this.options.onReattach(director) : true;
			await ended;
			if (signal.aborted) return;
			shortRuns = caughtUp && Date.now() - started >= this.options.longRunMs ? 0 : shortRuns + 1;
			await pause(this.options.retryDelayMs(shortRuns), signal);
		}
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

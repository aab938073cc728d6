// Per-backend counts for any protocol: when the answers do not name their backend, each request is
// looked up by its client address:port in the connection table (`ipvsadm -L -n -c`) of the directors
// that can hold the VIP (the active one has the entry; during a failover it moves), and recorded with
// the real server IPVS sent it to. A request whose entry never shows up is recorded without a backend.
import type {Profile, VirtualServer} from '../profile/model.js';
import type {Transport} from '../transport/types.js';
import {connectionTableCommand, entriesOf, parseConnectionTable, type ConnectionEntry} from '../probes/ipvs-connections.js';
import type {RequestRecord} from './request-record.js';
import {RecordingWatcher, type TrafficWatcher, type WatcherSummary} from './watcher.js';

export interface TableAttribution {
	readonly transport: Transport;
	/** Directors whose tables are read, in order of preference. */
	readonly directors: readonly string[];
	readonly vs: VirtualServer;
	/** `address:port` of each real server → its name. */
	readonly names: ReadonlyMap<string, string>;
	/** How often the tables are read (default 1000 ms). */
	readonly pollMs?: number;
	/** How long a finished request waits for its entry before it is recorded without a backend. */
	readonly waitMs?: number;
}

/** The directors that can hold the service's VIP (its instance's members), else every director. */
export function attributionFor(profile: Profile, vs: VirtualServer, transport: Transport): TableAttribution {
	const inst = profile.instances.find((i) => i.vips.some((v) => v.address === vs.vip));
	const directors = inst ? inst.members.map((m) => m.director) : profile.hosts.filter((h) => h.role === 'director').map((h) => h.name);
	const names = new Map(vs.realServers.map((r) => [`${r.address.toLowerCase()}:${r.port}`, r.host]));
	return {transport, directors, vs, names};
}

const plainAddress = (a: string) => a.toLowerCase().replace(/^::ffff:(?=\d+\.)/, '');

/**
 * Pure: client address:port → backend name, from the directors' entries (the first director's entry
 * wins a clash). Also by port alone, for records that do not know their client address, when the port
 * names one backend only.
 */
export function backendsByClient(tables: ReadonlyArray<readonly ConnectionEntry[]>, names: ReadonlyMap<string, string>): {byClient: Map<string, string>; byPort: Map<number, string | null>} {
	const byClient = new Map<string, string>();
	const byPort = new Map<number, string | null>();
	for (const entries of tables) {
		for (const e of entries) {
			if (e.template) continue;
			const name = names.get(`${e.destination.address}:${e.destination.port}`) ?? `${e.destination.address}:${e.destination.port}`;
			const key = `${e.client.address}|${e.client.port}`;
			if (!byClient.has(key)) byClient.set(key, name);
			const known = byPort.get(e.client.port);
			byPort.set(e.client.port, known === undefined || known === name ? name : null);
		}
	}
	return {byClient, byPort};
}

/** Pure: the backend a record went to, or undefined when the tables do not have it (yet). */
export function backendOfRecord(r: RequestRecord, found: ReturnType<typeof backendsByClient>): string | undefined {
	if (r.localPort === undefined) return undefined;
	if (r.clientAddress !== undefined) {
		const exact = found.byClient.get(`${plainAddress(r.clientAddress)}|${r.localPort}`);
		if (exact !== undefined) return exact;
	}
	return found.byPort.get(r.localPort) ?? undefined;
}

export class TableAttributedWatcher extends RecordingWatcher implements TrafficWatcher {
	private pending: Array<{record: RequestRecord; at: number}> = [];
	private polling: Promise<void> | undefined;
	private running = false;
	private failedPolls = 0;
	private tableError: string | undefined;

	constructor(
		private readonly inner: TrafficWatcher,
		private readonly spec: TableAttribution,
		keepRecords = true,
	) {
		super(keepRecords);
		inner.onRecord((r) => {
			// Only answered requests have a backend to find; the rest count at once.
			if (r.outcome === 'ok' && r.localPort !== undefined) this.pending.push({record: r, at: Date.now()});
			else this.record(r);
		});
	}

	get error(): string | undefined {
		return this.inner.error ?? this.tableError;
	}

	start(): void {
		if (this.running) return;
		this.running = true;
		this.started = Date.now();
		this.inner.start();
		this.polling = this.pollLoop();
	}

	private async pollLoop(): Promise<void> {
		while (this.running) {
			await new Promise((r) => setTimeout(r, this.spec.pollMs ?? 1000));
			if (this.running) await this.pollOnce(false);
		}
	}

	/** Reads the tables and records what they resolve; `final` records the rest without a backend. */
	private async pollOnce(final: boolean): Promise<void> {
		if (this.pending.length === 0) return;
		// Requests finishing while the tables are read wait for the next read.
		const batch = this.pending;
		this.pending = [];
		const {transport, directors, vs} = this.spec;
		const tables: ConnectionEntry[][] = [];
		const failures: string[] = [];
		// One director after the other, stopping once every request is found: the active one has them
		// all unless the VIP moved, and each read is an SSH command on a busy director.
		for (const d of directors) {
			const read = await transport.exec(d, connectionTableCommand()).then(
				(r) => (r.code === 0 ? entriesOf(parseConnectionTable(r.stdout), vs.vip, vs.port, vs.protocol) : `${d}: ${r.stderr.trim() || `exit ${r.code}`}`),
				(e: unknown) => `${d}: ${e instanceof Error ? e.message : String(e)}`,
			);
			if (typeof read === 'string') failures.push(read);
			else tables.push(read);
			const found = backendsByClient(tables, this.spec.names);
			if (batch.every((p) => backendOfRecord(p.record, found) !== undefined)) break;
		}
		this.noteFailures(failures, tables.length);
		const found = backendsByClient(tables, this.spec.names);
		const now = Date.now();
		const wait = this.spec.waitMs ?? 5000;
		const still: typeof this.pending = [];
		for (const p of batch) {
			const backend = backendOfRecord(p.record, found);
			if (backend !== undefined) this.record({...p.record, backend});
			else if (final || now - p.at > wait) this.record(withoutBackend(p.record));
			else still.push(p);
		}
		this.pending = [...still, ...this.pending];
	}

	/** Three polls in a row that read no table at all end the watch with the reason. */
	private noteFailures(failures: readonly string[], read: number): void {
		this.failedPolls = read === 0 && failures.length > 0 ? this.failedPolls + 1 : 0;
		if (this.failedPolls >= 3) this.tableError ??= `cannot read the IPVS connection table: ${failures.join('; ')}`;
	}

	async stop(): Promise<WatcherSummary> {
		await this.inner.stop();
		this.running = false;
		await this.polling;
		// The last requests' entries are in the tables already: one more read, then the rest as they are.
		await this.pollOnce(true);
		for (const p of this.pending) this.record(withoutBackend(p.record));
		this.pending = [];
		this.stopped = Date.now();
		return this.summary();
	}
}

function withoutBackend(r: RequestRecord): RequestRecord {
	const {backend: _, ...rest} = r;
	return rest;
}

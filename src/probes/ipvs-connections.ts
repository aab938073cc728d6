// IPVS's connection table (`ipvsadm -L -n -c`): which real server each client address:port was
// scheduled to, so a watcher whose answers do not name their backend can still count per backend; and
// the persistence templates (client port 0, state NONE or ASSURED) that tie a client to a real server
// for persistence_timeout.
//
//   IPVS connection entries
//   pro expire state       source             virtual            destination
//   TCP 01:58  FIN_WAIT    192.168.67.1:41234 192.168.67.100:9000 192.168.67.10:9000
//   UDP 04:59  UDP         192.168.67.1:51515 192.168.67.100:9053 192.168.67.20:9053
//   TCP 04:58  NONE        192.168.67.1:0     192.168.67.100:80  192.168.67.10:80
import type {Argv} from '../profile/model.js';

/** The connection table, numeric (no name lookups). The read-only list allows exactly this shape. */
export function connectionTableCommand(): Argv {
	return ['ipvsadm', '-L', '-n', '-c'];
}

export interface Endpoint {
	readonly address: string;
	readonly port: number;
}

export interface ConnectionEntry {
	readonly protocol: string;
	/** Seconds until the entry expires. */
	readonly expiresS: number;
	readonly state: string;
	readonly client: Endpoint;
	readonly virtual: Endpoint;
	readonly destination: Endpoint;
	/** A persistence template: it ties the client (port 0) to the destination, it carries no traffic. */
	readonly template: boolean;
}

/** `addr:port` or `[v6]:port` → its parts; undefined when it is neither. */
export function parseEndpoint(text: string): Endpoint | undefined {
	const m = /^(?:\[([0-9A-Fa-f:.]+)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5})$/.exec(text);
	if (!m) return undefined;
	return {address: (m[1] ?? m[2]!).toLowerCase(), port: Number(m[3])};
}

/** `mm:ss` (or `hh:mm:ss` for long persistence timeouts) → seconds. */
function parseExpire(text: string): number | undefined {
	if (!/^\d+(?::\d{2}){1,2}$/.test(text)) return undefined;
	return text.split(':').reduce((s, part) => s * 60 + Number(part), 0);
}

/** Template states: NONE on every kernel, ASSURED once a template has seen traffic on newer ones. */
const TEMPLATE_STATES = new Set(['NONE', 'ASSURED']);

/**
 * Pure: the entries of `ipvsadm -L -n -c` output. Header lines and anything that is not an entry are
 * skipped, so an error message yields no entries (the caller looks at the exit code).
 */
export function parseConnectionTable(text: string): ConnectionEntry[] {
	const entries: ConnectionEntry[] = [];
	for (const line of text.split('\n')) {
		const f = line.trim().split(/\s+/);
		if (f.length !== 6 || !/^[A-Z]{2,5}$/.test(f[0]!)) continue;
		const expiresS = parseExpire(f[1]!);
		const client = parseEndpoint(f[3]!);
		const virtual = parseEndpoint(f[4]!);
		const destination = parseEndpoint(f[5]!);
		if (expiresS === undefined || !client || !virtual || !destination) continue;
		const state = f[2]!;
		entries.push({protocol: f[0]!, expiresS, state, client, virtual, destination, template: TEMPLATE_STATES.has(state) || client.port === 0});
	}
	return entries;
}

/** Entries of one virtual service (templates of a port-0 persistent service have virtual port 0). */
export function entriesOf(entries: readonly ConnectionEntry[], vip: string, port: number, protocol: 'TCP' | 'UDP'): ConnectionEntry[] {
	const address = vip.toLowerCase();
	return entries.filter((e) => e.protocol === protocol && e.virtual.address === address && (e.virtual.port === port || (e.template && e.virtual.port === 0)));
}

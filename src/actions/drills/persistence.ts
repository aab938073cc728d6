// The drain drill on a service with persistence_timeout: IPVS keeps sending a client that has a
// template (an entry tying the client to a real server) to that server, drained or not, until the
// template expires; so Conns on the drained server may rise legitimately. What must not happen is a NEW
// client being tied to it: the verdict counts persistence templates from `ipvsadm -L -n -c`.
import type {RealServer, VirtualServer} from '../../profile/model.js';
import type {Transport} from '../../transport/types.js';
import {connectionTableCommand, entriesOf, parseConnectionTable, type ConnectionEntry} from '../../probes/ipvs-connections.js';

/** Pure: the clients (template source addresses) a service's templates tie to the real server. */
export function templateClients(entries: readonly ConnectionEntry[], vs: VirtualServer, rs: RealServer): Set<string> {
	const address = rs.address.toLowerCase();
	return new Set(
		entriesOf(entries, vs.vip, vs.port, vs.protocol)
			.filter((e) => e.template && e.destination.address === address && (e.destination.port === rs.port || e.destination.port === 0))
			.map((e) => e.client.address),
	);
}

/** Pure: clients tied to the server in `after` that were not in `before`: IPVS chose it for them meanwhile. */
export function newTemplateClients(before: ReadonlySet<string>, after: ReadonlySet<string>): string[] {
	return [...after].filter((c) => !before.has(c));
}

/** The director's templates for the real server now; undefined when the table could not be read. */
export async function readTemplateClients(transport: Transport, director: string, vs: VirtualServer, rs: RealServer): Promise<Set<string> | undefined> {
	const r = await transport.exec(director, connectionTableCommand());
	return r.code === 0 ? templateClients(parseConnectionTable(r.stdout), vs, rs) : undefined;
}

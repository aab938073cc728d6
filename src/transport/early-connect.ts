// TCP connections opened as soon as the profile is loaded, before the SSH library and the rest of a
// command are: the host accepts, forks its sshd and sends its banner while this process is still
// loading, so the handshake starts that much sooner (issue 16: start to first handshake). Only TCP is
// opened here; the pool hands each socket to ssh2, which does the whole handshake and the host key
// check exactly as on a connection of its own. It needs only node:net beyond what loading the profile
// has already loaded.
import {connect, type Socket} from 'node:net';
import type {Host} from '../profile/model.js';
import {ADDRESS_UNKNOWN} from '../profile/conf-schema.js';

/** Sockets waiting for the pool, by host name. Each is taken once; what is not taken is closed. */
export interface EarlySockets {
	/** The host's socket if it is still connecting or connected; undefined when none or it failed. */
	take(host: string): Socket | undefined;
	/** Close every socket not taken. */
	close(): void;
}

/** A socket that has failed or ended is of no use to a handshake: the pool connects afresh instead. */
function usable(socket: Socket, failed: boolean): boolean {
	return !failed && !socket.destroyed && !socket.readableEnded && !socket.writableEnded;
}

/**
 * Open a TCP connection to every host reached directly (a host behind a jump host is reached through
 * it, never directly). The data a host sends before the pool takes its socket stays buffered (paused).
 */
export function openEarlySockets(hosts: readonly Host[]): EarlySockets {
	const waiting = new Map<string, {socket: Socket; failed: boolean}>();
	for (const host of hosts) {
		const {ssh} = host;
		if (ssh.jump || ssh.hostName === ADDRESS_UNKNOWN) continue;
		const socket = connect({host: ssh.hostName, port: ssh.port});
		socket.setNoDelay(true);
		socket.pause();
		const entry = {socket, failed: false};
		// Kept for the socket's life: an error before ssh2 listens (or a late one) must not be unhandled;
		// ssh2 sees the same error on its own listener once it has the socket.
		socket.on('error', () => (entry.failed = true));
		waiting.set(host.name, entry);
	}
	return {
		take(name) {
			const entry = waiting.get(name);
			if (!entry) return undefined;
			waiting.delete(name);
			if (usable(entry.socket, entry.failed)) return entry.socket;
			entry.socket.destroy();
			return undefined;
		},
		close() {
			for (const {socket} of waiting.values()) socket.destroy();
			waiting.clear();
		},
	};
}

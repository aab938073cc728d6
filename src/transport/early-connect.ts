// TCP connections opened before the SSH library and the rest of a command are loaded: the host accepts,
// forks its sshd and sends its banner while this process is still loading, so the handshake starts
// that much sooner (issue 16: start to first handshake). Only TCP is opened here; the pool hands each
// socket to ssh2, which does the whole handshake and the host key check exactly as on a connection of
// its own. It needs only node:net.
import {connect, type Socket} from 'node:net';
import type {Host} from '../profile/model.js';
import {ADDRESS_UNKNOWN} from '../profile/address-unknown.js';

/** Where one host is reached over TCP. */
export interface ConnectTarget {
	readonly host: string;
	readonly address: string;
	readonly port: number;
}

/** Sockets waiting for the pool, by host name. Each is taken once; what is not taken is closed. */
export interface EarlySockets {
	/** The host's socket if it is still connecting or connected; undefined when none or it failed. */
	take(host: string): Socket | undefined;
	/** The host's socket only if it goes to exactly `target` (else it stays, to be closed). */
	takeMatching(target: ConnectTarget): Socket | undefined;
	/** Close every socket not taken. */
	close(): void;
}

/** The hosts reached directly (a host behind a jump host is reached through it, never directly). */
export function connectTargets(hosts: readonly Host[]): ConnectTarget[] {
	return hosts.filter((h) => !h.ssh.jump && h.ssh.hostName !== ADDRESS_UNKNOWN).map((h) => ({host: h.name, address: h.ssh.hostName, port: h.ssh.port}));
}

/** A socket that has failed or ended is of no use to a handshake: the pool connects afresh instead. */
function usable(socket: Socket, failed: boolean): boolean {
	return !failed && !socket.destroyed && !socket.readableEnded && !socket.writableEnded;
}

interface Waiting {
	readonly target: ConnectTarget;
	readonly socket: Socket;
	failed: boolean;
}

function openSocket(target: ConnectTarget): Waiting {
	const socket = connect({host: target.address, port: target.port});
	socket.setNoDelay(true);
	socket.pause();
	// A socket nobody took must not keep the process alive (a command that fails before its pool exists).
	socket.unref();
	const entry: Waiting = {target, socket, failed: false};
	// Kept for the socket's life: an error before ssh2 listens (or a late one) must not be unhandled;
	// ssh2 sees the same error on its own listener once it has the socket.
	socket.on('error', () => (entry.failed = true));
	return entry;
}

/**
 * Open a TCP connection to every target, or take over the one `reuse` already holds to exactly that
 * address and port (what `reuse` holds beyond that is closed). The data a host sends before the pool
 * takes its socket stays buffered (paused).
 */
export function openEarlySockets(targets: readonly ConnectTarget[], reuse?: EarlySockets): EarlySockets {
	const waiting = new Map<string, Waiting>();
	for (const target of targets) {
		const kept = reuse?.takeMatching(target);
		waiting.set(target.host, kept ? {target, socket: kept, failed: false} : openSocket(target));
	}
	reuse?.close();
	const takeEntry = (entry: Waiting): Socket | undefined => {
		waiting.delete(entry.target.host);
		if (usable(entry.socket, entry.failed)) return entry.socket;
		entry.socket.destroy();
		return undefined;
	};
	return {
		take(name) {
			const entry = waiting.get(name);
			// The pool's now: it keeps the process alive like any connection of its own.
			return entry ? takeEntry(entry)?.ref() : undefined;
		},
		takeMatching(target) {
			const entry = waiting.get(target.host);
			if (!entry || entry.target.address !== target.address || entry.target.port !== target.port) return undefined;
			// Still unreferenced: its new holder refs it when the pool takes it.
			return takeEntry(entry);
		},
		close() {
			for (const {socket} of waiting.values()) socket.destroy();
			waiting.clear();
		},
	};
}

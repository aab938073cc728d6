// TCP connections opened before the SSH library and the rest of a command are loaded: the host accepts,
// forks its sshd and sends its banner while this process is still loading, so the handshake starts
// that much sooner (issue 16: start to first handshake). The pool hands each socket to ssh2, which does
// the whole handshake and the host key check exactly as on a connection of its own; or, where the
// caller had the settings before the profile (connect hints), the key exchange has begun on it already
// (early-handshake.ts) and the pool adopts that client if its own settings are the same. It needs only
// node:net; ssh2 is passed in.
import {connect, type Socket} from 'node:net';
import type {Client} from 'ssh2';
import type {Host} from '../profile/model.js';
import {ADDRESS_UNKNOWN} from '../profile/address-unknown.js';
import {beginHandshake, sameSettings, type EarlyHandshake, type HandshakeSettings} from './early-handshake.js';

/** Where one host is reached over TCP. */
export interface ConnectTarget {
	readonly host: string;
	readonly address: string;
	readonly port: number;
	/** Known before the profile (connect hints): the key exchange may begin at once. */
	readonly handshake?: HandshakeSettings;
}

/** A socket waiting for the pool, and the handshake begun on it if any. */
export interface HeldConnection {
	readonly socket: Socket;
	readonly handshake?: EarlyHandshake;
}

/** Sockets waiting for the pool, by host name. Each is taken once; what is not taken is closed. */
export interface EarlySockets {
	/** The host's socket if it is still connecting or connected and no handshake began on it; else undefined (and it is closed). */
	take(host: string): Socket | undefined;
	/** The host's handshake if one began, is still going and has exactly `settings`; else undefined (it stays, for take). */
	takeHandshake(host: string, settings: HandshakeSettings): EarlyHandshake | undefined;
	/** The host's connection only if it goes to exactly `target` (else it stays, to be closed). */
	takeMatching(target: ConnectTarget): HeldConnection | undefined;
	/** Begin the key exchange on each socket whose target carries handshake settings. */
	beginHandshakes(ClientClass: typeof Client): void;
	/** Close every socket not taken. */
	close(): void;
}

/**
 * The hosts reached directly (a host behind a jump host is reached through it, never directly), each
 * with its `handshake` settings when they are known before the profile is needed (connect hints).
 */
export function connectTargets(hosts: readonly Host[], handshake?: (host: Host) => HandshakeSettings): ConnectTarget[] {
	return hosts
		.filter((h) => !h.ssh.jump && h.ssh.hostName !== ADDRESS_UNKNOWN)
		.map((h) => ({host: h.name, address: h.ssh.hostName, port: h.ssh.port, ...(handshake ? {handshake: handshake(h)} : {})}));
}

/** A socket that has failed or ended is of no use to a handshake: the pool connects afresh instead. */
function usable(socket: Socket, failed: boolean): boolean {
	return !failed && !socket.destroyed && !socket.readableEnded && !socket.writableEnded;
}

interface Waiting {
	readonly target: ConnectTarget;
	readonly socket: Socket;
	failed: boolean;
	handshake?: EarlyHandshake;
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
		waiting.set(target.host, kept ? {target, socket: kept.socket, failed: false, ...(kept.handshake ? {handshake: kept.handshake} : {})} : openSocket(target));
	}
	reuse?.close();
	const drop = (entry: Waiting): void => {
		waiting.delete(entry.target.host);
		entry.handshake?.client.destroy();
		entry.socket.destroy();
	};
	return {
		take(name) {
			const entry = waiting.get(name);
			if (!entry) return undefined;
			// A socket a handshake began on carries its bytes: of no use to a fresh one.
			if (entry.handshake || !usable(entry.socket, entry.failed)) return void drop(entry);
			waiting.delete(name);
			// The pool's now: it keeps the process alive like any connection of its own.
			return entry.socket.ref();
		},
		takeHandshake(name, settings) {
			const entry = waiting.get(name);
			const handshake = entry?.handshake;
			if (!entry || !handshake || !sameSettings(handshake.settings, settings)) return undefined;
			if (!handshake.usable() || !usable(entry.socket, entry.failed)) return void drop(entry);
			waiting.delete(name);
			entry.socket.ref();
			return handshake;
		},
		takeMatching(target) {
			const entry = waiting.get(target.host);
			if (!entry || entry.target.address !== target.address || entry.target.port !== target.port) return undefined;
			if (!usable(entry.socket, entry.failed) || (entry.handshake && !entry.handshake.usable())) return void drop(entry);
			waiting.delete(target.host);
			// Still unreferenced: its new holder refs it when the pool takes it.
			return {socket: entry.socket, ...(entry.handshake ? {handshake: entry.handshake} : {})};
		},
		beginHandshakes(ClientClass) {
			for (const entry of waiting.values()) {
				if (entry.handshake || !entry.target.handshake || !usable(entry.socket, entry.failed)) continue;
				entry.handshake = beginHandshake(ClientClass, entry.socket, entry.target.handshake);
			}
		},
		close() {
			for (const entry of [...waiting.values()]) drop(entry);
		},
	};
}

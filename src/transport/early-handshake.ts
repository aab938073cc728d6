// An SSH handshake begun on an early socket before the profile is loaded (status's start, issue 16):
// the key exchange runs while the process still loads and validates the profile, and then waits at
// the two points that need the profile: the host key check and the credentials. Nothing is sent to
// the host past the key exchange (no user name, no key) until the pool has checked the host key with
// known_hosts exactly as on a connection of its own (`proceed`). ssh2 is passed in, so that this
// module loads no SSH library of its own.
import type {Socket} from 'node:net';
import type {AnyAuthMethod, Client, NextAuthHandler, ServerHostKeyAlgorithm, VerifyCallback} from 'ssh2';
import type {Host} from '../profile/model.js';
import {hostKeyOffer} from './host-key-algorithms.js';

/** What a handshake fixes before the profile is known: the pool adopts one only when its own settings are these. */
export interface HandshakeSettings {
	readonly user: string;
	readonly serverHostKey: readonly ServerHostKeyAlgorithm[];
	readonly keepaliveIntervalMs: number;
}

export interface EarlyHandshake {
	readonly client: Client;
	readonly settings: HandshakeSettings;
	/** False once the connection failed or closed: the pool connects afresh instead. */
	usable(): boolean;
	/** Go on: `verify` decides the host key (before anything else is sent), then `auths` are tried in order. */
	proceed(verify: (key: Buffer) => boolean, auths: readonly AnyAuthMethod[]): void;
}

/** `host`'s settings, offering `serverHostKey` (what its known_hosts entries ask for, host-key-algorithms.ts). */
export function handshakeSettings(host: Host, serverHostKey: readonly ServerHostKeyAlgorithm[]): HandshakeSettings {
	return {user: host.ssh.user, serverHostKey, keepaliveIntervalMs: host.ssh.keepaliveIntervalMs};
}

export function sameSettings(a: HandshakeSettings, b: HandshakeSettings): boolean {
	return a.user === b.user && a.keepaliveIntervalMs === b.keepaliveIntervalMs && a.serverHostKey.length === b.serverHostKey.length && a.serverHostKey.every((alg, i) => alg === b.serverHostKey[i]);
}

export function beginHandshake(ClientClass: typeof Client, socket: Socket, settings: HandshakeSettings): EarlyHandshake {
	const client = new ClientClass();
	let failed = false;
	// Kept for the client's life: an error before the pool listens must not be unhandled.
	client.on('error', () => (failed = true));
	client.on('close', () => (failed = true));
	let verifier: ((key: Buffer) => boolean) | undefined;
	let heldKey: {readonly key: Buffer; readonly verify: VerifyCallback} | undefined;
	let auths: readonly AnyAuthMethod[] | undefined;
	let heldAuth: NextAuthHandler | undefined;
	let next = 0;
	// ssh2 reads `false` as "no method left" (client-authentication error), like its own list's end.
	const nextAuth = (done: NextAuthHandler) => done((auths?.[next++] ?? false) as AnyAuthMethod);
	client.connect({
		sock: socket,
		username: settings.user,
		// No timer of ssh2's while the profile loads (it would keep a failing command alive); the pool arms its own.
		readyTimeout: 0,
		keepaliveInterval: settings.keepaliveIntervalMs,
		keepaliveCountMax: 3,
		...hostKeyOffer(settings.serverHostKey),
		hostVerifier: (key: Buffer, verify: VerifyCallback) => {
			if (verifier) verify(verifier(key));
			else heldKey = {key, verify};
		},
		authHandler: (_left, _partial, done) => {
			if (auths) nextAuth(done);
			else heldAuth = done;
		},
	});
	return {
		client,
		settings,
		usable: () => !failed,
		proceed(verify, methods) {
			verifier = verify;
			auths = methods;
			if (heldKey) heldKey.verify(verify(heldKey.key));
			if (heldAuth) nextAuth(heldAuth);
		},
	};
}

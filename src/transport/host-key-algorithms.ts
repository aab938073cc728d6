// Which host-key algorithms to offer, in which order. ssh2 takes the first algorithm both sides
// support, so a server with an ed25519 and an ECDSA key shows the ed25519 one even when known_hosts
// only records the ECDSA key; OpenSSH avoids that by asking first for the recorded types. So do we.
import type {ServerHostKeyAlgorithm} from 'ssh2';
import type {Host} from '../profile/model.js';
import {hostPortName, knownKeyTypes, readKnownHostsFiles, type KnownHostEntry} from './known-hosts.js';

/** ssh2's own default order (lib/protocol/constants.js), which the rest of the list keeps. */
const SSH2_DEFAULT: readonly ServerHostKeyAlgorithm[] = [
	'ssh-ed25519',
	'ecdsa-sha2-nistp256',
	'ecdsa-sha2-nistp384',
	'ecdsa-sha2-nistp521',
	'rsa-sha2-512',
	'rsa-sha2-256',
	'ssh-rsa',
];

/** The signature algorithms that prove a key of each type (an RSA key signs with SHA-2 first). */
const ALGORITHMS_OF_KEY_TYPE: Readonly<Record<string, readonly ServerHostKeyAlgorithm[]>> = {
	'ssh-ed25519': ['ssh-ed25519'],
	'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
	'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
	'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
	'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/** ssh2's default list with the algorithms of the known key types moved to the front. */
export function hostKeyAlgorithms(knownTypes: readonly string[]): ServerHostKeyAlgorithm[] {
	const first = knownTypes.flatMap((t) => (Object.hasOwn(ALGORITHMS_OF_KEY_TYPE, t) ? ALGORITHMS_OF_KEY_TYPE[t]! : []));
	return [...new Set([...first, ...SSH2_DEFAULT])];
}

/**
 * ssh2's `algorithms` setting that offers `list`: none when `list` is ssh2's own default order (a host
 * whose known key is ed25519, or none known). ssh2 then sends its one shared key-exchange offer; given
 * any list, even an equal one, it builds an offer per connection and keeps it for the connection's life
 * (about 2 KB of objects and a dozen small Buffers, each pinning an 8 KB slab of node's Buffer pool;
 * measured at 100 clusters, `npm run bench -- fleet`).
 */
export function hostKeyOffer(list: readonly ServerHostKeyAlgorithm[]): {readonly algorithms?: {serverHostKey: ServerHostKeyAlgorithm[]}} {
	const isDefault = list.length === SSH2_DEFAULT.length && list.every((a, i) => a === SSH2_DEFAULT[i]);
	return isDefault ? {} : {algorithms: {serverHostKey: [...list]}};
}

/** What known_hosts says of `host`: the names it may be recorded under, its entries, and the algorithms to offer. */
export interface KnownHostView {
	readonly names: readonly string[];
	readonly entries: readonly KnownHostEntry[];
	readonly algorithms: ServerHostKeyAlgorithm[];
}

export function knownHostView(host: Host): KnownHostView {
	const ssh = host.ssh;
	const entries = readKnownHostsFiles(ssh.knownHostsFiles);
	const names = [...new Set([hostPortName(ssh.hostName, ssh.port), hostPortName(host.address, ssh.port)])];
	return {names, entries, algorithms: hostKeyAlgorithms(knownKeyTypes(names, entries))};
}

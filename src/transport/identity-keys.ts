// The identity files a pool signs in with, read and parsed once rather than once per connection.
// Given a key file's text, ssh2 parses it again for every connection (a key object of its own in
// JavaScript and in OpenSSL): across a fleet of 2,200 hosts that is 2,200 copies of one key. Handed an
// already parsed key, every connection shares it. A file is read again when its size or modification
// time changes (a key rotated while the console runs is picked up on the next connection).
import {statSync, readFileSync} from 'node:fs';
import ssh2, {type ParsedKey} from 'ssh2';

/**
 * An identity file's key: parsed, or the file as read when ssh2 cannot use it as it is (encrypted, a
 * public key, not a key at all), so that ssh2 says why as it always has.
 */
export type Identity = {readonly parsed: ParsedKey; readonly raw?: undefined} | {readonly parsed?: undefined; readonly raw: Buffer};

export class IdentityKeys {
	private readonly byFile = new Map<string, {readonly stamp: string; readonly identity: Identity}>();

	/** The first of `files` that can be read, or undefined when none can. */
	first(files: readonly string[]): Identity | undefined {
		for (const file of files) {
			const identity = this.read(file);
			if (identity) return identity;
		}
		return undefined;
	}

	private read(file: string): Identity | undefined {
		try {
			const {size, mtimeMs} = statSync(file);
			const stamp = `${size}:${mtimeMs}`;
			const known = this.byFile.get(file);
			if (known?.stamp === stamp) return known.identity;
			const identity = identityOf(readFileSync(file));
			this.byFile.set(file, {stamp, identity});
			return identity;
		} catch {
			this.byFile.delete(file);
			return undefined;
		}
	}
}

function identityOf(raw: Buffer): Identity {
	const parsed = ssh2.utils.parseKey(raw);
	// ssh2's own test of a usable identity (client.js): one private key.
	const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey | undefined) : parsed;
	if (!key || key instanceof Error || !key.isPrivateKey()) return {raw};
	return {parsed: key};
}

// OpenSSH known_hosts parsing and host-key verification (plain, hashed |1|salt|hmac, patterns,
// [host]:port, @revoked). Unknown, changed and other-type keys are refused by the caller; nothing here
// trusts on first use, and nothing pinned overrides what known_hosts records.
import {createHash, createHmac} from 'node:crypto';
import {readFileSync} from 'node:fs';

export interface KnownHostEntry {
	readonly file: string;
	readonly line: number;
	readonly marker?: 'revoked' | 'cert-authority';
	readonly hosts: string;
	readonly keyType: string;
	readonly keyBase64: string;
}

export function parseKnownHosts(text: string, file = '(known_hosts)'): KnownHostEntry[] {
	const entries: KnownHostEntry[] = [];
	for (const [i, raw] of text.split('\n').entries()) {
		const line = raw.trim();
		if (line === '' || line.startsWith('#')) continue;
		const parts = line.split(/\s+/);
		let marker: KnownHostEntry['marker'];
		if (parts[0] === '@revoked' || parts[0] === '@cert-authority') {
			marker = parts[0] === '@revoked' ? 'revoked' : 'cert-authority';
			parts.shift();
		}
		const [hosts, keyType, keyBase64] = parts;
		if (!hosts || !keyType || !keyBase64) continue;
		entries.push({file, line: i + 1, ...(marker ? {marker} : {}), hosts, keyType, keyBase64});
	}
	return entries;
}

export function readKnownHostsFiles(files: readonly string[]): KnownHostEntry[] {
	const entries: KnownHostEntry[] = [];
	for (const file of files) {
		let text: string;
		try {
			text = readFileSync(file, 'utf8');
		} catch {
			continue;
		}
		entries.push(...parseKnownHosts(text, file));
	}
	return entries;
}

/** How OpenSSH writes a host in known_hosts: bare for port 22, `[host]:port` otherwise. */
export function hostPortName(host: string, port: number): string {
	return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(pattern: string): RegExp {
	const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
	return new RegExp(`^${body}$`, 'i');
}

function matchesHashed(pattern: string, name: string): boolean {
	const [, magic, salt64, hash64] = pattern.split('|');
	if (magic !== '1' || !salt64 || !hash64) return false;
	const hmac = createHmac('sha1', Buffer.from(salt64, 'base64')).update(name).digest('base64');
	return hmac === hash64;
}

/** Does the entry's host field match any of the names (negations win, as in OpenSSH)? */
export function hostFieldMatches(field: string, names: readonly string[]): boolean {
	if (field.startsWith('|')) return names.some((n) => matchesHashed(field, n));
	let matched = false;
	for (const pattern of field.split(',')) {
		const negated = pattern.startsWith('!');
		const re = globToRegExp(negated ? pattern.slice(1) : pattern);
		if (names.some((n) => re.test(n))) {
			if (negated) return false;
			matched = true;
		}
	}
	return matched;
}

/** `SHA256:...` as `ssh-keygen -lf` prints it. */
export function fingerprintSha256(keyBlob: Buffer): string {
	return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH wire-format public key blob. */
export function keyTypeOf(keyBlob: Buffer): string {
	if (keyBlob.length < 4) return 'unknown';
	const len = keyBlob.readUInt32BE(0);
	return keyBlob.subarray(4, 4 + len).toString('latin1');
}

export type HostKeyVerdict =
	| {readonly ok: true; readonly via: 'known_hosts' | 'fingerprint'; readonly fingerprint: string}
	| {
			readonly ok: false;
			readonly reason: 'unknown' | 'changed' | 'type-differs' | 'revoked';
			readonly fingerprint: string;
			readonly detail: string;
	  };

/** The key types recorded for a host in known_hosts (plain entries, in file order, each once). */
export function knownKeyTypes(names: readonly string[], entries: readonly KnownHostEntry[]): string[] {
	return [...new Set(entries.filter((e) => !e.marker && hostFieldMatches(e.hosts, names)).map((e) => e.keyType))];
}

/**
 * Verify a presented host key. `names` are the forms the host may be recorded under
 * (e.g. address and host name, already in `[host]:port` form where needed).
 *
 * known_hosts speaks first: a key it records for the host is accepted, and a key it contradicts is
 * refused, whatever is pinned. A different key of the same type means the key changed; keys of other
 * types only means this type was never recorded, which is refused too (the server may be an
 * impostor offering a type we have no record of). A pinned fingerprint (profile or
 * --trust-host-key) only vouches for hosts known_hosts says nothing about.
 */
export function verifyHostKey(
	keyBlob: Buffer,
	names: readonly string[],
	entries: readonly KnownHostEntry[],
	pinned: readonly string[],
): HostKeyVerdict {
	const fingerprint = fingerprintSha256(keyBlob);
	const b64 = keyBlob.toString('base64');
	const type = keyTypeOf(keyBlob);
	const relevant = entries.filter((e) => !e.marker && hostFieldMatches(e.hosts, names));
	const revoked = entries.find((e) => e.marker === 'revoked' && e.keyBase64 === b64);
	if (revoked) {
		return {ok: false, reason: 'revoked', fingerprint, detail: `the key is marked @revoked in ${revoked.file}:${revoked.line}`};
	}
	if (relevant.some((e) => e.keyBase64 === b64)) return {ok: true, via: 'known_hosts', fingerprint};
	const sameType = relevant.find((e) => e.keyType === type);
	if (sameType) {
		return {ok: false, reason: 'changed', fingerprint, detail: `it differs from the ${type} key recorded in ${sameType.file}:${sameType.line}`};
	}
	const first = relevant[0];
	if (first) {
		const known = knownKeyTypes(names, relevant).join(', ');
		return {ok: false, reason: 'type-differs', fingerprint, detail: `host key type ${type} differs from the known ${known} key(s) (${first.file}:${first.line})`};
	}
	const normalPinned = pinned.map((p) => p.replace(/=+$/, ''));
	if (normalPinned.includes(fingerprint)) return {ok: true, via: 'fingerprint', fingerprint};
	if (normalPinned.length > 0) {
		return {ok: false, reason: 'changed', fingerprint, detail: `it matches none of the fingerprints pinned in the profile`};
	}
	return {ok: false, reason: 'unknown', fingerprint, detail: 'it is in no known_hosts file and no fingerprint is pinned'};
}

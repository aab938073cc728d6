// Has the director's keepalived.conf drifted from what we render? Compare sha256 hashes.
import {createHash} from 'node:crypto';
import type {Argv} from '../profile/model.js';
import {registerReadOnlyScript} from '../transport/read-only.js';

/**
 * Prints `missing` when "$1" does not exist, else its sha256 in hex. Hashing stdin keeps odd file
 * names out of sha256sum's output (it escapes them); the path only arrives as "$1".
 */
export const REMOTE_FILE_HASH_SCRIPT = registerReadOnlyScript(
	[
		'if [ ! -e "$1" ]; then echo missing; exit 0; fi',
		'h=$(sha256sum < "$1") || exit 1',
		'echo "${h%% *}"',
	].join('\n'),
);

/** sha256 of a remote file, or `missing`. */
export function remoteFileHashCommand(path: string): Argv {
	return ['sh', '-c', REMOTE_FILE_HASH_SCRIPT, 'lvsdeck-probe', path];
}

/** Output of remoteFileHashCommand. `exists` is false for `missing` and for unreadable output. */
export function parseRemoteFileHash(text: string): {exists: boolean; sha256?: string; problems: string[]} {
	const t = typeof text === 'string' ? text.trim() : '';
	if (t === 'missing') return {exists: false, problems: []};
	if (/^[0-9a-f]{64}$/i.test(t)) return {exists: true, sha256: t.toLowerCase(), problems: []};
	return {exists: false, problems: [t === '' ? 'no hash in the output' : 'output is neither "missing" nor a sha256 hex digest']};
}

/** sha256 (hex) of a string as UTF-8, to compare with the remote hash of the rendered config. */
export function sha256Hex(text: string): string {
	return createHash('sha256').update(text, 'utf8').digest('hex');
}

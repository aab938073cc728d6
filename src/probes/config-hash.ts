// Has the director's keepalived.conf drifted from what we render? The director snapshot hashes the
// installed file (see director-snapshot.ts); this hashes what we render, the same way.
import {createHash} from 'node:crypto';

/** sha256 (hex) of a string as UTF-8, to compare with the remote hash of the rendered config. */
export function sha256Hex(text: string): string {
	return createHash('sha256').update(text, 'utf8').digest('hex');
}

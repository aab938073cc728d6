// What each director's keepalived can do (version, dump kind, signal numbers) asked once and kept in
// the state folder, so that a new `lvsdeck status` does not run the keepalived binary two more times per
// director before its first read. An entry holds for one host (user, address, port) and is valid only
// while the host shows the same host key and the same keepalived binary (path, size, mtime, inode, as
// the director snapshot prints them); the poller checks both and asks again when either differs.
// Unreadable or malformed entries count as missing; failing to write one only costs the next run time.
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import type {Host} from '../profile/model.js';
import type {KeepalivedCapabilities} from '../probes/keepalived-caps.js';
import {stateDir, writeStateFile} from '../text/state-dir.js';

export interface CachedCapabilities {
	/** SHA256 fingerprint of the host key the capabilities were asked over. */
	readonly hostKey: string;
	/** The keepalived binary (`PATH SIZE MTIME INODE`), null when the host had none. */
	readonly binary: string | null;
	readonly caps: KeepalivedCapabilities;
}

/** LVSDECK_CACHE_DIR, else the state folder's keepalived-caps. */
export function defaultCapabilityCacheDir(env: NodeJS.ProcessEnv = process.env): string {
	return env['LVSDECK_CACHE_DIR'] || stateDir('keepalived-caps', env);
}

/** One file per host, named by a hash of where it is reached (a host name is only the profile's label). */
function entryName(host: Host): string {
	const where = `${host.ssh.user}@${host.ssh.hostName}:${host.ssh.port}`;
	return `${createHash('sha256').update(where).digest('hex').slice(0, 32)}.json`;
}

const isText = (v: unknown): v is string => typeof v === 'string';

/** Enough shape to trust an entry: anything else in it came from lvsdeck itself. */
function isEntry(v: unknown): v is CachedCapabilities {
	if (typeof v !== 'object' || v === null) return false;
	const e = v as Record<string, unknown>;
	const caps = e['caps'] as Record<string, unknown> | undefined;
	const dump = caps?.['dump'] as Record<string, unknown> | undefined;
	return (
		isText(e['hostKey']) &&
		(isText(e['binary']) || e['binary'] === null) &&
		typeof caps === 'object' &&
		caps !== null &&
		(isText(caps['version']) || caps['version'] === null) &&
		typeof caps['features'] === 'object' &&
		isText(caps['pidFile']) &&
		isText(caps['vrrpPidFile']) &&
		typeof dump === 'object' &&
		dump !== null &&
		(dump['kind'] === 'none' ? isText(dump['why']) : (dump['kind'] === 'json' || dump['kind'] === 'data') && Number.isInteger(dump['signal']))
	);
}

export class CapabilityCache {
	constructor(private readonly dir: string = defaultCapabilityCacheDir()) {}

	/** The entry for `host`, whatever its key: the caller checks it against what the host shows. */
	read(host: Host): CachedCapabilities | undefined {
		try {
			const value: unknown = JSON.parse(readFileSync(path.join(this.dir, entryName(host)), 'utf8'));
			return isEntry(value) ? value : undefined;
		} catch {
			return undefined;
		}
	}

	/** Replaces the entry for `host` (written whole, then renamed into place). */
	write(host: Host, entry: CachedCapabilities): void {
		try {
			writeStateFile(path.join(this.dir, entryName(host)), entry);
		} catch {
			// A cache that cannot be written only means asking again next time.
		}
	}
}

// Where `status` connected last time, kept per profile file, so that the next run opens its TCP
// connections right after reading its arguments: before it loads the YAML and schema libraries and
// validates the profile, which is most of its start (issue 16: start to first handshake).
// A hint is used only where it is certain to be what the profile says: the profile file must be byte
// for byte the one the hint was taken from (its SHA-256), and only hosts whose address and port come
// from that file alone are in it (not through ~/.ssh/config, not behind a jump host). A profile with a
// station namespace is hinted only inside that namespace (the run that re-executes itself there).
// What the profile then resolves to is checked against each socket (early-connect.ts takeMatching);
// a hint that is missing, unreadable or stale costs only the time it would have saved.
// Each hint also holds what the key exchange needs (user, host key algorithms, keepalive), so the
// preconnected sockets begin it as soon as ssh2 is loaded, while the profile still loads; the pool
// adopts such a handshake only if its own settings for the host are the same, and checks the host key
// itself before anything more is sent (early-handshake.ts).
import {createHash} from 'node:crypto';
import {readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import type {Profile} from '../profile/model.js';
import {stateDir, writeStateFile} from '../text/state-dir.js';
import {connectTargets, openEarlySockets, type ConnectTarget, type EarlySockets} from './early-connect.js';
import {handshakeSettings, type HandshakeSettings} from './early-handshake.js';
import {knownHostView} from './host-key-algorithms.js';
import {isInNetns} from './netns.js';

/** A profile larger than this is not hashed before loading (the loader refuses far smaller ones). */
const MAX_HINTED_BYTES = 1 << 20;

export interface ConnectHints {
	readonly version: 2;
	/** SHA-256 of the profile's text the targets were resolved from. */
	readonly profileSha256: string;
	readonly stationNetns: string | null;
	readonly targets: readonly ConnectTarget[];
}

export function hintsFile(profileFile: string, env: NodeJS.ProcessEnv = process.env): string {
	const key = createHash('sha256').update(path.resolve(profileFile)).digest('hex').slice(0, 32);
	return path.join(stateDir('connect-hints', env), `${key}.json`);
}

export function textSha256(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}

/** The hosts whose address and port the profile file alone decides, with their handshake settings. */
export function hintedTargets(profile: Profile): ConnectTarget[] {
	const hosts = profile.hosts.filter((h) => h.ssh.configAlias === undefined);
	return connectTargets(hosts, (h) => handshakeSettings(h, knownHostView(h).algorithms));
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function isHandshake(v: unknown): v is HandshakeSettings {
	const h = v as Record<string, unknown>;
	return typeof v === 'object' && v !== null && typeof h['user'] === 'string' && isStringArray(h['serverHostKey']) && Number.isInteger(h['keepaliveIntervalMs']);
}

function isTarget(v: unknown): v is ConnectTarget {
	const t = v as Record<string, unknown>;
	return typeof v === 'object' && v !== null && typeof t['host'] === 'string' && typeof t['address'] === 'string' && Number.isInteger(t['port']) && (t['handshake'] === undefined || isHandshake(t['handshake']));
}

function isHints(v: unknown): v is ConnectHints {
	const h = v as Record<string, unknown>;
	return (
		typeof v === 'object' &&
		v !== null &&
		h['version'] === 2 &&
		typeof h['profileSha256'] === 'string' &&
		(h['stationNetns'] === null || typeof h['stationNetns'] === 'string') &&
		Array.isArray(h['targets']) &&
		h['targets'].every(isTarget)
	);
}

/** Hints open connections before anything is validated: only a file of this user's that no one else may write counts. */
function ownFile(file: string): boolean {
	const st = statSync(file);
	return st.isFile() && (process.getuid === undefined || st.uid === process.getuid()) && (st.mode & 0o022) === 0;
}

export function readConnectHints(profileFile: string, env: NodeJS.ProcessEnv = process.env): ConnectHints | undefined {
	try {
		const file = hintsFile(profileFile, env);
		if (!ownFile(file)) return undefined;
		const hints: unknown = JSON.parse(readFileSync(file, 'utf8'));
		return isHints(hints) ? hints : undefined;
	} catch {
		return undefined;
	}
}

/** The hints' targets when they hold for the profile file as it is now, here; else undefined. */
export function validTargets(profileFile: string, hints: ConnectHints): readonly ConnectTarget[] | undefined {
	if (hints.stationNetns !== null && !isInNetns(hints.stationNetns)) return undefined;
	try {
		if (statSync(profileFile).size > MAX_HINTED_BYTES) return undefined;
		return textSha256(readFileSync(profileFile, 'utf8')) === hints.profileSha256 ? hints.targets : undefined;
	} catch {
		return undefined;
	}
}

/** Sockets opened from the hints, waiting for the command that loads the same profile. */
let preconnected: {readonly file: string; readonly sockets: EarlySockets} | undefined;

/**
 * Open the connections the profile's hints name, if they hold, and begin their key exchange once ssh2
 * is loaded; resolves once they have begun (or there was nothing to begin). Only the first call that
 * opens any does anything (cli.ts calls it before the program loads, main again as `status` runs).
 */
export function preconnect(profileFile: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
	if (preconnected) return Promise.resolve();
	const hints = readConnectHints(profileFile, env);
	const targets = hints && validTargets(profileFile, hints);
	if (!targets || targets.length === 0) return Promise.resolve();
	const sockets = openEarlySockets(targets);
	preconnected = {file: path.resolve(profileFile), sockets};
	// What was taken over by then is begun on in its new holder, or by the pool as usual.
	return import('ssh2').then(({Client}) => sockets.beginHandshakes(Client)).catch(() => undefined);
}

/** What `preconnect` opened for this profile file (once), else undefined. */
export function takePreconnected(profileFile: string): EarlySockets | undefined {
	const taken = preconnected;
	if (!taken) return undefined;
	preconnected = undefined;
	if (taken.file === path.resolve(profileFile)) return taken.sockets;
	taken.sockets.close();
	return undefined;
}

/**
 * The profile's early sockets: the preconnected ones that go where the profile says, new ones for the
 * rest; and the hints kept for the next run when they changed (a failure to write them costs only time).
 */
export function earlySocketsFor(profile: Profile, text: string, env: NodeJS.ProcessEnv = process.env): EarlySockets {
	const sockets = openEarlySockets(connectTargets(profile.hosts), takePreconnected(profile.file));
	const hints: ConnectHints = {version: 2, profileSha256: textSha256(text), stationNetns: profile.stationNetns ?? null, targets: hintedTargets(profile)};
	if (JSON.stringify(readConnectHints(profile.file, env)) !== JSON.stringify(hints)) {
		try {
			writeStateFile(hintsFile(profile.file, env), hints);
		} catch {
			// Not kept: the next run connects after loading its profile, as without hints.
		}
	}
	return sockets;
}

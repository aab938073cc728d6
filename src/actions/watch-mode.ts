// What the watcher speaks to a virtual service and how it names the backend that answered. The mode is
// the scheme of the watcher's target: http://VIP:PORT/PATH, tcp://VIP:PORT, udp://VIP:PORT, so every
// traffic source, drill and report carries one string.
import {isIPv6} from 'node:net';
import type {VirtualServer} from '../profile/model.js';
import {sendTextProblem} from '../text/send-text.js';

export const WATCH_MODES = ['http', 'tcp', 'udp'] as const;
export type WatchMode = (typeof WATCH_MODES)[number];

/** Where the backend's name comes from: the answer's text, or the director's connection table. */
export const BACKEND_SOURCES = ['answer', 'table'] as const;
export type BackendSource = (typeof BACKEND_SOURCES)[number];

/** Ports that speak HTTP when the profile's checks don't say: the common plain-HTTP ones. */
const HTTP_PORTS = new Set([80, 8000, 8008, 8080, 8081, 8888]);

/**
 * The mode a service is watched in when the operator names none: a UDP service gets datagrams; a TCP
 * service gets HTTP when keepalived checks it with HTTP_GET (it speaks HTTP), when its port is a common
 * plain-HTTP port, or when no real server has a check to say otherwise (HTTP was the only mode
 * before); a TCP service checked some other way (TCP_CHECK: a database, a mail server, a TLS port) on
 * another port gets a plain connect (tcp).
 */
export function defaultWatchMode(vs: VirtualServer): WatchMode {
	if (vs.protocol === 'UDP') return 'udp';
	const checks = vs.realServers.map((r) => r.check.type).filter((t) => t !== 'none');
	if (checks.includes('HTTP_GET') || HTTP_PORTS.has(vs.port) || checks.length === 0) return 'http';
	return 'tcp';
}

export class WatchModeError extends Error {}

/** The mode the operator asked for, checked against the service's protocol. */
export function watchModeFor(vs: VirtualServer, asked: string | undefined): WatchMode {
	if (asked === undefined) return defaultWatchMode(vs);
	if (!(WATCH_MODES as readonly string[]).includes(asked)) throw new WatchModeError(`--mode ${asked}: expected one of ${WATCH_MODES.join(', ')}`);
	const mode = asked as WatchMode;
	if ((mode === 'udp') !== (vs.protocol === 'UDP')) throw new WatchModeError(`--mode ${mode}: ${vs.vip}:${vs.port} is a ${vs.protocol} service`);
	return mode;
}

/**
 * Where the backend's name comes from unless the operator says: HTTP answers name it (the lab's
 * servers and most health pages do; `--pattern` finds it elsewhere in the body); a TCP or UDP answer
 * usually does not (a database greeting), so those read the director's connection table, unless a
 * pattern says where the answer has it.
 */
export function defaultBackendSource(mode: WatchMode, pattern: boolean): BackendSource {
	return mode === 'http' || pattern ? 'answer' : 'table';
}

export function backendSourceFor(mode: WatchMode, asked: string | undefined, pattern: boolean): BackendSource {
	if (asked === undefined) return defaultBackendSource(mode, pattern);
	if (!(BACKEND_SOURCES as readonly string[]).includes(asked)) throw new WatchModeError(`--backend ${asked}: expected one of ${BACKEND_SOURCES.join(', ')}`);
	return asked as BackendSource;
}

/** An address as a URL host: IPv6 in brackets. */
export function urlHost(address: string): string {
	return isIPv6(address) ? `[${address}]` : address;
}

/** The watcher's target for a service in a mode; `path` only for http. */
export function watchUrl(vs: VirtualServer, mode: WatchMode = defaultWatchMode(vs), path = '/'): string {
	const base = `${mode}://${urlHost(vs.vip)}:${vs.port}`;
	return mode === 'http' ? `${base}${path}` : base;
}

export interface SocketTarget {
	readonly mode: 'tcp' | 'udp';
	readonly host: string;
	readonly port: number;
}

/** A tcp:// or udp:// target's parts; undefined for anything else (http is the HTTP watcher's). */
export function socketTarget(url: string): SocketTarget | undefined {
	const m = /^(tcp|udp):\/\/(?:\[([0-9A-Fa-f:.]+)\]|([^/:[\]]+)):(\d{1,5})\/?$/.exec(url);
	if (!m) return undefined;
	const port = Number(m[4]);
	if (port < 1 || port > 65535) return undefined;
	return {mode: m[1] as 'tcp' | 'udp', host: m[2] ?? m[3]!, port};
}

/** What a UDP watcher sends when the operator gives nothing: a datagram must carry something. */
export const DEFAULT_UDP_PAYLOAD = 'lvsdeck\\n';

export {decodeSendText, MAX_SEND_LENGTH} from '../text/send-text.js';

/** `--send` text: printable ASCII with the escapes \n, \r, \t and \\ (text/send-text.ts). */
export function checkSendText(text: string): void {
	const problem = sendTextProblem(text);
	if (problem !== undefined) throw new WatchModeError(`--send: ${problem}`);
}

// One pooled ssh2 connection per host: strict host keys, keepalive, connect timeout, reconnect with
// exponential backoff and jitter, a cap on concurrent channels, per-command timeouts, jump hosts.
import {Client, type AnyAuthMethod, type ClientChannel, type ConnectConfig, type ParsedKey, type ServerHostKeyAlgorithm} from 'ssh2';
import type {Duplex} from 'node:stream';
import {connect as netConnect, type Socket} from 'node:net';
import type {Host} from '../profile/model.js';
import {verifyHostKey, type HostKeyVerdict} from './known-hosts.js';
import {hostKeyOffer, knownHostView, type KnownHostView} from './host-key-algorithms.js';
import {describeJumpLoop, findJumpLoop} from '../profile/jumps.js';
import {ADDRESS_UNKNOWN} from '../profile/conf-extras.js';
import {shellJoin} from './quote.js';
import {isReadOnlyCommand} from './read-only.js';
import {needsRoot, sudoArgv, sudoRefusal, sudoRefusalMessage} from './sudo.js';
import {TransportError, type ConnState, type ExecOptions, type ExecResult, type HostStatus, type Transport} from './types.js';
import {LineSplitter} from './line-splitter.js';
import {OutputCollector, outputLimitError} from './output-limit.js';
import type {EarlySockets} from './early-connect.js';
import {handshakeSettings, type EarlyHandshake} from './early-handshake.js';
import {sshHandshakes} from './handshake-gate.js';
import {IdentityKeys} from './identity-keys.js';

export interface SshPoolOptions {
	/** Extra trusted fingerprints per host name (from --trust-host-key). */
	readonly trust?: Readonly<Record<string, readonly string[]>>;
	readonly backoffBaseMs?: number;
	readonly backoffMaxMs?: number;
	/** Diagnostic lines (never contain secrets). */
	readonly log?: (line: string) => void;
	/** TCP connections opened before the pool existed (early-connect.ts): each host's first handshake uses its own. */
	readonly early?: EarlySockets;
}

interface Link {
	readonly host: Host;
	client?: Client;
	/** The client of a handshake in progress (destroyed on close). */
	pending?: Client;
	/** Aborts a connection attempt still opening its TCP connection or waiting for a handshake turn (on close). */
	opening?: AbortController;
	connecting?: Promise<Client>;
	state: ConnState;
	since: number;
	lastError?: string;
	nextAttemptAt?: number;
	failures: number;
	active: number;
	readonly waiters: Array<() => void>;
	/** Fingerprint of the host key accepted for `client`. */
	hostKey?: string;
	/** The status last reported (status() gives it again while nothing in it changed). */
	status?: HostStatus;
}

/**
 * A link with every field present from the start, and fields cleared by setting them undefined rather
 * than deleting them: a deleted property turns an object into a dictionary, several times its size,
 * and a fleet holds thousands of links.
 */
function newLink(host: Host): Link {
	return {host, client: undefined, pending: undefined, opening: undefined, connecting: undefined, state: 'idle', since: Date.now(), lastError: undefined, nextAttemptAt: undefined, failures: 0, active: 0, waiters: [], hostKey: undefined, status: undefined};
}

export class SshPool implements Transport {
	private readonly links = new Map<string, Link>();
	private readonly listeners = new Set<(s: HostStatus) => void>();
	private readonly identities = new IdentityKeys();
	private closed = false;

	constructor(
		hosts: readonly Host[],
		private readonly options: SshPoolOptions = {},
	) {
		for (const host of hosts) {
			this.links.set(host.name, newLink(host));
		}
		// A loop would make each connection wait for itself (profiles are checked at load; hosts may come from elsewhere).
		const loop = findJumpLoop(this.links.keys(), (name) => this.links.get(name)?.host.ssh.jump);
		if (loop) throw new Error(`jump hosts form a loop: ${describeJumpLoop(loop)}`);
	}

	hostKey(host: string): string | undefined {
		const link = this.links.get(host);
		return link?.client && link.state === 'ready' ? link.hostKey : undefined;
	}

	status(host: string): HostStatus {
		const link = this.links.get(host);
		if (!link) return {host, state: 'closed', lastError: 'not in profile', since: 0};
		const nextAttemptAt = link.nextAttemptAt && link.state === 'retrying' ? link.nextAttemptAt : undefined;
		// Every poll asks; an unchanged link gives the status it gave last (a fleet polls thousands of hosts a second).
		const last = link.status;
		if (last && last.state === link.state && last.since === link.since && last.lastError === (link.lastError || undefined) && last.nextAttemptAt === nextAttemptAt) return last;
		return (link.status = {
			host,
			state: link.state,
			since: link.since,
			...(link.lastError ? {lastError: link.lastError} : {}),
			...(nextAttemptAt ? {nextAttemptAt} : {}),
		});
	}

	onStatus(listener: (s: HostStatus) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private setState(link: Link, state: ConnState, error?: string): void {
		const changed = link.state !== state || link.lastError !== error;
		link.state = state;
		if (error === undefined) link.lastError = undefined;
		else link.lastError = error;
		if (changed) {
			link.since = Date.now();
			const s = this.status(link.host.name);
			for (const l of this.listeners) l(s);
		}
	}

	private backoff(link: Link, error: string): void {
		link.failures++;
		const base = this.options.backoffBaseMs ?? 500;
		const max = this.options.backoffMaxMs ?? 30_000;
		const delay = Math.min(max, base * 2 ** (link.failures - 1)) * (0.5 + Math.random() * 0.5);
		link.nextAttemptAt = Date.now() + delay;
		this.setState(link, 'retrying', error);
	}

	/** Forget a permanent failure (auth, host key) so the next command tries again. */
	reset(host: string): void {
		const link = this.links.get(host);
		if (!link) return;
		link.failures = 0;
		link.nextAttemptAt = undefined;
		if (link.state === 'auth-failed' || link.state === 'hostkey-refused' || link.state === 'retrying') this.setState(link, 'idle');
	}

	private async client(link: Link): Promise<Client> {
		if (this.closed) throw new TransportError('closed', link.host.name, 'the connection pool is closed');
		if (link.client && link.state === 'ready') return link.client;
		if (link.connecting) return link.connecting;
		const name = link.host.name;
		if (link.host.ssh.hostName === ADDRESS_UNKNOWN) throw new TransportError('unknown-host', name, `${name}: its address is unknown in the profile (hosts.${name}.address); set it first`);
		if (link.state === 'auth-failed') throw new TransportError('auth', name, `${name}: ${link.lastError ?? 'authentication failed'}`);
		if (link.state === 'hostkey-refused') throw new TransportError('hostkey', name, `${name}: ${link.lastError ?? 'host key refused'}`);
		if (link.state === 'retrying' && link.nextAttemptAt !== undefined && Date.now() < link.nextAttemptAt) {
			const inSec = ((link.nextAttemptAt - Date.now()) / 1000).toFixed(1);
			throw new TransportError('unreachable', name, `${name}: ${link.lastError ?? 'unreachable'} (retrying in ${inSec}s)`);
		}
		link.connecting = this.connect(link).finally(() => {
			link.connecting = undefined;
		});
		return link.connecting;
	}

	private async openSock(link: Link): Promise<Duplex | undefined> {
		const jump = link.host.ssh.jump;
		if (!jump) return undefined;
		const jumpLink = this.links.get(jump);
		if (!jumpLink) throw new TransportError('unknown-host', link.host.name, `${link.host.name}: jump host ${jump} is not in the profile`);
		const jumpClient = await this.client(jumpLink);
		const {hostName, port} = link.host.ssh;
		return new Promise<Duplex>((resolve, reject) => {
			jumpClient.forwardOut('127.0.0.1', 0, hostName, port, (err, stream) => {
				if (err) reject(new TransportError('unreachable', link.host.name, `${link.host.name}: via ${jump}: ${err.message}`));
				else resolve(stream);
			});
		});
	}

	private connect(link: Link): Promise<Client> {
		const {host} = link;
		const ssh = host.ssh;
		this.setState(link, 'connecting', link.lastError);
		return new Promise<Client>((resolve, reject) => {
			let verdict: HostKeyVerdict | undefined;
			let settled = false;
			const known = knownHostView(host);
			const config = this.connectConfig(host, known, (v) => (verdict = v));
			const adopted = config && !ssh.jump ? this.adoptHandshake(host, config, known.algorithms) : undefined;
			const client = adopted?.client ?? new Client();
			link.pending = client;
			// ssh2's own handshake timer is not set on an adopted client (early-handshake.ts): this one stands in.
			const readyTimer = adopted && ssh.connectTimeoutMs > 0 ? setTimeout(() => fail('retrying', 'unreachable', 'Timed out while waiting for handshake'), ssh.connectTimeoutMs) : undefined;
			// Set while this handshake holds one of the process's handshake turns (handshake-gate.ts).
			let leaveGate: (() => void) | undefined;
			const fail = (state: ConnState, kind: TransportError['kind'], message: string) => {
				if (settled) return;
				settled = true;
				clearTimeout(readyTimer);
				leaveGate?.();
				if (link.pending === client) link.pending = undefined;
				client.destroy();
				// after close() the host stays 'closed' (close() destroys handshakes, which land here)
				if (this.closed) this.setState(link, 'closed');
				else if (state === 'retrying') this.backoff(link, message);
				else this.setState(link, state, message);
				reject(new TransportError(kind, host.name, `${host.name}: ${message}`));
			};
			client.on('ready', () => {
				if (settled) return;
				settled = true;
				clearTimeout(readyTimer);
				leaveGate?.();
				if (link.pending === client) link.pending = undefined;
				link.client = client;
				// Without it, Nagle holds a small packet (a channel's exec request or EOF) until the host
				// acknowledges the one before, which a host's delayed ACK can put off by 40 ms: every command.
				client.setNoDelay(true);
				if (verdict?.ok) link.hostKey = verdict.fingerprint;
				link.failures = 0;
				link.nextAttemptAt = undefined;
				this.setState(link, 'ready');
				resolve(client);
			});
			client.on('error', (err: Error & {level?: string}) => {
				if (verdict && !verdict.ok) {
					fail('hostkey-refused', 'hostkey', refusal(host.name, verdict));
					return;
				}
				if (err.level === 'client-authentication') {
					fail('auth-failed', 'auth', `authentication failed as ${ssh.user} (${err.message})`);
					return;
				}
				if (!settled) fail('retrying', 'unreachable', oneLine(err.message));
				else this.dropped(link, client, oneLine(err.message));
			});
			client.on('close', () => {
				if (!settled) fail('retrying', 'unreachable', 'connection closed during handshake');
				else this.dropped(link, client, 'connection closed');
			});
			if (!config) {
				fail('auth-failed', 'auth', `no usable identity file (${ssh.identityFiles.join(', ') || 'none set'}) and no ssh-agent`);
				return;
			}
			if (adopted) {
				// Adopted only without a key given as read (adoptHandshake): the config holds its methods' list.
				adopted.proceed(config.hostVerifier as (key: Buffer) => boolean, config.authHandler as AnyAuthMethod[]);
				return;
			}
			const early = ssh.jump ? undefined : this.options.early?.take(host.name);
			if (early) {
				config.sock = early;
				client.connect(config);
				return;
			}
			this.connectInTurn(link, client, config, () => settled, (leave) => (leaveGate = leave), (message) => fail('retrying', 'unreachable', message));
		});
	}

	/**
	 * Opens `client`'s connection once its transport is there (a TCP connection of its own, or a channel
	 * through the jump host) and the process's handshake gate gives it a turn (handshake-gate.ts). The
	 * turn is taken only after TCP connects, so hosts that do not answer never hold one while reachable
	 * ones wait. `onTurn` gets the function that gives the turn back, which the caller calls when the
	 * handshake settles; `over` says the attempt already ended.
	 */
	private connectInTurn(link: Link, client: Client, config: ConnectConfig, over: () => boolean, onTurn: (leave: () => void) => void, fail: (message: string) => void): void {
		const {ssh} = link.host;
		const opening = new AbortController();
		link.opening = opening;
		const transport = ssh.jump ? this.openSock(link) : tcpConnection(ssh.hostName, ssh.port, ssh.connectTimeoutMs, opening.signal);
		transport
			.then(async (sock) => {
				if (over()) return void sock?.destroy();
				const leave = await sshHandshakes.enter(opening.signal).catch((error: unknown) => (sock?.destroy(), Promise.reject(error)));
				const lost = sock?.destroyed === true;
				if (over() || this.closed || lost) {
					leave();
					sock?.destroy();
					fail(lost ? 'connection closed during handshake' : 'the connection pool is closed');
					return;
				}
				if (sock) config.sock = sock;
				onTurn(leave);
				client.connect(config);
			})
			.catch((error: unknown) => fail(error instanceof Error ? error.message.replace(`${link.host.name}: `, '') : String(error)))
			.finally(() => {
				if (link.opening === opening) link.opening = undefined;
			});
	}

	/**
	 * The key exchange begun for `host` before the profile loaded (connect hints), if it was begun with
	 * exactly these settings and the identity file is one ssh2 can use (else the fresh connection reports
	 * why, as always).
	 */
	private adoptHandshake(host: Host, config: ConnectConfig, serverHostKey: readonly ServerHostKeyAlgorithm[]): EarlyHandshake | undefined {
		const early = this.options.early;
		if (!early) return undefined;
		// A key given as read is one ssh2 cannot use (identity-keys.ts): the fresh connection says why.
		if (config.privateKey) return undefined;
		return early.takeHandshake(host.name, handshakeSettings(host, serverHostKey));
	}

	/** ssh2's settings for `host`, the host key check reporting its verdict; undefined without an identity or agent. */
	private connectConfig(host: Link['host'], {names, entries, algorithms}: KnownHostView, onVerdict: (verdict: HostKeyVerdict) => void): ConnectConfig | undefined {
		const ssh = host.ssh;
		const config: ConnectConfig = {
			host: ssh.hostName,
			port: ssh.port,
			username: ssh.user,
			readyTimeout: ssh.connectTimeoutMs,
			keepaliveInterval: ssh.keepaliveIntervalMs,
			keepaliveCountMax: 3,
			// Like OpenSSH, ask first for the key types known_hosts records for this host, so a server
			// with several keys shows the one we can check.
			...hostKeyOffer(algorithms),
			hostVerifier: (key: Buffer) => {
				const trust = this.options.trust;
				// Own keys only: a host named "toString" must not find Object.prototype's.
				const pinned = [...ssh.fingerprints, ...(trust && Object.hasOwn(trust, host.name) ? (trust[host.name] ?? []) : [])];
				const verdict = verifyHostKey(key, names, entries, pinned);
				onVerdict(verdict);
				return verdict.ok;
			},
		};
		const identity = this.identities.first(ssh.identityFiles);
		if (ssh.agent) config.agent = ssh.agent;
		// A key ssh2 cannot use goes in as read, for ssh2 to say why. Otherwise ssh2 gets the methods to try,
		// the parsed key among them (given a key's text in privateKey, ssh2 parses it per connection).
		if (identity?.raw) config.privateKey = identity.raw;
		else config.authHandler = authMethods(ssh.user, identity?.parsed, ssh.agent);
		return identity || ssh.agent ? config : undefined;
	}

	private dropped(link: Link, client: Client, why: string): void {
		if (link.client !== client) return;
		link.client = undefined;
		if (this.closed) return;
		// Reconnect on the next command; only repeated failures back off.
		link.nextAttemptAt = Date.now();
		this.setState(link, 'retrying', why);
	}

	private async acquire(link: Link, signal: AbortSignal): Promise<void> {
		const cap = link.host.ssh.maxChannels;
		while (link.active >= cap) {
			if (signal.aborted) break;
			await new Promise<void>((resolve) => {
				// An aborted waiter leaves the queue, so release() never hands its wake-up to a dead command.
				const wake = () => {
					signal.removeEventListener('abort', onAbort);
					resolve();
				};
				const onAbort = () => {
					const i = link.waiters.indexOf(wake);
					if (i >= 0) link.waiters.splice(i, 1);
					resolve();
				};
				link.waiters.push(wake);
				signal.addEventListener('abort', onAbort, {once: true});
			});
		}
		// Checked after the loop too: an abort that races a free slot must not send the command.
		if (signal.aborted) throw new TransportError('aborted', link.host.name, `${link.host.name}: aborted while waiting for a channel`);
		link.active++;
	}

	private release(link: Link): void {
		link.active--;
		link.waiters.shift()?.();
	}

	/**
	 * The handshake is bounded by the host's connect timeout; the command timeout starts once the
	 * connection is up (it covers waiting for a free channel and the command itself).
	 */
	async exec(hostName: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
		const link = this.links.get(hostName);
		if (!link) throw new TransportError('unknown-host', hostName, `${hostName} is not a host in this profile`);
		try {
			return await this.execOnce(link, argv, options);
		} catch (error) {
			// The connection died before the command's channel opened: a new connection gets one more try
			// for commands that are safe to send twice (the first may have started in the last instant).
			const dropped = error instanceof TransportError && error.kind === 'closed' && !options.signal?.aborted;
			if (!dropped || !(options.resendIfDropped ?? isReadOnlyCommand(argv))) throw error;
			return this.execOnce(link, argv, options);
		}
	}

	private async execOnce(link: Link, argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
		const hostName = link.host.name;
		const started = Date.now();
		const client = await raceAbort(this.client(link), options.signal, hostName);
		const timeoutMs = options.timeoutMs ?? link.host.ssh.commandTimeoutMs;
		let timedOut = false;
		// A command without a timeout (a stream's, held for good) ends only by the caller's signal: it needs
		// no signal of its own (at 2,200 streamed hosts, each an AbortSignal with its listener tables kept).
		const local = timeoutMs > 0 || !options.signal ? new AbortController() : undefined;
		const signal = local?.signal ?? options.signal!;
		const timer = local && timeoutMs > 0 ? setTimeout(() => ((timedOut = true), local.abort()), timeoutMs) : undefined;
		const onAbort = () => local?.abort();
		if (local) options.signal?.addEventListener('abort', onAbort, {once: true});
		if (options.signal?.aborted) local?.abort();
		try {
			await this.acquire(link, signal);
			try {
				const viaSudo = link.host.ssh.sudo && needsRoot(argv);
				const command = shellJoin(viaSudo ? sudoArgv(argv) : argv);
				const result = await runChannel(client, command, {host: hostName, options, signal, timedOut: () => timedOut, started, argv});
				const refusal = viaSudo ? sudoRefusal(result.code, result.stderr) : undefined;
				// sudo's own refusal is not the command's failure: say which host, what, and the fix.
				if (refusal) throw new TransportError('sudo', hostName, sudoRefusalMessage(hostName, link.host.ssh.user, refusal, argv));
				return result;
			} finally {
				this.release(link);
			}
		} catch (error) {
			if (error instanceof TransportError && error.kind === 'aborted') {
				return stoppedResult(timedOut, started);
			}
			throw error;
		} finally {
			if (timer) clearTimeout(timer);
			if (local) options.signal?.removeEventListener('abort', onAbort);
		}
	}

	async close(): Promise<void> {
		this.closed = true;
		this.options.early?.close();
		for (const link of this.links.values()) {
			link.client?.end();
			link.opening?.abort(new Error('the connection pool is closed'));
			link.pending?.destroy();
			link.client = undefined;
			link.pending = undefined;
			this.setState(link, 'closed');
		}
	}
}

/**
 * A TCP connection to a host's SSH port, or why there is none: its error, or no connection within
 * `timeoutMs` (said as ssh2 says a connect timeout). An error while it waits for its handshake turn
 * destroys it, which the caller sees.
 */
function tcpConnection(hostName: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<Socket> {
	return new Promise((resolve, reject) => {
		const socket = netConnect({host: hostName, port});
		const timer = timeoutMs > 0 ? setTimeout(() => (socket.destroy(), reject(new Error('Timed out while waiting for handshake'))), timeoutMs) : undefined;
		const onAbort = () => (clearTimeout(timer), socket.destroy(), reject(signal.reason));
		signal.addEventListener('abort', onAbort, {once: true});
		socket.on('error', (error) => (clearTimeout(timer), reject(error)));
		socket.once('connect', () => (clearTimeout(timer), signal.removeEventListener('abort', onAbort), resolve(socket)));
	});
}

/** Why a host key was refused, and what the operator can do about it. */
function refusal(hostName: string, verdict: Extract<HostKeyVerdict, {ok: false}>): string {
	switch (verdict.reason) {
		case 'unknown':
			return `host key ${verdict.fingerprint} is not known (${verdict.detail}); to trust it, pin it in the profile (ssh.host_key_fingerprints: ["${verdict.fingerprint}"]) or pass --trust-host-key ${hostName}=${verdict.fingerprint}`;
		case 'type-differs':
			return `host key REFUSED: ${verdict.detail}; the server presented ${verdict.fingerprint}; if the host really has a new key, check it and add it to known_hosts (a pinned fingerprint does not override known_hosts)`;
		default:
			return `host key REFUSED: the server presented ${verdict.fingerprint} and ${verdict.detail} (${verdict.reason}); this may be a man-in-the-middle, fix known_hosts only if the change is expected (a pinned fingerprint or --trust-host-key does not override it)`;
	}
}

function oneLine(text: string): string {
	return text.split('\n')[0]!.trim();
}

/** The methods ssh2 would try by itself, in its order: none, the key, the agent. */
function authMethods(username: string, key: ParsedKey | undefined, agent: string | undefined): AnyAuthMethod[] {
	return [{type: 'none', username}, ...(key ? [{type: 'publickey' as const, username, key}] : []), ...(agent ? [{type: 'agent' as const, username, agent}] : [])];
}

/** Waits for `promise` unless the caller aborts first (the connection attempt itself goes on). */
async function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, host: string): Promise<T> {
	if (!signal) return promise;
	if (signal.aborted) throw new TransportError('aborted', host, `${host}: aborted`);
	return new Promise<T>((resolve, reject) => {
		const onAbort = () => reject(new TransportError('aborted', host, `${host}: aborted while connecting`));
		signal.addEventListener('abort', onAbort, {once: true});
		promise.then(
			(v) => {
				signal.removeEventListener('abort', onAbort);
				resolve(v);
			},
			(e: unknown) => {
				signal.removeEventListener('abort', onAbort);
				reject(e instanceof Error ? e : new Error(String(e)));
			},
		);
	});
}

interface ChannelRun {
	readonly host: string;
	readonly options: ExecOptions;
	readonly signal: AbortSignal;
	readonly timedOut: () => boolean;
	readonly started: number;
	readonly argv: readonly string[];
}

function runChannel(client: Client, command: string, run: ChannelRun): Promise<ExecResult> {
	const {host, signal, timedOut, started} = run;
	return new Promise<ExecResult>((resolve, reject) => {
		const cannotOpen = (err: Error) => reject(new TransportError('closed', host, `${host}: cannot open a channel: ${err.message}`));
		// A busy host can take long to confirm that the command started (it forks the session first), or
		// never confirm it: the timeout and the caller's abort hold from the request on, not only once the
		// channel is open. A channel confirmed after that is closed at once, its command killed.
		let gaveUp = false;
		const giveUp = () => {
			gaveUp = true;
			resolve(stoppedResult(timedOut(), started));
		};
		signal.addEventListener('abort', giveUp, {once: true});
		const onChannel = (err: Error | undefined, stream: ClientChannel): void => {
			signal.removeEventListener('abort', giveUp);
			if (gaveUp) {
				if (!err) closeLate(stream);
			} else if (err) {
				cannotOpen(err);
			} else {
				collectChannel(stream, run).then(resolve, reject);
			}
		};
		try {
			// ssh2 throws "Not connected" at once when the connection died while this command waited for a channel
			client.exec(command, onChannel);
		} catch (error) {
			signal.removeEventListener('abort', giveUp);
			cannotOpen(error instanceof Error ? error : new Error(String(error)));
		}
	});
}

/** The open channel's output and exit status; the signal stops the remote command. */
function collectChannel(stream: ClientChannel, {host, options, signal, timedOut, started, argv}: ChannelRun): Promise<ExecResult> {
	return new Promise<ExecResult>((resolve, reject) => {
		// Streamed stdout goes to the line callback only; everything else is kept up to the limit.
		const out = new OutputCollector(!options.onStdoutLine);
		const errOut = new OutputCollector(true);
		let code: number | null = null;
		let done = false;
		const splitter = options.onStdoutLine ? new LineSplitter(options.onStdoutLine) : undefined;
		const finish = () => {
			if (done) return;
			done = true;
			signal.removeEventListener('abort', stop);
			splitter?.flush();
			if (out.exceeded || errOut.exceeded) {
				reject(outputLimitError(host, argv));
				return;
			}
			const output = {stdout: out.text(), stderr: errOut.text()};
			resolve(signal.aborted ? stoppedResult(timedOut(), started, output) : {code, ...output, timedOut: false, durationMs: Date.now() - started});
		};
		let stopping = false;
		const stop = () => {
			if (stopping) return;
			stopping = true;
			// Stop the remote command: signal it, then close the channel (sshd hangs up the session).
			try {
				signalChannel(stream, 'KILL');
			} catch {
				// some servers refuse signals; closing the channel still ends the session
			}
			stream.close();
			setTimeout(finish, 1000).unref();
		};
		signal.addEventListener('abort', stop, {once: true});
		// an abort that came between the confirmation and here
		if (signal.aborted) stop();
		stream.on('data', (chunk: Buffer) => {
			if (!out.push(chunk)) stop();
			splitter?.push(chunk);
		});
		stream.stderr.on('data', (chunk: Buffer) => {
			if (!errOut.push(chunk)) stop();
		});
		stream.on('exit', (exitCode: number | null) => {
			code = exitCode;
		});
		stream.on('close', finish);
		if (options.stdin !== undefined) stream.end(options.stdin);
		else stream.end();
	});
}

/** A command stopped by its timeout or by the caller's abort (with what it wrote until then). */
function stoppedResult(timedOut: boolean, started: number, output = {stdout: '', stderr: ''}): ExecResult {
	return {code: null, ...output, timedOut, ...(timedOut ? {} : {aborted: true}), durationMs: Date.now() - started};
}

/** A channel confirmed after its command was given up on: kill the command and close it. */
function closeLate(stream: ClientChannel): void {
	try {
		signalChannel(stream, 'KILL');
	} catch {
		// closing the channel still ends the session
	}
	stream.on('error', () => {});
	stream.close();
}

/**
 * Send a signal request on a session channel. ssh2's Channel.signal() silently does nothing once the
 * channel is no longer writable, which is always the case here (stdin is ended as soon as the command
 * starts); SSH allows channel requests after EOF, so send it on the connection's protocol directly.
 */
function signalChannel(stream: ClientChannel, name: string): void {
	const channel = stream as unknown as {
		outgoing?: {id: number; state: string};
		_client?: {_protocol?: {signal?: (id: number, signal: string) => void}};
	};
	const protocol = channel._client?._protocol;
	const state = channel.outgoing?.state;
	if (channel.outgoing && (state === 'open' || state === 'eof') && typeof protocol?.signal === 'function') {
		protocol.signal(channel.outgoing.id, name);
	} else {
		stream.signal(name);
	}
}

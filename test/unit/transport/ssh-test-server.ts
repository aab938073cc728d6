// An in-process SSH server for the transport's unit tests: listens on 127.0.0.1 only (random port),
// has a generated ed25519 host key (and optionally keys of other types), accepts public-key auth for the keys it is given, and answers
// `exec` requests from a small command table. It counts everything the tests assert on: TCP and SSH
// connections, auth attempts, commands, concurrently open channels, signal requests, closed channels
// and forwarded connections (when it acts as a jump host).
import {createHash, createHmac, randomBytes} from 'node:crypto';
import net from 'node:net';
import ssh2, {type Connection, type ParsedKey, type ServerChannel} from 'ssh2';

const {Server, utils} = ssh2;

export interface TestKey {
	/** OpenSSH private key text (what an identity file holds). */
	readonly privateKey: string;
	/** `ssh-ed25519 AAAA...` */
	readonly publicLine: string;
	/** Wire-format public key blob. */
	readonly blob: Buffer;
	/** `SHA256:...` as ssh-keygen -l prints it. */
	readonly fingerprint: string;
	readonly parsed: ParsedKey;
}

export function generateKey(type: 'ed25519' | 'ecdsa' = 'ed25519'): TestKey {
	if (type === 'ecdsa') {
		const pair = utils.generateKeyPairSync('ecdsa', {bits: 256});
		const parsed = utils.parseKey(pair.private);
		if (parsed instanceof Error) throw parsed;
		return toTestKey(pair.private, parsed, parsed.getPublicSSH());
	}
	// ssh2's ed25519 keygen drops a leading zero byte of the public key (about 1 key in 250), which
	// yields a private key its own parser rejects: draw again until the key is well-formed.
	for (;;) {
		const pair = utils.generateKeyPairSync('ed25519');
		const parsed = utils.parseKey(pair.private);
		if (parsed instanceof Error) continue;
		const blob = parsed.getPublicSSH();
		if (blob.length !== 4 + 'ssh-ed25519'.length + 4 + 32) continue;
		return toTestKey(pair.private, parsed, blob);
	}
}

function toTestKey(privateKey: string, parsed: ParsedKey, blob: Buffer): TestKey {
	const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
	return {privateKey, publicLine: `${parsed.type} ${blob.toString('base64')}`, blob, fingerprint, parsed};
}

/** A hashed known_hosts host field (`|1|salt|hmac`) for `name`, as `ssh-keygen -H` writes it. */
export function hashedHostField(name: string): string {
	const salt = randomBytes(20);
	return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

/** What a command does on the server: write output and exit, or keep the channel (return nothing). */
export type CommandHandler = (channel: ServerChannel, server: SshTestServer) => void;

export interface SshTestServerOptions {
	/** Shown by the `whoami-server` command. */
	readonly name?: string;
	readonly hostKey?: TestKey;
	/** More host keys (of other types), offered besides hostKey. */
	readonly extraHostKeys?: readonly TestKey[];
	/** Client keys whose signatures are accepted. */
	readonly authorizedKeys: readonly TestKey[];
	/** Accept `direct-tcpip` requests (act as a jump host) and pipe them to 127.0.0.1 only. */
	readonly allowForwarding?: boolean;
	/** Extra or overriding commands. */
	readonly commands?: Readonly<Record<string, CommandHandler>>;
	/** For commands not in the table (matched by content: scripts, quoted arguments). */
	readonly fallback?: (command: string) => CommandHandler | undefined;
	/** The loopback address to listen on (default 127.0.0.1; any of 127.0.0.0/8 works on Linux). */
	readonly address?: string;
}

function reply(channel: ServerChannel, stdout: string, stderr: string, code: number): void {
	if (stdout) channel.write(stdout);
	if (stderr) channel.stderr.write(stderr);
	channel.exit(code);
	channel.end();
}

export class SshTestServer {
	readonly name: string;
	readonly hostKey: TestKey;
	port = 0;
	/** Accepted TCP connections (ever). */
	tcpConnections = 0;
	/** SSH connections (server 'connection' events, ever). */
	sshConnections = 0;
	/** Authentication requests of any method (including `none`). */
	authAttempts = 0;
	/** Key exchanges completed (a client's first and any re-keying). */
	keyExchanges = 0;
	/** Successful authentications. */
	authenticated = 0;
	acceptAuth = true;
	/** Every exec command line received, in order. */
	readonly commands: string[] = [];
	/** Signal requests received on session channels (e.g. `KILL`), as seen on the wire. */
	readonly signals: string[] = [];
	/** Commands whose channel has been closed. */
	readonly closedChannels: string[] = [];
	/** Session channels open right now, and the most ever open at once. */
	openChannels = 0;
	maxOpenChannels = 0;
	/** Commands whose exec request the server leaves unanswered (until confirmStalled()). */
	readonly unconfirmed = new Set<string>();
	private readonly stalledExecs: Array<{acceptExec: () => ServerChannel; command: string}> = [];
	/** Forwarded (`direct-tcpip`) connections accepted. */
	forwards = 0;
	readonly forwardTargets: string[] = [];

	private readonly tcp: net.Server;
	private readonly ssh: InstanceType<typeof Server>;
	private readonly sockets = new Set<net.Socket>();
	private readonly clients = new Set<Connection>();
	private readonly held: ServerChannel[] = [];
	private readonly table: Record<string, CommandHandler>;

	private constructor(private readonly options: SshTestServerOptions) {
		this.name = options.name ?? 'test';
		this.hostKey = options.hostKey ?? generateKey();
		this.table = {
			'echo hi': (ch) => reply(ch, 'hi\n', '', 0),
			fail: (ch) => reply(ch, '', 'boom\n', 3),
			warn: (ch) => reply(ch, '', 'careful\n', 0),
			'whoami-server': (ch) => reply(ch, `${this.name}\n`, '', 0),
			lines: (ch) => reply(ch, 'one\ntwo\r\nthree', '', 0),
			// echoes stdin back once the client closes it
			cat: (ch) => {
				const chunks: Buffer[] = [];
				ch.on('data', (c: Buffer) => chunks.push(c));
				ch.on('end', () => reply(ch, Buffer.concat(chunks).toString('utf8'), '', 0));
			},
			'sleep-forever': () => {},
			hold: (ch) => {
				this.held.push(ch);
			},
			...options.commands,
		};
		this.ssh = new Server(
			{
				hostKeys: [this.hostKey.privateKey, ...(options.extraHostKeys ?? []).map((k) => k.privateKey)],
				// ssh2's Session drops channel requests that arrive after the client's EOF (so no 'signal'
				// event for a command whose stdin is closed); the protocol layer still logs each one.
				debug: (line: string) => {
					const m = /Inbound: CHANNEL_REQUEST \(r:\d+, signal: ([A-Z0-9]+)\)/.exec(line);
					if (m) this.signals.push(m[1]!);
				},
			},
			(client) => this.onClient(client),
		);
		this.ssh.on('error', () => {});
		this.tcp = net.createServer((socket) => {
			this.tcpConnections++;
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
			socket.on('error', () => {});
			this.ssh.injectSocket(socket);
		});
	}

	static async start(options: SshTestServerOptions): Promise<SshTestServer> {
		const server = new SshTestServer(options);
		await server.listen();
		return server;
	}

	/** Listen (again) on its loopback address: a random port the first time, the same port afterwards. */
	listen(): Promise<void> {
		return new Promise((resolve, reject) => {
			this.tcp.once('error', reject);
			this.tcp.listen(this.port, this.address, () => {
				this.tcp.off('error', reject);
				this.port = (this.tcp.address() as net.AddressInfo).port;
				resolve();
			});
		});
	}

	/** The known_hosts line OpenSSH would write for this server. */
	knownHostsLine(key: TestKey = this.hostKey): string {
		return `[${this.address}]:${this.port} ${key.publicLine}`;
	}

	get address(): string {
		return this.options.address ?? '127.0.0.1';
	}

	/** TCP connections open right now. */
	get liveConnections(): number {
		return this.sockets.size;
	}

	/** Channels of `hold` commands waiting for release. */
	get heldCount(): number {
		return this.held.length;
	}

	/** Let every held command finish (stdout "released", exit 0). Returns how many were released. */
	releaseHolds(): number {
		const n = this.held.length;
		for (const ch of this.held.splice(0)) reply(ch, 'released\n', '', 0);
		return n;
	}

	/** How many of the next exec requests end the connection instead of starting (see onClient). */
	dropBeforeExec = 0;

	/** End every client connection from the server side (the server keeps listening). */
	/** Answer the exec requests left unanswered: each command starts now and is held (as `hold`). */
	confirmStalled(): number {
		const stalled = this.stalledExecs.splice(0);
		for (const s of stalled) this.held.push(s.acceptExec());
		return stalled.length;
	}

	dropClients(): void {
		for (const c of this.clients) c.end();
	}

	/** Stop listening and cut every connection ("the host is down"). */
	async stop(): Promise<void> {
		this.held.length = 0;
		for (const s of this.sockets) s.destroy();
		if (!this.tcp.listening) return;
		await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
	}

	private onClient(client: Connection): void {
		this.sshConnections++;
		client.on('handshake', () => this.keyExchanges++);
		const mine = new Set<object>();
		this.clients.add(client);
		client.on('error', () => {});
		client.on('close', () => {
			this.clients.delete(client);
			this.openChannels -= mine.size;
			mine.clear();
		});
		client.on('authentication', (ctx) => {
			this.authAttempts++;
			if (ctx.method !== 'publickey' || !this.acceptAuth) {
				ctx.reject(['publickey']);
				return;
			}
			const key = this.options.authorizedKeys.find((k) => ctx.key.algo === k.parsed.type && ctx.key.data.equals(k.blob));
			if (!key) {
				ctx.reject(['publickey']);
				return;
			}
			if (ctx.signature && ctx.blob) {
				if (key.parsed.verify(ctx.blob, ctx.signature, ctx.hashAlgo)) {
					this.authenticated++;
					ctx.accept();
				} else ctx.reject(['publickey']);
				return;
			}
			ctx.accept(); // the client only asks whether the key would do
		});
		client.on('session', (accept) => {
			const session = accept();
			mine.add(session);
			this.openChannels++;
			this.maxOpenChannels = Math.max(this.maxOpenChannels, this.openChannels);
			let command = '(none)';
			session.on('close', () => {
				if (mine.delete(session)) this.openChannels--;
				this.closedChannels.push(command);
			});
			session.on('exec', (acceptExec, _reject, info) => {
				command = info.command;
				this.commands.push(info.command);
				if (this.dropBeforeExec > 0) {
					// the host goes away after the channel opened, before the command was confirmed started
					this.dropBeforeExec--;
					this.dropClients();
					return;
				}
				if (this.unconfirmed.has(info.command)) {
					// a host too busy to start the command: the exec request is never answered
					this.stalledExecs.push({acceptExec, command: info.command});
					return;
				}
				const channel = acceptExec();
				const handler = this.table[info.command] ?? this.options.fallback?.(info.command);
				if (handler) handler(channel, this);
				else reply(channel, '', `unknown command: ${info.command}\n`, 127);
			});
		});
		if (this.options.allowForwarding) {
			client.on('tcpip', (accept, reject, info) => {
				// a test jump host: only ever to loopback
				if (info.destIP !== '127.0.0.1') {
					reject();
					return;
				}
				this.forwards++;
				this.forwardTargets.push(`${info.destIP}:${info.destPort}`);
				const channel = accept();
				const upstream = net.connect(info.destPort, '127.0.0.1');
				upstream.on('error', () => channel.destroy());
				channel.on('error', () => upstream.destroy());
				channel.pipe(upstream).pipe(channel);
				channel.on('close', () => upstream.destroy());
				upstream.on('close', () => channel.destroy());
			});
		}
	}
}

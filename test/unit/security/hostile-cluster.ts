import {createHash} from 'node:crypto';
// A hostile cluster on loopback: every host is an in-process SSH server (on its own 127.0.0.x address)
// that answers every probe lvsdeck sends (ipvsadm listings in the director snapshot, ip -j addr,
// keepalived's version, signal numbers and JSON/text dumps, the real-server check, the service status,
// ip monitor, the remote watcher's curl stream, deploy's file read) with escape sequences, bidi
// overrides, zero-width characters and C0/C1 controls in every field. Each output also holds fields of
// the right shape, so a test can tell "sanitized and shown" from "everything dropped".
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {createRequire} from 'node:module';
import net from 'node:net';
import ssh2, {type Connection, type ServerChannel} from 'ssh2';
import {generateKey, SshTestServer, type CommandHandler, type TestKey} from '../transport/ssh-test-server.js';

/**
 * Everything a terminal obeys or hides, in one token without whitespace: CSI (clear screen), OSC (set
 * the title to "owned"), DCS, 8-bit CSI and OSC, bidi override and isolate, zero-width space and joiner,
 * BOM, Arabic letter mark, word joiner, NEL (C1), BEL, NUL, backspace, DEL.
 */
export const X = '\u001b[2J\u001b]0;owned\u0007\u001bP1$r\u001b\\\u009b31m\u009d0;t\u009c\u202e\u2066\u200b\u200d\ufeff\u061c\u2060\u0085\u0007\u0000\u0008\u007f';

/** Unicode line and paragraph separators: shown as a space in a line, as a newline in multi-line text. */
export const LS = '\u2028';
export const PS = '\u2029';

/** What X looks like after escapeUnsafe: how refused tokens are quoted in problem messages. */
export const X_ESCAPED_START = '\\u001b[2J\\u001b]0;owned\\u0007';

/**
 * Independent of the sanitizer's own patterns: the characters no output may contain. C0 controls but
 * tab and newline, DEL, C1, the bidi controls, zero-width and other invisible format characters, line
 * and paragraph separators.
 */
export const FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|[\u{e0000}-\u{e007f}]/u;

export function findForbidden(text: string): string | undefined {
	const m = FORBIDDEN.exec(text);
	if (!m) return undefined;
	const code = m[0].codePointAt(0)!.toString(16).padStart(4, '0');
	return `U+${code} at ${m.index}: ${JSON.stringify(text.slice(Math.max(0, m.index - 60), m.index + 20))}`;
}

const hx = (s: string) => `${X}${s}${X}`;

/** The VIP and its service: a hostile web server answers there (loopback), for the station's watcher. */
export const VIP = '127.0.0.100';
export const SERVICE_PORT = 18080;

/** Response bodies the VIP's web server takes turns with: the backend names are rs1 and rs2. */
export const HOSTILE_BODIES = [`${hx('rs1')}${LS}hello\n`, `rs${X}2\n`];

function reply(channel: ServerChannel, stdout: string, stderr: string, code: number): void {
	if (stdout) channel.write(stdout);
	if (stderr) channel.stderr.write(stderr);
	channel.exit(code);
	channel.end();
}

const ipvsList = [
	`IP Virtual Server version 1.2.1 (size=4096)${X}`,
	'Prot LocalAddress:Port Scheduler Flags',
	'  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
	// the profile's service: a hostile scheduler and flag, one good real server, one hostile forward, one hostile weight
	`TCP  127.0.0.100:18080 ${hx('rr')} persistent 300 ${hx('ops')}`,
	'  -> 127.0.0.21:18080                Route   1      0          15',
	`  -> 127.0.0.22:18080                ${hx('Route')} 1      0          15`,
	`  -> 127.0.0.23:18080                Route   1${X}      0          15`,
	`  -> 127.0.0.24${X}:18080              Route   1      0          15`,
	// a service of the right shape but for a hostile pe and mask
	`TCP  127.0.0.101:443 wlc pe ${hx('sip')} persistent 60 mask ${X}255.255.255.0`,
	'  -> 127.0.0.21:443               Masq    2      3          4',
	// addresses with a zone index (isIP accepts `fe80::1%<anything>`)
	`TCP  [fe80::1%${X}eth0]:80 rr`,
	`UDP  ${hx('127.0.0.102')}:53 rr`,
	hx('FWM  7 sh'),
	X,
].join('\n');

const ipvsStats = [
	'IP Virtual Server version 1.2.1 (size=4096)',
	'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes',
	'  -> RemoteAddress:Port',
	'TCP  127.0.0.100:18080                     30      180        0    11520        0',
	`  -> 127.0.0.21:18080                      15       90        0     5760${X}        0`,
	'  -> 127.0.0.22:18080                      15       90        0     5760        0',
	hx('garbage'),
].join('\n');

const ipvsRate = [
	'IP Virtual Server version 1.2.1 (size=4096)',
	'Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS',
	'  -> RemoteAddress:Port',
	`TCP  127.0.0.100:18080                      2       12        0      768        0${X}`,
	'  -> 127.0.0.21:18080                        1        6        0      384        0',
].join('\n');

function ipAddrJson(holdsVip: boolean): string {
	return JSON.stringify([
		{ifindex: 1, ifname: 'lo', addr_info: [{family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', label: 'lo'}]},
		{
			ifindex: 2,
			ifname: 'eth0',
			addr_info: [
				{family: 'inet', local: '127.0.0.11', prefixlen: 8, scope: hx('global'), label: hx('eth0')},
				...(holdsVip ? [{family: 'inet', local: '127.0.0.100', prefixlen: 8, scope: 'global', secondary: true, label: 'eth0:1'}] : []),
				{family: 'inet', local: hx('127.0.0.103'), prefixlen: 8, scope: 'global'},
				{family: 'inet6', local: `fe80::1%${X}`, prefixlen: 64, scope: 'link'},
				{family: hx('inet'), local: '127.0.0.104', prefixlen: 8},
			],
		},
		{ifindex: 3, ifname: hx('eth1'), addr_info: [{family: 'inet', local: '127.0.0.105', prefixlen: 8}]},
	]);
}

function keepalivedJson(state: number): string {
	const base = {dont_track_primary: 0, vrid: 51, master_priority: 0, last_transition: 1_700_000_000.5, adver_int: 1, nopreempt: false, preempt_delay: 0, version: 2, auth_type: 1, auth_data: 'secret'};
	return JSON.stringify([
		{
			data: {...base, iname: 'VI_1', ifp_ifname: hx('eth0'), base_priority: 150, effective_priority: 150, state, wantstate: state, vips: ['127.0.0.100/8 dev eth0 scope global label eth0:1 set', `${hx('127.0.0.100')}/8`], evips: [X]},
			stats: {advert_rcvd: 0, advert_sent: 15, become_master: 1, release_master: 0},
		},
		{data: {...base, iname: `VI_${X}2`, ifp_ifname: 'eth0', state: 2, wantstate: 2, vips: []}},
		{data: {...base, iname: 'VI_3', ifp_ifname: 'eth0', state: hx('2'), vips: []}},
	]);
}

const keepalivedData = [
	'------< Global definitions >------',
	` Router ID = ${hx('dir2')}`,
	'------< VRRP Topology >------',
	' VRRP Instance = VI_1',
	'   State = BACKUP',
	`   Wantstate = ${hx('BACKUP')}`,
	`   Master router = ${hx('127.0.0.11')}`,
	`   Master priority = 150${X}`,
	`   Interface = ${hx('eth0')}`,
	'   Virtual Router ID = 51',
	'   Priority = 100',
	`   Effective priority = 100${X}`,
	`   Password = ${hx('secret')}`,
	'   Virtual IP (2):',
	`     127.0.0.100/8 dev eth0${X} scope global`,
	`     ${hx('127.0.0.106')}/8 dev eth0 scope global`,
	` VRRP Instance = ${hx('VI_9')}`,
	`   State = ${hx('MASTER')}`,
	'',
].join('\n');

function snapshot(director: 'dir1' | 'dir2'): string {
	const section = (name: string, body: string) => `\n@@lvsdeck ${name}\n${body}`;
	return [
		hx('before the first section'),
		section('ipvs-list', ipvsList),
		section('ipvs-stats', ipvsStats),
		section('ipvs-rate', ipvsRate),
		section('addr', ipAddrJson(director === 'dir1')),
		section('config', `${X}${'a'.repeat(64)}`),
		section('vrrp', director === 'dir1' ? keepalivedJson(2) : keepalivedData),
		section('vrrp-exit', '0'),
		section('end', ''),
		'',
	].join('');
}

const realServerCheck = [
	'net.ipv4.conf.all.arp_ignore=1',
	`net.ipv4.conf.all.arp_announce=2${X}`,
	`net.ipv4.conf.lo.arp_ignore=${X}1`,
	`net.ipv4.conf${X}.lo.arp_announce=2`,
	'lo.addr=1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
	`lo.addr=1: lo    inet 127.0.0.100/32 scope ${hx('host')} ${hx('lo')}`,
	`lo.addr=1: ${hx('lo')}    inet 127.0.0.107/32 scope host lo`,
	hx('garbage'),
	'',
].join('\n');

/** One curl request's lines as the remote watcher's script streams them. */
const curlLines = (tag: string, body: string, code: number, port: number) => `${tag} ${body}\n${tag} @@LVSDECK ${code} 0.002 0 ${port}\n`;

const watchStream = [
	curlLines('0', `${hx('rs1')} hello`, 200, 40001),
	curlLines('0', `rs${X}2`, 200, 40002),
	curlLines('1', hx(''), 500, 40003),
	curlLines(hx('7'), 'rs3', 200, 40004),
	curlLines('1', `${X}rs1`, 200, 40005),
].join('');

/** The installed keepalived.conf a hostile director hands to deploy's plan. */
export const HOSTILE_CONFIG = `! ${hx('installed by someone else')}${PS}+  auth_pass forged\nglobal_defs {\n  router_id ${X}evil\n}\n${X}\n`;

export interface HostileOptions {
	/** deploy's file read fails with a hostile error line. */
	readFails: boolean;
}

/** The command table of one hostile host, matched by content (scripts arrive quoted). */
function hostileCommands(name: string, role: 'director' | 'realserver' | 'client', options: HostileOptions): (command: string) => CommandHandler | undefined {
	const json = name === 'dir1';
	return (command) => {
		if (command === 'keepalived --version') {
			const config = json ? `Config options:  ${X} LVS VRRP VRRP_AUTH JSON OLD_CHKSUM_COMPAT` : `Config options:  LVS VRRP ${X}`;
			return (ch) => reply(ch, `Keepalived v2.2.7${X} (01/16,2022)\n\n${config}\n`, hx('keepalived warning'), 0);
		}
		if (command.includes('lvsdeck-signum')) return (ch) => reply(ch, `${json ? 'JSON=36' : 'DATA=10'}\n${X}STATS=${X}12\n`, '', 0);
		if (command.includes('s ipvs-list') && role === 'director') return (ch) => reply(ch, snapshot(name as 'dir1' | 'dir2'), hx('snapshot stderr'), 0);
		if (command.includes('lvsdeck-rs-check')) return (ch) => reply(ch, realServerCheck, hx('check stderr'), 0);
		// The check and the service's status in one session: the status's own output never comes back.
		if (command.includes('lvsdeck-rs-poll')) return (ch) => reply(ch, `${realServerCheck}\n@@lvsdeck-service 0\n`, hx('check stderr'), 0);
		if (command === 'systemctl is-active httpd') return (ch) => reply(ch, `active${X}\n`, hx('status stderr'), 0);
		if (command === 'true') return (ch) => reply(ch, X, X, 0);
		if (command === 'ip -o monitor address') {
			return (ch) => {
				// One good event (the VIP is on eth0), then hostile ones; then the stream stays open.
				ch.write(`2: eth0    inet ${VIP}/8 scope global secondary eth0:1\\       valid_lft forever preferred_lft forever\n`);
				ch.write(`Deleted 2: ${hx('eth0')}    inet 127.0.0.100/8 scope global secondary eth0:1\n${X}\n`);
			};
		}
		if (command === 'ip -j addr show') return (ch) => reply(ch, ipAddrJson(name === 'dir1'), '', 0);
		if (command.includes('lvsdeck-read')) {
			return options.readFails ? (ch) => reply(ch, '', `cat: ${X}permission denied${X}${LS}really\n`, 1) : (ch) => reply(ch, `sha256=${createHash('sha256').update(HOSTILE_CONFIG).digest('hex')}\n${HOSTILE_CONFIG}`, '', 0);
		}
		// The real-server setup's check mode: what it would change, with hostile bytes in the words.
		if (command.includes('lvsdeck-setup') && command.includes(' check ')) return (ch) => reply(ch, `changed: vip:${hx('vip')} sysctl:${hx('key')}=1\n`, hx('setup stderr'), 0);
		if (command.includes('lvsdeck-watch')) return (ch) => reply(ch, watchStream, `curl: ${hx('evil')}${LS}failed\n`, 7);
		if (command.includes('lvsdeck-drill')) return (ch) => reply(ch, '', `lvsdeck-drill: refusing ${hx('to do it')}\n`, 3);
		return (ch) => reply(ch, hx('unknown'), `${hx(`no such command`)}\n`, 127);
	};
}

// ssh2 only ever sends DISCONNECT with an empty description; a hostile server writes its own.
const {sendPacket} = createRequire(import.meta.url)('ssh2/lib/protocol/utils.js') as {sendPacket: (proto: unknown, packet: Buffer, bypass: boolean) => void};

/** Sends SSH_MSG_DISCONNECT (reason 2, protocol error) with a description of our choosing. */
function disconnectWith(client: Connection, description: string): void {
	const proto = (client as unknown as {_protocol: {_packetRW: {write: {allocStartKEX: number; alloc(n: number, force: boolean): Buffer; finalize(p: Buffer, force: boolean): Buffer}}}})._protocol;
	const desc = Buffer.from(description, 'utf8');
	const w = proto._packetRW.write;
	let p = w.allocStartKEX;
	const packet = w.alloc(1 + 4 + 4 + desc.length + 4, true);
	packet[p++] = 1; // SSH_MSG_DISCONNECT
	packet.writeUInt32BE(2, p);
	packet.writeUInt32BE(desc.length, (p += 4));
	packet.set(desc, (p += 4));
	packet.writeUInt32BE(0, p + desc.length); // language tag
	sendPacket(proto, w.finalize(packet, true), true);
}

/** The disconnect description of the host that hangs up during authentication. */
export const HOSTILE_DISCONNECT = `go away ${X}now${LS}please`;

/** An SSH server that hangs up on every client during authentication, with a hostile reason. */
async function startHangUpServer(address: string, hostKey: TestKey): Promise<{port: number; stop(): Promise<void>}> {
	const sockets = new Set<net.Socket>();
	const server = new ssh2.Server({hostKeys: [hostKey.privateKey]}, (client) => {
		client.on('error', () => {});
		client.on('authentication', () => disconnectWith(client, HOSTILE_DISCONNECT));
	});
	server.on('error', () => {});
	const tcp = net.createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => {});
		server.injectSocket(socket);
	});
	await new Promise<void>((resolve) => tcp.listen(0, address, resolve));
	return {
		port: (tcp.address() as net.AddressInfo).port,
		async stop() {
			for (const s of sockets) s.destroy();
			await new Promise<void>((resolve) => tcp.close(() => resolve()));
		},
	};
}

export interface HostileCluster {
	readonly profileFile: string;
	/** http://VIP:SERVICE_PORT/ */
	readonly url: string;
	readonly dir: string;
	readonly options: HostileOptions;
	readonly servers: readonly SshTestServer[];
	close(): Promise<void>;
}

const HOSTS: ReadonlyArray<{name: string; role: 'director' | 'realserver' | 'client'; address: string}> = [
	{name: 'dir1', role: 'director', address: '127.0.0.11'},
	{name: 'dir2', role: 'director', address: '127.0.0.12'},
	{name: 'rs1', role: 'realserver', address: '127.0.0.21'},
	{name: 'rs2', role: 'realserver', address: '127.0.0.22'},
	{name: 'client1', role: 'client', address: '127.0.0.31'},
];

/** A client host whose SSH server hangs up during authentication with a hostile reason. */
export const HANG_UP_HOST = {name: 'client2', role: 'client' as const, address: '127.0.0.32'};

/** Starts one hostile SSH server per host and writes a profile that points at them (loopback only). */
export async function startHostileCluster(): Promise<HostileCluster> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-hostile-'));
	const clientKey: TestKey = generateKey();
	const keyFile = path.join(dir, 'id_ed25519');
	writeFileSync(keyFile, clientKey.privateKey, {mode: 0o600});
	writeFileSync(path.join(dir, 'known_hosts'), '');
	const options: HostileOptions = {readFails: false};
	const servers: SshTestServer[] = [];
	for (const h of HOSTS) {
		servers.push(await SshTestServer.start({name: h.name, address: h.address, authorizedKeys: [clientKey], fallback: hostileCommands(h.name, h.role, options)}));
	}
	const hangUpKey = generateKey();
	const hangUp = await startHangUpServer(HANG_UP_HOST.address, hangUpKey);
	const hostYaml = [
		...HOSTS.map((h, i) => ({...h, port: servers[i]!.port, fingerprint: servers[i]!.hostKey.fingerprint})),
		{...HANG_UP_HOST, port: hangUp.port, fingerprint: hangUpKey.fingerprint},
	]
		.map((h) => {
			const service = h.role === 'realserver' ? '\n    service: {name: httpd, start: systemctl start httpd, stop: systemctl stop httpd, status: systemctl is-active httpd}' : '';
			return `  ${h.name}:\n    address: ${h.address}\n    role: ${h.role}\n    ssh: {port: ${h.port}, host_key_fingerprints: ["${h.fingerprint}"]}${service}`;
		})
		.join('\n');
	let n = 0;
	const web = http.createServer((_req, res) => res.end(HOSTILE_BODIES[n++ % HOSTILE_BODIES.length]));
	await new Promise<void>((resolve) => web.listen(SERVICE_PORT, VIP, resolve));
	const profileFile = path.join(dir, 'hostile.yaml');
	writeFileSync(
		profileFile,
		[
			'name: hostile',
			'ssh:',
			'  user: ops',
			`  identity_file: ${keyFile}`,
			`  known_hosts: ${path.join(dir, 'known_hosts')}`,
			'  connect_timeout_ms: 5000',
			'  command_timeout_ms: 5000',
			'hosts:',
			hostYaml,
			'vrrp_instances:',
			'  - name: VI_1',
			'    vrid: 51',
			'    interface: eth0',
			'    authentication: {type: PASS, pass: secret}',
			'    directors:',
			'      dir1: {state: MASTER, priority: 150}',
			'      dir2: {state: BACKUP, priority: 100}',
			'    vips:',
			'      - {address: 127.0.0.100/8, dev: eth0, label: "eth0:1"}',
			'virtual_servers:',
			`  - vip: ${VIP}`,
			`    port: ${SERVICE_PORT}`,
			'    scheduler: rr',
			'    forwarding: DR',
			'    real_servers:',
			`      - {host: rs1, port: ${SERVICE_PORT}}`,
			`      - {host: rs2, port: ${SERVICE_PORT}}`,
			'',
		].join('\n'),
	);
	return {
		profileFile,
		url: `http://${VIP}:${SERVICE_PORT}/`,
		dir,
		options,
		servers,
		async close() {
			web.closeAllConnections();
			await new Promise<void>((resolve) => web.close(() => resolve()));
			for (const s of servers) await s.stop();
			await hangUp.stop();
			rmSync(dir, {recursive: true, force: true});
		},
	};
}

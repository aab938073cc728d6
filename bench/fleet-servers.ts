// The fleet simulation's hosts (run by bench/fleet.ts in a process of its own, so its CPU is not counted
// as lvsdeck's): one SSH server (ssh2) behind a listener on each given loopback address, all on one port,
// answering every probe with output captured from the lab (test/fixtures/lab); a host's stream
// (lvsdeck-rs-stream, lvsdeck-dir-stream) gets its frame once and then one "same" line each period, as
// from a quiet host. With --profiles, each host answers as a healthy host of its cluster would
// (fleet-world.ts); without, every host answers as the lab's dir1. With --services, the real servers'
// service ports answer on every address too. Usage:
//   node --import tsx bench/fleet-servers.ts [--services=tcp/80,udp/9053] [--profiles=DIR] ADDRESS...
//   (prints {"port":N,"fingerprint":"SHA256:...","publicKey":"ssh-ed25519 ..."})
import {createHash} from 'node:crypto';
import dgram from 'node:dgram';
import {readdirSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import ssh2, {type ServerChannel} from 'ssh2';
import {loadProfile} from '../src/profile/load.js';
import {hostByName} from '../src/profile/model.js';
import {fixture, healthyCluster, labDirector, type HostAnswers} from './fleet-world.js';

const {Server, utils} = ssh2;
const VERSION = fixture('keepalived-version.txt');

function answer(host: HostAnswers, command: string): {stdout?: string; stderr?: string; code: number} {
	// The snapshot and extras scripts take the config path first (empty: no hash), then the dump kind.
	const args = [...command.matchAll(/lvsdeck-(?:probe|extras) ('[^']*'|\S+) ('[^']*'|\S+)/g)].at(-1);
	const hashed = args !== undefined && args[1] !== "''";
	const dumped = args !== undefined && args[2] !== 'none';
	if (command.includes('lvsdeck-probe')) return {stdout: host.snapshot(hashed, dumped), code: 0};
	if (command.includes('lvsdeck-extras')) return {stdout: host.extras(hashed, dumped), code: 0};
	if (command.startsWith('keepalived --version')) return {stderr: VERSION, code: 0};
	if (command.includes('lvsdeck-signum')) return {stdout: 'JSON=36\n', code: 0};
	if (command.includes('lvsdeck-rs-poll')) return {stdout: `${host.rsCheck}\n@@lvsdeck-service 0\n`, code: 0};
	if (command.includes('lvsdeck-rs-check')) return {stdout: host.rsCheck, code: 0};
	if (command.includes('is-active')) return {stdout: 'active\n', code: 0};
	if (command === 'true') return {code: 0};
	return {stderr: `fleet-servers: no answer for ${command.slice(0, 40)}\n`, code: 127};
}

/** A host's long-lived read, by its name and period: `lvsdeck-rs-stream 1` or `lvsdeck-dir-stream 1` (maybe quoted). */
const STREAM = /lvsdeck-(?:rs|dir)-stream'? '?([\d.]+)/;
const STREAM_KIND = /lvsdeck-(rs|dir)-stream/;

/** A host's long-lived read: its frame once, then "same" each period. */
function stream(channel: ServerChannel, host: HostAnswers, command: string, period: number): void {
	const frame = STREAM_KIND.exec(command)?.[1] === 'dir' ? host.directorFrame : host.rsFrame;
	channel.write(`${frame.replace(/\n+$/, '')}\n@@lvsdeck-frame\n`);
	const beat = setInterval(() => channel.write('@@lvsdeck-same\n'), period * 1000);
	channel.on('close', () => clearInterval(beat));
}

function reply(channel: ServerChannel, host: HostAnswers, command: string): void {
	const streamed = STREAM.exec(command);
	if (streamed) return stream(channel, host, command, Number(streamed[1]));
	const a = answer(host, command);
	if (a.stdout) channel.write(a.stdout);
	if (a.stderr) channel.stderr.write(a.stderr);
	channel.exit(a.code);
	channel.end();
}

const key = utils.generateKeyPairSync('ed25519');
const parsed = utils.parseKey(key.private);
if (parsed instanceof Error) throw parsed;
const fingerprint = `SHA256:${createHash('sha256').update(parsed.getPublicSSH()).digest('base64').replace(/=+$/, '')}`;

/** One SSH server per address, so each knows which host it is. */
function serverFor(host: () => HostAnswers): InstanceType<typeof Server> {
	return new Server({hostKeys: [key.private]}, (client) => {
		client.on('authentication', (ctx) => (ctx.method === 'publickey' ? ctx.accept() : ctx.reject(['publickey'])));
		client.on('session', (accept) => {
			const session = accept();
			session.on('exec', (acceptExec, _reject, info) => reply(acceptExec(), host(), info.command));
		});
		client.on('error', () => {});
	});
}

const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const flag = (name: string) => flags.find((f) => f.startsWith(`--${name}=`))?.slice(name.length + 3);
/** `--services=tcp/80,udp/9053`: those ports answer on every address too, as a healthy real server's do. */
const services = (flag('services')?.split(',').filter(Boolean) ?? []).map((s) => {
	const [protocol, number] = s.split('/');
	return {protocol: protocol!, port: Number(number)};
});
const addresses = process.argv.slice(2).filter((a) => !a.startsWith('--'));

/**
 * `--profiles=DIR`: each host answers as its cluster's profile (a `*.yaml` in DIR naming its address)
 * says a healthy host would (fleet-world.ts). The profiles are written once the servers are up (they
 * name the servers' port), so they are read at the first connection.
 */
const profilesDir = flag('profiles');
let byAddress: Map<string, HostAnswers> | undefined;
const LAB_DIR1 = labDirector();
function answersOf(address: string): HostAnswers {
	if (!profilesDir) return LAB_DIR1;
	if (!byAddress) {
		byAddress = new Map();
		for (const file of readdirSync(profilesDir).filter((f) => f.endsWith('.yaml'))) {
			const profile = loadProfile(path.join(profilesDir, file));
			for (const [name, answers] of healthyCluster(profile)) byAddress.set(hostByName(profile, name).address, answers);
		}
	}
	const answers = byAddress.get(address);
	if (!answers) throw new Error(`fleet-servers: no profile in ${profilesDir} names ${address}`);
	return answers;
}

/** A TCP service answers the host's address and closes (the lab's port 9000); a UDP one answers each datagram with it. */
async function serve(address: string, service: {protocol: string; port: number}): Promise<void> {
	if (service.protocol === 'udp') {
		const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
		socket.on('message', (_m, from) => socket.send(`${address}\n`, from.port, from.address));
		await new Promise<void>((resolve, reject) => {
			socket.once('error', reject);
			socket.bind(service.port, address, () => resolve());
		});
		return;
	}
	const listener = net.createServer((socket) => {
		socket.on('error', () => {});
		socket.end(`${address}\n`);
	});
	await new Promise<void>((resolve, reject) => {
		listener.once('error', reject);
		listener.listen(service.port, address, 1024, () => resolve());
	});
}

let port = 0;
for (const address of addresses) {
	const ssh = serverFor(() => answersOf(address));
	const listener = net.createServer((socket) => {
		socket.on('error', () => {});
		ssh.injectSocket(socket);
	});
	await new Promise<void>((resolve, reject) => {
		listener.once('error', reject);
		listener.listen(port, address, 1024, () => resolve());
	});
	port = (listener.address() as net.AddressInfo).port;
	for (const service of services) await serve(address, service);
}
process.stdout.write(`${JSON.stringify({port, fingerprint, publicKey: key.public.trim()})}\n`);

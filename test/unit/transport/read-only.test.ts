// The read-only guard: the verdict table (read-only-cases.ts), properties over random argv, refusal
// messages, and ReadOnlyTransport never reaching the inner transport for a refused command.
import fc from 'fast-check';
import {describe, expect, it, vi} from 'vitest';
import {isReadOnlyCommand, readOnlyVerdict, ReadOnlyTransport} from '../../../src/transport/read-only.js';
import {READ_ONLY_PROGRAMS, WRAPPERS} from '../../../src/transport/read-only-programs.js';
import {TransportError, type ExecResult, type HostStatus, type Transport} from '../../../src/transport/types.js';
import {LVSDECK_COMMANDS, READ_ONLY_CASES} from './read-only-cases.js';

const show = (argv: readonly string[]) => (argv.length === 0 ? '(empty argv)' : JSON.stringify(argv).slice(0, 160));
const REFUSED = READ_ONLY_CASES.filter((c) => !c.allowed).map((c) => c.argv);

describe('the verdict table', () => {
	it('has at least 200 cases, lvsdeck\'s own commands among them, both verdicts', () => {
		expect(READ_ONLY_CASES.length).toBeGreaterThanOrEqual(200);
		expect(LVSDECK_COMMANDS.length).toBeGreaterThanOrEqual(20);
		expect(READ_ONLY_CASES.filter((c) => c.allowed).length).toBeGreaterThanOrEqual(50);
		expect(REFUSED.length).toBeGreaterThanOrEqual(150);
	});

	it.each(READ_ONLY_CASES.map((c) => [show(c.argv), c] as const))('%s', (_name, c) => {
		const verdict = readOnlyVerdict(c.argv);
		if (c.allowed) {
			expect(verdict).toEqual({allowed: true});
		} else {
			expect(verdict.allowed).toBe(false);
			if (!verdict.allowed && c.because !== undefined) expect(verdict.reason).toContain(c.because);
		}
	});
});

describe('properties', () => {
	const LISTED = new Set([...READ_ONLY_PROGRAMS.keys(), 'sudo', 'sh']);
	const baseName = (c: string) => c.split('/').pop()!;

	it('refuses any argv whose program is not on the list (property)', () => {
		const nearMiss = fc.constantFrom('ipvsadm2', 'IPVSADM', 'ipvsadm ', 'rm', 'dd', 'reboot', 'tee', 'ipvsadm-restore', 'keepalived2', 'zsh', ...WRAPPERS, '');
		const dir = fc.constantFrom('', '/usr/sbin/', '/bin/', './', '/tmp/', '/usr/local/bin/');
		const command = fc.tuple(dir, fc.oneof(nearMiss, fc.string({unit: 'binary-ascii'}), fc.string())).map(([d, name]) => d + name);
		fc.assert(
			fc.property(
				command.filter((c) => !LISTED.has(baseName(c))),
				fc.array(fc.oneof(fc.string(), fc.constantFrom('-Ln', 'show', '--version', 'is-active', '-n', '--')), {maxLength: 6}),
				(cmd, args) => {
					expect(isReadOnlyCommand([cmd, ...args])).toBe(false);
				},
			),
			{numRuns: 500},
		);
	});

	it('refuses every allowed program from a directory other than the standard system ones (property)', () => {
		const allowed = READ_ONLY_CASES.filter((c) => c.allowed && !c.argv[0]!.startsWith('/'));
		fc.assert(
			fc.property(fc.constantFrom(...allowed), fc.constantFrom('/tmp/x/', './', '/usr/local/sbin/', '/opt/bin/', '/usr/sbin/../', '//bin/', 'bin/'), (c, dir) => {
				expect(isReadOnlyCommand([dir + c.argv[0]!, ...c.argv.slice(1)])).toBe(false);
			}),
		);
	});

	it('judges `sudo -n -- CMD` exactly like CMD, and any other sudo form as a refusal (property)', () => {
		const word = fc.oneof(fc.constantFrom(...LISTED, '-Ln', '-n', '--', 'show', 'addr', '-w', 'x=1', '-C', 'stop', 'is-active'), fc.string());
		const notSudo = fc.array(word, {minLength: 1, maxLength: 6}).filter((argv) => baseName(argv[0]!) !== 'sudo');
		fc.assert(
			fc.property(notSudo, (argv) => {
				expect(isReadOnlyCommand(['sudo', '-n', '--', ...argv])).toBe(isReadOnlyCommand(argv));
				expect(isReadOnlyCommand(['sudo', ...argv.filter((w) => w !== '-n')])).toBe(false);
				expect(isReadOnlyCommand(['sudo', '-n', ...argv.filter((w) => w !== '--')])).toBe(false);
			}),
			{numRuns: 300},
		);
	});

	it('refuses an allowed command with any unlisted option inserted anywhere (property)', () => {
		const allowed = READ_ONLY_CASES.filter((c) => c.allowed && c.argv[0] !== 'sh' && c.argv[0] !== 'sudo' && c.argv[0] !== '/usr/bin/sudo' && c.argv[0] !== '/bin/sh');
		const listedOptions = new Set(
			[...READ_ONLY_PROGRAMS.values()].flatMap((spec) => [...(spec.leadingFlags ?? []), ...spec.shapes.flatMap((s) => [...s.lead.flat(), ...(s.flags ?? []), ...(s.options?.keys() ?? [])])]),
		);
		const option = fc.oneof(
			fc.constantFrom('-C', '-Z', '-w', '-T', '-d', '-X', '-O', '-K', '-F', '-b', '-batch', '--zero', '--upload-file', '--data', '--output-dir', '--write', '--system', '--now', '--set'),
			fc.string({minLength: 1}).map((s) => `-${s}`),
		);
		fc.assert(
			fc.property(fc.constantFrom(...allowed), option.filter((o) => !listedOptions.has(o)), fc.nat(), (c, opt, at) => {
				const argv = [...c.argv];
				argv.splice(1 + (at % argv.length), 0, opt);
				expect(isReadOnlyCommand(argv), show(argv)).toBe(false);
			}),
			{numRuns: 500},
		);
	});

	it('refuses ipvsadm with a modifying option anywhere among listing options (property)', () => {
		const listing = fc.constantFrom('-n', '--numeric', '--stats', '--rate', '--exact', '-c', '--sort');
		const modifying = fc.constantFrom('-A', '-E', '-D', '-C', '-R', '-a', '-e', '-d', '-Z', '--zero', '--clear', '--restore', '--set', '--add-service', '--delete-server', '--start-daemon', '-w', '--weight', '-LZ', '-ZL');
		fc.assert(
			fc.property(fc.constantFrom('-L', '-Ln', '--list'), fc.array(listing, {maxLength: 4}), modifying, fc.nat(), (lead, reads, write, at) => {
				const args: string[] = [lead, ...new Set(reads)];
				args.splice(at % (args.length + 1), 0, write);
				expect(isReadOnlyCommand(['ipvsadm', ...args])).toBe(false);
			}),
			{numRuns: 300},
		);
	});

	it('refuses curl with any URL whose scheme is not http or https (property)', () => {
		const scheme = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9+.-]{0,9}$/).filter((s) => s !== 'http' && s !== 'https');
		fc.assert(
			fc.property(scheme, fc.webPath(), (s, p) => {
				expect(isReadOnlyCommand(['curl', '-s', `${s}://192.168.67.1:9${p}`])).toBe(false);
			}),
			{numRuns: 300},
		);
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
	it('throws TransportError read-only with the reason for every refused case and never calls the inner transport', async () => {
		const inner = fakeTransport();
		const t = new ReadOnlyTransport(inner);
		for (const argv of REFUSED) {
			const error = await t.exec('rs1', argv).then(
				() => undefined,
				(e: unknown) => e,
			);
			expect(error, show(argv)).toBeInstanceOf(TransportError);
			expect((error as TransportError).kind).toBe('read-only');
			expect((error as TransportError).host).toBe('rs1');
			const verdict = readOnlyVerdict(argv);
			expect((error as TransportError).message).toMatch(/^read-only mode: refused ".*" on rs1: /);
			expect((error as TransportError).message.endsWith(verdict.allowed ? '' : `: ${verdict.reason}`)).toBe(true);
			expect((error as TransportError).message).not.toMatch(/[\n\r]/);
		}
		expect(inner.exec).not.toHaveBeenCalled();
	});

	it('says which option of which program it refused', async () => {
		const t = new ReadOnlyTransport(fakeTransport());
		await expect(t.exec('rs1', ['curl', '--upload-file', '/etc/shadow', 'http://192.168.67.1:9/'])).rejects.toThrow(
			'read-only mode: refused "curl --upload-file /etc/shadow http://192.168.67.1:9/" on rs1: option --upload-file is not allowed for curl',
		);
		await expect(t.exec('dir1', ['/tmp/x/ipvsadm', '-Ln'])).rejects.toThrow(
			'read-only mode: refused "/tmp/x/ipvsadm -Ln" on dir1: program /tmp/x/ipvsadm is not a bare name or in /usr/sbin, /usr/bin, /sbin, /bin',
		);
		await expect(t.exec('dir1', ['sh', '-c', 'rm -rf /\nreboot', 'x'])).rejects.toThrow('refused "sh -c <script> x" on dir1: the script is not one of');
	});

	it('never calls the inner transport for a random command off the list (property)', async () => {
		const inner = fakeTransport();
		const t = new ReadOnlyTransport(inner);
		const listed = new Set([...READ_ONLY_PROGRAMS.keys(), 'sudo', 'sh']);
		await fc.assert(
			fc.asyncProperty(
				fc.string().filter((c) => !listed.has(c.split('/').pop()!)),
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

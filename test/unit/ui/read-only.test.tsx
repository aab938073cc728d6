// Read-only is enforced in the transport: the wall (and a read-only console), driven with every key
// and every action entry point, never lets a state-changing command reach the hosts.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {createScreenRuntime, type ScreenRuntime} from '../../../src/commands/console.js';
import {WallApp} from '../../../src/ui/wall/Wall.js';
import {ConsoleApp} from '../../../src/ui/console/App.js';
import {ACTION_KEYS} from '../../../src/ui/console/actions.js';
import {DIRECTOR_SNAPSHOT_SCRIPT} from '../../../src/probes/director-snapshot.js';
import {isReadOnlyCommand} from '../../../src/transport/read-only.js';
import {TransportError, type ExecResult, type Transport} from '../../../src/transport/types.js';
import {labProfile} from '../cluster/fixture-state.js';
import {frameUntil, KEYS, press} from './ink-helpers.js';

const FIX = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'lab');
const fx = (n: string) => readFileSync(path.join(FIX, n), 'utf8');

/** Answers reads with captured lab output and records every command that reaches it. */
class SpyTransport implements Transport {
	readonly received: Array<{host: string; argv: readonly string[]}> = [];
	async exec(host: string, argv: readonly string[]): Promise<ExecResult> {
		this.received.push({host, argv});
		let stdout = '';
		if (argv[0] === 'sh' && argv[2] === DIRECTOR_SNAPSHOT_SCRIPT) {
			const name = host === 'dir2' ? 'dir2' : 'dir1';
			const m = '@@lvsdeck';
			stdout = [`${m} ipvs-list`, fx('ipvsadm-Ln-dir1.txt'), `${m} ipvs-stats`, fx(`ipvsadm-stats-${name}.txt`), `${m} ipvs-rate`, fx('ipvsadm-rate-dir1.txt'), `${m} addr`, fx(`ip-j-addr-${name}.json`), `${m} config`, 'missing', `${m} vrrp`, fx(`keepalived-json-${name}.json`), `${m} vrrp-exit`, '0', `${m} end`].join('\n');
		} else if (argv[0] === 'keepalived') {
			stdout = fx('keepalived-version.txt');
		} else if (argv[0] === 'sh') {
			stdout = 'DATA=10\nSTATS=12\nJSON=36\n';
		}
		return {code: 0, stdout, stderr: '', timedOut: false, durationMs: 1};
	}
	status(host: string) {
		return {host, state: 'ready' as const, since: 0};
	}
	onStatus() {
		return () => {};
	}
	async close() {}
}

/** Every printable ASCII key and the special keys Ink knows. */
const ALL_KEYS = [
	...Array.from({length: 0x7e - 0x20 + 1}, (_, i) => String.fromCharCode(0x20 + i)).filter((c) => c !== 'q'),
	KEYS.up,
	KEYS.down,
	KEYS.enter,
	KEYS.tab,
	KEYS.backspace,
	'\u001B[5~',
	'\u001B[6~',
	'\u001B[Z',
	KEYS.escape,
];

let rt: ScreenRuntime | undefined;
let unmount: (() => void) | undefined;
afterEach(async () => {
	unmount?.();
	await rt?.stop();
});

async function mutatingAttempts(runtime: ScreenRuntime): Promise<string[]> {
	const refused: string[] = [];
	const attempts: Array<readonly string[]> = [
		labProfile.keepalived.stop,
		labProfile.keepalived.reload,
		labProfile.hosts.find((h) => h.name === 'rs1')!.service!.stop,
		['ipvsadm', '-e', '-t', '192.168.67.100:80', '-r', '192.168.67.10:80', '-g', '-w', '0'],
		['ip', 'addr', 'add', '192.168.67.100/24', 'dev', 'eth0'],
		['kill', '-STOP', '1'],
		['sh', '-c', 'systemctl stop keepalived'],
	];
	for (const argv of attempts) {
		try {
			await runtime.transport.exec('dir1', argv);
		} catch (error) {
			if (error instanceof TransportError && error.kind === 'read-only') refused.push(argv.join(' '));
		}
	}
	return refused;
}

describe('read-only screens', () => {
	it('the wall: every key, then every mutating command attempt; nothing state-changing reaches the hosts', async () => {
		const spy = new SpyTransport();
		rt = createScreenRuntime(labProfile, 'wall', {inner: spy, readOnly: false});
		expect(rt.readOnly).toBe(true);
		expect(rt.actions).toBeUndefined();
		await rt.poller.pollOnce();
		const r = render(<WallApp profile={labProfile} store={rt.store} size={{columns: 100, rows: 30}} now={1_000_000} />);
		unmount = r.unmount;
		await frameUntil(r.lastFrame, (f) => f.includes('is on'), 'the wall');
		for (const key of ALL_KEYS) r.stdin.write(key);
		await rt.poller.pollOnce();
		// The wall still shows the cluster: keys changed nothing on screen either.
		expect(await frameUntil(r.lastFrame, (f) => f.includes('192.168.67.100 (VI_1) is on'), 'the VIP line')).toContain('healthy real servers');
		expect(await mutatingAttempts(rt)).toHaveLength(7);
		expect(spy.received.length).toBeGreaterThan(0);
		const changing = spy.received.filter((c) => !isReadOnlyCommand(c.argv));
		expect(changing).toEqual([]);
	});

	it('a read-only console: every action key is refused in the log and no command changes a host', async () => {
		const spy = new SpyTransport();
		rt = createScreenRuntime(labProfile, 'console', {inner: spy, readOnly: true});
		expect(rt.actions).toBeUndefined();
		await rt.poller.pollOnce();
		const r = render(<ConsoleApp profile={labProfile} store={rt.store} history={rt.history} log={rt.log} size={{columns: 100, rows: 30}} now={1_000_000} />);
		unmount = r.unmount;
		await frameUntil(r.lastFrame, (f) => f.includes('read-only'), 'the console');
		await press(r.stdin, r.lastFrame, ACTION_KEYS.map((a) => a.key).join(''), (f) => f.includes('read-only console'), 'the refusal');
		for (const key of ALL_KEYS) r.stdin.write(key);
		await rt.poller.pollOnce();
		expect(rt.log.list().filter((e) => e.text.includes('refused, this console is read-only')).length).toBeGreaterThanOrEqual(ACTION_KEYS.length);
		expect(await mutatingAttempts(rt)).toHaveLength(7);
		expect(spy.received.filter((c) => !isReadOnlyCommand(c.argv))).toEqual([]);
	});
});

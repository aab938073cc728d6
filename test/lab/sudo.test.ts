// lvsdeck as a non-root login (`ops`, profiles/lab-sudo.yaml) against the lab, with exactly the sudo
// rights `lvsdeck sudoers` prints. Monitor rights only: status, the wall and the console are healthy and
// complete, while deploy and every drill refuse up front naming the host and the missing right (and
// change nothing). Monitor and operate rights: deploy, every drill, watch --from and import pass.
// A sudo that wants a password, or requiretty, gives one line naming the host and the fix, never a hang.
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {loadProfile} from '../../src/profile/load.js';
import {directors} from '../../src/profile/model.js';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {shellJoin} from '../../src/transport/quote.js';
import {rightsInputOf} from '../../src/actions/sudoers/rules.js';
import {renderSudoers} from '../../src/actions/sudoers/render.js';
import {CLI, ROOT, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile: lab} = labProfile();
const root = new SshPool(lab.hosts);
const SUDO_PROFILE = path.join(ROOT, 'profiles', 'lab-sudo.yaml');
const sudoLab = loadProfile(SUDO_PROFILE);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-sudo-'));
const env = {...process.env, LVSDECK_STATE_DIR: path.join(tmp, 'state')};
const CONF = lab.keepalived.configPath;
const VIP = lab.instances[0]!.vips[0]!.address;
const WALL = 'lvsdeck-sudo-wall';
const SERVED = ['dir1', 'dir2', 'rs1', 'rs2'];

const rules = (level: 'monitor' | 'operate') => renderSudoers(rightsInputOf(sudoLab), level, {who: 'ops', source: 'the sudo lab test'});

/** Replace the lvsdeck drop-ins on every host with these files (name -> text). */
async function setRights(files: Record<string, string>): Promise<void> {
	await Promise.all(
		SERVED.map(async (host) => {
			const writes = Object.entries(files).map(([name, text]) => `printf '%s' ${shellJoin([text])} > /etc/sudoers.d/${name} && chmod 440 /etc/sudoers.d/${name}`);
			// writing the same files again converges, so a connection lost before the command started may resend it
			const r = await root.exec(host, ['sh', '-c', ['rm -f /etc/sudoers.d/*', ...writes, 'visudo -c -q'].join(' && ')], {timeoutMs: 30_000, resendIfDropped: true});
			if (r.code !== 0) throw new Error(`${host}: cannot set sudo rights (exit ${r.code}${r.timedOut ? ', timed out' : ''}): ${r.stderr}`);
		}),
	);
}

const MONITOR_ONLY = () => ({'lvsdeck-monitor': rules('monitor')});
const BOTH = () => ({'lvsdeck-monitor': rules('monitor'), 'lvsdeck-operate': rules('operate')});

const cli = (args: string[], timeout = 180_000) => spawnSync(process.execPath, [CLI, ...args], {encoding: 'utf8', timeout, env, cwd: ROOT});
const sha = async (host: string) => (await root.exec(host, ['sha256sum', CONF])).stdout.slice(0, 64);
const holder = async () => {
	const found: string[] = [];
	for (const d of ['dir1', 'dir2']) if ((await root.exec(d, ['ip', '-o', '-4', 'addr', 'show'])).stdout.includes(` ${VIP}/`)) found.push(d);
	return found.join('+');
};

interface StatusJson {
	healthy: boolean;
	vips: Array<{holders: string[]; members: Array<{director: string; state: string; priority: number | null}>}>;
	hosts: Array<{name: string; reachable: boolean; error: string | null}>;
	directors?: unknown;
	findings: Array<{code: string; message: string}>;
}

function statusJson(profile = SUDO_PROFILE): {r: ReturnType<typeof cli>; json: StatusJson} {
	const r = cli(['status', '--profile', profile, '--json'], 60_000);
	return {r, json: JSON.parse(r.stdout) as StatusJson};
}

beforeAll(async () => {
	// ops logs in on every host, not as root
	const ops = new SshPool(sudoLab.hosts);
	const who = await ops.exec('dir1', ['id', '-un']).finally(() => ops.close());
	expect(who.stdout.trim()).toBe('ops');
});

afterAll(async () => {
	spawnSync('tmux', ['kill-session', '-t', WALL]);
	await setRights(BOTH()).catch(() => undefined);
	await root.close();
});

describe('monitor rights only', () => {
	beforeAll(async () => setRights(MONITOR_ONLY()));

	it('status is healthy and complete: VRRP states, IPVS tables, real-server checks, no drift', () => {
		const {r, json} = statusJson();
		expect(r.status, r.stderr).toBe(0);
		expect(json.healthy).toBe(true);
		expect(json.findings).toEqual([]);
		expect(json.vips[0]!.holders).toEqual(['dir1']);
		expect(json.vips[0]!.members.map((m) => [m.director, m.state])).toEqual([
			['dir1', 'MASTER'],
			['dir2', 'BACKUP'],
		]);
		expect(json.hosts.every((h) => h.reachable && h.error === null)).toBe(true);
		const text = cli(['status', '--profile', SUDO_PROFILE], 60_000);
		// both directors' IPVS tables list both real servers; both real servers checked
		expect(text.stdout.match(/-> 192\.168\.67\.(10|20):80\s+Route/g)?.length).toBe(4);
		expect(text.stdout).toMatch(/rs1\s+DR\s+on lo\s+ok\s+active\s+answers/);
		expect(text.stdout).toMatch(/rs2\s+DR\s+on lo\s+ok\s+active\s+answers/);
	});

	it('doctor runs on the monitor rights: every check answers (none fails or is skipped for want of a right)', () => {
		const r = cli(['doctor', '--profile', SUDO_PROFILE, '--json'], 90_000);
		const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as {id: string; status: string; subject: string; evidence: string});
		expect(records.filter((c) => c.status === 'fail' || c.status === 'warn'), r.stderr).toEqual([]);
		// a check skipped because a read was refused would name sudo or the permission; a skip for a reason of the cluster (no NAT service) is fine
		expect(records.filter((c) => c.status === 'skip' && /sudo|permission|denied|not allowed|password/i.test(c.evidence))).toEqual([]);
		expect(r.status, r.stderr).toBe(0);
		// the reads that go through sudo did run: the counters moved, the config test and the firewall read answered
		expect(records.find((c) => c.id === 'vrrp.adverts' && c.subject === 'dir2 VI_1')?.status).toBe('ok');
		expect(records.find((c) => c.id === 'keepalived.config-test' && c.subject === 'dir1')?.status).toBe('ok');
		expect(records.find((c) => c.id === 'vrrp.firewall' && c.subject === 'dir2')?.status).toBe('ok');
	});

	it('the wall shows the VIP holder and healthy real servers, with no findings', async () => {
		spawnSync('tmux', ['kill-session', '-t', WALL]);
		execFileSync('tmux', ['new-session', '-d', '-s', WALL, '-x', '120', '-y', '32', `${process.execPath} ${CLI} wall --profile ${SUDO_PROFILE} --interval 500`]);
		const screen = () => execFileSync('tmux', ['capture-pane', '-p', '-t', WALL], {encoding: 'utf8'});
		try {
			const s = await waitFor(async () => screen(), (t) => t.includes(`${VIP} (VI_1) is on`) && t.includes('TCP 192.168.67.100:80: healthy real servers') && t.includes('healthy: no findings'), {timeoutMs: 30_000, what: 'the wall showing the VIP holder, the real servers and no findings'});
			// (the title holds the profile's name, lab-sudo: look for sudo's refusals, not the word)
			expect(s.value).not.toMatch(/unreachable|stale|sudo (will not|does not|requires)/i);
		} finally {
			// never leave a poller behind: two pollers on one director take turns for its dump
			spawnSync('tmux', ['kill-session', '-t', WALL]);
		}
	});

	it('the console shows the VIP on dir1, every host ready and no findings', async () => {
		const CONSOLE = 'lvsdeck-sudo-console';
		spawnSync('tmux', ['kill-session', '-t', CONSOLE]);
		execFileSync('tmux', ['new-session', '-d', '-s', CONSOLE, '-x', '120', '-y', '32', `${process.execPath} ${CLI} console --profile ${SUDO_PROFILE}`]);
		const screen = () => execFileSync('tmux', ['capture-pane', '-p', '-t', CONSOLE], {encoding: 'utf8'});
		try {
			const s = await waitFor(async () => screen(), (t) => /● dir1 ready/.test(t) && /● dir2 ready/.test(t) && /● rs1 ready/.test(t) && /● rs2 ready/.test(t) && t.includes('healthy: no findings'), {timeoutMs: 40_000, what: 'the console healthy with every host ready'});
			expect(s.value).toMatch(/192\.168\.67\.100\s+VI_1\s+dir1/);
		} finally {
			spawnSync('tmux', ['kill-session', '-t', CONSOLE]);
		}
	});

	it('deploy and every drill refuse up front, naming the host and the missing right, and change nothing', async () => {
		const before = await Promise.all(['dir1', 'dir2'].map(sha));
		const deploy = cli(['deploy', '--profile', SUDO_PROFILE, '--yes']);
		expect(deploy.status, deploy.stderr).toBe(2);
		// one line: the first host and command refused, how many more hosts lack the rights, and the fix
		expect(deploy.stderr.trim().split('\n')).toHaveLength(1);
		expect(deploy.stderr).toMatch(/^deploy: (dir1|dir2|rs1|rs2): sudo does not let ops run lvsdeck-\S+ \(lvsdeck script\) \(deploy: .*\): not allowed without a password; install the lvsdeck-operate rules \(`lvsdeck sudoers --operate`\) in \/etc\/sudoers\.d\/ on \1 \(and 3 more hosts\); nothing was changed$/m);
		for (const args of [['failover'], ['hard-failover'], ['hard-failover', '--method', 'cut'], ['rs-health'], ['drain']]) {
			const r = cli(['drill', ...args, '--profile', SUDO_PROFILE]);
			expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
			expect(r.stderr, args.join(' ')).toMatch(/preflight: (dir1|dir2|rs1|rs2): sudo does not let ops run .+: not allowed without a password; install the lvsdeck-operate rules \(`lvsdeck sudoers --operate`\) in \/etc\/sudoers\.d\/ on \1/);
		}
		expect(await Promise.all(['dir1', 'dir2'].map(sha))).toEqual(before);
		expect(await holder()).toBe('dir1');
		expect((await root.exec('dir1', lab.keepalived.status)).code).toBe(0);
	});
});

describe('monitor and operate rights', () => {
	beforeAll(async () => setRights(BOTH()));

	it('deploy installs a change and puts it back', async () => {
		const variant = path.join(tmp, 'weight2.yaml');
		writeFileSync(variant, readFileSync(SUDO_PROFILE, 'utf8').replaceAll('../.lab/', `${path.join(ROOT, '.lab')}/`).replace('weight: 1', 'weight: 2'));
		const r = cli(['deploy', '--profile', variant, '--yes']);
		expect(r.status, r.stderr).toBe(0);
		expect((await root.exec('dir1', ['ipvsadm', '-Ln'])).stdout).toMatch(/-> 192\.168\.67\.10:80\s+Route\s+2/);
		const back = cli(['deploy', '--profile', SUDO_PROFILE, '--yes']);
		expect(back.status, back.stderr).toBe(0);
		expect((await root.exec('dir1', ['ipvsadm', '-Ln'])).stdout).toMatch(/-> 192\.168\.67\.10:80\s+Route\s+1/);
	});

	for (const args of [['failover'], ['hard-failover'], ['hard-failover', '--method', 'cut'], ['rs-health'], ['drain']]) {
		it(`drill ${args.join(' ')} passes and restores`, async () => {
			const json = path.join(tmp, `${args.join('-')}.json`);
			const r = cli(['drill', ...args, '--profile', SUDO_PROFILE, '--json', json]);
			expect(r.status, r.stderr).toBe(0);
			expect((JSON.parse(readFileSync(json, 'utf8')) as {verdict: string}).verdict).toBe('pass');
			await waitFor(holder, (h) => h === 'dir1', {timeoutMs: 30_000, what: 'the VIP back on dir1'});
		});
	}

	it('watch --from client1 sees both real servers', () => {
		const json = path.join(tmp, 'watch.json');
		const r = cli(['watch', '--profile', SUDO_PROFILE, '--from', 'client1', '--duration', '3', '--rate', '20', '--json', json, '--max-failed-requests', '0'], 60_000);
		expect(r.status, r.stderr).toBe(0);
		const report = JSON.parse(readFileSync(json, 'utf8')) as {requests: {perBackend: Record<string, number>}};
		expect(Object.keys(report.requests.perBackend).sort()).toEqual(['rs1', 'rs2']);
	});

	it('import reads the directors through sudo and keeps sudo in the profile', () => {
		const out = path.join(tmp, 'imported.yaml');
		const r = cli(['import', ...directors(lab).map((d) => `--director=${d.name}=ops@${d.address}`), '--ssh-from', SUDO_PROFILE, '--out', out], 120_000);
		expect(r.status, r.stderr).toBe(0);
		const imported = loadProfile(out);
		expect(imported.hosts.filter((h) => h.role === 'director').map((h) => [h.name, h.ssh.user, h.ssh.sudo])).toEqual([
			['dir1', 'ops', true],
			['dir2', 'ops', true],
		]);
		expect(imported.virtualServers.map((v) => `${v.vip}:${v.port}`)).toEqual(lab.virtualServers.map((v) => `${v.vip}:${v.port}`));
	});
});

describe('sudo that would block', () => {
	afterAll(async () => setRights(BOTH()));

	it('a sudo that wants a password gives one line per host naming the fix, at once', async () => {
		await setRights({'lvsdeck-monitor': 'ops ALL=(root) ALL\n'});
		const {r, json} = statusJson();
		expect(r.status).not.toBe(0);
		const errors = json.hosts.filter((h) => h.name.startsWith('dir')).map((h) => h.error ?? '');
		for (const [i, e] of errors.entries()) {
			expect(e).toMatch(new RegExp(`^dir${i + 1}: sudo will not run lvsdeck-probe \\(lvsdeck script\\) for ops without a password .*install the rules \`lvsdeck sudoers\` prints in /etc/sudoers\\.d/$`));
			expect(e).not.toContain('\n');
		}
	});

	it('requiretty gives one line naming the host and the Defaults line to add', async () => {
		await setRights({'lvsdeck-monitor': rules('monitor').replace('Defaults:ops !requiretty', 'Defaults:ops requiretty')});
		const {json} = statusJson();
		const e = json.hosts.find((h) => h.name === 'dir1')?.error ?? '';
		expect(e).toBe('dir1: sudo requires a tty (Defaults requiretty); add `Defaults:ops !requiretty` to /etc/sudoers.d/ (the rules `lvsdeck sudoers` prints have it)');
	});
});

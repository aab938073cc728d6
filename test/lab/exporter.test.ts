// `lvsdeck exporter` and `lvsdeck check` against the real lab, from the station namespace on loopback:
// a real Prometheus scrapes the exporter every second and answers who holds the VIP before and after a
// failover; promtool's lint accepts a scrape; a scrape taken during the VRRP-cut drill fires the
// split-brain alert in a promtool rule test; the check plugin says OK, CRITICAL and UNKNOWN.
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {CLI, LAB_PROFILE, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';
import {findPromtool, promtool, ruleTestOfScrape} from '../helpers/promtool.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
const rs1 = profile.hosts.find((h) => h.name === 'rs1')!;
const tmp = mkdtempSync(path.join(tmpdir(), 'lvsdeck-exporter-'));
const env = {...process.env, LVSDECK_STATE_DIR: path.join(tmp, 'state')};
const PROMETHEUS = process.env['LVSDECK_PROMETHEUS'] ?? '/usr/bin/prometheus';
const promtoolBin = findPromtool();
const started: ChildProcess[] = [];

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const s = createServer();
		s.once('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const port = (s.address() as {port: number}).port;
			s.close(() => resolve(port));
		});
	});
}

function start(command: string, args: readonly string[]): ChildProcess {
	const child = spawn(command, args, {env, stdio: ['ignore', 'ignore', 'pipe']});
	let stderr = '';
	child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
	child.on('exit', (code) => {
		if (code !== 0 && code !== null) process.stderr.write(`${path.basename(command)} exited ${code}: ${stderr}\n`);
	});
	started.push(child);
	return child;
}

async function stop(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const gone = new Promise((r) => child.once('exit', r));
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
	await gone;
	clearTimeout(timer);
}

let exporterPort = 0;
let prometheusPort = 0;
let exporter: ChildProcess;

async function scrape(accept?: string): Promise<{contentType: string; text: string}> {
	const r = await fetch(`http://127.0.0.1:${exporterPort}/metrics`, accept ? {headers: {accept}} : {});
	return {contentType: r.headers.get('content-type') ?? '', text: await r.text()};
}

/** Directors that hold the VIP, as Prometheus has them now. */
async function holdersInPrometheus(): Promise<string[]> {
	const q = encodeURIComponent('lvsdeck_vip_holder{cluster="lab",vip="192.168.67.100"} == 1');
	const r = (await (await fetch(`http://127.0.0.1:${prometheusPort}/api/v1/query?query=${q}`)).json()) as {status: string; data: {result: Array<{metric: Record<string, string>}>}};
	if (r.status !== 'success') throw new Error(`query failed: ${JSON.stringify(r)}`);
	return r.data.result.map((s) => s.metric['director']!).sort();
}

beforeAll(async () => {
	exporterPort = await freePort();
	exporter = start(process.execPath, [CLI, 'exporter', '--profile', LAB_PROFILE, '--listen', `127.0.0.1:${exporterPort}`]);
	// What the wait saw last, in a line: the VIP's holders and the hosts that answered.
	const seen = async () => {
		const text = await scrape().then((s) => s.text, (error: Error) => `no answer: ${error.message}`);
		return [...text.matchAll(/^(lvsdeck_vip_holders|lvsdeck_host_up)\{[^}]*?(?:vip|host)="([^"]+)"[^}]*\} (\d+)$/gm)].map((m) => `${m[1]} ${m[2]}=${m[3]}`).join(', ');
	};
	await waitFor(seen, (s) => s.includes('lvsdeck_vip_holders 192.168.67.100=1') && !/host_up \S+=0/.test(s) && s.includes('host_up rs2=1'), {timeoutMs: 60_000, intervalMs: 500, what: 'the exporter serving the VIP on one director, every host up'});
});

afterAll(async () => {
	for (const child of started) await stop(child);
	await pool.exec('dir1', profile.keepalived.start).catch(() => undefined);
	await pool.exec('rs1', rs1.service!.start).catch(() => undefined);
	await pool.close();
	rmSync(tmp, {recursive: true, force: true});
});

describe('lvsdeck exporter on the lab', () => {
	it('serves /healthz, the text format by default and OpenMetrics when asked; 404 elsewhere', async () => {
		const health = await fetch(`http://127.0.0.1:${exporterPort}/healthz`);
		expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
		expect((await fetch(`http://127.0.0.1:${exporterPort}/nope`)).status).toBe(404);
		const text = await scrape();
		expect(text.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
		expect(text.text).toMatch(/^lvsdeck_vrrp_state\{cluster="lab",instance="VI_1",director="dir1",state="MASTER"\} 1$/m);
		expect(text.text).toMatch(/^node_ipvs_backend_weight\{cluster="lab",director="dir1",local_address="192.168.67.100",local_port="80",proto="TCP",local_mark="",remote_address="192.168.67.10",remote_port="80"\} 1$/m);
		const om = await scrape('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5');
		expect(om.contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
		expect(om.text.endsWith('# EOF\n')).toBe(true);
		// The VRRP password never leaves: neither the lab's value nor an auth field.
		expect(text.text + om.text).not.toMatch(/1111|auth_pass|auth_data/);
	});

	it.skipIf(!promtoolBin)('promtool check metrics on a scrape reports nothing', async () => {
		const {text} = await scrape();
		const r = promtool(promtoolBin!, ['check', 'metrics'], text);
		expect(r.stdout + r.stderr).toBe('');
		expect(r.code).toBe(0);
	});

	it('a real Prometheus scraping every second reads the VIP holder before and after a failover', async () => {
		prometheusPort = await freePort();
		const config = path.join(tmp, 'prometheus.yml');
		writeFileSync(config, `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: lvsdeck\n    static_configs:\n      - targets: ['127.0.0.1:${exporterPort}']\n`);
		const prometheus = start(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${path.join(tmp, 'tsdb')}`, `--web.listen-address=127.0.0.1:${prometheusPort}`]);
		try {
			await failoverSeenByPrometheus();
		} finally {
			// The lab shares two cores: Prometheus goes as soon as it has answered.
			await stop(prometheus);
		}
	});

	it.skipIf(!promtoolBin)('a scrape taken during the VRRP-cut drill fires the split-brain alert in a promtool rule test; the drill result is served', async () => {
		// The drill's preflight wants every host answering within its timeout: start from a settled lab.
		await waitFor(() => scrape(), (s) => /^lvsdeck_findings_by_severity\{cluster="lab",severity="critical"\} 0$/m.test(s.text) && /^lvsdeck_findings_by_severity\{cluster="lab",severity="warning"\} 0$/m.test(s.text), {timeoutMs: 30_000, what: 'a lab with no findings'});
		await splitBrainScrapeFiresTheAlert();
	}, 240_000);

	it('stops on SIGTERM: exit 0, the port closed', async () => {
		const gone = new Promise<number | null>((r) => exporter.once('exit', (code) => r(code)));
		exporter.kill('SIGTERM');
		expect(await gone).toBe(0);
		await expect(fetch(`http://127.0.0.1:${exporterPort}/healthz`)).rejects.toThrow();
	});

	// After the exporter above has stopped: the lab's one emulated CPU then carries one exporter's polls
	// and streams, not two (with both, its directors' reads took long enough to time out).
	it('two profiles naming the same directors: both clusters served, from one SSH connection per host', async () => {
		// The lab's profile again under another cluster name (paths made absolute for the copy's folder).
		const twin = path.join(tmp, 'lab-twin.yaml');
		const text = readFileSync(LAB_PROFILE, 'utf8').replaceAll('../.lab/', `${path.resolve(path.dirname(LAB_PROFILE), '..', '.lab')}/`);
		writeFileSync(twin, text.replace(/^name: lab$/m, 'name: lab-twin'));
		const connections = async () => Number((await pool.exec('dir1', ['sh', '-c', "ss -H -t -n state established '( sport = :22 )' | wc -l"])).stdout.trim());
		// The stopped exporter's connection gone: the count no longer changing from one second to the next.
		let last = -1;
		const settled = (n: number) => {
			const same = n === last;
			last = n;
			return same;
		};
		const before = (await waitFor(connections, settled, {timeoutMs: 20_000, intervalMs: 1000, what: 'the SSH connections on dir1 to settle'})).value;
		const port = await freePort();
		const both = start(process.execPath, [CLI, 'exporter', '--profile', LAB_PROFILE, '--profile', twin, '--listen', `127.0.0.1:${port}`]);
		try {
			const holder = (cluster: string) => new RegExp(`^lvsdeck_vip_holder\\{cluster="${cluster}",instance="VI_1",vip="192\\.168\\.67\\.100",director="dir1"\\} 1$`, 'm');
			const hostsUp = (s: string, cluster: string) => (s.match(new RegExp(`^lvsdeck_host_up\\{cluster="${cluster}",host="[^"]+",role="[a-z]+"\\} 1$`, 'gm')) ?? []).length;
			const served = await waitFor(
				() => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()),
				(s) => holder('lab').test(s) && holder('lab-twin').test(s) && hostsUp(s, 'lab') === profile.hosts.length && hostsUp(s, 'lab-twin') === profile.hosts.length,
				{timeoutMs: 60_000, intervalMs: 500, what: 'both clusters served with the VIP on dir1 and every host up'},
			);
			expect(served.value).toMatch(/^lvsdeck_vrrp_state\{cluster="lab-twin",instance="VI_1",director="dir2",state="BACKUP"\} 1$/m);
			expect(await connections()).toBe(before + 1);
		} finally {
			await stop(both);
		}
	});
});

async function failoverSeenByPrometheus(): Promise<void> {
	await waitFor(holdersInPrometheus, (h) => h.join() === 'dir1', {timeoutMs: 30_000, intervalMs: 500, what: 'Prometheus showing dir1 holding the VIP'});
	try {
		expect((await pool.exec('dir1', profile.keepalived.stop)).code).toBe(0);
		await waitFor(holdersInPrometheus, (h) => h.join() === 'dir2', {timeoutMs: 30_000, intervalMs: 500, what: 'Prometheus showing dir2 holding the VIP after the failover'});
	} finally {
		await pool.exec('dir1', profile.keepalived.start);
	}
	await waitFor(holdersInPrometheus, (h) => h.join() === 'dir1', {timeoutMs: 30_000, intervalMs: 500, what: 'Prometheus showing the VIP back on dir1'});
	const up = (await (await fetch(`http://127.0.0.1:${prometheusPort}/api/v1/query?query=up`)).json()) as {data: {result: Array<{value: [number, string]}>}};
	expect(up.data.result.map((r) => r.value[1])).toEqual(['1']);
}

async function splitBrainScrapeFiresTheAlert(): Promise<void> {
	const json = path.join(tmp, 'cut.json');
	const drill = start(process.execPath, [CLI, 'drill', 'hard-failover', '--method', 'cut', '--profile', LAB_PROFILE, '--json', json]);
	const startedAt = Date.now();
	const seconds = () => ((Date.now() - startedAt) / 1000).toFixed(1);
	let progress = '';
	drill.stderr!.on('data', (d: Buffer) => (progress += d.toString().replace(/^(?=.)/gm, () => `${seconds()}s `)));
	// What each scrape said of the directors, when it changed: for the message when no scrape shows the split.
	const timeline: string[] = [];
	let lastSaid: string | undefined;
	const directors = (s: string) =>
		[
			...[...s.matchAll(/^lvsdeck_host_up\{[^}]*host="(dir\d)"[^}]*\} (\d)$/gm)].map((m) => `up ${m[1]}=${m[2]}`),
			...[...s.matchAll(/^lvsdeck_vip_holder\{[^}]*director="(dir\d)"[^}]*\} (\d)$/gm)].map((m) => `holder ${m[1]}=${m[2]}`),
			...[...s.matchAll(/^lvsdeck_vrrp_state\{[^}]*director="(dir\d)",state="([A-Z]+)"\} 1$/gm)].map((m) => `${m[1]} ${m[2]}`),
		].join(', ');
	const scrapeNoted = async () => {
		const s = await scrape();
		const line = directors(s.text);
		if (line !== lastSaid) timeline.push(`${seconds()}s ${line}`);
		lastSaid = line;
		return s;
	};
	let exitCode: number | null | undefined;
	const ended = new Promise<number | null>((r) => drill.once('exit', (code) => r((exitCode = code))));
	// Scrapes until one shows the VIP on both directors or the drill has ended: on a loaded machine the
	// drill's preflight alone can take most of a minute, so the wait is the drill's, not a fixed one.
	const split = (s: {text: string}) => /^lvsdeck_vip_holders\{[^}]*\} 2$/m.test(s.text);
	const seen = await waitFor(scrapeNoted, (s) => split(s) || exitCode !== undefined, {timeoutMs: 180_000, intervalMs: 200, what: 'a scrape with the VIP on both directors, or the drill ended'});
	expect(await ended, progress).toBe(0);
	expect(split(seen.value), `no scrape showed the VIP on both directors during the drill:\n${progress}\nwhat the scrapes said:\n${timeline.join('\n')}`).toBe(true);
	const during = seen.value.text;
	const file = path.join(tmp, 'split-brain.test.yaml');
	writeFileSync(file, ruleTestOfScrape(during, 'LvsdeckSplitBrain', {labels: {severity: 'critical', cluster: 'lab', instance: 'VI_1', vip: '192.168.67.100'}, summary: 'Split brain: 192.168.67.100 (VI_1) is on 2 directors in lab'}));
	const r = promtool(promtoolBin!, ['test', 'rules', file]);
	expect(r.stdout + r.stderr).toContain('SUCCESS');
	expect(r.code).toBe(0);
	// The drill kept its result in the state dir; the exporter reads it on the next scrape.
	const after = await waitFor(() => scrape(), (s) => /^lvsdeck_drill_last_passed\{cluster="lab",drill="hard-failover",method="cut"\} 1$/m.test(s.text), {timeoutMs: 10_000, what: 'the drill result in the scrape'});
	expect(after.value.text).toMatch(/^lvsdeck_drill_last_failover_seconds\{cluster="lab",drill="hard-failover",method="cut"\} \d/m);
}

function check(...args: string[]): {code: number | null; out: string} {
	const r = spawnSync(process.execPath, [CLI, 'check', ...args], {encoding: 'utf8', timeout: 60_000, env});
	return {code: r.status, out: r.stdout};
}

describe('lvsdeck check on the lab', () => {
	it('OK on the healthy lab, with performance data', async () => {
		const r = await waitFor(async () => check('--profile', LAB_PROFILE), (c) => c.code === 0, {timeoutMs: 30_000, what: 'check OK'});
		expect(r.value.out).toMatch(/^LVSDECK OK - 1\/1 VIPs held, 6\/6 real servers up, 5\/5 hosts up \| vips=1;;;0;1 rs_up=6;;;0;6 hosts_up=5;;;0;5 critical=0;;;0 warning=0;;;0 poll=\d+ms;;;0\n$/);
	});

	it('a threshold by option turns OK into WARNING', () => {
		const r = check('--profile', LAB_PROFILE, '--warning', 'rs_up=7:');
		expect(r.code).toBe(1);
		expect(r.out).toMatch(/^LVSDECK WARNING - rs_up 6 outside 7: \| vips=1;;;0;1 rs_up=6;7:;;0;6 /);
	});

	it('CRITICAL when a real server\'s service stops (rs missing)', async () => {
		try {
			expect((await pool.exec('rs1', rs1.service!.stop)).code).toBe(0);
			// Each director's health checker removes rs1 in its own time: wait until the VIP holder's table,
			// which rs_up counts, has lost it too (the backup's alone already makes the check CRITICAL).
			const r = await waitFor(async () => check('--profile', LAB_PROFILE), (c) => c.code === 2 && /is missing from/.test(c.out) && /rs_up=[0-5];/.test(c.out), {timeoutMs: 30_000, what: 'check CRITICAL with rs1 missing from the VIP holder too'});
			expect(r.value.out).toMatch(/^LVSDECK CRITICAL - .*rs1.* \| vips=1;;;0;1 rs_up=[0-5];;;0;6 /);
			expect(r.value.out).toMatch(/^\[CRITICAL\] rs1 \(192\.168\.67\.10:80\) is missing from/m);
		} finally {
			await pool.exec('rs1', rs1.service!.start);
		}
		await waitFor(async () => check('--profile', LAB_PROFILE), (c) => c.code === 0, {timeoutMs: 30_000, what: 'check OK again'});
	});

	it('UNKNOWN for a profile whose directors do not answer, for a missing profile and for a usage error', () => {
		// The lab's profile with its directors moved to addresses nobody has on the lab network.
		const unreachable = path.join(tmp, 'unreachable.yaml');
		// Its key and known_hosts stay the lab's (relative paths would resolve next to the copy): only the addresses fail.
		const labDir = path.join(path.dirname(LAB_PROFILE), '..', '.lab');
		const text = readFileSync(LAB_PROFILE, 'utf8')
			.replace('identity_file: ../.lab/id_ed25519', `identity_file: ${path.join(labDir, 'id_ed25519')}`)
			.replace('known_hosts: ../.lab/known_hosts', `known_hosts: ${path.join(labDir, 'known_hosts')}`)
			.replace('address: 192.168.67.110', 'address: 192.168.67.211')
			.replace('address: 192.168.67.120', 'address: 192.168.67.212');
		expect(text).toContain(`identity_file: ${path.join(labDir, 'id_ed25519')}`);
		expect(text).toContain('address: 192.168.67.212');
		writeFileSync(unreachable, text);
		const r = check('--profile', unreachable);
		expect(r.code).toBe(3);
		expect(r.out).toMatch(/^LVSDECK UNKNOWN - no director answered \(dir1: .*; dir2: .*\) \| vips=0;;;0;1 /);
		expect(r.out).not.toContain('identity file');
		// -t: a poll slower than the timeout (the unreachable directors' connect timeout) is UNKNOWN too.
		const late = check('--profile', unreachable, '-t', '1');
		expect([late.code, late.out]).toEqual([3, 'LVSDECK UNKNOWN - no answer within 1 s (--timeout)\n']);
		// --profiles DIR reads every profile of the folder: here the one unreachable cluster; an empty folder is UNKNOWN.
		const folder = path.join(tmp, 'fleet');
		mkdirSync(path.join(folder, 'empty'), {recursive: true});
		writeFileSync(path.join(folder, 'unreachable.yaml'), text);
		const fromFolder = check('--profiles', folder);
		expect(fromFolder.code).toBe(3);
		expect(fromFolder.out).toMatch(/^LVSDECK UNKNOWN - no director answered \(dir1: .*; dir2: .*\)/);
		const empty = check('--profiles', path.join(folder, 'empty'));
		expect([empty.code, empty.out]).toEqual([3, expect.stringMatching(/^LVSDECK UNKNOWN - --profiles .*empty: no profile \(\*\.yaml, \*\.yml\) in this folder/)]);
		const missing = check('--profile', path.join(tmp, 'none.yaml'));
		expect([missing.code, missing.out]).toEqual([3, expect.stringMatching(/^LVSDECK UNKNOWN - .*none\.yaml/)]);
		expect(check('--profile', LAB_PROFILE, '--warning', 'nope=1').code).toBe(3);
	});
});

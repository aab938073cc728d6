// Remote text cannot drive the terminal. Every host of a cluster is hostile (hostile-cluster.ts: escape
// sequences, bidi overrides, zero-width characters and C0/C1 controls in every field of every probe),
// and the real command code paths run against it: status (text and --json), the console's every view
// and the wall (ink-testing-library), deploy's plan (text and --json), watch from the station and from a
// client host (summary and --json file), drills refused at their preflight, the top-level error handler,
// and the drill report formats (text, JSON, JUnit). No output may contain an ESC, a C1 control, a bidi
// control or a zero-width character; the JUnit XML must be well-formed; and what the hosts sent must
// still show, sanitized, so the test fails if everything were simply dropped.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {Text} from 'ink';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {main} from '../../../src/main.js';
import {loadProfile} from '../../../src/profile/load.js';
import {createScreenRuntime} from '../../../src/commands/console.js';
import {ConsoleApp} from '../../../src/ui/console/App.js';
import {WallApp} from '../../../src/ui/wall/Wall.js';
import {formatDrill} from '../../../src/actions/drills/format.js';
import {toJUnit} from '../../../src/actions/drills/report.js';
import type {DrillReport} from '../../../src/actions/drills/failover.js';
import {printOut, writeJsonFile, writeTextFile} from '../../../src/text/sink.js';
import {waitFor} from '../../helpers/wait-for.js';
import {KEYS} from '../ui/ink-helpers.js';
import {findForbidden, HOSTILE_BODIES, startHostileCluster, X, X_ESCAPED_START, type HostileCluster} from './hostile-cluster.js';
import {xmlProblem} from './xml-check.js';
import {withReadClusters} from '../../../src/commands/clusters.js';
import {renderMetrics} from '../../../src/commands/exporter.js';
import {findPromtool, promtool} from '../../helpers/promtool.js';

let cluster: HostileCluster;
let tmp: string;

beforeAll(async () => {
	cluster = await startHostileCluster();
	tmp = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-hostile-out-'));
	process.env['LVSDECK_STATE_DIR'] = path.join(tmp, 'state');
});

afterAll(async () => {
	delete process.env['LVSDECK_STATE_DIR'];
	await cluster.close();
	rmSync(tmp, {recursive: true, force: true});
});

/** No forbidden character anywhere in `text`. */
function expectClean(where: string, text: string): void {
	expect(findForbidden(text), where).toBeUndefined();
}

/** Every string in a parsed JSON value is clean (keys too). */
function expectCleanValue(where: string, value: unknown): void {
	if (typeof value === 'string') expectClean(where, value);
	else if (Array.isArray(value)) value.forEach((v, i) => expectCleanValue(`${where}[${i}]`, v));
	else if (value !== null && typeof value === 'object') {
		for (const [k, v] of Object.entries(value)) {
			expectClean(`${where} key`, k);
			expectCleanValue(`${where}.${k}`, v);
		}
	}
}

/** Runs the CLI in this process with stdout and stderr captured. */
async function lvsdeck(...args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
	const out: string[] = [];
	const err: string[] = [];
	const writeOut = process.stdout.write;
	const writeErr = process.stderr.write;
	process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
	process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
	try {
		const code = await main(['node', 'lvsdeck', ...args]);
		return {code, stdout: out.join(''), stderr: err.join('')};
	} finally {
		process.stdout.write = writeOut;
		process.stderr.write = writeErr;
	}
}

/** Ink frames are plain when colours are off; with colours on, only SGR may appear. */
const colours = (() => {
	const probe = render(<Text color="red">x</Text>);
	const coloured = /\u001b/.test(probe.lastFrame() ?? '');
	probe.unmount();
	return coloured;
})();
const frameText = (frame: string | undefined) => (colours ? (frame ?? '').replace(/\u001b\[[0-9;]*m/g, '') : (frame ?? ''));

describe('status against hostile hosts', () => {
	it('text: no control or invisible character, and the hosts’ data shows (refused fields quoted, escaped)', async () => {
		const r = await lvsdeck('status', '--profile', cluster.profileFile);
		expectClean('stdout', r.stdout);
		expectClean('stderr', r.stderr);
		expect(r.code, r.stderr).toBe(1);
		expect(r.stdout).toMatch(/127\.0\.0\.100\s+VI_1\s+dir1\s+dir1\s+dir1=MASTER\/150 dir2=BACKUP\/100/);
		expect(r.stdout).toMatch(/TCP 127\.0\.0\.100:18080\s+\? persistent 300/);
		expect(r.stdout).toMatch(/-> 127\.0\.0\.21:18080\s+Route\s+1/);
		expect(r.stdout).toMatch(/-> 127\.0\.0\.22:18080\s+\?\s+1/);
		expect(r.stdout).toMatch(/TCP 127\.0\.0\.101:443\s+wlc persistent 60/);
		expect(r.stdout).toContain(`output problem: line 4: scheduler "${X_ESCAPED_START}`);
		expect(r.stdout).toContain('output problem: VI_1: master router on line 7 is not an address; dropped');
		// client2 hung up with a hostile reason: it reaches the finding as plain text.
		expect(r.stdout).toContain('CRITICAL host-unreachable     client2 is unreachable: client2: go away now please');
		expect(r.stdout).not.toContain('secret');
	});

	it('--json: every string clean, refused fields replaced or dropped, problems reported', async () => {
		const r = await lvsdeck('status', '--json', '--profile', cluster.profileFile);
		expectClean('stdout', r.stdout);
		const report = JSON.parse(r.stdout) as {hosts: Array<{name: string; error: string | null}>; directors: Array<{name: string; problems: string[]; vrrp: Array<{instance: string; state: string}>; ipvs: Array<{address: string; scheduler: string; realServers: Array<{address: string; forward: string}>}>}>};
		expectCleanValue('report', report);
		const dir1 = report.directors.find((d) => d.name === 'dir1')!;
		expect(dir1.ipvs.map((s) => `${s.address} ${s.scheduler}`)).toEqual(['127.0.0.100 ?', '127.0.0.101 wlc']);
		expect(dir1.ipvs[0]!.realServers.map((rs) => `${rs.address} ${rs.forward}`)).toEqual(['127.0.0.21 Route', '127.0.0.22 ?']);
		expect(dir1.vrrp.map((v) => `${v.instance} ${v.state}`)).toEqual(['VI_1 MASTER', 'VI_3 UNKNOWN']);
		expect(dir1.problems.some((p) => p.includes(X_ESCAPED_START))).toBe(true);
		expect(report.directors.find((d) => d.name === 'dir2')!.vrrp.map((v) => `${v.instance} ${v.state}`)).toEqual(['VI_1 BACKUP']);
		expect(report.hosts.find((h) => h.name === 'client2')!.error).toBe('client2: go away now\nplease');
	});
});

describe('the exporter and the check plugin against hostile hosts', () => {
	it('check: one clean status line and clean findings; CRITICAL for the host that hung up', async () => {
		const r = await lvsdeck('check', '--profile', cluster.profileFile);
		expectClean('stdout', r.stdout);
		expectClean('stderr', r.stderr);
		expect(r.code, r.stdout).toBe(2);
		expect(r.stdout).toMatch(/^LVSDECK CRITICAL - .* \| vips=1;;;0;/);
		expect(r.stdout).toContain('client2 is unreachable: client2: go away now please');
		expect(r.stdout).not.toContain('secret');
	});

	it('exporter: the metrics of a hostile cluster are clean, every line a sample or a comment, promtool silent', async () => {
		let text = '';
		await withReadClusters([cluster.profileFile], undefined, {events: false}, async (clusters) => {
			await clusters[0]!.poller.pollOnce();
			text = renderMetrics(clusters, 'prometheus');
			return 0;
		});
		expectClean('metrics', text);
		expect(text).toMatch(/^node_ipvs_backend_weight\{[^}]*remote_address="127\.0\.0\.21",remote_port="18080"\} 1$/m);
		for (const line of text.trimEnd().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \S+ .*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? \S+)$/);
		const bin = findPromtool();
		if (bin) expect(promtool(bin, ['check', 'metrics'], text).stdout).toBe('');
	});
});

describe('the screens against hostile hosts', () => {
	it('console: every view, details and help hold no control or invisible character and show the data', async () => {
		const profile = loadProfile(cluster.profileFile);
		const rt = createScreenRuntime(profile, 'console');
		rt.poller.start();
		const frames: Array<[string, string]> = [];
		try {
			await waitFor(
				async () => rt.store.getState(),
				(s) => s.hosts.every((h) => h.reachable || h.error !== undefined) && s.events.some((e) => e.kind === 'vip-added'),
				{timeoutMs: 10_000, what: 'every hostile host polled and an address event'},
			);
			const app = render(<ConsoleApp profile={profile} store={rt.store} history={rt.history} log={rt.log} {...(rt.actions ? {actions: rt.actions} : {})} size={{columns: 160, rows: 50}} refreshThrottleMs={0} />);
			try {
				const show = async (what: string, keys: string, check: (f: string) => boolean) => {
					await new Promise((r) => setTimeout(r, 20));
					if (keys) app.stdin.write(keys);
					const {value} = await waitFor(async () => frameText(app.lastFrame()), check, {timeoutMs: 3000, what});
					frames.push([what, value]);
					return value;
				};
				const overview = await show('overview', '', (f) => f.includes('127.0.0.100') && f.includes('go away'));
				expect(overview).toMatch(/127\.0\.0\.100\s+VI_1\s+dir1\s+MASTER 150\s+BACKUP 100/);
				expect(overview).toMatch(/client2\s+127\.0\.0\.32\s+client\s+.*client2: go away now please/);
				const ipvs = await show('IPVS view', '2', (f) => f.includes('SERVICE / REAL SERVER'));
				expect(ipvs).toMatch(/TCP 127\.0\.0\.100:18080\s+\? p300/);
				expect(ipvs).toMatch(/-> 127\.0\.0\.22:18080 rs2\s+\?\s+1/);
				await show('IPVS details', `${KEYS.down}${KEYS.enter}`, (f) => f.includes('details (Enter/Esc to close)'));
				await show('IPVS details closed', KEYS.escape, (f) => !f.includes('details (Enter/Esc'));
				const vrrp = await show('VRRP view', '3', (f) => f.includes('MASTER ROUTER'));
				// The version the hostile binary claims holds control characters: refused, shown as ?.
				expect(vrrp).toMatch(/dir1\s+VI_1\s+\?\s+MASTER\s+150/);
				expect(vrrp).toMatch(/dir2\s+VI_1\s+\?\s+BACKUP\s+100/);
				await show('VRRP details', KEYS.enter, (f) => f.includes('details (Enter/Esc to close)'));
				await show('VRRP details closed', KEYS.escape, (f) => !f.includes('details (Enter/Esc'));
				const rs = await show('real-server view', '4', (f) => f.includes('RS SETUP'));
				expect(rs).toMatch(/rs1\s+yes\s+VIP on lo/);
				const log = await show('log view', '5', (f) => f.includes('action log'));
				expect(log).toContain('127.0.0.100 added on dir1 (eth0)');
				expect(log).toContain('client2 is unreachable: client2: go away now please');
				await show('help', '?', (f) => f.includes('? Help'));
			} finally {
				app.unmount();
			}
		} finally {
			await rt.stop();
		}
		for (const [what, frame] of frames) expectClean(what, frame);
	});

	it('wall: no control or invisible character, and the holder shows', async () => {
		const profile = loadProfile(cluster.profileFile);
		const rt = createScreenRuntime(profile, 'wall');
		try {
			await rt.poller.pollOnce();
			const app = render(<WallApp profile={profile} store={rt.store} size={{columns: 120, rows: 40}} />);
			try {
				const {value} = await waitFor(async () => frameText(app.lastFrame()), (f) => f.includes('127.0.0.100 (VI_1) is on'), {timeoutMs: 3000, what: 'the wall'});
				expectClean('wall', value);
				expect(value).toContain('lvsdeck wall · hostile');
			} finally {
				app.unmount();
			}
		} finally {
			await rt.stop();
		}
	});
});

describe('deploy against hostile hosts', () => {
	it('the plan shows the installed file sanitized (text and --json)', async () => {
		const text = await lvsdeck('deploy', '--dry-run', '--profile', cluster.profileFile);
		expectClean('stdout', text.stdout);
		expectClean('stderr', text.stderr);
		expect(text.code, text.stderr).toBe(0);
		expect(text.stdout).toContain('-  router_id evil');
		// A paragraph separator in the file is a space in its diff line, not a diff line of its own.
		// (and the word after auth_pass is masked: the sink and the diff mask VRRP passwords wherever they stand)
		expect(text.stdout).toContain('-! installed by someone else +  auth_pass ********');
		expect(text.stdout).not.toMatch(/^\+  auth_pass/m);
		expect(text.stdout).not.toContain('forged');
		const json = await lvsdeck('deploy', '--dry-run', '--json', '--profile', cluster.profileFile);
		expectClean('stdout', json.stdout);
		const plan = JSON.parse(json.stdout) as {hosts: Array<{host: string; diff: string}>};
		expectCleanValue('plan', plan);
		expect(plan.hosts.find((h) => h.host === 'dir1')!.diff).toContain('-  router_id evil');
	});

	it('the top-level error handler prints a host’s error line sanitized', async () => {
		cluster.options.readFails = true;
		try {
			const r = await lvsdeck('deploy', '--dry-run', '--profile', cluster.profileFile);
			expectClean('stdout', r.stdout);
			expectClean('stderr', r.stderr);
			expect(r.code).toBe(2);
			expect(r.stderr).toMatch(/^lvsdeck: unexpected error: \w+: cannot read \S+: cat: permission denied really\n$/);
		} finally {
			cluster.options.readFails = false;
		}
	});
});

describe('watch against hostile answers', () => {
	it('from the station: backend names from hostile bodies are sanitized in the summary and the JSON file', async () => {
		const file = path.join(tmp, 'watch-station.json');
		const r = await lvsdeck('watch', '--profile', cluster.profileFile, '--duration', '1', '--rate', '20', '--json', file);
		expectClean('stdout', r.stdout);
		expectClean('stderr', r.stderr);
		expect(r.code, r.stderr).toBe(0);
		expect(r.stdout).toMatch(/rs1=\d+ rs2=\d+/);
		const text = readFileSync(file, 'utf8');
		expectClean('json file', text);
		const report = JSON.parse(text) as {requests: {perBackend: Record<string, number>}};
		expect(Object.keys(report.requests.perBackend).sort()).toEqual(['rs1', 'rs2']);
	});

	it('from a client host: the curl stream and its error line are sanitized; the error ends the run', async () => {
		const file = path.join(tmp, 'watch-remote.json');
		const r = await lvsdeck('watch', '--profile', cluster.profileFile, '--from', 'client1', '--duration', '5', '--json', file);
		expectClean('stdout', r.stdout);
		expectClean('stderr', r.stderr);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('lvsdeck: the watcher on client1 ended: curl: evil failed');
		expect(r.stdout).toMatch(/ok 3, failed 1.*rs1=2 rs2=1/);
		const text = readFileSync(file, 'utf8');
		expectClean('json file', text);
		expect((JSON.parse(text) as {requests: {perBackend: Record<string, number>}}).requests.perBackend).toEqual({rs1: 2, rs2: 1});
	});
});

describe('drills against hostile hosts', () => {
	it('a freeze refused by the host prints its refusal sanitized, and nothing is journaled', async () => {
		const r = await lvsdeck('drill', 'hard-failover', '--profile', cluster.profileFile);
		expectClean('stdout', r.stdout);
		expectClean('stderr', r.stderr);
		expect(r.code).toBe(2);
		expect(r.stderr).toMatch(/lvsdeck: drill refused: preflight: dir1: refusing to do it\n$/);
		const recover = await lvsdeck('drill', '--recover', '--profile', cluster.profileFile);
		expect(recover.stderr).toContain('nothing to recover');
	});

	it('a baseline from a client host that fails prints the host’s error sanitized', async () => {
		const r = await lvsdeck('drill', 'failover', '--from', 'client1', '--profile', cluster.profileFile);
		expectClean('stdout', r.stdout);
		expectClean('stderr', r.stderr);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('drill refused: preflight: the watcher on client1 ended: curl: evil failed');
	});

	it('reports with hostile values: text, JSON and JUnit clean, the JUnit well-formed, the values still there', () => {
		const hostile = (s: string) => `${X}${s}\r\u0000${X}`;
		const report: DrillReport = {
			drill: 'hard-failover',
			profile: hostile('hostile'),
			instance: hostile('VI_1'),
			vip: '127.0.0.100',
			target: hostile('dir1'),
			takeover: hostile('dir2'),
			verdict: 'fail',
			reasons: [hostile('fault injection failed on dir1: kill: <denied> & "gone"'), `split${X}brain`],
			failoverMs: 3100,
			vipLeftMs: null,
			expectedBoundMs: 3688,
			splitBrainMs: 10,
			returnMs: null,
			preempt: 'preempt',
			method: 'freeze',
			keepalivedTransitionAt: null,
			measuredMinusKeepalivedMs: null,
			requests: {total: 3, failed: 1, timeouts: 0, perBackend: {[hostile('rs1')]: 1, [`rs${X}2`]: 1, '\uffff': 0}},
			longestGapMs: 5,
			latencyP50Ms: 1,
			latencyP99Ms: 2,
			restored: true,
			startedAt: '2026-01-01T00:00:00.000Z',
			endedAt: '2026-01-01T00:00:10.000Z',
			durationMs: 10_000,
			timeline: [{t: 0, at: '2026-01-01T00:00:00.000Z', event: hostile('freezing <VRRP> on dir1')}],
		};
		const text = formatDrill(report);
		expectClean('text', text);
		expect(text).toContain('hard-failover drill (freeze) on VI_1 (127.0.0.100): FAIL');
		expect(text).toContain('per backend rs1=1 rs2=1');
		const xml = toJUnit([report]);
		expectClean('junit', xml);
		expect(xmlProblem(xml)).toBeUndefined();
		expect(xml).toContain('<property name="perBackend.rs1" value="1"/>');
		expect(xml).toContain('fault injection failed on dir1: kill: &lt;denied&gt; &amp; &quot;gone&quot;');
		expect(xml).toContain('freezing &lt;VRRP&gt; on dir1');
		const junitFile = path.join(tmp, 'drill.xml');
		const jsonFile = path.join(tmp, 'drill.json');
		writeTextFile(junitFile, xml);
		writeJsonFile(jsonFile, report);
		expect(xmlProblem(readFileSync(junitFile, 'utf8'))).toBeUndefined();
		const json = readFileSync(jsonFile, 'utf8');
		expectClean('json file', json);
		expect((JSON.parse(json) as DrillReport).reasons[0]).toBe('fault injection failed on dir1: kill: <denied> & "gone"');
	});
});

describe('the checks themselves', () => {
	it('would catch what the hostile hosts send, raw', () => {
		expect(findForbidden(X)).toBeDefined();
		for (const c of [...X]) if (c !== '$' && !/[\w;[\]\\]/.test(c)) expect(findForbidden(`a${c}b`), `U+${c.codePointAt(0)!.toString(16)}`).toBeDefined();
		expect(findForbidden(HOSTILE_BODIES.join(''))).toBeDefined();
		expect(xmlProblem('<a x="1"><b>&amp;</b></a>')).toBeUndefined();
		expect(xmlProblem('<a><b></a>')).toBeDefined();
		expect(xmlProblem('<a>\u001b</a>')).toBeDefined();
		expect(xmlProblem('<a x="<">1</a>')).toBeDefined();
		expect(xmlProblem('<a>&bogus;</a>')).toBeDefined();
	});

	it('and the sink would let them through if it did not sanitize (the capture sees raw writes)', async () => {
		const r = await (async () => {
			const out: string[] = [];
			const write = process.stdout.write;
			process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
			try {
				printOut(`a${X}b`);
				process.stdout.write(`raw${X}\n`);
			} finally {
				process.stdout.write = write;
			}
			return out;
		})();
		expect(r[0]).toBe('ab\n');
		expect(findForbidden(r[1]!)).toBeDefined();
	});
});

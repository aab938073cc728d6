// Drills on services that are not HTTP: the traffic's mode, payload and timeout (CLI and plan), the
// default mode taken from the service as `watch` takes it, one-line errors, and the unit rs-health
// stops on the TCP 9000 and UDP 9053 services (rs_service) instead of the host's web server.
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadProfile, parseProfile} from '../../../src/profile/load.js';
import {DrillRefused, drillTraffic, drillTrafficLabel} from '../../../src/actions/drills/common.js';
import {checkPlanAgainstProfile, parseDrillPlan} from '../../../src/actions/drills/plan-file.js';
import {trafficChoiceProblem} from '../../../src/actions/drills/traffic-choice.js';
import {drillTarget} from '../../../src/actions/drills/realserver-drill.js';
import {describeSpec, type DrillSpec} from '../../../src/actions/drills/run.js';
import {drillReport} from '../../../src/actions/drills/drill-report.js';
import {formatDrill} from '../../../src/actions/drills/format.js';
import {drillCommand} from '../../../src/commands/drill.js';
import {pickVirtualService} from '../../../src/actions/traffic.js';
import type {Transport} from '../../../src/transport/types.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const LAB_FILE = path.join(ROOT, 'profiles', 'lab.yaml');
const lab = loadProfile(LAB_FILE);
const VIP = '192.168.67.100';
/** drillTraffic only names the transport for table attribution; nothing is sent here. */
const transport = {} as Transport;

const vsOf = (port: number) => pickVirtualService(lab, `${VIP}:${port}`);

describe('drill traffic: the mode from the service, as watch picks it', () => {
	it('defaults: http on 80, tcp on 9000 (backends from the connection table), udp on 9053', () => {
		expect(drillTraffic(lab, vsOf(80), transport, {}).url).toBe(`http://${VIP}:80/`);
		const tcp = drillTraffic(lab, vsOf(9000), transport, {});
		expect(tcp.url).toBe(`tcp://${VIP}:9000`);
		expect(tcp.table).toBeDefined();
		expect(tcp.timeoutMs).toBe(1000);
		expect(drillTraffic(lab, vsOf(9053), transport, {}).url).toBe(`udp://${VIP}:9053`);
	});

	it('takes the chosen mode, payload and timeout', () => {
		const spec = drillTraffic(lab, vsOf(80), transport, {traffic: {mode: 'tcp', send: 'GET / HTTP/1.0\\r\\n\\r\\n', timeoutMs: 2500}});
		expect(spec.url).toBe(`tcp://${VIP}:80`);
		expect(spec.send).toBe('GET / HTTP/1.0\\r\\n\\r\\n');
		expect(spec.timeoutMs).toBe(2500);
		expect(drillTrafficLabel(vsOf(9053), {traffic: {send: 'hi'}})).toBe(`udp://${VIP}:9053 (sending hi), backends from the connection table`);
	});

	it('refuses a mode the service cannot speak while a drill prepares (nothing changed)', () => {
		expect(() => drillTraffic(lab, vsOf(9000), transport, {traffic: {mode: 'udp'}})).toThrow(DrillRefused);
		expect(() => drillTraffic(lab, vsOf(9000), transport, {traffic: {mode: 'udp'}})).toThrow(`--mode udp: ${VIP}:9000 is a TCP service`);
	});
});

describe('traffic choice checked against the drilled service', () => {
	const problem = (spec: DrillSpec) => trafficChoiceProblem(lab, spec);
	it('accepts what the service speaks, and no choice at all', () => {
		expect(problem({kind: 'rs-health', service: `${VIP}:9000`, traffic: {mode: 'tcp', send: 'x\\n'}})).toBeUndefined();
		expect(problem({kind: 'failover', service: `${VIP}:9053`, traffic: {mode: 'udp'}})).toBeUndefined();
		expect(problem({kind: 'failover'})).toBeUndefined();
	});

	it('names the option and the service that does not fit', () => {
		expect(problem({kind: 'failover', service: `${VIP}:9000`, traffic: {mode: 'udp'}})).toEqual({field: 'mode', message: `--mode udp: ${VIP}:9000 is a TCP service`});
		expect(problem({kind: 'rs-health', service: `${VIP}:9053`, traffic: {mode: 'tcp'}})).toEqual({field: 'mode', message: `--mode tcp: ${VIP}:9053 is a UDP service`});
		expect(problem({kind: 'failover', traffic: {mode: 'smtp'}})?.message).toBe('--mode smtp: expected one of http, tcp, udp');
		// the default service of a failover drill is the HTTP one: http sends a GET of its own
		expect(problem({kind: 'failover', traffic: {send: 'x'}})).toEqual({field: 'send', message: '--send: only for --mode tcp or udp (http sends a GET)'});
		expect(problem({kind: 'drain', service: `${VIP}:9000`, traffic: {send: 'a\\qb'}})?.field).toBe('send');
	});

	it('the report and its text name the traffic', () => {
		const common = {profile: 'lab', traffic: `udp://${VIP}:9053, backends from the connection table`, verdict: 'pass' as const, reasons: [], requests: {total: 1, failed: 0, timeouts: 0, perBackend: {}}, longestGapMs: 0, latencyP50Ms: null, latencyP99Ms: null, restored: true, startedAt: '', endedAt: '', durationMs: 1, timeline: []};
		const measured = {failoverMs: 1, removalMs: 1, vipLeftMs: null, expectedBoundMs: 1, splitBrainMs: 0 as const, returnMs: 1, preempt: '-' as const, keepalivedTransitionAt: null, measuredMinusKeepalivedMs: null};
		const report = drillReport('rs-health', common, {instance: 'x', service: 'x', vip: VIP, target: 'rs1', takeover: 'dir1'}, measured, {failedAfterRemoval: 0, toTargetAfterRemoval: 0});
		expect(report.traffic).toBe(common.traffic);
		expect(formatDrill(report).split('\n')).toContain(`  traffic: ${common.traffic}`);
	});

	it('describes a drill with its mode', () => {
		expect(describeSpec({kind: 'failover', service: `${VIP}:9053`, traffic: {mode: 'udp'}})).toBe(`failover on ${VIP}:9053 (udp)`);
	});
});

describe('drill plans: mode, send and timeout_ms per drill', () => {
	const errorOf = (text: string, against = false): string => {
		try {
			const plan = parseDrillPlan(text, 'plan.yaml');
			if (against) checkPlanAgainstProfile(plan, lab);
		} catch (error) {
			return (error as Error).message;
		}
		throw new Error('the plan was accepted');
	};

	it('reads them into the spec', () => {
		const plan = parseDrillPlan(`drills:\n  - {kind: rs-health, service: ${VIP}:9000, mode: tcp, send: "PING\\\\n", timeout_ms: 2000}\n  - {kind: failover, service: ${VIP}:9053}\n`, 'p.yaml');
		expect(plan.drills).toEqual([
			{kind: 'rs-health', service: `${VIP}:9000`, traffic: {mode: 'tcp', send: 'PING\\n', timeoutMs: 2000}},
			{kind: 'failover', service: `${VIP}:9053`},
		]);
		expect(() => checkPlanAgainstProfile(plan, lab)).not.toThrow();
	});

	it('refuses bad values in one line with file, line, column and field', () => {
		expect(errorOf('drills:\n  - {kind: failover, mode: smtp}\n')).toMatch(/^plan\.yaml:2:\d+: drills\[0\]\.mode: must be one of http, tcp, udp$/);
		expect(errorOf('drills:\n  - {kind: failover, timeout_ms: 10}\n')).toMatch(/^plan\.yaml:2:\d+: drills\[0\]\.timeout_ms: /);
		expect(errorOf('drills:\n  - kind: drain\n    send: "a\\tb"\n')).toMatch(/^plan\.yaml:3:11: drills\[0\]\.send: at most 256 printable ASCII characters/);
	});

	it('refuses a mode the drilled service cannot speak, at its field', () => {
		expect(errorOf(`drills:\n  - {kind: failover}\n  - kind: rs-health\n    service: ${VIP}:9053\n    mode: tcp\n`, true)).toBe(`plan.yaml:5:11: drills[1].mode: tcp: ${VIP}:9053 is a UDP service`);
		expect(errorOf('drills:\n  - kind: failover\n    send: hello\n', true)).toBe('plan.yaml:3:11: drills[0].send: only for mode tcp or udp (http sends a GET)');
	});
});

describe('drill command: --mode, --send, --timeout-ms checked before anything runs', () => {
	const refusal = async (kind: string, options: Record<string, string>): Promise<string> => {
		try {
			await drillCommand(kind, {profile: LAB_FILE, ...options});
		} catch (error) {
			return (error as Error).message;
		}
		throw new Error('the options were accepted');
	};

	it('refuses in one line naming the option', async () => {
		expect(await refusal('rs-health', {service: `${VIP}:9000`, mode: 'udp'})).toBe(`--mode udp: ${VIP}:9000 is a TCP service`);
		expect(await refusal('failover', {service: `${VIP}:9053`, mode: 'quic'})).toBe('--mode quic: expected one of http, tcp, udp');
		expect(await refusal('failover', {send: 'x'})).toBe('--send: only for --mode tcp or udp (http sends a GET)');
		expect(await refusal('failover', {timeoutMs: '5'})).toMatch(/^--timeout-ms/);
	});

	it('leaves them to the plan when one is given', () => {
		expect(() => drillCommand(undefined, {plan: 'plan.yaml', mode: 'udp'})).toThrow('drill --plan: --mode is set per drill in the plan');
	});
});

describe('rs-health stops the unit that serves the drilled service', () => {
	it('the lab: httpd on 80, name-tcp-9000 on 9000, name-udp-9053 on 9053', () => {
		expect(drillTarget(lab, 'rs-health', 'rs1', `${VIP}:80`).unit?.stop).toEqual(['systemctl', 'stop', 'httpd']);
		expect(drillTarget(lab, 'rs-health', 'rs1', `${VIP}:9000`).unit?.stop).toEqual(['systemctl', 'stop', 'name-tcp-9000']);
		const udp = drillTarget(lab, 'rs-health', 'rs2', `${VIP}:9053`).unit;
		expect(udp?.name).toBe('name-udp-9053');
		expect(udp?.start).toEqual(['systemctl', 'start', 'name-udp-9053']);
	});

	const profileText = (rsService: string, rsOwn = '') => `name: t
hosts:
  d1: {address: 10.0.0.1, role: director}
  r1: {address: 10.0.0.11, role: realserver${rsOwn ? '' : ', service: {name: web, start: systemctl start web, stop: systemctl stop web, status: systemctl is-active web}'}}
vrrp_instances:
  - {name: VI_1, vrid: 1, interface: eth0, directors: {d1: {state: MASTER, priority: 100}}, vips: [{address: 10.0.0.100/24}]}
virtual_servers:
  - vip: 10.0.0.100
    port: 5432
    scheduler: rr
    forwarding: DR
${rsService}    real_servers:
      - {host: r1, port: 5432, check: {type: TCP_CHECK}${rsOwn}}
`;

	it('a real server\'s own service wins over the virtual server\'s rs_service, which wins over the host\'s', () => {
		const both = parseProfile(profileText('    rs_service: {name: pg, start: systemctl start pg, stop: systemctl stop pg, status: systemctl is-active pg}\n', ', service: {name: pg-r1, start: pg_ctl start, stop: pg_ctl stop -m fast, status: pg_ctl status}'), 't.yaml');
		expect(drillTarget(both, 'rs-health', 'r1', undefined).unit?.stop).toEqual(['pg_ctl', 'stop', '-m', 'fast']);
		const vsOnly = parseProfile(profileText('    rs_service: {name: pg, start: systemctl start pg, stop: systemctl stop pg, status: systemctl is-active pg}\n'), 't.yaml');
		expect(drillTarget(vsOnly, 'rs-health', 'r1', undefined).unit?.name).toBe('pg');
		const hostOnly = parseProfile(profileText(''), 't.yaml');
		expect(drillTarget(hostOnly, 'rs-health', 'r1', undefined).unit?.name).toBe('web');
	});

	it('refuses rs-health when nothing names a unit, and commands with shell syntax in the profile', () => {
		const none = parseProfile(profileText('', ', weight: 1'), 't.yaml');
		expect(() => drillTarget(none, 'rs-health', 'r1', undefined)).toThrow('r1 has no service commands for TCP 10.0.0.100:5432 in the profile');
		expect(drillTarget(none, 'drain', 'r1', undefined).unit).toBeUndefined();
		expect(() => parseProfile(profileText('    rs_service: {name: pg, start: systemctl start pg, stop: "pkill pg; rm -rf /", status: systemctl is-active pg}\n'), 't.yaml')).toThrow(/^t\.yaml:12:\d+: virtual_servers\[0\]\.rs_service\.stop: contains ";"/);
	});
});

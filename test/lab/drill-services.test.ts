// Drills on the services that are not HTTP, on the lab: rs-health on TCP 9000 and UDP 9053 stops the
// unit the virtual server names (rs_service: name-tcp-9000, name-udp-9053), not the web server, and
// starts it again, also when the drill is interrupted; a failover drill with --mode udp passes.
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import type {DrillReport} from '../../src/actions/drills/failover.js';
import {CLI, LAB_PROFILE, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-drill-services-'));
const env = {...process.env, LVSDECK_STATE_DIR: path.join(tmp, 'state')};
afterAll(() => pool.close());

const VIP = '192.168.67.100';
// The lab's answerers fork per request on one emulated CPU: a gentle rate and a patient timeout.
const GENTLE = ['--rate', '5', '--timeout-ms', '3000'];
const drill = (...args: string[]) => spawnSync(process.execPath, [CLI, 'drill', ...args, '--profile', LAB_PROFILE], {encoding: 'utf8', timeout: 180_000, env});
const active = async (host: string, unit: string) => (await pool.exec(host, ['systemctl', 'is-active', unit])).code === 0;
const inTable = async (port: number, rsAddress: string) => new RegExp(`-> ${rsAddress.replaceAll('.', '\\.')}:${port}\\s+Route\\s+1\\s`).test((await pool.exec('dir1', ['ipvsadm', '-Ln'])).stdout);

describe('rs-health on TCP 9000 and UDP 9053 stops the unit serving the service', () => {
	for (const [port, mode, unit] of [
		[9000, 'tcp', 'name-tcp-9000'],
		[9053, 'udp', 'name-udp-9053'],
	] as const) {
		it(`rs-health --service ${VIP}:${port}: ${unit} on rs1 stopped, removed, started again; httpd untouched`, async () => {
			const json = path.join(tmp, `rs-health-${port}.json`);
			const r = drill('rs-health', '--rs', 'rs1', '--service', `${VIP}:${port}`, ...GENTLE, '--json', json);
			expect(r.status, r.stdout + r.stderr).toBe(0);
			const report = JSON.parse(readFileSync(json, 'utf8')) as DrillReport;
			expect(report).toMatchObject({drill: 'rs-health', target: 'rs1', takeover: 'dir1', verdict: 'pass', restored: true, failedAfterRemoval: 0});
			expect(report.traffic).toMatch(new RegExp(`^${mode}://${VIP.replaceAll('.', '\\.')}:${port}`));
			expect(report.timeline.some((e) => e.event === `stopping ${unit} on rs1`), JSON.stringify(report.timeline)).toBe(true);
			expect(r.stderr).not.toContain('httpd');
			expect(await active('rs1', unit)).toBe(true);
			expect(await active('rs1', 'httpd')).toBe(true);
			await waitFor(() => inTable(port, '192.168.67.10'), (yes) => yes, {timeoutMs: 15_000, what: `rs1 back in ${port}`});
		});
	}

	it('an interrupted rs-health drill on 9053 starts name-udp-9053 again before it exits', async () => {
		const child = spawn(process.execPath, [CLI, 'drill', 'rs-health', '--rs', 'rs2', '--service', `${VIP}:9053`, ...GENTLE, '--profile', LAB_PROFILE], {env, stdio: ['ignore', 'pipe', 'pipe']});
		let stderr = '';
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
		await waitFor(async () => stderr, (s) => s.includes('stopping name-udp-9053 on rs2'), {timeoutMs: 60_000, what: 'the fault made'});
		await waitFor(() => active('rs2', 'name-udp-9053'), (up) => !up, {timeoutMs: 10_000, what: 'name-udp-9053 stopped on rs2'});
		child.kill('SIGINT');
		expect(await exited, stderr).toBe(130);
		expect(stderr).toContain('restored rs2: start name-udp-9053');
		expect(await active('rs2', 'name-udp-9053')).toBe(true);
		await waitFor(() => inTable(9053, '192.168.67.20'), (yes) => yes, {timeoutMs: 15_000, what: 'rs2 back in 9053'});
	});
});

describe('failover with --mode udp', () => {
	it(`failover --service ${VIP}:9053 --mode udp passes with datagrams through the VIP`, async () => {
		const json = path.join(tmp, 'failover-udp.json');
		const r = drill('failover', '--service', `${VIP}:9053`, '--mode', 'udp', '--send', 'ping\\n', ...GENTLE, '--json', json);
		expect(r.status, r.stdout + r.stderr).toBe(0);
		const report = JSON.parse(readFileSync(json, 'utf8')) as DrillReport;
		expect(report).toMatchObject({drill: 'failover', verdict: 'pass', target: 'dir1', takeover: 'dir2', restored: true});
		expect(report.traffic).toBe(`udp://${VIP}:9053 (sending ping\\n), backends from the connection table`);
		expect(Object.keys(report.requests.perBackend).sort()).toEqual(['rs1', 'rs2']);
		await waitFor(async () => (await pool.exec('dir1', ['ip', '-o', '-4', 'addr', 'show'])).stdout.includes(` ${VIP}/`), (held) => held, {timeoutMs: 20_000, what: 'VIP back on dir1'});
	});
});

// Watch modes: which mode a service gets, where backends come from, the targets, --send; the drills'
// target selection by service (the dual-master database VIP); plans with a service field.
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadProfile} from '../../../src/profile/load.js';
import type {VirtualServer} from '../../../src/profile/model.js';
import {backendSourceFor, checkSendText, decodeSendText, defaultWatchMode, socketTarget, watchModeFor, watchUrl} from '../../../src/actions/watch-mode.js';
import {pickVirtualService, serviceWatch} from '../../../src/actions/traffic.js';
import {failoverTarget, realServerTarget} from '../../../src/actions/drills/targets.js';
import {checkPlanAgainstProfile, parseDrillPlan} from '../../../src/actions/drills/plan-file.js';
import {DrillRefused} from '../../../src/actions/drills/common.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const env = {HOME: '/home/test'};
const load = (name: string) => loadProfile(path.join(ROOT, 'profiles', `${name}.yaml`), {env, sshConfigFile: '/nonexistent/ssh_config'});
const lab = load('lab');
const dual = load('dual-master');
const service = (p: typeof lab, vip: string, port: number, protocol = 'TCP') => p.virtualServers.find((v) => v.vip === vip && v.port === port && v.protocol === protocol)!;

const refusal = (f: () => unknown): string => {
	try {
		f();
	} catch (error) {
		if (error instanceof DrillRefused) return error.message;
		throw error;
	}
	throw new Error('not refused');
};

describe('the default watch mode', () => {
	it('udp for UDP, http for HTTP_GET-checked or HTTP-port TCP, tcp for the rest', () => {
		expect(defaultWatchMode(service(lab, '192.168.67.100', 80))).toBe('http');
		expect(defaultWatchMode(service(lab, '192.168.67.100', 9000))).toBe('tcp');
		expect(defaultWatchMode(service(lab, '192.168.67.100', 9053, 'UDP'))).toBe('udp');
		// the database VIP: TCP_CHECK on 3306
		expect(defaultWatchMode(service(dual, '192.168.67.200', 3306))).toBe('tcp');
		const unchecked8080 = {...service(lab, '192.168.67.100', 9000), port: 8080} as VirtualServer;
		expect(defaultWatchMode(unchecked8080)).toBe('http');
		// no check says what it speaks: http, as the watcher always did; a TCP_CHECK says otherwise
		const s9000 = service(lab, '192.168.67.100', 9000);
		expect(defaultWatchMode({...s9000, realServers: s9000.realServers.map((r) => ({...r, check: {type: 'none'}}))} as VirtualServer)).toBe('http');
	});

	it('an asked mode must fit the protocol; table for tcp/udp unless a pattern says where the name is', () => {
		const udp = service(lab, '192.168.67.100', 9053, 'UDP');
		expect(() => watchModeFor(udp, 'tcp')).toThrow('--mode tcp: 192.168.67.100:9053 is a UDP service');
		expect(() => watchModeFor(service(lab, '192.168.67.100', 80), 'udp')).toThrow('is a TCP service');
		expect(() => watchModeFor(udp, 'icmp')).toThrow('--mode icmp: expected one of http, tcp, udp');
		expect(watchModeFor(service(lab, '192.168.67.100', 80), 'tcp')).toBe('tcp');
		expect(backendSourceFor('http', undefined, false)).toBe('answer');
		expect(backendSourceFor('tcp', undefined, false)).toBe('table');
		expect(backendSourceFor('udp', undefined, true)).toBe('answer');
		expect(backendSourceFor('http', 'table', false)).toBe('table');
		expect(() => backendSourceFor('tcp', 'body', false)).toThrow('--backend body');
	});

	it('targets carry the mode as their scheme, IPv6 in brackets', () => {
		expect(watchUrl(service(lab, '192.168.67.100', 9000))).toBe('tcp://192.168.67.100:9000');
		expect(watchUrl(service(lab, '192.168.67.100', 80), 'http', '/health')).toBe('http://192.168.67.100:80/health');
		expect(watchUrl({...service(lab, '192.168.67.100', 9053, 'UDP'), vip: '2001:db8::100'} as VirtualServer)).toBe('udp://[2001:db8::100]:9053');
		expect(socketTarget('udp://[2001:db8::100]:9053')).toEqual({mode: 'udp', host: '2001:db8::100', port: 9053});
		expect(socketTarget('tcp://192.168.67.100:9000')).toEqual({mode: 'tcp', host: '192.168.67.100', port: 9000});
		expect(socketTarget('http://192.168.67.100:80/')).toBeUndefined();
		expect(socketTarget('tcp://192.168.67.100:70000')).toBeUndefined();
	});

	it('--send: printable text with four escapes, decoded the same everywhere', () => {
		expect(decodeSendText('PING\\r\\n')).toBe('PING\r\n');
		expect(decodeSendText('a\\\\nb\\t')).toBe('a\\nb\t');
		expect(() => checkSendText('x\\q')).toThrow('the only escapes');
		expect(() => checkSendText('é')).toThrow('printable ASCII');
		expect(() => checkSendText('x'.repeat(257))).toThrow('at most 256');
		expect(() => serviceWatch(service(lab, '192.168.67.100', 80), {send: 'x'})).toThrow('--send: only for --mode tcp or udp');
		expect(serviceWatch(service(lab, '192.168.67.100', 9000), {send: 'hello\\n'})).toMatchObject({mode: 'tcp', url: 'tcp://192.168.67.100:9000', send: 'hello\\n', backendSource: 'table'});
	});

	it('services by VIP:PORT include UDP ones; udp: picks UDP where both share a port', () => {
		expect(pickVirtualService(lab, '192.168.67.100:9053').protocol).toBe('UDP');
		expect(pickVirtualService(lab).port).toBe(80);
		const both = {...lab, virtualServers: [...lab.virtualServers, {...service(lab, '192.168.67.100', 9053, 'UDP'), port: 9000}]};
		expect(pickVirtualService(both, '192.168.67.100:9000').protocol).toBe('TCP');
		expect(pickVirtualService(both, 'udp:192.168.67.100:9000').protocol).toBe('UDP');
		expect(() => pickVirtualService(lab, '192.168.67.100:81')).toThrow('--service 192.168.67.100:81: not a virtual service of');
	});
});

describe('drill targets by service', () => {
	it('the dual-master database VIP picks VI_DB and its TCP service', () => {
		const {inst, vs} = failoverTarget(dual, undefined, '192.168.67.200:3306');
		expect(inst.name).toBe('VI_DB');
		expect(vs).toMatchObject({vip: '192.168.67.200', port: 3306, persistenceTimeout: 300});
		expect(failoverTarget(dual, 'VI_DB', undefined).vs.port).toBe(3306);
		expect(failoverTarget(dual, undefined, undefined)).toMatchObject({inst: {name: 'VI_WEB'}, vs: {port: 80}});
		expect(refusal(() => failoverTarget(dual, 'VI_WEB', '192.168.67.200:3306'))).toBe('service 192.168.67.200:3306: 192.168.67.200 is not a VIP of VI_WEB');
		expect(refusal(() => failoverTarget(dual, undefined, '192.168.67.200:3307'))).toMatch(/^service 192.168.67.200:3307: not a virtual service of/);
	});

	it('lab: failover on 9000 and 9053, real-server drills in the named service', () => {
		expect(failoverTarget(lab, undefined, '192.168.67.100:9053')).toMatchObject({inst: {name: 'VI_1'}, vs: {port: 9053, protocol: 'UDP'}});
		expect(realServerTarget(lab, 'rs2', '192.168.67.100:9000')).toMatchObject({vs: {port: 9000}, rs: {host: 'rs2', port: 9000}});
		expect(realServerTarget(lab, undefined, '192.168.67.100:9053')).toMatchObject({vs: {protocol: 'UDP'}, rs: {host: 'rs1'}});
		expect(realServerTarget(lab, 'rs1', undefined).vs.port).toBe(80);
		expect(realServerTarget(dual, 'db2', undefined).vs.port).toBe(3306);
		expect(refusal(() => realServerTarget(dual, 'web1', '192.168.67.200:3306'))).toBe('web1 is not a real server of TCP 192.168.67.200:3306');
	});

	it('plans take a service per drill, checked against the profile at its line and column', () => {
		const plan = parseDrillPlan('drills:\n  - {kind: failover, service: 192.168.67.200:3306}\n  - {kind: drain, rs: db1, service: "192.168.67.200:3306"}\n', 'p.yaml');
		expect(plan.drills).toEqual([
			{kind: 'failover', service: '192.168.67.200:3306'},
			{kind: 'drain', rs: 'db1', service: '192.168.67.200:3306'},
		]);
		expect(() => checkPlanAgainstProfile(plan, dual)).not.toThrow();
		const wrong = parseDrillPlan('drills:\n  - {kind: failover, instance: VI_WEB, service: 192.168.67.200:3306}\n', 'p.yaml');
		expect(() => checkPlanAgainstProfile(wrong, dual)).toThrow('p.yaml:2:49: drills[0].service: service 192.168.67.200:3306: 192.168.67.200 is not a VIP of VI_WEB');
		expect(() => parseDrillPlan('drills:\n  - {kind: failover, service: db}\n', 'p.yaml')).toThrow(/p\.yaml:2:31: drills\[0\]\.service: expected VIP:PORT/);
	});
});

describe('persistence in the watcher', () => {
	it('says shares are per client and does not flag a lopsided share', async () => {
		const {WatchTally} = await import('../../../src/actions/watch-tally.js');
		const {watchLines} = await import('../../../src/ui/presenters/watch.js');
		const tally = new WatchTally(0);
		for (let i = 0; i < 40; i++) tally.add({start: i * 10, end: i * 10 + 5, outcome: 'ok', backend: 'db1'});
		const header = {url: 'tcp://192.168.67.200:3306', from: 'this station', rate: 20};
		const row = (lines: ReturnType<typeof watchLines>) => lines.find((l) => l[0]!.text.startsWith('db1'))!;
		expect(row(watchLines(tally.snapshot(500), {db1: 1, db2: 1}, header, 100))[0]!.tone).toBe('warn');
		const persistent = watchLines(tally.snapshot(500), {db1: 1, db2: 1}, {...header, persistenceS: 300}, 100);
		expect(row(persistent)[0]!.tone).toBe('normal');
		expect(persistent.map((l) => l[0]!.text).join('\n')).toContain('persistence_timeout 300 s: shares are per client');
	});
});

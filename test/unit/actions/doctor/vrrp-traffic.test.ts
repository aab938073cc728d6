// VRRP traffic checks on keepalived.stats captured from the lab (dir1 MASTER, dir2 BACKUP), with the
// counters moved the way each fault moves them.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {foreignSenders, vrrpTrafficChecks, type SenderLog} from '../../../../src/actions/doctor/checks/vrrp-traffic.js';
import {parseAdvertSenders} from '../../../../src/probes/keepalived-advert-log.js';
import type {Read} from '../../../../src/actions/doctor/reads.js';
import type {ClusterState} from '../../../../src/cluster/types.js';
import {labProfile} from '../../cluster/fixture-state.js';

const FIX = path.join(import.meta.dirname, '../../../fixtures/lab');
const dir1 = readFileSync(path.join(FIX, 'keepalived-stats-dir1.txt'), 'utf8');
const dir2 = readFileSync(path.join(FIX, 'keepalived-stats-dir2.txt'), 'utf8');
const ok = (stdout: string): Read => ({ok: true, code: 0, stdout, stderr: ''});

/** The captured dump with one counter (by its line, within its group) set to a value. */
function bump(text: string, group: string, key: string, value: number): string {
	const lines = text.split('\n');
	const g = lines.findIndex((l) => l.trim() === `${group}:`);
	const i = lines.findIndex((l, n) => n > g && l.trim().startsWith(`${key}:`));
	lines[i] = lines[i]!.replace(/\d+$/, String(value));
	return lines.join('\n');
}

const state = (states: Record<string, string>) =>
	({hosts: Object.entries(states).map(([name, s]) => ({name, director: {vrrp: [{name: 'VI_1', state: s, vips: []}]}}))}) as unknown as ClusterState;
const normal = state({dir1: 'MASTER', dir2: 'BACKUP'});

function run(reads: {dir1: [string, string]; dir2: [string, string]}, st = normal) {
	const checks = vrrpTrafficChecks(labProfile, st, [
		{director: 'dir1', reads: reads.dir1.map(ok)},
		{director: 'dir2', reads: reads.dir2.map(ok)},
	], 3000);
	return (id: string, subject: string) => checks.find((c) => c.id === id && c.subject === subject);
}

describe('VRRP traffic checks', () => {
	const healthy = {
		dir1: [dir1, bump(dir1, 'Advertisements', 'Sent', 18)] as [string, string],
		dir2: [dir2, bump(dir2, 'Advertisements', 'Received', 26)] as [string, string],
	};

	it('passes a backup hearing its master, with no authentication error and no foreign advert', () => {
		const get = run(healthy);
		expect(get('vrrp.adverts', 'dir2 VI_1')).toMatchObject({status: 'ok', evidence: 'received 3 adverts in 3.0 s', host: 'dir2', view: 'vrrp'});
		expect(get('vrrp.auth', 'dir2 VI_1')?.status).toBe('ok');
		expect(get('vrrp.foreign-router', 'dir1 VI_1')?.status).toBe('ok');
		expect(get('vrrp.foreign-router', 'dir2 VI_1')?.status).toBe('ok');
	});

	it('fails a backup that hears nothing while the master sends', () => {
		const get = run({...healthy, dir2: [dir2, dir2]});
		expect(get('vrrp.adverts', 'dir2 VI_1')).toMatchObject({status: 'fail', fix: expect.stringContaining('IP protocol 112')});
		expect(get('vrrp.adverts', 'dir2 VI_1')?.evidence).toContain('while dir1 is MASTER (sent 3)');
	});

	it('fails authentication when refused adverts grow, and never quotes more than counters', () => {
		const get = run({...healthy, dir2: [dir2, bump(bump(dir2, 'Authentication Errors', 'Failure', 3), 'Advertisements', 'Received', 23)]});
		expect(get('vrrp.auth', 'dir2 VI_1')).toMatchObject({status: 'fail', evidence: '3 adverts refused for their authentication since the first read (password 3, type mismatch 0, invalid type 0)'});
		expect(get('vrrp.auth', 'dir1 VI_1')?.status).toBe('ok');
	});

	it('fails the foreign-router check for a MASTER hearing adverts with no other master, and for extra adverts', () => {
		const get = run({dir1: [dir1, bump(bump(dir1, 'Advertisements', 'Received', 12), 'Advertisements', 'Sent', 18)], dir2: [dir2, bump(dir2, 'Advertisements', 'Received', 41)]});
		expect(get('vrrp.foreign-router', 'dir1 VI_1')?.evidence).toBe('another router advertises VRID 100: as MASTER it received 12 adverts while no other member is MASTER');
		expect(get('vrrp.foreign-router', 'dir2 VI_1')?.evidence).toBe('another router advertises VRID 100: received 18 adverts, the other members sent 3');
	});

	it('a split brain is not a foreign router: the other member is MASTER too', () => {
		const get = run({dir1: [dir1, bump(dir1, 'Advertisements', 'Received', 3)], dir2: [dir2, bump(dir2, 'Advertisements', 'Sent', 3)]}, state({dir1: 'MASTER', dir2: 'MASTER'}));
		expect(get('vrrp.foreign-router', 'dir1 VI_1')?.status).toBe('ok');
		expect(get('vrrp.adverts', 'dir2 VI_1')).toBeUndefined();
	});

	it('skips a director whose counters could not be read', () => {
		const checks = vrrpTrafficChecks(labProfile, normal, [{director: 'dir1', reads: [ok(dir1), ok(dir1)]}, {director: 'dir2', reads: [{ok: false, error: 'dir2 is unreachable'}]}], 3000);
		expect(checks.find((c) => c.subject === 'dir2 VI_1')).toMatchObject({id: 'vrrp.counters', status: 'skip', evidence: "keepalived's counters not read: dir2 is unreachable"});
	});

	describe("the sender's address, from keepalived's log", () => {
		// As keepalived 2.2.7 logs a foreign router's adverts on a MASTER (priority 100) and a BACKUP (80).
		const at = (s: number) => `Wed Dec  2 12:00:${String(s).padStart(2, '0')} 2026`;
		const readAt = new Date(2026, 11, 2, 12, 0, 30).getTime();
		const known = new Set(['192.168.67.110', '192.168.67.120']);
		const dir1Log = [
			`${at(1)}: (VI_1) received lower priority (80) advert from 192.168.67.120 - discarding`,
			`${at(10)}: (VI_1) Received advert from 192.168.67.30 with lower priority 50, ours 100, forcing new election`,
			`${at(11)}: (VI_1) Received advert from 192.168.67.30 with lower priority 50, ours 100, forcing new election`,
		].join('\n');
		const logs = (text: string): SenderLog[] => [{director: 'dir1', senders: parseAdvertSenders(text, readAt), readAt}];

		it('names a sender that is no member, with its priority, count and last stamp', () => {
			expect(foreignSenders(logs(dir1Log)[0], 'VI_1', 100, known)).toEqual(['192.168.67.30 (priority 50): 2 log lines, last at Wed Dec  2 12:00:11 2026']);
		});

		it('a member, another instance, or a line older than 2 minutes is not a foreign sender', () => {
			expect(foreignSenders(logs(dir1Log)[0], 'VI_2', 101, known)).toEqual([]);
			expect(foreignSenders(logs(dir1Log)[0], 'VI_1', 100, new Set([...known, '192.168.67.30']))).toEqual([]);
			expect(foreignSenders({...logs(dir1Log)[0]!, readAt: readAt + 10 * 60_000}, 'VI_1', 100, known)).toEqual([]);
		});

		it('an unknown VRID line counts for the instance on that VRID', () => {
			const text = `${at(12)}: Unknown VRID(100) received on interface(eth0) from 192.168.67.31. ignoring...`;
			expect(foreignSenders(logs(text)[0], 'VI_1', 100, known)).toEqual(['192.168.67.31: 1 log line, last at Wed Dec  2 12:00:12 2026']);
		});

		it('fails the foreign-router check with the address even when the counters look normal, and the fix names it', () => {
			const checks = vrrpTrafficChecks(labProfile, normal, [
				{director: 'dir1', reads: [ok(dir1), ok(bump(dir1, 'Advertisements', 'Sent', 18))]},
				{director: 'dir2', reads: [ok(dir2), ok(bump(dir2, 'Advertisements', 'Received', 26))]},
			], 3000, logs(dir1Log), known);
			const dir1Check = checks.find((c) => c.id === 'vrrp.foreign-router' && c.subject === 'dir1 VI_1');
			expect(dir1Check).toMatchObject({
				status: 'fail',
				evidence: 'another router advertises VRID 100: keepalived logged adverts from 192.168.67.30 (priority 50): 2 log lines, last at Wed Dec  2 12:00:11 2026',
				fix: 'stop 192.168.67.30 sending on VRID 100, or give one of the clusters another virtual_router_id',
			});
			expect(checks.find((c) => c.id === 'vrrp.foreign-router' && c.subject === 'dir2 VI_1')?.status).toBe('ok');
		});
	});
});

import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {classifyMessage, keepalivedLogFollowCommand, keepalivedLogReadCommand, parseKeepalivedLogLine} from '../../../src/probes/keepalived-log.js';

const NOW = new Date(2026, 11, 2, 9, 0, 0).getTime();

describe('parseKeepalivedLogLine: timestamps and tags', () => {
	it("reads keepalived's own stamp (-l, log_file) as local time", () => {
		const l = parseKeepalivedLogLine('Wed Dec  2 07:46:09 2026: (VI_1) Entering MASTER STATE', NOW)!;
		expect(l.stamp).toBe('Wed Dec  2 07:46:09 2026');
		expect(l.at).toBe(new Date(2026, 11, 2, 7, 46, 9).getTime());
		expect(l).toMatchObject({kind: 'transition', instance: 'VI_1', state: 'MASTER', message: '(VI_1) Entering MASTER STATE'});
	});

	it('reads journalctl short-iso-precise with its zone', () => {
		const l = parseKeepalivedLogLine('2026-11-21T10:30:41.483868+0100 dir1 Keepalived_vrrp[812]: (VI_1) Entering BACKUP STATE (init)', NOW)!;
		expect(l.at).toBe(Date.UTC(2026, 10, 21, 9, 30, 41, 483));
		expect(l).toMatchObject({kind: 'transition', instance: 'VI_1', state: 'BACKUP', stamp: '2026-11-21T10:30:41.483868+0100'});
		expect(parseKeepalivedLogLine('2026-11-21T10:30:41Z dir1 Keepalived[1]: Starting', NOW)!.at).toBe(Date.UTC(2026, 10, 21, 10, 30, 41));
		expect(parseKeepalivedLogLine('2026-11-21T10:30:41.5-05:30 dir1 Keepalived[1]: x', NOW)!.at).toBe(Date.UTC(2026, 10, 21, 16, 0, 41, 500));
	});

	it('gives a classic syslog stamp the year that puts it before now (a December line read in January is last year)', () => {
		const l = parseKeepalivedLogLine('Nov 21 10:30:41 dir1 Keepalived_vrrp[812]: VRRP_Instance(VI_1) Transition to MASTER STATE', NOW)!;
		expect(l.at).toBe(new Date(2026, 10, 21, 10, 30, 41).getTime());
		expect(l).toMatchObject({kind: 'transition', instance: 'VI_1', state: 'MASTER'});
		const january = new Date(2027, 0, 3).getTime();
		expect(parseKeepalivedLogLine('Dec 31 23:59:59 dir1 Keepalived_vrrp[1]: x', january)!.at).toBe(new Date(2026, 11, 31, 23, 59, 59).getTime());
	});

	it("drops other programs' lines of a shared syslog file and journalctl's markers; keeps unstamped lines", () => {
		expect(parseKeepalivedLogLine('Nov 21 10:30:41 dir1 sshd[99]: Accepted publickey for root', NOW)).toBeUndefined();
		expect(parseKeepalivedLogLine('2026-11-21T10:30:41+0000 dir1 CRON[5]: (VI_1) Entering MASTER STATE', NOW)).toBeUndefined();
		expect(parseKeepalivedLogLine('-- Boot 0123456789abcdef --', NOW)).toBeUndefined();
		expect(parseKeepalivedLogLine('   ', NOW)).toBeUndefined();
		const bare = parseKeepalivedLogLine('(VI_1) Entering FAULT STATE', NOW)!;
		expect(bare.at).toBeUndefined();
		expect(bare).toMatchObject({kind: 'transition', state: 'FAULT'});
	});

	it('never throws and never invents a stamp for arbitrary text (property)', () => {
		fc.assert(
			fc.property(fc.string({maxLength: 200}), (line) => {
				const l = parseKeepalivedLogLine(line, NOW);
				if (l && l.at !== undefined) expect(Number.isFinite(l.at)).toBe(true);
			}),
		);
	});
});

describe('classifyMessage: what a line says (2.x and 1.x wording)', () => {
	const cases: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
		['(VI_1) Entering MASTER STATE', {kind: 'transition', instance: 'VI_1', state: 'MASTER'}],
		['(VI_1) Entering BACKUP STATE (init)', {kind: 'transition', state: 'BACKUP'}],
		['VRRP_Instance(VI_1) Entering MASTER STATE', {kind: 'transition', instance: 'VI_1', state: 'MASTER'}],
		['VRRP_Instance(VI_1) Transition to MASTER STATE', {kind: 'transition', state: 'MASTER'}],
		['VRRP_Instance(VI_1) Now in FAULT state', {kind: 'transition', state: 'FAULT'}],
		['(VI_1) received lower priority (80) advert from 192.168.67.120 - discarding', {kind: 'lower-priority', instance: 'VI_1', priority: 80}],
		['(VI_1) Received advert from 10.99.0.12 with lower priority 100, ours 150, forcing new election', {kind: 'lower-priority', priority: 100}],
		['VRRP_Instance(VI_1) Received lower prio advert, forcing new election', {kind: 'lower-priority'}],
		['(VI_1) Master received advert from 192.168.67.110 with higher priority 100, ours 80', {kind: 'higher-priority', priority: 100}],
		['(VI_1) Backup received priority 0 advertisement', {kind: 'priority-zero'}],
		['(VI_1) received an invalid passwd!', {kind: 'auth-error', instance: 'VI_1'}],
		['VRRP_Instance(VI_1) : ignoring received advertisment - authentication type mismatch', {kind: 'auth-error'}],
		['VRRP_Script(chk_haproxy) failed (exited with status 1)', {kind: 'script-failure'}],
		['VRRP_Script(chk_haproxy) timed out', {kind: 'script-failure'}],
		['Script `chk_haproxy` now returning 1', {kind: 'script-failure'}],
		['WARNING - script `/etc/keepalived/notify.sh` is not executable', {kind: 'script-failure'}],
		['Removing service [192.168.67.10]:tcp:80 from VS [192.168.67.100]:tcp:80', {kind: 'checker-down'}],
		['TCP connection to [192.168.67.20]:tcp:9000 failed.', {kind: 'checker-down'}],
		['HTTP_CHECK on service [192.168.67.10]:tcp:80 failed after 1 retries.', {kind: 'checker-down'}],
		['Check on service [10.0.0.11]:80 failed after 3 retry.', {kind: 'checker-down'}],
		['Lost quorum 1-0=1 > 0 for VS [192.168.67.100]:tcp:80', {kind: 'checker-down'}],
		['Adding service [192.168.67.10]:tcp:80 to VS [192.168.67.100]:tcp:80', {kind: 'checker-up'}],
		['Remote Web server [192.168.67.20]:tcp:80 succeed on service.', {kind: 'checker-up'}],
		['Stopped Keepalived v2.2.7 (01/16,2022)', {kind: 'stopped'}],
		['Sending gratuitous ARP on eth0 for 192.168.67.100', {kind: 'other'}],
		['TCP connection to [192.168.67.20]:tcp:9000 success.', {kind: 'other'}],
	];
	it.each(cases)('%s', (message, expected) => {
		expect(classifyMessage(message)).toMatchObject(expected);
	});
});

describe('log commands', () => {
	it('follows a file with tail -F from its end, and the journal with -f -n 0', () => {
		expect(keepalivedLogFollowCommand({kind: 'file', path: '/run/keepalived.log'})).toEqual(['tail', '-F', '-n', '0', '/run/keepalived.log']);
		expect(keepalivedLogFollowCommand({kind: 'journal', unit: 'keepalived'})).toEqual(['journalctl', '-u', 'keepalived', '-o', 'short-iso-precise', '--no-pager', '-f', '-n', '0']);
	});
	it('reads the past by lines (bounded), the journal also since an epoch second', () => {
		expect(keepalivedLogReadCommand({kind: 'file', path: '/var/log/syslog'}, 1e9)).toEqual(['tail', '-n', '5000', '/var/log/syslog']);
		expect(keepalivedLogReadCommand({kind: 'journal', unit: 'keepalived'}, 10, 1_795_257_041_999)).toEqual(['journalctl', '-u', 'keepalived', '-o', 'short-iso-precise', '--no-pager', '-n', '10', '--since', '@1795257041']);
	});
});

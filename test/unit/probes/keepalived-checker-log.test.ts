// keepalived's checker lines, as its source writes them (check_tcp.c, check_udp.c, check_http.c,
// check_misc.c, check_dns.c and ipwrapper.c of 2.2.7; check_*.c of 1.3.5 and 2.0.10 for the older
// forms) and as the lab's director logged them (test/fixtures/lab/keepalived-log-dir1.txt).
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {checkerVerdict, classifyCheckerMessage, parseCheckerLog} from '../../../src/probes/keepalived-checker-log.js';

const NOW = new Date(2026, 10, 21, 12, 0, 0).getTime();

describe('classifyCheckerMessage', () => {
	it.each([
		['TCP_CHECK on service [192.168.67.10]:tcp:9000 failed after 1 retries.', 'failed', '192.168.67.10', 9000, 'tcp', 'TCP_CHECK'],
		['HTTP_CHECK on service [192.168.67.10]:tcp:80 failed.', 'failed', '192.168.67.10', 80, 'tcp', 'HTTP_CHECK'],
		['UDP_CHECK on service [192.168.67.20]:udp:9053 failed after 1 retries.', 'failed', '192.168.67.20', 9053, 'udp', 'UDP_CHECK'],
		['SSL_CHECK on service [fd00:67::10]:tcp:443 failed.', 'failed', 'fd00:67::10', 443, 'tcp', 'SSL_CHECK'],
		// 1.3.5 and 2.0.10: no checker name, no protocol.
		['Check on service [192.168.67.10]:80 failed after 3 retry.', 'failed', '192.168.67.10', 80, undefined, undefined],
		['TCP connection to [192.168.67.10]:tcp:9000 failed.', 'attempt-failed', '192.168.67.10', 9000, 'tcp', 'TCP_CHECK'],
		['TCP connection to [192.168.67.10]:80 timeout.', 'attempt-failed', '192.168.67.10', 80, undefined, 'TCP_CHECK'],
		['UDP check to [192.168.67.10]:udp:9053 reply data mismatch.', 'attempt-failed', '192.168.67.10', 9053, 'udp', 'UDP_CHECK'],
		// check_http.c timeout_epilog: "%s server %s."
		['HTTP status code error to server [192.168.67.10]:tcp:80.', 'attempt-failed', '192.168.67.10', 80, 'tcp', 'HTTP_CHECK'],
		// Before 1.2.20 (check_http.c before a1a72017).
		['HTTP status code error to [192.168.67.11]:80 url(/), status_code [503].', 'attempt-failed', '192.168.67.11', 80, undefined, 'HTTP_CHECK'],
		['Timeout connecting server [192.168.67.10]:tcp:80.', 'attempt-failed', '192.168.67.10', 80, 'tcp', 'HTTP_CHECK'],
		['Read, no data received from  server [192.168.67.10]:tcp:80.', 'attempt-failed', '192.168.67.10', 80, 'tcp', 'HTTP_CHECK'],
		['Misc check for [[192.168.67.10]:tcp:80 VS [192.168.67.100]:tcp:80] by [/etc/keepalived/check.sh] failed after 1 retry (exited with status 1).', 'failed', '192.168.67.10', 80, 'tcp', 'MISC_CHECK'],
		['Misc check for [[192.168.67.10]:tcp:80 VS [192.168.67.100]:tcp:80] by [/etc/keepalived/check.sh] timed out with retry disabled.', 'failed', '192.168.67.10', 80, 'tcp', 'MISC_CHECK'],
		// 1.3.5: "Misc check to [%s] for [%s] failed." with the address alone (inet_sockaddrtos).
		['Misc check to [192.168.67.10] for [/etc/keepalived/check.sh] failed.', 'failed', '192.168.67.10', undefined, undefined, 'MISC_CHECK'],
		['Removing service [192.168.67.10]:tcp:9000 from VS [192.168.67.100]:tcp:9000', 'removed', '192.168.67.10', 9000, 'tcp', undefined],
		['Disabling service [192.168.67.10]:tcp:80 of VS [192.168.67.100]:tcp:80', 'removed', '192.168.67.10', 80, 'tcp', undefined],
		['Adding service [192.168.67.10]:tcp:9000 to VS [192.168.67.100]:tcp:9000', 'added', '192.168.67.10', 9000, 'tcp', undefined],
		['Enabling service [192.168.67.10]:tcp:80 of VS [192.168.67.100]:tcp:80', 'added', '192.168.67.10', 80, 'tcp', undefined],
		['TCP connection to [192.168.67.10]:tcp:9000 success.', 'succeeded', '192.168.67.10', 9000, 'tcp', undefined],
		['Remote Web server [192.168.67.10]:tcp:80 succeed on service.', 'succeeded', '192.168.67.10', 80, 'tcp', undefined],
		['Misc check for [[192.168.67.10]:tcp:80 VS [192.168.67.100]:tcp:80] by [/etc/keepalived/check.sh] succeeded.', 'succeeded', '192.168.67.10', 80, 'tcp', 'MISC_CHECK'],
		// Not about one real server's health.
		['Shutting down service [192.168.67.10]:tcp:80 from VS [192.168.67.100]:tcp:80', undefined, undefined, undefined, undefined, undefined],
		['Activating healthchecker for service [192.168.67.10]:tcp:80 for VS [192.168.67.100]:tcp:80', undefined, undefined, undefined, undefined, undefined],
		['TCP connect fail to create socket. Rescheduling.', undefined, undefined, undefined, undefined, undefined],
	])('%s', (message, kind, address, port, protocol, checker) => {
		const e = classifyCheckerMessage(message);
		if (kind === undefined) {
			expect(e).toBeUndefined();
			return;
		}
		expect(e).toMatchObject({kind, address, message});
		expect(e?.port).toBe(port);
		expect(e?.protocol).toBe(protocol);
		expect(e?.checker).toBe(checker);
	});

	it('names the virtual service where the line has one', () => {
		expect(classifyCheckerMessage('Removing service [192.168.67.10]:tcp:9000 from VS [192.168.67.100]:tcp:9000')?.vs).toBe('[192.168.67.100]:tcp:9000');
		expect(classifyCheckerMessage('Removing service [192.168.67.10]:tcp:80 from VS FWM 7')?.vs).toBe('FWM 7');
	});
});

describe('parseCheckerLog and checkerVerdict', () => {
	const log = [
		'Sat Nov 21 11:00:00 2026: TCP connection to [192.168.67.10]:tcp:9000 success.',
		'Sat Nov 21 11:00:01 2026: (VI_1) received lower priority (80) advert from 192.168.67.120 - discarding',
		'Sat Nov 21 11:00:05 2026: TCP connection to [192.168.67.10]:tcp:9000 failed.',
		'Sat Nov 21 11:00:07 2026: TCP_CHECK on service [192.168.67.10]:tcp:9000 failed after 1 retries.',
		'Sat Nov 21 11:00:07 2026: Removing service [192.168.67.10]:tcp:9000 from VS [192.168.67.100]:tcp:9000',
		'Sat Nov 21 11:00:09 2026: HTTP_CHECK on service [192.168.67.20]:tcp:80 failed after 1 retries.',
		'Sat Nov 21 11:00:09 2026: Removing service [192.168.67.20]:tcp:80 from VS [192.168.67.100]:tcp:80',
		'Sat Nov 21 11:00:15 2026: Remote Web server [192.168.67.20]:tcp:80 succeed on service.',
		'Sat Nov 21 11:00:15 2026: Adding service [192.168.67.20]:tcp:80 to VS [192.168.67.100]:tcp:80',
	].join('\n');
	const events = parseCheckerLog(log, NOW);

	it("keeps keepalived's checker lines in order, with their stamps", () => {
		expect(events.map((e) => e.kind)).toEqual(['succeeded', 'attempt-failed', 'failed', 'removed', 'failed', 'removed', 'succeeded', 'added']);
		expect(events[2]).toMatchObject({stamp: 'Sat Nov 21 11:00:07 2026', at: new Date(2026, 10, 21, 11, 0, 7).getTime()});
	});

	it('a real server out now: its removal and the reasons before it', () => {
		const v = checkerVerdict(events, '192.168.67.10', 9000, 'TCP');
		expect(v.down?.message).toBe('Removing service [192.168.67.10]:tcp:9000 from VS [192.168.67.100]:tcp:9000');
		expect(v.reasons.map((r) => r.message)).toEqual(['TCP connection to [192.168.67.10]:tcp:9000 failed.', 'TCP_CHECK on service [192.168.67.10]:tcp:9000 failed after 1 retries.']);
	});

	it('a real server put back, another port or another protocol: not down', () => {
		expect(checkerVerdict(events, '192.168.67.20', 80, 'TCP').down).toBeUndefined();
		expect(checkerVerdict(events, '192.168.67.10', 80, 'TCP').down).toBeUndefined();
		expect(checkerVerdict(events, '192.168.67.10', 9000, 'UDP').down).toBeUndefined();
	});

	it("the lab director's real log (started, checks succeeding, shut down) has no real server down", () => {
		const real = readFileSync(path.join(import.meta.dirname, '../../fixtures/lab/keepalived-log-dir1.txt'), 'utf8');
		const ev = parseCheckerLog(real, NOW);
		expect(ev.filter((e) => e.kind === 'succeeded').map((e) => `${e.address}:${e.port}`)).toContain('192.168.67.10:80');
		expect(checkerVerdict(ev, '192.168.67.10', 80, 'TCP').down).toBeUndefined();
	});

	it("another program's lines in a shared syslog file are left out", () => {
		const syslog = 'Nov 21 11:00:07 dir1 haproxy[9]: TCP_CHECK on service [192.168.67.10]:tcp:9000 failed.\nNov 21 11:00:07 dir1 Keepalived_healthcheckers[7]: TCP_CHECK on service [192.168.67.10]:tcp:9000 failed.';
		expect(parseCheckerLog(syslog, NOW)).toHaveLength(1);
	});
});

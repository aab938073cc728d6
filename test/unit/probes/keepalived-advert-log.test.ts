// The advert senders keepalived names in its log, in the texts of vrrp/vrrp.c and vrrp_scheduler.c
// (2.2.7) and as the lab's dir1 logged them (test/fixtures/lab/keepalived-log-dir1.txt).
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {advertSenderIn, parseAdvertSenders} from '../../../src/probes/keepalived-advert-log.js';

const NOW = new Date(2026, 10, 21, 12, 0, 0).getTime();

describe('advertSenderIn', () => {
	it.each([
		['(VI_1) Received advert from 192.168.67.30 with lower priority 50, ours 100, forcing new election', {from: '192.168.67.30', instance: 'VI_1', priority: 50}],
		['(VI_1) Received advert from 192.168.67.30 with lower priority 50, ours 100', {from: '192.168.67.30', instance: 'VI_1', priority: 50}],
		['(VI_1) received lower priority (80) advert from 192.168.67.120 - discarding', {from: '192.168.67.120', instance: 'VI_1', priority: 80}],
		['(VI_1) Master received advert from 192.168.67.31 with higher priority 150, ours 100', {from: '192.168.67.31', instance: 'VI_1', priority: 150}],
		['(VI_1) Master received advert from 192.168.67.31 with same priority 100 but higher IP address than ours', {from: '192.168.67.31', instance: 'VI_1', priority: 100}],
		['(VI_6) unicast source address fd00:67::30 not a unicast peer', {from: 'fd00:67::30', instance: 'VI_6'}],
		['Unknown VRID(100) received on interface(eth0) from 192.168.67.30. ignoring...', {from: '192.168.67.30', vrid: 100}],
	])('%s', (message, expected) => {
		expect(advertSenderIn(message)).toEqual({...expected, message});
	});

	it('lines naming no sender are not senders (1.x wrote none)', () => {
		expect(advertSenderIn('VRRP_Instance(VI_1) Received advert with lower priority 50, ours 100, forcing new election')).toBeUndefined();
		expect(advertSenderIn('(VI_1) Receive advertisement timeout')).toBeUndefined();
		expect(advertSenderIn('Unknown VRID(100) received on interface(eth0). ignoring...')).toBeUndefined();
	});
});

describe('parseAdvertSenders', () => {
	it("reads the lab director's log: dir2's lower priority adverts, with keepalived's stamps", () => {
		const real = readFileSync(path.join(import.meta.dirname, '../../fixtures/lab/keepalived-log-dir1.txt'), 'utf8');
		const senders = parseAdvertSenders(real, NOW);
		expect(senders.length).toBeGreaterThan(0);
		expect(new Set(senders.map((s) => s.from))).toEqual(new Set(['192.168.67.120']));
		expect(senders[0]).toMatchObject({instance: 'VI_1', priority: 80, stamp: 'Sat Nov 21 10:51:49 2026', at: new Date(2026, 10, 21, 10, 51, 49).getTime()});
	});
});

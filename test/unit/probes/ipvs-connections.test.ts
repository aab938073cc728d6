// The connection table as ipvsadm prints it (captured on the lab's dir1 with HTTP on 80 made persistent
// for the capture, TCP 9000 and UDP 9053): entries, persistence templates, and what is not an entry.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {connectionTableCommand, entriesOf, parseConnectionTable, parseEndpoint} from '../../../src/probes/ipvs-connections.js';
import {isReadOnlyCommand} from '../../../src/transport/read-only.js';
import {needsRoot} from '../../../src/transport/sudo.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '..', '..', 'fixtures', 'lab', name), 'utf8');
const CAPTURED = fixture('ipvsadm-Lnc-services-persistent.txt');

describe('ipvsadm -L -n -c', () => {
	const entries = parseConnectionTable(CAPTURED);

	it('reads every entry of the captured table, none of the headers', () => {
		expect(entries).toHaveLength(16);
		expect(entries[0]).toEqual({
			protocol: 'TCP',
			expiresS: 112,
			state: 'FIN_WAIT',
			client: {address: '192.168.67.1', port: 50108},
			virtual: {address: '192.168.67.100', port: 80},
			destination: {address: '192.168.67.20', port: 80},
			template: false,
		});
		expect(entries.filter((e) => e.protocol === 'UDP').map((e) => e.state)).toEqual(['UDP', 'UDP', 'UDP', 'UDP']);
		// the older capture: plain HTTP, no templates
		const plain = parseConnectionTable(fixture('ipvsadm-Lnc-dir1.txt'));
		expect(plain.length).toBeGreaterThan(5);
		expect(plain.every((e) => !e.template && e.virtual.port === 80)).toBe(true);
	});

	it('marks the persistence template (client port 0, ASSURED) and only it', () => {
		const templates = entries.filter((e) => e.template);
		expect(templates).toHaveLength(1);
		expect(templates[0]).toMatchObject({state: 'ASSURED', expiresS: 58, client: {address: '192.168.67.1', port: 0}, destination: {address: '192.168.67.20', port: 80}});
		const none = parseConnectionTable('TCP 04:59  NONE        10.0.0.5:0         10.0.0.100:3306    10.0.0.11:3306\n');
		expect(none[0]!.template).toBe(true);
	});

	it('picks one service by protocol, VIP and port', () => {
		expect(entriesOf(entries, '192.168.67.100', 9000, 'TCP').map((e) => e.destination.address).sort()).toEqual(['192.168.67.10', '192.168.67.10', '192.168.67.20', '192.168.67.20']);
		expect(entriesOf(entries, '192.168.67.100', 9053, 'UDP')).toHaveLength(4);
		expect(entriesOf(entries, '192.168.67.100', 9053, 'TCP')).toHaveLength(0);
	});

	it('reads IPv6 entries and long expiry times; skips errors and garbage', () => {
		const v6 = parseConnectionTable('TCP 01:02:03 ESTABLISHED [2001:DB8::5]:40000 [2001:db8::100]:80 [2001:db8::11]:80\n');
		expect(v6[0]).toMatchObject({expiresS: 3723, client: {address: '2001:db8::5', port: 40000}, virtual: {address: '2001:db8::100', port: 80}});
		expect(parseConnectionTable("Can't initialize ipvs: Protocol not available\nAre you sure that IP Virtual Server is built in the kernel or as module?\n")).toEqual([]);
		expect(parseConnectionTable('TCP xx:yy ESTABLISHED 1.2.3.4:5 1.2.3.4:80 1.2.3.5:80\nTCP 00:10 ESTABLISHED 1.2.3.4:5 nope 1.2.3.5:80\n')).toEqual([]);
		expect(parseEndpoint('300.1.1.1x:80')).toBeUndefined();
	});

	it('is a command read-only mode allows, run as root', () => {
		expect(isReadOnlyCommand(connectionTableCommand())).toBe(true);
		expect(needsRoot(connectionTableCommand())).toBe(true);
	});
});

// The lab's services that are not HTTP (profiles/lab.yaml): TCP 9000 answers the real server's host
// name on connect, UDP 9053 answers it to any datagram. Both answer through the VIP from the station
// and from client1, IPVS on the active director lists both with both real servers, and keepalived's
// UDP_CHECK removes a real server whose UDP daemon stopped and puts it back once it answers again.
import dgram from 'node:dgram';
import net from 'node:net';
import {afterAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {nameUnit} from '../../src/lab/plan.js';
import type {VirtualServer} from '../../src/profile/model.js';
import {labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
const tcpService = profile.virtualServers.find((vs) => vs.protocol === 'TCP' && vs.port === 9000)!;
const udpService = profile.virtualServers.find((vs) => vs.protocol === 'UDP' && vs.port === 9053)!;
const udpUnit = nameUnit('UDP', 9053);
const backends = ['rs1', 'rs2'];

afterAll(async () => {
	// Leave the lab as it was, whatever a test did.
	await pool.exec('rs1', ['systemctl', 'start', udpUnit]).catch(() => undefined);
	await pool.close();
});

/** What a TCP connection to address:port receives until the server closes it. */
function tcpAnswer(address: string, port: number): Promise<string> {
	return new Promise((resolve, reject) => {
		let data = '';
		const socket = net.connect({host: address, port, timeout: 3000});
		socket.on('data', (c: Buffer) => (data += c.toString()));
		socket.on('end', () => resolve(data.trim()));
		socket.on('timeout', () => socket.destroy(new Error(`no answer from ${address}:${port} in 3 s`)));
		socket.on('error', reject);
	});
}

/**
 * The reply to a datagram sent to address:port, from a fresh socket (so IPVS schedules it anew). Like
 * any UDP client (a resolver, a syslog sender), it sends again when no reply came within a second, at
 * most three times from the same socket (so to the same real server): one datagram lost on the
 * emulated network is not a broken service, three in a row are.
 */
function udpAnswer(address: string, port: number): Promise<string> {
	return new Promise((resolve, reject) => {
		const socket = dgram.createSocket('udp4');
		let sent = 0;
		const send = () => {
			if (sent === 3) {
				socket.close();
				reject(new Error(`no UDP reply from ${address}:${port} to 3 datagrams 1 s apart`));
				return;
			}
			sent++;
			socket.send('who?\n', port, address);
			timer = setTimeout(send, 1000);
		};
		let timer: NodeJS.Timeout | undefined;
		socket.on('message', (msg, from) => {
			clearTimeout(timer);
			socket.close();
			// The reply must come from the address the datagram went to (the VIP), or a client drops it.
			if (from.address !== address) reject(new Error(`reply came from ${from.address}, not ${address}`));
			else resolve(msg.toString().trim());
		});
		socket.on('error', (error) => {
			clearTimeout(timer);
			socket.close();
			reject(error);
		});
		send();
	});
}

async function answers(ask: (address: string, port: number) => Promise<string>, vs: VirtualServer, times: number): Promise<string[]> {
	const out: string[] = [];
	for (let i = 0; i < times; i++) out.push(await ask(vs.vip, vs.port));
	return out;
}

/** Answers through the VIP as client1 gets them (socat there, one connection or datagram each). */
async function answersFromClient1(vs: VirtualServer, times: number): Promise<string[]> {
	const target = vs.protocol === 'UDP' ? `UDP4:${vs.vip}:${vs.port}` : `TCP4:${vs.vip}:${vs.port}`;
	const script = `i=0; while [ $i -lt ${times} ]; do echo who | socat -T2 - ${target} || echo FAILED; i=$((i+1)); done`;
	const r = await pool.exec('client1', ['sh', '-c', script], {timeoutMs: 30_000});
	expect(r.code, r.stderr).toBe(0);
	return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

async function activeDirector(): Promise<string> {
	for (const d of ['dir1', 'dir2']) {
		const r = await pool.exec(d, ['ip', '-o', 'addr', 'show']);
		if (r.stdout.includes(` ${tcpService.vip}/`)) return d;
	}
	throw new Error(`no director holds ${tcpService.vip}`);
}

/** The real servers `ipvsadm -Ln` lists under one service of a director. */
async function ipvsRealServers(director: string, vs: VirtualServer): Promise<string[]> {
	const r = await pool.exec(director, ['ipvsadm', '-Ln']);
	expect(r.code).toBe(0);
	const lines = r.stdout.split('\n');
	const start = lines.findIndex((l) => l.startsWith(`${vs.protocol}  ${vs.vip}:${vs.port} `));
	if (start < 0) return [];
	const out: string[] = [];
	for (const l of lines.slice(start + 1)) {
		const m = /^ {2}-> (\S+)\s+(\w+)/.exec(l);
		if (!m) break;
		out.push(`${m[1]} ${m[2]}`);
	}
	return out;
}

const expectedEntries = (vs: VirtualServer) => vs.realServers.map((rs) => `${rs.address}:${rs.port} Route`);

describe('TCP 9000 and UDP 9053 behind the lab VIP', () => {
	it('the profile has both services, checked with TCP_CHECK and UDP_CHECK', () => {
		expect(tcpService.realServers.map((rs) => [rs.host, rs.check.type])).toEqual([
			['rs1', 'TCP_CHECK'],
			['rs2', 'TCP_CHECK'],
		]);
		expect(udpService.realServers.map((rs) => [rs.host, rs.check.type])).toEqual([
			['rs1', 'UDP_CHECK'],
			['rs2', 'UDP_CHECK'],
		]);
	});

	it('from the station, TCP 9000 through the VIP answers with rs1 or rs2, both seen', async () => {
		const got = await answers(tcpAnswer, tcpService, 8);
		for (const a of got) expect(backends).toContain(a);
		expect(new Set(got)).toEqual(new Set(backends));
	});

	it('from the station, UDP 9053 through the VIP answers with rs1 or rs2, from the VIP, both seen', async () => {
		const got = await answers(udpAnswer, udpService, 8);
		for (const a of got) expect(backends).toContain(a);
		expect(new Set(got)).toEqual(new Set(backends));
	});

	it.each([
		['TCP 9000', tcpService],
		['UDP 9053', udpService],
	])('from client1, %s through the VIP answers with rs1 or rs2, both seen', async (_label, vs) => {
		const got = await answersFromClient1(vs, 8);
		expect(got).toHaveLength(8);
		for (const a of got) expect(backends).toContain(a);
		expect(new Set(got)).toEqual(new Set(backends));
	});

	it('IPVS on the active director lists both services with both real servers (Route)', async () => {
		const director = await activeDirector();
		expect(await ipvsRealServers(director, tcpService)).toEqual(expectedEntries(tcpService));
		expect(await ipvsRealServers(director, udpService)).toEqual(expectedEntries(udpService));
	});

	it("keepalived's UDP_CHECK removes rs1 when its 9053 daemon stops, and restores it when it answers again", async () => {
		const director = await activeDirector();
		const rs1 = udpService.realServers.find((rs) => rs.host === 'rs1')!;
		const rs1Entry = `${rs1.address}:${rs1.port} Route`;
		const stop = await pool.exec('rs1', ['systemctl', 'stop', udpUnit]);
		expect(stop.code, stop.stderr).toBe(0);
		expect((await pool.exec('rs1', ['systemctl', 'is-active', udpUnit])).stdout.trim()).toBe('inactive');
		// delay_loop 2 + (retry 1 + 1) * (connect_timeout 2 + delay_before_retry 1) = 8 s; twice that as the bound.
		await waitFor(() => ipvsRealServers(director, udpService), (list) => !list.includes(rs1Entry), {timeoutMs: 16_000, intervalMs: 250, what: 'rs1 to leave UDP 9053'});
		// Only the UDP service lost it: its TCP services still list it.
		expect(await ipvsRealServers(director, tcpService)).toEqual(expectedEntries(tcpService));
		expect(await answers(udpAnswer, udpService, 4)).toEqual(['rs2', 'rs2', 'rs2', 'rs2']);

		const start = await pool.exec('rs1', ['systemctl', 'start', udpUnit]);
		expect(start.code, start.stderr).toBe(0);
		await waitFor(() => ipvsRealServers(director, udpService), (list) => list.includes(rs1Entry), {timeoutMs: 16_000, intervalMs: 250, what: 'rs1 to return to UDP 9053'});
		expect(await ipvsRealServers(director, udpService)).toEqual(expectedEntries(udpService));
		const got = await answers(udpAnswer, udpService, 8);
		expect(new Set(got)).toEqual(new Set(backends));
	});
});

// Host states built from output captured on the lab, for tests of derivations and views.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {loadProfile} from '../../../src/profile/load.js';
import {parseIpvsList, parseIpvsStats, mergeIpvs} from '../../../src/probes/ipvs.js';
import {parseIpAddrJson} from '../../../src/probes/vip.js';
import {parseKeepalivedJson} from '../../../src/probes/vrrp.js';
import {detectCapabilities} from '../../../src/probes/keepalived-caps.js';
import {sha256Hex} from '../../../src/probes/config-hash.js';
import {renderKeepalivedConf} from '../../../src/render/keepalived-conf.js';
import type {HostState} from '../../../src/cluster/types.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const fixture = (name: string) => readFileSync(path.join(ROOT, 'test', 'fixtures', 'lab', name), 'utf8');

const shippedLab = loadProfile(path.join(ROOT, 'profiles', 'lab.yaml'));
/** profiles/lab.yaml with the services the fixtures hold: they were captured before the lab had TCP 9000 and UDP 9053. */
export const labProfile = {...shippedLab, virtualServers: shippedLab.virtualServers.filter((vs) => vs.port === 80)};

/** The lab at rest: dir1 MASTER holding the VIP, dir2 BACKUP, both real servers healthy. */
export function healthyHosts(now = 1_000_000): Map<string, HostState> {
	const hosts = new Map<string, HostState>();
	for (const name of ['dir1', 'dir2'] as const) {
		const ipvs = mergeIpvs(parseIpvsList(fixture(`ipvsadm-Ln-dir1.txt`)), parseIpvsStats(fixture(`ipvsadm-stats-${name}.txt`)));
		hosts.set(name, {
			name,
			address: name === 'dir1' ? '192.168.67.110' : '192.168.67.120',
			role: 'director',
			reachable: true,
			lastOkAt: now,
			lastPollAt: now,
			conn: {host: name, state: 'ready', since: 0},
			director: {
				ipvs,
				addresses: parseIpAddrJson(fixture(`ip-j-addr-${name}.json`)).addresses,
				vrrp: parseKeepalivedJson(fixture(`keepalived-json-${name}.json`)).instances,
				keepalivedActive: true,
				keepalived: detectCapabilities(fixture('keepalived-version.txt'), fixture('keepalived-signum.txt')),
				pidFile: '/run/keepalived.pid',
				configSha256: sha256Hex(renderKeepalivedConf(labProfile, name)),
			},
		});
	}
	for (const [name, address] of [
		['rs1', '192.168.67.10'],
		['rs2', '192.168.67.20'],
	] as const) {
		hosts.set(name, {
			name,
			address,
			role: 'realserver',
			reachable: true,
			lastOkAt: now,
			lastPollAt: now,
			conn: {host: name, state: 'ready', since: 0},
			realServer: {vipsOnLo: ['192.168.67.100'], missingVips: [], arpIgnore: {all: 1, lo: 1}, arpAnnounce: {all: 2, lo: 2}, arpOk: true, serviceActive: true, portAnswering: true},
		});
	}
	hosts.set('client1', {name: 'client1', address: '192.168.67.30', role: 'client', reachable: true, lastOkAt: now, lastPollAt: now, conn: {host: 'client1', state: 'ready', since: 0}});
	return hosts;
}

export function renderedHashes(): Map<string, string> {
	return new Map(['dir1', 'dir2'].map((d) => [d, sha256Hex(renderKeepalivedConf(labProfile, d))]));
}

/** A copy of a host state with changes. */
export function withHost(hosts: Map<string, HostState>, name: string, change: (h: HostState) => HostState): Map<string, HostState> {
	const next = new Map(hosts);
	next.set(name, change(hosts.get(name)!));
	return next;
}

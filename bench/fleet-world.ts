// What each simulated host answers (bench/fleet-servers.ts): a healthy cluster as its profile describes
// it. The directors' IPVS tables list the profile's virtual services with every real server. dir1 is
// MASTER and holds the VIP; dir2 is BACKUP without it (the lab's captured addresses and keepalived dumps
// of each). The installed config hashes to what the profile renders, so there is no drift. The real
// servers answer with the lab's captured check. Without a profile every host answers as the lab's dir1
// did (the benches that only time the reads use that).
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {packageRoot} from '../src/lab/plan.js';
import type {Profile, VirtualServer} from '../src/profile/model.js';
import {ClusterStore} from '../src/cluster/store.js';

/** A file of output captured from the lab (test/fixtures/lab). */
export const fixture = (name: string) => readFileSync(path.join(packageRoot(), 'test', 'fixtures', 'lab', name), 'utf8');

/** One host's answers to lvsdeck's reads. */
export interface HostAnswers {
	/** The director snapshot (`lvsdeck-probe`), with the config's hash and keepalived's dump as asked. */
	snapshot(hashed: boolean, dumped: boolean): string;
	/** The extras command (`lvsdeck-extras`): the snapshot's hash and dump parts alone. */
	extras(hashed: boolean, dumped: boolean): string;
	/** A director stream's frame (`lvsdeck-dir-stream`), without its frame mark. */
	readonly directorFrame: string;
	/** A real server stream's frame (`lvsdeck-rs-stream`), without its frame mark. */
	readonly rsFrame: string;
	/** The real server's check (`lvsdeck-rs-check`). */
	readonly rsCheck: string;
}

const section = (name: string, body: string) => `\n@@lvsdeck ${name}\n${body.endsWith('\n') || body === '' ? body : `${body}\n`}`;

const FORWARD: Record<VirtualServer['forwarding'], string> = {DR: 'Route', NAT: 'Masq', TUN: 'Tunnel'};
const HEADER = 'IP Virtual Server version 1.2.1 (size=4096)\n';

/** `ipvsadm -Ln`, `--stats` and `--rate` of a director holding every virtual service of the profile, each with all its real servers. */
export function ipvsTables(profile: Profile): {list: string; stats: string; rate: string} {
	const service = (vs: VirtualServer) => `${vs.protocol}  ${vs.vip}:${vs.port}`;
	const zeros = '0        0        0        0        0';
	const list = profile.virtualServers.map(
		(vs) =>
			`${service(vs)} ${vs.scheduler}${vs.persistenceTimeout ? ` persistent ${vs.persistenceTimeout}` : ''}\n` +
			vs.realServers.map((rs) => `  -> ${`${rs.address}:${rs.port}`.padEnd(28)} ${FORWARD[vs.forwarding].padEnd(7)} ${String(rs.weight).padEnd(6)} 0          0\n`).join(''),
	);
	const counters = profile.virtualServers.map((vs) => `${service(vs).padEnd(33)} ${zeros}\n` + vs.realServers.map((rs) => `  -> ${`${rs.address}:${rs.port}`.padEnd(33)} ${zeros}\n`).join(''));
	return {
		list: `${HEADER}Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n${list.join('')}`,
		stats: `${HEADER}Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n  -> RemoteAddress:Port\n${counters.join('')}`,
		rate: `${HEADER}Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n  -> RemoteAddress:Port\n${counters.join('')}`,
	};
}

interface DirectorParts {
	readonly ipvs: {list: string; stats: string; rate: string};
	readonly addr: string;
	readonly configSha256: string;
	readonly dump: string;
}

function directorAnswers(parts: DirectorParts): HostAnswers {
	const routine = [section('ipvs-list', parts.ipvs.list), section('ipvs-stats', parts.ipvs.stats), section('ipvs-rate', parts.ipvs.rate), section('addr', parts.addr)].join('');
	const extras = (hashed: boolean, dumped: boolean) =>
		[
			section('config', hashed ? parts.configSha256 : 'skipped'),
			section('keepalived-bin', hashed ? '/usr/sbin/keepalived 1000 1700000000 42' : 'skipped'),
			section('vrrp', dumped ? parts.dump : ''),
			section('vrrp-exit', '0'),
			section('end', ''),
		].join('');
	return {snapshot: (hashed, dumped) => routine + extras(hashed, dumped), extras, directorFrame: routine + extras(false, false), rsFrame: RS_FRAME, rsCheck: RS_CHECK};
}

const RS_CHECK = fixture('rs-check-dr-lo.txt');
const RS_FRAME = `${RS_CHECK.replace(/\n+$/, '')}\n\n@@lvsdeck-service 0`;

/** Every host as the lab's dir1 answered (its IPVS table names the lab's addresses, not a profile's). */
export function labDirector(): HostAnswers {
	const ipvs = {list: fixture('ipvsadm-Ln-dir1.txt'), stats: fixture('ipvsadm-stats-dir1.txt'), rate: fixture('ipvsadm-rate-dir1.txt')};
	return directorAnswers({ipvs, addr: fixture('ip-j-addr-dir1.json'), configSha256: createHash('sha256').update('keepalived.conf').digest('hex'), dump: fixture('keepalived-json-dir1.json')});
}

/**
 * The answers of each host of a healthy cluster, by name: dir1 MASTER with the VIP, dir2 BACKUP, both
 * with the whole IPVS table and the config the profile renders; the real servers as the lab's rs1.
 */
export function healthyCluster(profile: Profile): Map<string, HostAnswers> {
	// A real server is asked only for its check and its stream (the lab's rs1's, as labDirector's are).
	const realServer = labDirector();
	const store = new ClusterStore(profile);
	const ipvs = ipvsTables(profile);
	const answers = new Map<string, HostAnswers>();
	for (const host of profile.hosts) {
		if (host.role !== 'director') {
			answers.set(host.name, realServer);
			continue;
		}
		const master = host.name === 'dir1';
		const lab = master ? 'dir1' : 'dir2';
		answers.set(host.name, directorAnswers({ipvs, addr: fixture(`ip-j-addr-${lab}.json`), configSha256: store.rendered(host.name)!.sha256, dump: fixture(`keepalived-json-${lab}.json`)}));
	}
	return answers;
}

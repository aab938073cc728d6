// Checks that span fields (zod validates each field on its own). Each finding names the exact field.
import type {ProfileDoc} from './schema.js';
import type {FieldPath} from './locate.js';
import {ADDRESS_UNKNOWN} from './conf-extras.js';
import {compareKeepalivedVersions, keywordSince} from '../keepalived-conf/index.js';

export interface CrossIssue {
	readonly path: FieldPath;
	readonly message: string;
	/** Point at the key (e.g. a director name) rather than its value. */
	readonly atKey?: boolean;
}

/**
 * keepalived's advert_int: VRRPv2 (keepalived's default) carries whole seconds in an 8-bit field,
 * VRRPv3 centiseconds in a 12-bit one. keepalived rounds or clamps anything else with only a log
 * line, so the cluster would run with another interval than the profile says.
 */
export function advertIntProblem(seconds: number, version: 2 | 3): string | undefined {
	if (version === 2) {
		if (Number.isInteger(seconds) && seconds >= 1 && seconds <= 255) return undefined;
		return `VRRPv2 sends whole seconds: advert_int must be 1-255, not ${seconds} (version: 3 allows 0.01-40.95)`;
	}
	const centis = Math.round(seconds * 100);
	if (Math.abs(seconds * 100 - centis) < 1e-6 && centis >= 1 && centis <= 4095) return undefined;
	return `VRRPv3 sends centiseconds: advert_int must be 0.01-40.95 in steps of 0.01, not ${seconds}`;
}

/** A Map of the hosts, not the parsed object: a name such as "constructor" must not find Object.prototype's. */
type Hosts = ReadonlyMap<string, ProfileDoc['hosts'][string]>;
type Instance = ProfileDoc['vrrp_instances'][number];

export function crossCheck(doc: ProfileDoc): CrossIssue[] {
	const hosts: Hosts = new Map(Object.entries(doc.hosts));
	const vipsOfInstances = new Set<string>();
	return [...hostIssues(doc, hosts), ...instanceIssues(doc, hosts, vipsOfInstances), ...syncGroupIssues(doc), ...serviceIssues(doc, hosts, vipsOfInstances)];
}

/** Addresses used twice, jump hosts that are not hosts. */
function hostIssues(doc: ProfileDoc, hosts: Hosts): CrossIssue[] {
	const issues: CrossIssue[] = [];
	const seenAddress = new Map<string, string>();
	for (const [name, host] of hosts) {
		const other = host.address === ADDRESS_UNKNOWN ? undefined : seenAddress.get(host.address);
		if (other) issues.push({path: ['hosts', name, 'address'], message: `same address as host ${other}`});
		seenAddress.set(host.address, name);
		if (host.vip_device !== undefined && host.role !== 'realserver') {
			issues.push({path: ['hosts', name, 'vip_device'], message: `only real servers hold VIPs on a device; ${name} is a ${host.role}`});
		}
		const jump = host.ssh?.jump;
		if (jump !== undefined) {
			if (!hosts.has(jump)) issues.push({path: ['hosts', name, 'ssh', 'jump'], message: `jump host ${jump} is not in hosts`});
			else if (jump === name) issues.push({path: ['hosts', name, 'ssh', 'jump'], message: 'a host cannot be its own jump host'});
		}
	}
	for (const [name, host] of hosts) {
		for (const [iface, cidr] of Object.entries(host.interfaces ?? {})) {
			const address = cidr.split('/')[0] ?? '';
			const other = seenAddress.get(address);
			if (other) issues.push({path: ['hosts', name, 'interfaces', iface], message: `same address as host ${other}`});
			seenAddress.set(address, name);
		}
	}
	const defaultJump = doc.ssh?.jump;
	if (defaultJump !== undefined && !hosts.has(defaultJump)) {
		issues.push({path: ['ssh', 'jump'], message: `jump host ${defaultJump} is not in hosts`});
	}
	return issues;
}

/** Names and VRIDs used twice, advert_int, members, preempt, track scripts, VIP labels; collects the instances' VIPs. */
function instanceIssues(doc: ProfileDoc, hosts: Hosts, vipsOfInstances: Set<string>): CrossIssue[] {
	const issues: CrossIssue[] = [];
	const trackNames = new Set((doc.track_scripts ?? []).map((t) => t.name));
	const instanceNames = new Map<string, number>();
	const vridByInterface = new Map<string, string>();
	for (const [i, inst] of doc.vrrp_instances.entries()) {
		const at = (...rest: FieldPath) => ['vrrp_instances', i, ...rest];
		const dup = instanceNames.get(inst.name);
		if (dup !== undefined) issues.push({path: at('name'), message: `instance name ${inst.name} is also used by vrrp_instances[${dup}]`});
		instanceNames.set(inst.name, i);

		const key = `${inst.interface}/${inst.vrid}`;
		const prior = vridByInterface.get(key);
		if (prior) issues.push({path: at('vrid'), message: `VRID ${inst.vrid} on ${inst.interface} is also used by instance ${prior}`});
		vridByInterface.set(key, inst.name);

		const advert = advertIntProblem(inst.advert_int, inst.version ?? 2);
		if (advert) issues.push({path: at('advert_int'), message: advert});

		issues.push(...memberIssues(inst, at, hosts));
		if (inst.unicast && inst.multicast_group !== undefined) {
			issues.push({path: at('multicast_group'), message: 'multicast_group is set but unicast is true'});
		}
		for (const [j, name] of (inst.track_scripts ?? []).entries()) {
			if (!trackNames.has(name)) issues.push({path: at('track_scripts', j), message: `track script ${name} is not defined in track_scripts`});
		}
		for (const [j, vip] of inst.vips.entries()) {
			vipsOfInstances.add(vip.address.split('/')[0] ?? '');
			const dev = vip.dev ?? inst.interface;
			if (vip.label !== undefined && !vip.label.startsWith(`${dev}:`)) {
				issues.push({path: at('vips', j, 'label'), message: `must start with the interface name (${dev}:...)`});
			}
		}
	}
	return issues;
}

/** An instance's directors: in hosts, directors, and preempt settings keepalived would honour. */
function memberIssues(inst: Instance, at: (...rest: FieldPath) => FieldPath, hosts: Hosts): CrossIssue[] {
	const issues: CrossIssue[] = [];
	const roleOf = (name: string) => hosts.get(name)?.role;
	const members = Object.entries(inst.directors);
	if (members.length === 0) issues.push({path: at('directors'), message: 'an instance needs at least one director'});
	// Equal priorities are legal VRRP (the higher primary address wins the election): resolve.ts
	// orders members that way, and status says which one wins.
	for (const [director, member] of members) {
		if (!hosts.has(director)) issues.push({path: at('directors', director), message: `${director} is not in hosts`, atKey: true});
		else if (roleOf(director) !== 'director') {
			issues.push({path: at('directors', director), message: `${director} is a ${roleOf(director)}, not a director`, atKey: true});
		}
		// keepalived silently drops nopreempt and preempt_delay on an instance that starts as MASTER.
		if (inst.preempt === 'nopreempt' && member.state === 'MASTER') {
			issues.push({path: at('directors', director, 'state'), message: 'nopreempt only works when every director starts as BACKUP'});
		}
		if (typeof inst.preempt === 'object' && member.state === 'MASTER') {
			issues.push({path: at('directors', director, 'state'), message: 'preempt_delay only works when every director starts as BACKUP'});
		}
	}
	return issues;
}

/** Services defined twice or on no VIP, real servers that are not real servers, listed twice, or with a port DR cannot change. */
function serviceIssues(doc: ProfileDoc, hosts: Hosts, vipsOfInstances: ReadonlySet<string>): CrossIssue[] {
	const issues: CrossIssue[] = [];
	const roleOf = (name: string) => hosts.get(name)?.role;
	const services = new Set<string>();
	for (const [i, vs] of doc.virtual_servers.entries()) {
		const at = (...rest: FieldPath) => ['virtual_servers', i, ...rest];
		const key = `${vs.protocol}/${vs.vip}/${vs.port}`;
		if (services.has(key)) issues.push({path: at('port'), message: `${vs.protocol} ${vs.vip}:${vs.port} is defined twice`});
		services.add(key);
		if (!vipsOfInstances.has(vs.vip)) issues.push({path: at('vip'), message: `${vs.vip} is not a VIP of any vrrp instance`});
		const seen = new Set<string>();
		for (const [j, rs] of vs.real_servers.entries()) {
			if (!hosts.has(rs.host)) issues.push({path: at('real_servers', j, 'host'), message: `${rs.host} is not in hosts`});
			else if (roleOf(rs.host) !== 'realserver') {
				issues.push({path: at('real_servers', j, 'host'), message: `${rs.host} is a ${roleOf(rs.host)}, not a realserver`});
			}
			const rsKey = `${rs.host}:${rs.port}`;
			if (seen.has(rsKey)) issues.push({path: at('real_servers', j, 'host'), message: `${rsKey} is listed twice`});
			seen.add(rsKey);
			if (vs.forwarding === 'DR' && rs.port !== vs.port) {
				issues.push({path: at('real_servers', j, 'port'), message: `DR forwarding cannot change the port (${vs.port} to ${rs.port})`});
			}
			const tooOld = checkerTooOld(doc, vs.vip, rs.check.type);
			if (tooOld) issues.push({path: at('real_servers', j, 'check', 'type'), message: tooOld});
		}
	}
	return issues;
}

/**
 * A checker the stated keepalived version of a director serving `vip` does not know (UDP_CHECK came
 * in 2.1.0): that keepalived would ignore the block and never check the real server.
 */
function checkerTooOld(doc: ProfileDoc, vip: string, type: string): string | undefined {
	const since = keywordSince(type, 'real_server')?.since;
	if (since === undefined) return undefined;
	const directors = doc.vrrp_instances.filter((inst) => inst.vips.some((v) => v.address.split('/')[0] === vip)).flatMap((inst) => Object.keys(inst.directors));
	for (const name of new Set(directors)) {
		const own = Object.hasOwn(doc.hosts, name) ? doc.hosts[name]?.keepalived?.version : undefined;
		const version = own ?? doc.keepalived.version;
		if (version !== undefined && compareKeepalivedVersions(version, since) < 0) {
			const where = own !== undefined ? `hosts.${name}.keepalived.version` : 'keepalived.version';
			return `${type} needs keepalived ${since} or later, and ${name} runs ${version} (${where}); that keepalived would ignore the check`;
		}
	}
	return undefined;
}

/** Each group names existing instances, each instance is in one group at most, and a group's instances share their directors. */
function syncGroupIssues(doc: ProfileDoc): CrossIssue[] {
	const issues: CrossIssue[] = [];
	const instances = new Map(doc.vrrp_instances.map((inst) => [inst.name, inst]));
	const groupOf = new Map<string, string>();
	const groupNames = new Set<string>();
	for (const [i, group] of (doc.vrrp_sync_groups ?? []).entries()) {
		const at = (...rest: FieldPath) => ['vrrp_sync_groups', i, ...rest];
		if (groupNames.has(group.name)) issues.push({path: at('name'), message: `sync group name ${group.name} is used twice`});
		groupNames.add(group.name);
		let directors: string | undefined;
		for (const [j, name] of group.instances.entries()) {
			const inst = instances.get(name);
			if (!inst) {
				issues.push({path: at('instances', j), message: `${name} is not a vrrp instance of this profile`});
				continue;
			}
			const prior = groupOf.get(name);
			if (prior !== undefined) issues.push({path: at('instances', j), message: `${name} is already in sync group ${prior} (an instance can be in one group only)`});
			groupOf.set(name, group.name);
			const own = Object.keys(inst.directors).sort().join(',');
			if (directors === undefined) directors = own;
			else if (own !== directors) issues.push({path: at('instances', j), message: `${name} runs on ${own}, the group's first instance on ${directors}: a sync group's instances need the same directors`});
		}
	}
	return issues;
}

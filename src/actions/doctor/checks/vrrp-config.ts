// VRRP settings that must agree between the directors, read from their installed configs (what
// keepalived runs, not what the profile says): unicast on one and multicast on another, and one VRID
// used by two instances on one interface. Pure.
import type {KeepalivedConfig} from '../../../keepalived-conf/index.js';
import {check, type DoctorCheck} from '../check.js';

export interface InstalledOn {
	readonly director: string;
	readonly config: KeepalivedConfig;
}

/** Per instance name: which directors run it with unicast peers and which with multicast. */
export function transportChecks(configs: readonly InstalledOn[]): DoctorCheck[] {
	const byName = new Map<string, Array<{director: string; unicast: boolean}>>();
	for (const {director, config} of configs) {
		for (const inst of config.vrrpInstances ?? []) {
			const list = byName.get(inst.name) ?? [];
			list.push({director, unicast: (inst.unicastPeer ?? []).length > 0});
			byName.set(inst.name, list);
		}
	}
	return [...byName].map(([name, members]) => {
		const uni = members.filter((m) => m.unicast).map((m) => m.director);
		const multi = members.filter((m) => !m.unicast).map((m) => m.director);
		if (uni.length > 0 && multi.length > 0) {
			return check('vrrp.unicast-multicast', 'fail', name, `unicast on ${uni.join(', ')}, multicast on ${multi.join(', ')}`, `give ${name} the same unicast_peer block on every director (or none on any)`, {host: multi[0]!, view: 'vrrp'});
		}
		return check('vrrp.unicast-multicast', 'ok', name, `${uni.length > 0 ? 'unicast' : 'multicast'} on ${members.map((m) => m.director).join(', ')}`);
	});
}

/** Two instances with different names on one VRID and interface, on any director. */
export function vridChecks(configs: readonly InstalledOn[]): DoctorCheck[] {
	const byVrid = new Map<string, Set<string>>();
	const where = new Map<string, Set<string>>();
	for (const {director, config} of configs) {
		for (const inst of config.vrrpInstances ?? []) {
			if (inst.virtualRouterId === undefined) continue;
			const key = `${inst.virtualRouterId} on ${inst.interface ?? '?'}`;
			(byVrid.get(key) ?? byVrid.set(key, new Set()).get(key)!).add(inst.name);
			(where.get(key) ?? where.set(key, new Set()).get(key)!).add(director);
		}
	}
	const clashes = [...byVrid].filter(([, names]) => names.size > 1);
	if (clashes.length === 0) return [check('vrrp.vrid-clash', 'ok', 'directors', `${byVrid.size} VRID${byVrid.size === 1 ? '' : 's'} each used by one instance (${[...byVrid.keys()].join(', ')})`)];
	return clashes.map(([key, names]) =>
		check('vrrp.vrid-clash', 'fail', `VRID ${key}`, `instances ${[...names].join(', ')} share VRID ${key} (on ${[...where.get(key)!].join(', ')})`, `give each instance on one interface its own virtual_router_id`, {host: [...where.get(key)!][0]!, view: 'vrrp'}),
	);
}

// What the practice cluster looks like, derived from a profile: names, addresses, paths.
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {Profile} from '../profile/model.js';

export interface LabHost {
	readonly name: string;
	readonly address: string;
	readonly role: 'director' | 'realserver' | 'client' | 'bastion';
	/** VIPs this host carries on lo (real servers in DR mode). */
	readonly loVips: readonly string[];
	/** Name of the web service the systemctl stand-in manages (real servers). */
	readonly webService?: string;
	/** Port the web server listens on. */
	readonly webPort?: number;
	/**
	 * Units of the services that are not HTTP (`name-tcp-9000`, `name-udp-9053`): each answers the
	 * host's name (TCP: on connect, then closes; UDP: to any datagram), started at boot.
	 */
	readonly nameUnits: readonly string[];
}

export interface LabPlan {
	readonly profileName: string;
	readonly stateDir: string;
	readonly bootDir: string;
	readonly netns: string;
	readonly tap: string;
	readonly operatorAddress: string;
	readonly prefix: number;
	readonly memoryMb: number;
	readonly hosts: readonly LabHost[];
	readonly kernelModules: readonly string[];
	/** Per instance: the director expected to be MASTER at boot and the VIPs it should hold. */
	readonly expectedMasters: ReadonlyArray<{readonly director: string; readonly vips: readonly string[]}>;
	/** Per director: how many real servers its IPVS table must list before the lab is ready. */
	readonly expectedRealServers: Readonly<Record<string, number>>;
	readonly keepalivedConfigPath: string;
}

/** The package root (holds package.json), from dist/lab/plan.js or src/lab/plan.ts. */
export function packageRoot(): string {
	return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** The git-ignored folder holding the lab's keys, known_hosts, boot scripts and console log. */
export function defaultStateDir(): string {
	return process.env['LVSDECK_LAB_DIR'] ?? path.join(packageRoot(), '.lab');
}

export class LabPlanError extends Error {}

export function planLab(profile: Profile, stateDir = defaultStateDir()): LabPlan {
	if (!profile.lab) throw new LabPlanError(`${profile.file}: the profile has no "lab" section, so it cannot be built as a lab`);
	if (!profile.stationNetns) throw new LabPlanError(`${profile.file}: the lab needs station.netns (the operator's namespace)`);
	if (/\s/.test(stateDir)) throw new LabPlanError(`the lab folder ${stateDir} contains white space; UML cannot boot from such a path`);
	// The lab kernel mounts its own file systems over these, so boot files there would be invisible to it.
	const shadowed = ['/run', '/proc', '/sys', '/dev', '/usr/lib/modules'].find((p) => stateDir === p || stateDir.startsWith(`${p}/`));
	if (shadowed) throw new LabPlanError(`the lab folder ${stateDir} is under ${shadowed}, which the lab kernel mounts over; set LVSDECK_LAB_DIR elsewhere`);
	const webByHost = new Map<string, {vips: Set<string>; port: number}>();
	for (const vs of profile.virtualServers) {
		for (const rs of vs.realServers) {
			const entry = webByHost.get(rs.host) ?? {vips: new Set<string>(), port: rs.port};
			if (vs.forwarding !== 'NAT') entry.vips.add(vs.vip);
			webByHost.set(rs.host, entry);
		}
	}
	const services = labServices(profile);
	const expectedRealServers: Record<string, number> = {};
	for (const inst of profile.instances) {
		const vips = new Set(inst.vips.map((v) => v.address));
		const count = profile.virtualServers.filter((vs) => vips.has(vs.vip)).reduce((n, vs) => n + vs.realServers.length, 0);
		for (const m of inst.members) expectedRealServers[m.director] = (expectedRealServers[m.director] ?? 0) + count;
	}
	const schedulers = new Set(['rr', 'wrr', ...profile.virtualServers.map((v) => v.scheduler)]);
	return {
		profileName: profile.name,
		stateDir,
		bootDir: path.join(stateDir, 'boot'),
		netns: profile.stationNetns,
		tap: profile.lab.tap,
		operatorAddress: profile.lab.operatorAddress,
		prefix: profile.lab.operatorPrefix,
		memoryMb: profile.lab.memoryMb,
		hosts: profile.hosts.map((h) => {
			const web = webByHost.get(h.name);
			return {
				name: h.name,
				address: h.address,
				role: h.role,
				loVips: web ? [...web.vips] : [],
				...(h.service ? {webService: h.service.name} : {}),
				...(web ? {webPort: services.get(h.name)?.webPort ?? web.port} : {}),
				nameUnits: services.get(h.name)?.nameUnits ?? [],
			};
		}),
		// sch_ingress, cls_u32, act_gact: the hard-failure drill's VRRP cut (a tc filter on clsact egress)
		kernelModules: ['ip_vs', ...[...schedulers].map((s) => `ip_vs_${s}`), 'veth', 'bridge', 'sch_ingress', 'cls_u32', 'act_gact'],
		expectedMasters: profile.instances.map((inst) => ({
			director: inst.members[0]!.director,
			vips: inst.vips.map((v) => v.address),
		})),
		expectedRealServers,
		keepalivedConfigPath: profile.keepalived.configPath,
	};
}

/** The systemctl stand-in's unit for a service that answers the host name (see LabHost.nameUnits). */
export function nameUnit(protocol: 'TCP' | 'UDP', port: number): string {
	return `name-${protocol.toLowerCase()}-${port}`;
}

/**
 * What each real server runs: the web server on the port of its HTTP-checked service (else its first
 * TCP service), and a host-name answerer on every other port.
 */
function labServices(profile: Profile): Map<string, {webPort?: number; nameUnits: string[]}> {
	const out = new Map<string, {webPort?: number; nameUnits: string[]}>();
	const entries = profile.virtualServers.flatMap((vs) => vs.realServers.map((rs) => ({protocol: vs.protocol, rs})));
	for (const host of new Set(entries.map((e) => e.rs.host))) {
		const mine = entries.filter((e) => e.rs.host === host);
		const tcp = mine.filter((e) => e.protocol === 'TCP');
		const web = (tcp.find((e) => e.rs.check.type === 'HTTP_GET') ?? tcp[0])?.rs.port;
		const units = mine.filter((e) => !(e.protocol === 'TCP' && e.rs.port === web)).map((e) => nameUnit(e.protocol, e.rs.port));
		out.set(host, {...(web !== undefined ? {webPort: web} : {}), nameUnits: [...new Set(units)]});
	}
	return out;
}

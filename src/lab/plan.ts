// What the practice cluster looks like, derived from a profile: names, addresses, paths.
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {Profile} from '../profile/model.js';
import {inSubnet, natGatewayOf, networkOf} from '../profile/subnet.js';

/** One bridge inside the lab kernel: the station's (br0, joined to the tap) or an internal one. */
export interface LabNetwork {
	readonly bridge: string;
	/** `network/prefix`. */
	readonly subnet: string;
	readonly prefix: number;
}

/** An interface of a lab host: the inner end of a veth pair whose outer end is on `bridge`. */
export interface LabLink {
	readonly dev: string;
	readonly bridge: string;
	readonly address: string;
	readonly prefix: number;
}

export interface LabHost {
	readonly name: string;
	/** The profile (cluster) the host belongs to: its keepalived.conf, sudo rights and status come from there. */
	readonly cluster: string;
	readonly address: string;
	readonly role: 'director' | 'realserver' | 'client' | 'bastion';
	/** eth0 (holding `address`) first, then the host's further interfaces. */
	readonly links: readonly LabLink[];
	/** VIPs this host carries on lo (real servers in DR mode). */
	readonly loVips: readonly string[];
	/** VIPs this host carries on tunl0 (real servers in TUN mode). */
	readonly tunVips: readonly string[];
	/** Default route (NAT real servers: the directors' floating internal gateway). */
	readonly gateway?: string;
	/** Forwards IP packets (directors in front of NAT real servers). */
	readonly forward: boolean;
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
	/** br0 (the station's network) first, then one bridge per internal network. */
	readonly networks: readonly LabNetwork[];
	/** Routes in the station namespace to internal networks, through a VIP so they follow the VRRP master. */
	readonly stationRoutes: ReadonlyArray<{readonly subnet: string; readonly via: string}>;
	readonly kernelModules: readonly string[];
	/** Per instance: the director expected to be MASTER at boot and the VIPs it should hold. */
	readonly expectedMasters: ReadonlyArray<{readonly director: string; readonly vips: readonly string[]}>;
	/** Per director: how many real servers its IPVS table must list before the lab is ready. */
	readonly expectedRealServers: Readonly<Record<string, number>>;
	readonly keepalivedConfigPath: string;
	/**
	 * How long the in-kernel init waits for hosts, VRRP and IPVS: 25 s for one cluster, 50 s more for each
	 * further one (every guest boots side by side on the one emulated CPU; nine guests took 34-51 s).
	 */
	readonly bootDeadlineSec: number;
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

/** The in-kernel boot deadline of a one-cluster lab (`lab up` waits 5 s more for the kernel itself), and what each further cluster adds. */
const BOOT_DEADLINE_SEC = 25;
const BOOT_DEADLINE_SEC_MORE = 50;

export function planLab(profile: Profile, stateDir = defaultStateDir()): LabPlan {
	return planLabs([profile], stateDir);
}

/**
 * One lab for one or several clusters (`lab up --profile A --profile B`): one kernel and one station
 * network, each profile's hosts its own guests (names and addresses may not repeat across profiles),
 * each director's keepalived from its own profile, and ready when every cluster is.
 */
export function planLabs(profiles: readonly Profile[], stateDir = defaultStateDir()): LabPlan {
	const first = profiles[0];
	if (!first) throw new LabPlanError('the lab needs a profile');
	for (const profile of profiles) {
		if (!profile.lab) throw new LabPlanError(`${profile.file}: the profile has no "lab" section, so it cannot be built as a lab`);
		if (!profile.stationNetns) throw new LabPlanError(`${profile.file}: the lab needs station.netns (the operator's namespace)`);
	}
	if (/\s/.test(stateDir)) throw new LabPlanError(`the lab folder ${stateDir} contains white space; UML cannot boot from such a path`);
	// The lab kernel mounts its own file systems over these, so boot files there would be invisible to it.
	const shadowed = ['/run', '/proc', '/sys', '/dev', '/usr/lib/modules'].find((p) => stateDir === p || stateDir.startsWith(`${p}/`));
	if (shadowed) throw new LabPlanError(`the lab folder ${stateDir} is under ${shadowed}, which the lab kernel mounts over; set LVSDECK_LAB_DIR elsewhere`);
	checkOneLab(profiles);
	const lab = first.lab!;
	const networks = labNetworks(profiles, lab);
	const expectedRealServers: Record<string, number> = {};
	for (const profile of profiles) {
		for (const inst of profile.instances) {
			const vips = new Set(inst.vips.map((v) => v.address));
			const count = profile.virtualServers.filter((vs) => vips.has(vs.vip)).reduce((n, vs) => n + vs.realServers.length, 0);
			for (const m of inst.members) expectedRealServers[m.director] = (expectedRealServers[m.director] ?? 0) + count;
		}
	}
	const virtualServers = profiles.flatMap((p) => p.virtualServers);
	const schedulers = new Set(['rr', 'wrr', ...virtualServers.map((v) => v.scheduler)]);
	const hasTun = virtualServers.some((vs) => vs.forwarding === 'TUN');
	return {
		profileName: profiles.map((p) => p.name).join('+'),
		stateDir,
		bootDir: path.join(stateDir, 'boot'),
		netns: first.stationNetns!,
		tap: lab.tap,
		operatorAddress: lab.operatorAddress,
		prefix: lab.operatorPrefix,
		// one kernel holds every cluster's guests: each profile's memory_mb is what its own cluster needs
		memoryMb: profiles.reduce((n, p) => n + p.lab!.memoryMb, 0),
		hosts: profiles.flatMap((p) => planHosts(p, networks)),
		networks,
		stationRoutes: stationRoutes(profiles, networks),
		// sch_ingress, cls_u32, act_gact: the hard-failure drill's VRRP cut (a tc filter on clsact egress)
		kernelModules: [
			'ip_vs',
			...[...schedulers].map((s) => `ip_vs_${s}`),
			'veth',
			'bridge',
			'sch_ingress',
			'cls_u32',
			'act_gact',
			// TUN real servers decapsulate with the kernel's ipip module (tunl0 in every namespace)
			...(hasTun ? ['ipip'] : []),
		],
		expectedMasters: profiles.flatMap((p) =>
			p.instances.map((inst) => ({
				director: inst.members[0]!.director,
				vips: inst.vips.map((v) => v.address),
			})),
		),
		expectedRealServers,
		keepalivedConfigPath: first.keepalived.configPath,
		bootDeadlineSec: BOOT_DEADLINE_SEC + BOOT_DEADLINE_SEC_MORE * (profiles.length - 1),
	};
}

/**
 * Several profiles make one lab only when they share its station (namespace, tap, address) and the
 * directors' config path, and when no host name, host address, profile name, VIP or VRID repeats: each
 * cluster brings its own guests and its own VRRP.
 */
function checkOneLab(profiles: readonly Profile[]): void {
	const first = profiles[0]!;
	const station = (p: Profile) => `netns ${p.stationNetns}, tap ${p.lab!.tap}, operator_address ${p.lab!.operatorAddress}/${p.lab!.operatorPrefix}`;
	// what each profile uses, first use only: a repeat inside one profile is that profile's own business
	const seen = new Map<string, {profile: Profile; where: string}>();
	const once = (p: Profile, key: string, what: string, where: string) => {
		const other = seen.get(key);
		if (other && other.profile !== p) throw new LabPlanError(`${where}: ${what} is also in ${other.where}; each cluster of the lab needs its own`);
		if (!other) seen.set(key, {profile: p, where});
	};
	for (const p of profiles) {
		if (station(p) !== station(first)) {
			throw new LabPlanError(`${p.file}: one lab has one station (${station(first)} in ${first.file}), this profile names ${station(p)}`);
		}
		if (p.keepalived.configPath !== first.keepalived.configPath) {
			throw new LabPlanError(`${p.file}: keepalived.config_path ${p.keepalived.configPath} differs from ${first.file}'s ${first.keepalived.configPath}; the lab's directors share one`);
		}
		once(p, `profile ${p.name}`, `profile name "${p.name}"`, p.file);
		for (const h of p.hosts) {
			once(p, `host ${h.name}`, `host name ${h.name}`, `${p.file} hosts.${h.name}`);
			once(p, `address ${h.address}`, `address ${h.address}`, `${p.file} hosts.${h.name}`);
		}
		for (const inst of p.instances) {
			once(p, `vrid ${inst.vrid}`, `vrid ${inst.vrid}`, `${p.file} ${inst.name}`);
			for (const v of inst.vips) once(p, `address ${v.address}`, `address ${v.address}`, `${p.file} ${inst.name}`);
		}
	}
}

/** A profile's hosts as lab guests: links, VIPs by forwarding mode, gateway, services. */
function planHosts(profile: Profile, networks: readonly LabNetwork[]): LabHost[] {
	const webByHost = new Map<string, {dr: Set<string>; tun: Set<string>; port: number}>();
	for (const vs of profile.virtualServers) {
		for (const rs of vs.realServers) {
			const entry = webByHost.get(rs.host) ?? {dr: new Set<string>(), tun: new Set<string>(), port: rs.port};
			if (vs.forwarding === 'DR') entry.dr.add(vs.vip);
			if (vs.forwarding === 'TUN') entry.tun.add(vs.vip);
			webByHost.set(rs.host, entry);
		}
	}
	const services = labServices(profile);
	const hasNat = profile.virtualServers.some((vs) => vs.forwarding === 'NAT');
	return profile.hosts.map((h) => {
		const web = webByHost.get(h.name);
		const gateway = natGatewayOf(profile, h.name);
		return {
			name: h.name,
			cluster: profile.name,
			address: h.address,
			role: h.role,
			links: hostLinks(profile, h.name, networks),
			loVips: web ? [...web.dr] : [],
			tunVips: web ? [...web.tun] : [],
			...(gateway ? {gateway} : {}),
			forward: h.role === 'director' && hasNat,
			...(h.service ? {webService: h.service.name} : {}),
			...(web ? {webPort: services.get(h.name)?.webPort ?? web.port} : {}),
			nameUnits: services.get(h.name)?.nameUnits ?? [],
		};
	});
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

/** br0 for the station's network, then one bridge per network of the hosts' further interfaces. */
function labNetworks(profiles: readonly Profile[], lab: NonNullable<Profile['lab']>): LabNetwork[] {
	const {operatorAddress, operatorPrefix} = lab;
	const networks: LabNetwork[] = [{bridge: 'br0', subnet: networkOf(operatorAddress, operatorPrefix), prefix: operatorPrefix}];
	for (const host of profiles.flatMap((p) => p.hosts)) {
		for (const iface of host.interfaces ?? []) {
			const subnet = networkOf(iface.address, iface.prefix);
			if (!networks.some((n) => n.subnet === subnet)) networks.push({bridge: `br${networks.length}`, subnet, prefix: iface.prefix});
		}
	}
	return networks;
}

function networkHolding(networks: readonly LabNetwork[], address: string): LabNetwork | undefined {
	return networks.find((n) => inSubnet(address, n.subnet.split('/')[0]!, n.prefix));
}

/** eth0 on the network that holds the host's address, then each further interface on its own network. */
function hostLinks(profile: Profile, name: string, networks: readonly LabNetwork[]): LabLink[] {
	const host = profile.hosts.find((h) => h.name === name)!;
	const main = networkHolding(networks, host.address);
	if (!main) {
		const known = networks.map((n) => n.subnet).join(', ');
		throw new LabPlanError(`${profile.file}: hosts.${name}.address ${host.address} is on no lab network (${known}); put it there or give a director an interface on its network`);
	}
	const links: LabLink[] = [{dev: 'eth0', bridge: main.bridge, address: host.address, prefix: main.prefix}];
	for (const iface of host.interfaces ?? []) {
		if (iface.name === 'eth0') throw new LabPlanError(`${profile.file}: hosts.${name}.interfaces.eth0: the lab gives eth0 the host's address; name the further interface otherwise (eth1)`);
		const net = networkHolding(networks, iface.address)!;
		links.push({dev: iface.name, bridge: net.bridge, address: iface.address, prefix: iface.prefix});
	}
	return links;
}

/**
 * The station reaches an internal network through a VIP on its own network that moves together with
 * the internal gateway (same instance or same sync group): the VRRP master forwards, and the real
 * servers' replies come back through the gateway it holds. The profile whose hosts sit on the internal
 * network answers for it.
 */
function stationRoutes(profiles: readonly Profile[], networks: readonly LabNetwork[]): Array<{subnet: string; via: string}> {
	const [station, ...internal] = networks;
	const routes: Array<{subnet: string; via: string}> = [];
	for (const net of internal) {
		const inNet = (address: string) => inSubnet(address, net.subnet.split('/')[0]!, net.prefix);
		const profile = profiles.find((p) => p.hosts.some((h) => (h.interfaces ?? []).some((i) => inNet(i.address)))) ?? profiles[0]!;
		const gatewayInstance = profile.instances.find((inst) => inst.vips.some((v) => inNet(v.address)));
		if (!gatewayInstance) {
			throw new LabPlanError(`${profile.file}: the internal network ${net.subnet} has no VRRP address (the real servers' gateway): add a vrrp instance with a VIP in it`);
		}
		const group = profile.syncGroups?.find((g) => g.instances.includes(gatewayInstance.name))?.instances ?? [gatewayInstance.name];
		const via = profile.instances
			.filter((inst) => group.includes(inst.name))
			.flatMap((inst) => inst.vips)
			.find((v) => station && inSubnet(v.address, station.subnet.split('/')[0]!, station.prefix));
		if (!via) {
			throw new LabPlanError(
				`${profile.file}: the station cannot reach ${net.subnet}: put ${gatewayInstance.name} in a vrrp_sync_groups entry with an instance holding a VIP on ${station?.subnet ?? 'the station network'}`,
			);
		}
		routes.push({subnet: net.subnet, via: via.address});
	}
	return routes;
}

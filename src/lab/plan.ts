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
	const networks = labNetworks(profile, profile.lab);
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
	const expectedRealServers: Record<string, number> = {};
	for (const inst of profile.instances) {
		const vips = new Set(inst.vips.map((v) => v.address));
		const count = profile.virtualServers.filter((vs) => vips.has(vs.vip)).reduce((n, vs) => n + vs.realServers.length, 0);
		for (const m of inst.members) expectedRealServers[m.director] = (expectedRealServers[m.director] ?? 0) + count;
	}
	const schedulers = new Set(['rr', 'wrr', ...profile.virtualServers.map((v) => v.scheduler)]);
	const hasNat = profile.virtualServers.some((vs) => vs.forwarding === 'NAT');
	const hasTun = profile.virtualServers.some((vs) => vs.forwarding === 'TUN');
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
			const gateway = natGatewayOf(profile, h.name);
			return {
				name: h.name,
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
		}),
		networks,
		stationRoutes: stationRoutes(profile, networks),
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

/** br0 for the station's network, then one bridge per network of the hosts' further interfaces. */
function labNetworks(profile: Profile, lab: NonNullable<Profile['lab']>): LabNetwork[] {
	const {operatorAddress, operatorPrefix} = lab;
	const networks: LabNetwork[] = [{bridge: 'br0', subnet: networkOf(operatorAddress, operatorPrefix), prefix: operatorPrefix}];
	for (const host of profile.hosts) {
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
 * servers' replies come back through the gateway it holds.
 */
function stationRoutes(profile: Profile, networks: readonly LabNetwork[]): Array<{subnet: string; via: string}> {
	const [station, ...internal] = networks;
	const routes: Array<{subnet: string; via: string}> = [];
	for (const net of internal) {
		const inNet = (address: string) => inSubnet(address, net.subnet.split('/')[0]!, net.prefix);
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

// Turns a validated profile document into the typed model: merges SSH defaults, per-host settings
// and ~/.ssh/config aliases; resolves paths relative to the profile; splits commands into argv.
import {existsSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SSHConfig from 'ssh-config';
import type {ProfileDoc} from './schema.js';
import {ResolveError} from './errors.js';
import {describeJumpLoop, findJumpLoop} from './jumps.js';
import {byElection} from './election.js';
import type {FieldPath} from './locate.js';
import {confExtrasOf, confNodes} from './conf-extras.js';
import type {Argv, HealthCheck, Host, Preempt, Profile, ServiceCommands, SshSettings, VrrpInstance} from './model.js';
import {DEFAULT_KEEPALIVED_LOG, DEFAULT_PID_FILE} from './model.js';

export interface ResolveOptions {
	/** Path of the OpenSSH client config to honour for `config_alias` (default ~/.ssh/config). */
	readonly sshConfigFile?: string;
	/** Environment for SSH_AUTH_SOCK and HOME (default process.env). */
	readonly env?: NodeJS.ProcessEnv;
}

/** Commands in profiles are validated to hold only plain words, so splitting on spaces is exact. */
export function splitCommand(command: string): Argv {
	return command.split(/\s+/).filter((w) => w.length > 0);
}

function expandPath(p: string, baseDir: string, home: string): string {
	if (p === '~') return home;
	if (p.startsWith('~/')) return path.join(home, p.slice(2));
	return path.resolve(baseDir, p);
}

type SshDoc = NonNullable<ProfileDoc['ssh']>;

function readSshConfig(file: string): SSHConfig | undefined {
	if (!existsSync(file)) return undefined;
	return SSHConfig.parse(readFileSync(file, 'utf8'));
}

function first(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

/** How each host's SSH settings come about: the profile's defaults, its own, and its ~/.ssh/config alias. */
function sshResolver(doc: ProfileDoc, file: string, options: ResolveOptions) {
	const env = options.env ?? process.env;
	const home = env['HOME'] ?? os.homedir();
	const baseDir = path.dirname(file);
	const sshConfigFile = options.sshConfigFile ?? path.join(home, '.ssh', 'config');
	let sshConfig: SSHConfig | undefined | null = null;
	const defaults: SshDoc = doc.ssh ?? {};

	const hostNames = Object.keys(doc.hosts);
	/** Where each host's jump comes from, to point at it when the jumps form a loop. */
	const jumpSource = new Map<string, FieldPath>();
	const aliasToHost = new Map<string, string>();
	for (const [name, h] of Object.entries(doc.hosts)) aliasToHost.set(h.ssh?.config_alias ?? name, name);

	/** The alias's settings from the OpenSSH config (read once, when a host first names an alias). */
	const aliasSettings = (name: string, alias: string): Record<string, string | string[]> => {
		if (sshConfig === null) {
			try {
				sshConfig = readSshConfig(sshConfigFile);
			} catch (error) {
				const reason = error instanceof Error ? error.message.split('\n')[0]! : String(error);
				throw new ResolveError(['hosts', name, 'ssh', 'config_alias'], `cannot read ${sshConfigFile}: ${reason}`);
			}
		}
		if (!sshConfig) {
			throw new ResolveError(['hosts', name, 'ssh', 'config_alias'], `${sshConfigFile} does not exist`);
		}
		return sshConfig.compute(alias);
	};

	/** The host's jump host by its profile name (undefined: none), and where that came from. */
	const jumpOf = (name: string, own: SshDoc | undefined, alias: Record<string, string | string[]>): string | undefined => {
		let jump = own?.jump ?? first(alias['ProxyJump']) ?? defaults.jump;
		jumpSource.set(
			name,
			own?.jump !== undefined ? ['hosts', name, 'ssh', 'jump'] : first(alias['ProxyJump']) !== undefined ? ['hosts', name, 'ssh', 'config_alias'] : ['ssh', 'jump'],
		);
		if (jump !== undefined && jump.toLowerCase() === 'none') jump = undefined;
		if (jump !== undefined && !hostNames.includes(jump)) {
			const mapped = aliasToHost.get(jump);
			if (!mapped) {
				throw new ResolveError(['hosts', name, 'ssh', 'config_alias'], `ProxyJump ${jump} (from ${sshConfigFile}) is not a host in this profile`);
			}
			jump = mapped;
		}
		return jump === name ? undefined : jump;
	};

	const resolveSsh = (name: string, address: string, own: SshDoc | undefined): SshSettings => {
		const merged: SshDoc = {...defaults, ...own};
		const alias = merged.config_alias !== undefined ? aliasSettings(name, merged.config_alias) : {};
		const jump = jumpOf(name, own, alias);
		const identity = own?.identity_file ?? first(alias['IdentityFile']) ?? defaults.identity_file;
		const knownHosts = own?.known_hosts ?? first(alias['UserKnownHostsFile']) ?? defaults.known_hosts;
		const fingerprints = merged.host_key_fingerprints ?? [];
		const aliasPort = first(alias['Port']);
		const agentSock = merged.agent ? env['SSH_AUTH_SOCK'] : undefined;
		return {
			hostName: first(alias['HostName']) ?? address,
			...(merged.config_alias !== undefined ? {configAlias: merged.config_alias} : {}),
			user: own?.user ?? first(alias['User']) ?? defaults.user ?? 'root',
			port: own?.port ?? (aliasPort ? Number(aliasPort) : undefined) ?? defaults.port ?? 22,
			identityFiles: identity ? [expandPath(identity, baseDir, home)] : [],
			...(agentSock ? {agent: agentSock} : {}),
			knownHostsFiles: knownHosts
				? [expandPath(knownHosts, baseDir, home)]
				: fingerprints.length > 0
					? []
					: [path.join(home, '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'],
			fingerprints,
			...(jump ? {jump} : {}),
			sudo: merged.sudo ?? false,
			connectTimeoutMs: merged.connect_timeout_ms ?? 8000,
			commandTimeoutMs: merged.command_timeout_ms ?? 5000,
			keepaliveIntervalMs: merged.keepalive_interval_ms ?? 5000,
			maxChannels: merged.max_channels ?? 4,
		};
	};
	return {resolveSsh, jumpSource};
}

type ServiceDoc = NonNullable<ProfileDoc['hosts'][string]['service']>;

/** A service's commands as argv words (never a shell string). */
function resolveService(service: ServiceDoc): ServiceCommands {
	return {
		name: service.name,
		start: splitCommand(service.start),
		stop: splitCommand(service.stop),
		status: splitCommand(service.status),
		...(service.reload ? {reload: splitCommand(service.reload)} : {}),
		...(service.restart ? {restart: splitCommand(service.restart)} : {}),
	};
}

function resolveHost(name: string, h: ProfileDoc['hosts'][string], resolveSsh: (name: string, address: string, own: SshDoc | undefined) => SshSettings): Host {
	return {
		name,
		address: h.address,
		role: h.role,
		ssh: resolveSsh(name, h.address, h.ssh),
		...(h.vip_device !== undefined ? {vipDevice: h.vip_device} : {}),
		...(h.interfaces
			? {
					interfaces: Object.entries(h.interfaces).map(([iface, cidr]) => ({
						name: iface,
						address: cidr.split('/')[0]!,
						prefix: Number(cidr.split('/')[1]),
					})),
				}
			: {}),
		...(h.service ? {service: resolveService(h.service)} : {}),
		...(h.keepalived
			? {
					keepalived: {
						...(h.keepalived.router_id !== undefined ? {routerId: h.keepalived.router_id} : {}),
						...(h.keepalived.version !== undefined ? {version: h.keepalived.version} : {}),
						...(h.keepalived.global_defs !== undefined ? {globalDefs: confNodes(h.keepalived.global_defs)} : {}),
						...(h.keepalived.extra !== undefined ? {extra: confNodes(h.keepalived.extra)} : {}),
					},
				}
			: {}),
	};
}

/** Jump hosts must not form a loop: the error points at the link that closes it (the later one in the file). */
function refuseJumpLoops(hosts: readonly Host[], jumpSource: ReadonlyMap<string, FieldPath>): void {
	const jumpOf = new Map(hosts.map((h) => [h.name, h.ssh.jump]));
	const loop = findJumpLoop(jumpOf.keys(), (name) => jumpOf.get(name));
	if (loop) throw new ResolveError(jumpSource.get(loop[loop.length - 2]!) ?? ['hosts'], `jump hosts form a loop: ${describeJumpLoop(loop)}`);
}

function resolveInstance(inst: ProfileDoc['vrrp_instances'][number], addressOf: (name: string) => string): VrrpInstance {
	const preempt: Preempt =
		inst.preempt === 'preempt'
			? {mode: 'preempt'}
			: inst.preempt === 'nopreempt'
				? {mode: 'nopreempt'}
				: {mode: 'delay', delaySec: inst.preempt.preempt_delay};
	return {
		name: inst.name,
		vrid: inst.vrid,
		interface: inst.interface,
		advertInt: inst.advert_int,
		...(inst.version ? {version: inst.version} : {}),
		...(inst.authentication ? {authentication: {type: inst.authentication.type, pass: inst.authentication.pass}} : {}),
		unicast: inst.unicast,
		...(inst.multicast_group ? {multicastGroup: inst.multicast_group} : {}),
		preempt,
		members: Object.entries(inst.directors)
			.map(([director, m]) => ({director, state: m.state, priority: m.priority, ...confExtrasOf(m)}))
			.sort(byElection(addressOf)),
		vips: inst.vips.map((v) => {
			const [address, prefix] = v.address.split('/');
			return {
				address: address!,
				prefix: Number(prefix),
				...(v.dev ? {dev: v.dev} : {}),
				...(v.label ? {label: v.label} : {}),
			};
		}),
		trackScripts: inst.track_scripts ?? [],
		...confExtrasOf(inst),
	};
}

function resolveKeepalived(doc: ProfileDoc): Profile['keepalived'] {
	return {
	configPath: doc.keepalived.config_path,
	backupDir: doc.keepalived.backup_dir,
	start: splitCommand(doc.keepalived.start),
	stop: splitCommand(doc.keepalived.stop),
	reload: splitCommand(doc.keepalived.reload),
	status: splitCommand(doc.keepalived.status),
	pidFile: doc.keepalived.pid_file ?? DEFAULT_PID_FILE,
	// Without pid_file the poller uses where the detected keepalived version keeps it.
	...(doc.keepalived.pid_file === undefined ? {pidFileDefaulted: true} : {}),
	...(doc.keepalived.version !== undefined ? {version: doc.keepalived.version} : {}),
	vrrpPidFile: doc.keepalived.vrrp_pid_file,
	dumpDir: doc.keepalived.dump_dir,
	...(doc.keepalived.global_defs !== undefined ? {globalDefs: confNodes(doc.keepalived.global_defs)} : {}),
	...(doc.keepalived.extra !== undefined ? {extra: confNodes(doc.keepalived.extra)} : {}),
	autoScriptSecurity: doc.keepalived.auto_script_security ?? true,
	log: doc.keepalived.log === 'journal' ? DEFAULT_KEEPALIVED_LOG : {kind: 'file', path: doc.keepalived.log},
	...(doc.keepalived.notify_fifo !== undefined ? {notifyFifo: doc.keepalived.notify_fifo} : {}),
	};
}

function resolveVirtualServer(vs: ProfileDoc['virtual_servers'][number], addressOf: (name: string) => string): Profile['virtualServers'][number] {
	return {
	vip: vs.vip,
	port: vs.port,
	protocol: vs.protocol,
	scheduler: vs.scheduler,
	forwarding: vs.forwarding,
	...(vs.persistence_timeout ? {persistenceTimeout: vs.persistence_timeout} : {}),
	delayLoop: vs.delay_loop,
	realServers: vs.real_servers.map((rs) => ({
		host: rs.host,
		address: addressOf(rs.host),
		port: rs.port,
		weight: rs.weight,
		check: resolveCheck(rs.check),
		...(rs.service ? {service: resolveService(rs.service)} : {}),
		...confExtrasOf(rs),
	})),
	...(vs.rs_service ? {rsService: resolveService(vs.rs_service)} : {}),
	...(vs.probe ? {probe: {...(vs.probe.send !== undefined ? {send: vs.probe.send} : {}), ...(vs.probe.expect !== undefined ? {expect: vs.probe.expect} : {})}} : {}),
	...confExtrasOf(vs),
	};
}

function resolveLab(lab: NonNullable<ProfileDoc['lab']>): NonNullable<Profile['lab']> {
	return {
		operatorAddress: lab.operator_address.split('/')[0]!,
		operatorPrefix: Number(lab.operator_address.split('/')[1]),
		tap: lab.tap,
		memoryMb: lab.memory_mb,
	};
}

export function resolveProfile(doc: ProfileDoc, file: string, options: ResolveOptions = {}): Profile {
	const {resolveSsh, jumpSource} = sshResolver(doc, file, options);
	const hosts = Object.entries(doc.hosts).map(([name, h]) => resolveHost(name, h, resolveSsh));
	refuseJumpLoops(hosts, jumpSource);
	const addressOf = (name: string) => doc.hosts[name]!.address;
	const instances = doc.vrrp_instances.map((inst) => resolveInstance(inst, addressOf));
	const lab = doc.lab;
	return {
		name: doc.name,
		...(doc.description ? {description: doc.description} : {}),
		file,
		...(doc.station?.netns ? {stationNetns: doc.station.netns} : {}),
		hosts,
		keepalived: resolveKeepalived(doc),
		trackScripts: (doc.track_scripts ?? []).map((t) => ({
			name: t.name,
			script: splitCommand(t.script),
			interval: t.interval,
			weight: t.weight,
			...(t.fall ? {fall: t.fall} : {}),
			...(t.rise ? {rise: t.rise} : {}),
			...confExtrasOf(t),
		})),
		instances,
		...(doc.vrrp_sync_groups ? {syncGroups: doc.vrrp_sync_groups.map((g) => ({name: g.name, instances: [...g.instances]}))} : {}),
		virtualServers: doc.virtual_servers.map((vs) => resolveVirtualServer(vs, addressOf)),
		...(lab ? {lab: resolveLab(lab)} : {}),
	};
}

function resolveCheck(check: ProfileDoc['virtual_servers'][number]['real_servers'][number]['check']): HealthCheck {
	switch (check.type) {
		case 'HTTP_GET':
			return {
				type: 'HTTP_GET',
				path: check.path,
				status: check.status,
				connectTimeout: check.connect_timeout,
				retry: check.retry,
				delayBeforeRetry: check.delay_before_retry,
				...confExtrasOf(check),
			};
		case 'TCP_CHECK':
			return {
				type: 'TCP_CHECK',
				...(check.connect_port ? {connectPort: check.connect_port} : {}),
				connectTimeout: check.connect_timeout,
				retry: check.retry,
				delayBeforeRetry: check.delay_before_retry,
				...confExtrasOf(check),
			};
		case 'UDP_CHECK':
			return {
				type: 'UDP_CHECK',
				...(check.connect_port ? {connectPort: check.connect_port} : {}),
				connectTimeout: check.connect_timeout,
				retry: check.retry,
				delayBeforeRetry: check.delay_before_retry,
				...(check.payload !== undefined ? {payload: check.payload} : {}),
				...(check.require_reply !== undefined && check.require_reply !== false ? {requireReply: check.require_reply} : {}),
				...confExtrasOf(check),
			};
		case 'none':
			return {type: 'none'};
	}
}

// The resolved, typed cluster model every other layer uses. Built from a validated profile by
// resolve.ts; nothing downstream reads raw YAML.
import type {FieldPath, Position} from './locate.js';
import type {SyntaxNode} from '../keepalived-conf/index.js';
import type {ConfExtras} from './conf-extras.js';

export type {ConfExtras} from './conf-extras.js';

export type Role = 'director' | 'realserver' | 'client' | 'bastion';

/** A command as argv words (never a shell string). */
export type Argv = readonly string[];

export interface ServiceCommands {
	readonly name: string;
	readonly start: Argv;
	readonly stop: Argv;
	readonly reload?: Argv;
	readonly restart?: Argv;
	readonly status: Argv;
}

export interface SshSettings {
	/** Where to connect (address or name from ~/.ssh/config HostName). */
	readonly hostName: string;
	readonly user: string;
	readonly port: number;
	readonly identityFiles: readonly string[];
	/** Path of the ssh-agent socket, when agent use is on and one is available. */
	readonly agent?: string;
	readonly knownHostsFiles: readonly string[];
	readonly fingerprints: readonly string[];
	/** Name of the host (in this profile) to hop through. */
	readonly jump?: string;
	/** The ~/.ssh/config alias its settings came from too, when it names one. */
	readonly configAlias?: string;
	readonly sudo: boolean;
	readonly connectTimeoutMs: number;
	readonly commandTimeoutMs: number;
	readonly keepaliveIntervalMs: number;
	readonly maxChannels: number;
}

/** A further interface of a host and its address (hosts.NAME.interfaces). */
export interface HostInterface {
	readonly name: string;
	readonly address: string;
	readonly prefix: number;
}

export interface Host {
	readonly name: string;
	readonly address: string;
	readonly role: Role;
	/** Interfaces besides the one holding `address` (a NAT director's internal side). */
	readonly interfaces?: readonly HostInterface[];
	readonly ssh: SshSettings;
	readonly service?: ServiceCommands;
	/** Real servers: the device that holds the DR VIPs (`vip_device`; absent: lo). */
	readonly vipDevice?: string;
	/** Directors: router_id (undefined: the host name; false: none) and keepalived.conf lines of this director only. */
	readonly keepalived?: {
		readonly routerId?: string | false;
		/** This director's keepalived version, when the profile states it (overrides KeepalivedSettings.version). */
		readonly version?: string;
		readonly globalDefs?: readonly SyntaxNode[];
		readonly extra?: readonly SyntaxNode[];
	};
}

export interface Vip {
	/** Address without prefix. */
	readonly address: string;
	readonly prefix: number;
	readonly dev?: string;
	readonly label?: string;
}

export type Preempt = {readonly mode: 'preempt'} | {readonly mode: 'nopreempt'} | {readonly mode: 'delay'; readonly delaySec: number};

export interface InstanceMember extends ConfExtras {
	readonly director: string;
	readonly state: 'MASTER' | 'BACKUP';
	readonly priority: number;
}

export interface VrrpInstance extends ConfExtras {
	readonly name: string;
	readonly vrid: number;
	readonly interface: string;
	readonly advertInt: number;
	readonly version?: 2 | 3;
	readonly authentication?: {readonly type: 'PASS' | 'AH'; readonly pass: string};
	readonly unicast: boolean;
	readonly multicastGroup?: string;
	readonly preempt: Preempt;
	/** Members sorted by priority, highest first. */
	readonly members: readonly InstanceMember[];
	readonly vips: readonly Vip[];
	readonly trackScripts: readonly string[];
}

/** keepalived's vrrp_sync_group: its instances change state together. */
export interface SyncGroup {
	readonly name: string;
	readonly instances: readonly string[];
}

export type HealthCheck =
	| (ConfExtras & {
			readonly type: 'HTTP_GET';
			readonly path: string;
			readonly status: number;
			readonly connectTimeout: number;
			readonly retry: number;
			readonly delayBeforeRetry: number;
	  })
	| (ConfExtras & {
			readonly type: 'TCP_CHECK';
			readonly connectPort?: number;
			readonly connectTimeout: number;
			readonly retry: number;
			readonly delayBeforeRetry: number;
	  })
	| (ConfExtras & {
			readonly type: 'UDP_CHECK';
			readonly connectPort?: number;
			readonly connectTimeout: number;
			readonly retry: number;
			readonly delayBeforeRetry: number;
			/** Hex bytes of the datagram sent. */
			readonly payload?: string;
			/** true: any reply; hex: a reply with these bytes. */
			readonly requireReply?: true | string;
	  })
	| {readonly type: 'none'};

export interface RealServer extends ConfExtras {
	readonly host: string;
	readonly address: string;
	readonly port: number;
	readonly weight: number;
	readonly check: HealthCheck;
	/** The unit serving the virtual service on this real server, when the profile names one here. */
	readonly service?: ServiceCommands;
}

export type Forwarding = 'DR' | 'NAT' | 'TUN';

export interface VirtualServer extends ConfExtras {
	readonly vip: string;
	readonly port: number;
	readonly protocol: 'TCP' | 'UDP';
	readonly scheduler: string;
	readonly forwarding: Forwarding;
	readonly persistenceTimeout?: number;
	readonly delayLoop: number;
	readonly realServers: readonly RealServer[];
	/** The unit serving this virtual service on its real servers (`rs_service`), unless a real server names its own. */
	readonly rsService?: ServiceCommands;
	/** The station's probe of the real servers' port (`probe`): text to send and text the answer must contain. */
	readonly probe?: PortExchange;
}

/** A send/expect pair on a socket, as written (its escapes not yet decoded: text/send-text.ts). */
export interface PortExchange {
	readonly send?: string;
	readonly expect?: string;
}

export interface TrackScript extends ConfExtras {
	readonly name: string;
	readonly script: Argv;
	readonly interval: number;
	readonly weight: number;
	readonly fall?: number;
	readonly rise?: number;
}

export interface KeepalivedSettings {
	readonly configPath: string;
	readonly backupDir: string;
	readonly start: Argv;
	readonly stop: Argv;
	readonly reload: Argv;
	readonly status: Argv;
	readonly pidFile: string;
	/** pid_file was not in the profile: the poller uses the default of the keepalived version it finds. */
	readonly pidFileDefaulted?: boolean;
	/** The keepalived version the profile says its directors run (render follows it). */
	readonly version?: string;
	readonly vrrpPidFile: string;
	readonly dumpDir: string;
	/** keepalived.conf lines inside global_defs, and top-level blocks, for every director. */
	readonly globalDefs?: readonly SyntaxNode[];
	readonly extra?: readonly SyntaxNode[];
	/** Add enable_script_security and script_user root when vrrp_scripts are rendered (default true). */
	readonly autoScriptSecurity: boolean;
	/** Where keepalived logs (absent in profiles built in code: the journal). */
	readonly log?: KeepalivedLogSource;
	/** A vrrp_notify_fifo lvsdeck alone reads; absent: follow the log. */
	readonly notifyFifo?: string;
}

/** Where keepalived's log lives on a director: the systemd journal (its unit), or a file. */
export type KeepalivedLogSource = {readonly kind: 'journal'; readonly unit: string} | {readonly kind: 'file'; readonly path: string};

/** The journal of the keepalived unit, which is where a packaged keepalived logs by default. */
export const DEFAULT_KEEPALIVED_LOG: KeepalivedLogSource = {kind: 'journal', unit: 'keepalived'};

export interface LabSettings {
	readonly operatorAddress: string;
	readonly operatorPrefix: number;
	readonly tap: string;
	readonly memoryMb: number;
}

/** Where a loaded profile came from, so later checks can point at a field: `file:line:col`. */
export interface ProfileSource {
	/** The file as the operator named it (what error messages show). */
	readonly file: string;
	/** Line and column of the value at a field path (or of the nearest enclosing node that exists). */
	position(path: FieldPath): Position;
}

export interface Profile {
	readonly name: string;
	readonly description?: string;
	/** Absolute path of the profile file. */
	readonly file: string;
	readonly stationNetns?: string;
	readonly hosts: readonly Host[];
	readonly keepalived: KeepalivedSettings;
	readonly trackScripts: readonly TrackScript[];
	readonly instances: readonly VrrpInstance[];
	/** Absent in profiles built in code: no sync groups. */
	readonly syncGroups?: readonly SyncGroup[];
	readonly virtualServers: readonly VirtualServer[];
	readonly lab?: LabSettings;
	/** Set when the profile was read from YAML; absent for profiles built in code. */
	readonly source?: ProfileSource;
}

export function hostByName(profile: Profile, name: string): Host {
	const host = profile.hosts.find((h) => h.name === name);
	if (!host) throw new Error(`no host named ${name} in profile ${profile.name}`);
	return host;
}

/** keepalived's default parent pid file since 2.0.17 (/var/run before). */
export const DEFAULT_PID_FILE = '/run/keepalived.pid';

/** The keepalived version the profile states for a director (its own, else the cluster's). */
export function statedKeepalivedVersion(profile: Profile, director: string): string | undefined {
	return profile.hosts.find((h) => h.name === director)?.keepalived?.version ?? profile.keepalived.version;
}

/** The host's address on `iface`: a listed interface's, else its main address. */
export function addressOn(host: Host, iface: string): string {
	return host.interfaces?.find((i) => i.name === iface)?.address ?? host.address;
}

/**
 * The unit that serves `vs` on real server `rs`: the real server's own `service`, else the virtual
 * server's `rs_service`, else the host's `service` (a host serving one thing names it once).
 */
export function realServerService(profile: Profile, vs: VirtualServer, rs: RealServer): ServiceCommands | undefined {
	return rs.service ?? vs.rsService ?? profile.hosts.find((h) => h.name === rs.host)?.service;
}

export function directors(profile: Profile): Host[] {
	return profile.hosts.filter((h) => h.role === 'director');
}

export function realServerHosts(profile: Profile): Host[] {
	return profile.hosts.filter((h) => h.role === 'realserver');
}

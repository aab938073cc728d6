// The live cluster state, as the store publishes it: immutable snapshots that views and reports read.
import type {IpvsTable} from '../probes/ipvs.js';
import type {IfAddress} from '../probes/vip.js';
import type {NatCheck, TunCheck} from '../probes/realserver.js';
import type {VrrpInstanceState} from '../probes/vrrp.js';
import type {KeepalivedCapabilities} from '../probes/keepalived-caps.js';
import type {HostStatus} from '../transport/types.js';
import type {Role} from '../profile/model.js';
import type {Difference} from '../keepalived-conf/index.js';
import type {KeepalivedLogLine} from '../probes/keepalived-log.js';
import type {VrrpTransition} from './transitions.js';

/**
 * The installed config (includes followed) compared in keepalived terms with what the profile renders,
 * for one sha256 of the main file: differences (none: only layout differs), or why it could not be
 * compared.
 */
export type ConfigDrift = {
	/** The main file's sha256 this result is for. */
	readonly installedSha256: string;
	/** Epoch ms of the read (or of the hash match that made a read unnecessary). */
	readonly checkedAt: number;
} & (
	| {readonly kind: 'compared'; readonly differences: readonly Difference[]; readonly hasIncludes: boolean}
	/** The installed config does not parse: `file:line:col: message`. */
	| {readonly kind: 'invalid'; readonly error: string}
	/** It could not be read or compared (connection, bounds, a refused include). */
	| {readonly kind: 'unread'; readonly error: string}
);

export interface DirectorData {
	readonly ipvs: IpvsTable;
	readonly addresses: readonly IfAddress[];
	/** Interfaces not up and running on the last read (absent: not read). */
	readonly downLinks?: readonly string[];
	/** undefined: not read; empty: keepalived not running or no dump. */
	readonly vrrp?: readonly VrrpInstanceState[];
	readonly vrrpError?: string;
	readonly keepalivedActive?: boolean;
	/** keepalived's version and features as detected on this director (absent: not asked yet). */
	readonly keepalived?: KeepalivedCapabilities;
	/** The pid file the poller signals (the profile's pid_file, or the detected version's default). */
	readonly pidFile?: string;
	/** sha256 of the installed config; null when the file is missing. */
	readonly configSha256?: string | null;
	/** Drift in keepalived terms, for configSha256 (absent: not compared). */
	readonly drift?: ConfigDrift;
	/** What the last read could not parse or refused (a field not of its shape); capped. */
	readonly problems?: readonly string[];
}

/** An ARP sysctl: `all`, lo, the real address's interface, and the kernel's value max(all, interface). */
export interface ArpSysctl {
	readonly all?: number;
	readonly lo?: number;
	readonly interface?: number;
	readonly effective?: number;
}

export interface RealServerData {
	/** The forwarding modes of the services this host serves (absent: data from before modes were known). */
	readonly modes?: ReadonlyArray<'DR' | 'NAT' | 'TUN'>;
	/** DR VIPs found on vipDevice (the name is older than vip_device). */
	readonly vipsOnLo: readonly string[];
	/** DR VIPs missing from vipDevice. */
	readonly missingVips: readonly string[];
	/** The device the DR VIPs must be on: lo, or the profile's vip_device. */
	readonly vipDevice?: string;
	/** The interface carrying the real address, whose ARP values count. */
	readonly arpInterface?: string;
	/** false: no service needs the ARP settings (NAT, or TUN across a router); arpOk is then true. */
	readonly arpRequired?: boolean;
	readonly arpIgnore: ArpSysctl;
	readonly arpAnnounce: ArpSysctl;
	readonly arpOk: boolean;
	readonly nat?: NatCheck;
	readonly tun?: TunCheck;
	readonly serviceActive?: boolean;
	/** Do all the service ports answer the station (TCP connect, UDP datagram)? Absent: no evidence. */
	readonly portAnswering?: boolean;
	/** Each service port's answer (null: no evidence either way). */
	readonly ports?: ReadonlyArray<{readonly protocol: 'TCP' | 'UDP'; readonly port: number; readonly answering: boolean | null}>;
}

export interface HostState {
	readonly name: string;
	readonly address: string;
	readonly role: Role;
	readonly conn: HostStatus;
	/** Did the last poll reach the host? */
	readonly reachable: boolean;
	/** Epoch ms of the last successful poll; its data is kept while the host is away. */
	readonly lastOkAt?: number;
	readonly lastPollAt?: number;
	readonly error?: string;
	readonly director?: DirectorData;
	readonly realServer?: RealServerData;
}

export interface VipPlacement {
	readonly vip: string;
	readonly instance: string;
	/** Directors whose interfaces carry the VIP now. */
	readonly holders: readonly string[];
	/** The VRRP election winner: highest effective priority among the reachable members running keepalived and not in FAULT. */
	readonly expected?: string;
	/** When it ties on priority with the next one, who wins and why ("equal priority 100: dir2 wins by higher address …"). */
	readonly expectedWhy?: string;
	/** Per member: VRRP state and priority as keepalived reports them. */
	readonly members: ReadonlyArray<{
		readonly director: string;
		readonly state?: string;
		readonly priority?: number;
		readonly effectivePriority?: number;
		readonly configuredPriority: number;
		/** Set when keepalived runs this member below its configured priority: by how much, and why when the dump says. */
		readonly lowered?: string;
		/** Set when the member is in FAULT: why, as keepalived's dump says (or that it does not say). */
		readonly faultWhy?: string;
	}>;
}

export type Severity = 'critical' | 'warning' | 'info';

export type FindingKind =
	| 'split-brain'
	| 'no-master'
	| 'vip-misplaced'
	| 'vip-not-on-preferred'
	| 'rs-missing'
	| 'rs-weight-zero'
	| 'service-missing'
	| 'ipvs-differs'
	| 'config-drift'
	| 'config-invalid'
	| 'rs-vip-not-on-lo'
	| 'rs-arp-sysctls'
	| 'rs-nat-route'
	| 'rs-tun-not-ready'
	| 'vrrp-fault'
	| 'vrrp-priority-reduced'
	| 'rs-service-down'
	| 'keepalived-down'
	| 'host-unreachable';

export interface Finding {
	readonly kind: FindingKind;
	readonly severity: Severity;
	/** Host, VIP or service the finding is about. */
	readonly subject: string;
	readonly message: string;
}

export interface ClusterEvent {
	readonly at: number;
	readonly host: string;
	readonly kind: 'vip-added' | 'vip-removed' | 'host-down' | 'host-up' | 'vrrp-state';
	readonly message: string;
}

export interface ClusterState {
	readonly profileName: string;
	/** Epoch ms when this snapshot was derived. */
	readonly at: number;
	readonly generation: number;
	readonly hosts: readonly HostState[];
	readonly vips: readonly VipPlacement[];
	readonly findings: readonly Finding[];
	/** Recent events, newest last (bounded). */
	readonly events: readonly ClusterEvent[];
	/** VRRP transitions seen (log, FIFO, polls) and the history loaded at start, oldest first (bounded; absent: none). */
	readonly transitions?: readonly VrrpTransition[];
	/** Per director: keepalived's recent log lines as the log channel received them, oldest first (bounded; absent: none). */
	readonly keepalivedLog?: Readonly<Record<string, readonly ReceivedLogLine[]>>;
}

/** A keepalived log line as it reached lvsdeck (sanitized), with its arrival time. */
export interface ReceivedLogLine extends KeepalivedLogLine {
	readonly receivedAt: number;
}

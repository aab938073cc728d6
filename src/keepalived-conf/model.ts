// The typed model of what lvsdeck reasons about in keepalived.conf, declared as field specs (see
// schema.ts): each type below is derived from its spec, so reading, writing and comparing cannot
// drift apart from the types. Field names follow keepalived's keywords in camelCase.
import {
	block,
	blocks,
	decimal,
	integer,
	keywordSet,
	nameHeader,
	noHeader,
	oneOf,
	optionalBool,
	optionalWords,
	presence,
	scalar,
	script,
	typedBlocks,
	values,
	word,
	words,
	type BlockBase,
	type BlockModel,
	type BlockSpec,
	type Difference,
	type EntryCodec,
	type Field,
	type FieldMap,
	type HeaderCodec,
	type ReadContext,
	type ValueCodec,
} from './schema.js';
import type {SyntaxNode} from './types.js';

const TIMER_MAX = 4294;
const U32 = 4294967295;

// ---- value entries --------------------------------------------------------------------------

/** A value line kept as words (routes, rules, names). */
export interface ValueLine {
	readonly words: readonly string[];
}

const valueLine: EntryCodec<ValueLine> = {
	parse: (w) => ({words: [...w]}),
	format: (e) => [...e.words],
	key: (e) => e.words.join(' '),
};

/** keepalived reads an address without a prefix length as a host address. */
export function normalizeAddress(address: string): string {
	const a = address.toLowerCase();
	if (a.includes('/')) return a;
	return a.includes(':') ? `${a}/128` : `${a}/32`;
}

/** `virtual_ipaddress` / `static_ipaddress` line: `ADDR[/LEN] [dev IF] [brd A] [scope S] [label L] ...`. */
export interface IpAddress {
	readonly address: string;
	readonly dev?: string;
	readonly brd?: string;
	readonly scope?: string;
	readonly label?: string;
	/** Other options, in order (peer, no_track, use_vmac, ...). */
	readonly options: readonly string[];
}

const NAMED_OPTIONS = ['dev', 'brd', 'scope', 'label'] as const;

const ipAddress: EntryCodec<IpAddress> = {
	parse(w) {
		const entry: {address: string; dev?: string; brd?: string; scope?: string; label?: string; options: string[]} = {address: w[0] as string, options: []};
		for (let i = 1; i < w.length; i++) {
			const k = w[i] as string;
			const name = k === 'broadcast' ? 'brd' : (NAMED_OPTIONS as readonly string[]).includes(k) ? (k as (typeof NAMED_OPTIONS)[number]) : undefined;
			if (name && i + 1 < w.length && entry[name] === undefined) entry[name] = w[++i] as string;
			else entry.options.push(k);
		}
		return entry;
	},
	format: (e) => [e.address, ...NAMED_OPTIONS.flatMap((k) => (e[k] !== undefined ? [k, e[k] as string] : [])), ...e.options],
	key: (e) => [normalizeAddress(e.address), ...NAMED_OPTIONS.map((k) => e[k] ?? ''), ...e.options].join(' '),
};

/** `track_script` / `track_interface` / `track_file` line: `NAME [weight N [reverse]]`. */
export interface TrackEntry {
	readonly name: string;
	readonly weight?: number;
	readonly reverse?: boolean;
	readonly options: readonly string[];
}

const trackEntry: EntryCodec<TrackEntry> = {
	parse(w) {
		const entry: {name: string; weight?: number; reverse?: boolean; options: string[]} = {name: w[0] as string, options: []};
		for (let i = 1; i < w.length; i++) {
			const k = w[i] as string;
			if (k === 'weight' && entry.weight === undefined && /^[+-]?\d+$/.test(w[i + 1] ?? '')) entry.weight = Number(w[++i]);
			else if (k === 'reverse' && entry.reverse === undefined) entry.reverse = true;
			else entry.options.push(k);
		}
		return entry;
	},
	format: (e) => [e.name, ...(e.weight !== undefined ? ['weight', String(e.weight)] : []), ...(e.reverse ? ['reverse'] : []), ...e.options],
	key: (e) => trackEntry.format(e).join(' '),
};

/** `unicast_peer` line: `ADDRESS [min_ttl N] [max_ttl N]`. */
export interface PeerEntry {
	readonly address: string;
	readonly options: readonly string[];
}

const peerEntry: EntryCodec<PeerEntry> = {
	parse: (w) => ({address: w[0] as string, options: w.slice(1)}),
	format: (e) => [e.address, ...e.options],
	key: (e) => [e.address.toLowerCase(), ...e.options].join(' '),
};

const nameEntry: EntryCodec<string> = {parse: (w) => w.join(' '), format: (e) => e.split(' '), key: (e) => e};

// ---- codecs for particular keywords ---------------------------------------------------------

/** vrrp_script weight: `-253..253`, optionally `reverse`. */
export interface ScriptWeight {
	readonly weight: number;
	readonly reverse?: boolean;
}

const scriptWeight: ValueCodec<ScriptWeight> = {
	parse(args) {
		const n = Number(args[0]);
		if (args.length < 1 || args.length > 2 || !/^[+-]?\d+$/.test(args[0] ?? '') || n < -253 || n > 253) return {error: 'needs a weight -253..253 [reverse]'};
		if (args.length === 2 && args[1] !== 'reverse') return {error: `'${args[1]}' is not 'reverse'`};
		return args.length === 2 ? {weight: n, reverse: true} : {weight: n};
	},
	format: (v) => [String(v.weight), ...(v.reverse ? ['reverse'] : [])],
};

const forwardingMethod = oneOf(['NAT', 'DR', 'TUN'] as const);

// ---- global_defs ----------------------------------------------------------------------------

export const globalDefsSpec = {
	keyword: 'global_defs',
	header: noHeader,
	fields: {
		routerId: scalar(['router_id'], word),
		notificationEmail: values('notification_email', nameEntry),
		notificationEmailFrom: scalar(['notification_email_from'], word),
		smtpServer: scalar(['smtp_server'], words),
		smtpHeloName: scalar(['smtp_helo_name'], word),
		smtpConnectTimeout: scalar(['smtp_connect_timeout'], integer(1, U32)),
		smtpAlert: scalar(['smtp_alert'], optionalBool),
		smtpAlertVrrp: scalar(['smtp_alert_vrrp'], optionalBool),
		smtpAlertChecker: scalar(['smtp_alert_checker'], optionalBool),
		scriptUser: scalar(['script_user'], words),
		enableScriptSecurity: scalar(['enable_script_security'], presence),
		defaultInterface: scalar(['default_interface'], word),
		dynamicInterfaces: scalar(['dynamic_interfaces'], optionalWords),
		maxAutoPriority: scalar(['max_auto_priority'], optionalWords),
		vrrpStrict: scalar(['vrrp_strict'], presence),
		vrrpSkipCheckAdvAddr: scalar(['vrrp_skip_check_adv_addr'], optionalBool),
		vrrpCheckUnicastSrc: scalar(['vrrp_check_unicast_src'], presence),
		vrrpVersion: scalar(['vrrp_version'], oneOf(['2', '3'] as const)),
		vrrpMcastGroup4: scalar(['vrrp_mcast_group4'], word),
		vrrpMcastGroup6: scalar(['vrrp_mcast_group6'], word),
		vrrpGarpInterval: scalar(['vrrp_garp_interval'], decimal(0.000001, TIMER_MAX)),
		vrrpGnaInterval: scalar(['vrrp_gna_interval'], decimal(0.000001, TIMER_MAX)),
		vrrpGarpMasterDelay: scalar(['vrrp_garp_master_delay'], integer(0, 255)),
		vrrpGarpMasterRepeat: scalar(['vrrp_garp_master_repeat'], integer(0, 255)),
		vrrpGarpMasterRefresh: scalar(['vrrp_garp_master_refresh'], integer(0, U32)),
		vrrpGarpMasterRefreshRepeat: scalar(['vrrp_garp_master_refresh_repeat'], integer(0, 255)),
		vrrpIptables: scalar(['vrrp_iptables'], optionalWords),
		nftables: scalar(['nftables'], optionalWords),
		notifyFifo: scalar(['notify_fifo'], words),
		notifyFifoScript: script(['notify_fifo_script']),
		vrrpNotifyFifo: scalar(['vrrp_notify_fifo'], words),
		vrrpNotifyFifoScript: script(['vrrp_notify_fifo_script']),
		lvsNotifyFifo: scalar(['lvs_notify_fifo'], words),
		lvsNotifyFifoScript: script(['lvs_notify_fifo_script']),
		lvsSyncDaemon: scalar(['lvs_sync_daemon'], words),
		lvsFlush: scalar(['lvs_flush'], presence),
		lvsFlushOnStop: scalar(['lvs_flush_on_stop'], optionalWords),
		lvsTimeouts: scalar(['lvs_timeouts'], words),
		startupScript: script(['startup_script']),
		shutdownScript: script(['shutdown_script']),
		enableTraps: scalar(['enable_traps'], presence),
		enableSnmpVrrp: scalar(['enable_snmp_vrrp'], presence),
		enableSnmpChecker: scalar(['enable_snmp_checker'], presence),
		enableDbus: scalar(['enable_dbus'], presence),
	},
} satisfies BlockSpec<FieldMap, Record<never, never>>;

// ---- VRRP -----------------------------------------------------------------------------------

export const vrrpScriptSpec = {
	keyword: 'vrrp_script',
	header: nameHeader,
	fields: {
		script: script(['script']),
		interval: scalar(['interval'], integer(0, TIMER_MAX)),
		timeout: scalar(['timeout'], integer(0, TIMER_MAX)),
		weight: scalar(['weight'], scriptWeight),
		rise: scalar(['rise'], integer(1, U32)),
		fall: scalar(['fall'], integer(1, U32)),
		user: scalar(['user'], words),
		initFail: scalar(['init_fail'], presence),
	},
} satisfies BlockSpec<FieldMap, {name: string}>;

const notifyFields = {
	notifyMaster: script(['notify_master']),
	notifyBackup: script(['notify_backup']),
	notifyFault: script(['notify_fault']),
	notifyStop: script(['notify_stop']),
	notify: script(['notify']),
	smtpAlert: scalar(['smtp_alert'], optionalBool),
};

export const vrrpSyncGroupSpec = {
	keyword: 'vrrp_sync_group',
	header: nameHeader,
	fields: {
		group: values('group', nameEntry),
		trackInterface: values('track_interface', trackEntry),
		trackScript: values('track_script', trackEntry),
		trackFile: values('track_file', trackEntry),
		...notifyFields,
		syncGroupTrackingWeight: scalar(['sync_group_tracking_weight'], presence),
		notifyPriorityChanges: scalar(['notify_priority_changes'], optionalBool),
	},
} satisfies BlockSpec<FieldMap, {name: string}>;

export const authenticationSpec = {
	keyword: 'authentication',
	header: noHeader,
	fields: {
		authType: scalar(['auth_type'], oneOf(['PASS', 'AH'] as const)),
		authPass: scalar(['auth_pass'], word, {secret: true}),
	},
} satisfies BlockSpec<FieldMap, Record<never, never>>;

export const vrrpInstanceSpec = {
	keyword: 'vrrp_instance',
	header: nameHeader,
	fields: {
		state: scalar(['state'], oneOf(['MASTER', 'BACKUP'] as const)),
		interface: scalar(['interface'], word),
		useVmac: scalar(['use_vmac'], optionalWords),
		vmacXmitBase: scalar(['vmac_xmit_base'], presence),
		dontTrackPrimary: scalar(['dont_track_primary'], presence),
		virtualRouterId: scalar(['virtual_router_id'], integer(1, 255)),
		priority: scalar(['priority'], integer(1, 255)),
		advertInt: scalar(['advert_int'], decimal(0.01, 255)),
		version: scalar(['version'], oneOf(['2', '3'] as const)),
		nopreempt: scalar(['nopreempt'], presence),
		preempt: scalar(['preempt'], presence),
		preemptDelay: scalar(['preempt_delay'], decimal(0, 1000)),
		mcastSrcIp: scalar(['mcast_src_ip'], word),
		mcastDstIp: scalar(['mcast_dst_ip'], word),
		unicastSrcIp: scalar(['unicast_src_ip'], word),
		unicastTtl: scalar(['unicast_ttl'], integer(1, 255)),
		unicastPeer: values('unicast_peer', peerEntry),
		checkUnicastSrc: scalar(['check_unicast_src'], presence),
		authentication: block(authenticationSpec),
		virtualIpaddress: values('virtual_ipaddress', ipAddress),
		virtualIpaddressExcluded: values('virtual_ipaddress_excluded', ipAddress),
		virtualRoutes: values('virtual_routes', valueLine),
		virtualRules: values('virtual_rules', valueLine),
		trackInterface: values('track_interface', trackEntry),
		trackScript: values('track_script', trackEntry),
		trackFile: values('track_file', trackEntry),
		trackBfd: values('track_bfd', trackEntry),
		accept: scalar(['accept'], presence),
		noAccept: scalar(['no_accept'], presence),
		strictMode: scalar(['strict_mode'], optionalBool),
		skipCheckAdvAddr: scalar(['skip_check_adv_addr'], optionalBool),
		...notifyFields,
		notifyDeleted: script(['notify_deleted']),
		notifyMasterRxLowerPri: script(['notify_master_rx_lower_pri']),
		notifyPriorityChanges: scalar(['notify_priority_changes'], optionalBool),
		garpMasterDelay: scalar(['garp_master_delay'], integer(0, 255)),
		garpMasterRepeat: scalar(['garp_master_repeat'], integer(0, 255)),
		garpMasterRefresh: scalar(['garp_master_refresh'], integer(0, U32)),
		garpMasterRefreshRepeat: scalar(['garp_master_refresh_repeat'], integer(0, 255)),
		garpLowerPrioDelay: scalar(['garp_lower_prio_delay'], integer(0, 255)),
		garpLowerPrioRepeat: scalar(['garp_lower_prio_repeat'], integer(0, 255)),
	},
} satisfies BlockSpec<FieldMap, {name: string}>;

// ---- checkers -------------------------------------------------------------------------------

const commonCheckFields = {
	retry: scalar(['retry'], integer(0, U32)),
	delayBeforeRetry: scalar(['delay_before_retry'], decimal(0, TIMER_MAX)),
	warmup: scalar(['warmup'], decimal(0, TIMER_MAX)),
	delayLoop: scalar(['delay_loop'], decimal(0, TIMER_MAX)),
	alpha: scalar(['alpha'], optionalBool),
	logAllFailures: scalar(['log_all_failures'], optionalBool),
};

const connectionFields = {
	connectIp: scalar(['connect_ip'], word),
	connectPort: scalar(['connect_port'], integer(1, 65535)),
	bindto: scalar(['bindto'], word),
	bindPort: scalar(['bind_port'], integer(1, 65535)),
	bindIf: scalar(['bind_if'], word),
	connectTimeout: scalar(['connect_timeout'], decimal(0, TIMER_MAX)),
	fwmark: scalar(['fwmark'], integer(0, U32)),
};

export const urlSpec = {
	keyword: 'url',
	header: noHeader,
	fields: {
		path: scalar(['path'], word),
		digest: scalar(['digest'], word),
		statusCode: scalar(['status_code'], words),
		virtualhost: scalar(['virtualhost'], word),
	},
} satisfies BlockSpec<FieldMap, Record<never, never>>;

function httpCheckSpec<K extends 'HTTP_GET' | 'SSL_GET'>(keyword: K) {
	return {
		keyword,
		header: noHeader,
		fields: {
			...connectionFields,
			...commonCheckFields,
			// nb_get_retry is keepalived's deprecated spelling of retry inside HTTP_GET and SSL_GET.
			retry: scalar(['retry', 'nb_get_retry'], integer(0, U32)),
			virtualhost: scalar(['virtualhost'], word),
			httpProtocol: scalar(['http_protocol'], word),
			enableSni: scalar(['enable_sni'], presence),
			fastRecovery: scalar(['fast_recovery'], optionalBool),
			urls: blocks(urlSpec, {key: (u) => u.path ?? ''}),
		},
	} satisfies BlockSpec<FieldMap, Record<never, never>>;
}

function checkSpec<K extends string, F extends FieldMap>(keyword: K, fields: F) {
	return {keyword, header: noHeader, fields} satisfies BlockSpec<F, Record<never, never>>;
}

export const checkSpecs = {
	HTTP_GET: httpCheckSpec('HTTP_GET'),
	SSL_GET: httpCheckSpec('SSL_GET'),
	TCP_CHECK: checkSpec('TCP_CHECK', {...connectionFields, ...commonCheckFields}),
	MISC_CHECK: checkSpec('MISC_CHECK', {
		...commonCheckFields,
		miscPath: script(['misc_path']),
		miscTimeout: scalar(['misc_timeout'], integer(0, TIMER_MAX)),
		miscDynamic: scalar(['misc_dynamic'], presence),
		user: scalar(['user'], words),
	}),
	SMTP_CHECK: checkSpec('SMTP_CHECK', {...connectionFields, ...commonCheckFields, heloName: scalar(['helo_name'], word)}),
	DNS_CHECK: checkSpec('DNS_CHECK', {...connectionFields, ...commonCheckFields, queryType: scalar(['type'], word), name: scalar(['name'], word)}),
	UDP_CHECK: checkSpec('UDP_CHECK', {
		...connectionFields,
		...commonCheckFields,
		payload: scalar(['payload'], word),
		requireReply: scalar(['require_reply'], optionalWords),
		minReplyLength: scalar(['min_reply_length'], integer(0, 65535)),
		maxReplyLength: scalar(['max_reply_length'], integer(0, 65535)),
	}),
	PING_CHECK: checkSpec('PING_CHECK', {...connectionFields, ...commonCheckFields}),
	FILE_CHECK: checkSpec('FILE_CHECK', {trackFile: scalar(['track_file'], word), weight: scalar(['weight'], words)}),
	BFD_CHECK: checkSpec('BFD_CHECK', {name: scalar(['name'], word), alpha: scalar(['alpha'], optionalBool)}),
};

// ---- LVS ------------------------------------------------------------------------------------

/** `real_server IP [PORT]`. */
export interface RealServerKey {
	readonly address: string;
	readonly port?: string;
}

const realServerHeader: HeaderCodec<RealServerKey> = {
	parse: (args) => (args.length === 1 || args.length === 2 ? {address: args[0] as string, ...(args[1] !== undefined ? {port: args[1]} : {})} : {error: 'needs IP [PORT]'}),
	format: (h) => [h.address, ...(h.port !== undefined ? [h.port] : [])],
};

export const realServerSpec = {
	keyword: 'real_server',
	header: realServerHeader,
	fields: {
		weight: scalar(['weight'], integer(0, 2147483647)),
		lvsMethod: scalar(['lvs_method'], forwardingMethod),
		uthreshold: scalar(['uthreshold'], integer(0, U32)),
		lthreshold: scalar(['lthreshold'], integer(0, U32)),
		inhibitOnFailure: scalar(['inhibit_on_failure'], optionalBool),
		notifyUp: script(['notify_up']),
		notifyDown: script(['notify_down']),
		...commonCheckFields,
		connectTimeout: scalar(['connect_timeout'], decimal(0, TIMER_MAX)),
		smtpAlert: scalar(['smtp_alert'], optionalBool),
		virtualhost: scalar(['virtualhost'], word),
		checks: typedBlocks(checkSpecs),
	},
} satisfies BlockSpec<FieldMap, RealServerKey>;

/** `virtual_server IP [PORT]`, `virtual_server fwmark N` or `virtual_server group NAME`. */
export type VirtualServerKey = {readonly kind: 'address'; readonly address: string; readonly port?: string} | {readonly kind: 'fwmark'; readonly fwmark: string} | {readonly kind: 'group'; readonly group: string};

const virtualServerHeader: HeaderCodec<VirtualServerKey> = {
	parse(args) {
		if (args[0] === 'fwmark' && args.length === 2) return {kind: 'fwmark', fwmark: args[1] as string};
		if (args[0] === 'group' && args.length === 2) return {kind: 'group', group: args[1] as string};
		if (args.length === 1 || args.length === 2) return {kind: 'address', address: args[0] as string, ...(args[1] !== undefined ? {port: args[1]} : {})};
		return {error: 'needs IP [PORT], fwmark N or group NAME'};
	},
	format: (h) => (h.kind === 'fwmark' ? ['fwmark', h.fwmark] : h.kind === 'group' ? ['group', h.group] : [h.address, ...(h.port !== undefined ? [h.port] : [])]),
};

export const SCHEDULER_FLAGS = ['hashed', 'ops', 'flag-1', 'flag-2', 'flag-3', 'sh-port', 'sh-fallback', 'mh-port', 'mh-fallback'] as const;

export const virtualServerSpec = {
	keyword: 'virtual_server',
	header: virtualServerHeader,
	fields: {
		ipFamily: scalar(['ip_family'], oneOf(['inet', 'inet6'] as const)),
		delayLoop: scalar(['delay_loop'], decimal(0, TIMER_MAX)),
		// lvs_sched and lvs_method are 2.x's names; lb_algo and lb_kind stay accepted, silently.
		lbAlgo: scalar(['lb_algo', 'lvs_sched'], word),
		schedulerFlags: keywordSet(SCHEDULER_FLAGS),
		lbKind: scalar(['lb_kind', 'lvs_method'], forwardingMethod),
		persistenceTimeout: scalar(['persistence_timeout'], integer(1, 2678400)),
		persistenceGranularity: scalar(['persistence_granularity'], word),
		persistenceEngine: scalar(['persistence_engine'], word),
		protocol: scalar(['protocol'], oneOf(['TCP', 'UDP', 'SCTP'] as const, {caseInsensitive: true})),
		haSuspend: scalar(['ha_suspend'], presence),
		virtualhost: scalar(['virtualhost'], word),
		sorryServer: scalar(['sorry_server'], words),
		sorryServerInhibit: scalar(['sorry_server_inhibit'], optionalBool),
		sorryServerLvsMethod: scalar(['sorry_server_lvs_method'], forwardingMethod),
		inhibitOnFailure: scalar(['inhibit_on_failure'], optionalBool),
		alpha: scalar(['alpha'], optionalBool),
		omega: scalar(['omega'], optionalBool),
		quorum: scalar(['quorum'], integer(1, U32)),
		quorumUp: script(['quorum_up']),
		quorumDown: script(['quorum_down']),
		hysteresis: scalar(['hysteresis'], integer(0, U32)),
		retry: scalar(['retry'], integer(0, U32)),
		delayBeforeRetry: scalar(['delay_before_retry'], decimal(0, TIMER_MAX)),
		warmup: scalar(['warmup'], decimal(0, TIMER_MAX)),
		connectTimeout: scalar(['connect_timeout'], decimal(0, TIMER_MAX)),
		smtpAlert: scalar(['smtp_alert'], optionalBool),
		realServers: blocks(realServerSpec),
	},
} satisfies BlockSpec<FieldMap, VirtualServerKey>;

// ---- virtual_server_group (a named block of value lines) ------------------------------------

/** `virtual_server_group NAME { IP[-RANGE] PORT | fwmark N ... }`. */
export interface VirtualServerGroup extends BlockBase {
	readonly name: string;
	readonly entries: readonly ValueLine[];
}

function warnAt(ctx: ReadContext, node: SyntaxNode, message: string): void {
	ctx.diagnostics.push({severity: 'warning', code: 'invalid-header', message, ...(node.loc ? {loc: node.loc} : {})});
}

const virtualServerGroups: Field<VirtualServerGroup[]> = {
	keywords: ['virtual_server_group'],
	read(nodes, ctx) {
		const value: VirtualServerGroup[] = [];
		const ignored: SyntaxNode[] = [];
		for (const node of nodes) {
			if (node.args.length !== 1 || node.children === undefined) {
				warnAt(ctx, node, 'virtual_server_group needs a name and a { } block');
				ignored.push(node);
				continue;
			}
			const entries = node.children.filter((c) => c.children === undefined).map((c) => valueLine.parse([c.keyword, ...c.args]));
			const bad = node.children.filter((c) => c.children !== undefined);
			value.push({name: node.args[0] as string, entries, ignored: bad, extra: [], ...(node.loc ? {loc: node.loc} : {})});
		}
		return {value, ignored};
	},
	write: (value) =>
		value.map((g) => ({
			keyword: 'virtual_server_group',
			args: [g.name],
			children: [...g.ignored, ...g.entries.map((e) => ({keyword: e.words[0] as string, args: e.words.slice(1)}))],
		})),
	diff(a, b, path, out) {
		const set = (g: VirtualServerGroup) => new Set(g.entries.map((e) => valueLine.key(e)));
		for (const ga of a) {
			const gb = b.find((g) => g.name === ga.name);
			if (!gb) {
				out.push({path, keyword: `virtual_server_group ${ga.name}`, kind: 'only-a'});
				continue;
			}
			const sa = set(ga);
			const sb = set(gb);
			const p = `virtual_server_group ${ga.name}`;
			for (const e of sa) if (!sb.has(e)) out.push({path: p, keyword: e, kind: 'only-a'});
			for (const e of sb) if (!sa.has(e)) out.push({path: p, keyword: e, kind: 'only-b'});
		}
		for (const gb of b) if (!a.some((g) => g.name === gb.name)) out.push({path, keyword: `virtual_server_group ${gb.name}`, kind: 'only-b'});
	},
};

// ---- the whole file -------------------------------------------------------------------------

export const configFields = {
	globalDefs: block(globalDefsSpec),
	staticIpaddress: values('static_ipaddress', ipAddress),
	staticRoutes: values('static_routes', valueLine),
	staticRules: values('static_rules', valueLine),
	vrrpScripts: blocks(vrrpScriptSpec),
	vrrpSyncGroups: blocks(vrrpSyncGroupSpec),
	vrrpInstances: blocks(vrrpInstanceSpec),
	virtualServerGroups,
	virtualServers: blocks(virtualServerSpec, {key: (vs) => virtualServerHeader.format(vs).join(' ').toLowerCase()}),
};

export type GlobalDefs = BlockModel<typeof globalDefsSpec>;
export type VrrpScript = BlockModel<typeof vrrpScriptSpec>;
export type VrrpSyncGroup = BlockModel<typeof vrrpSyncGroupSpec>;
export type Authentication = BlockModel<typeof authenticationSpec>;
export type VrrpInstance = BlockModel<typeof vrrpInstanceSpec>;
export type Url = BlockModel<typeof urlSpec>;
export type Check = {[K in keyof typeof checkSpecs]: {type: K} & BlockModel<(typeof checkSpecs)[K]>}[keyof typeof checkSpecs];
export type RealServer = BlockModel<typeof realServerSpec>;
export type VirtualServer = BlockModel<typeof virtualServerSpec>;

/** A whole keepalived.conf (includes followed): what lvsdeck reasons about, plus everything else verbatim. */
export type KeepalivedConfig = {-readonly [K in keyof typeof configFields]: (typeof configFields)[K] extends Field<infer V> ? V : never} & BlockBase;

export type {Difference};

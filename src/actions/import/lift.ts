// One keepalived block at a time: what of it the profile's typed fields can hold exactly (in the
// profile's YAML shape), and everything else as syntax nodes for the block's keepalived text.
// A block the typed fields cannot hold at all is `undefined`: it stays keepalived text whole.
// Missing keywords the typed fields always write are taken at keepalived's default and `omit`ted.
import {isIP} from 'node:net';
import {
	checkSpecs,
	realServerSpec,
	virtualServerSpec,
	vrrpInstanceSpec,
	vrrpScriptSpec,
	vrrpSyncGroupSpec,
	type Check,
	type RealServer,
	type SyntaxNode,
	type VirtualServer,
	type VrrpInstance,
	type VrrpScript,
	type VrrpSyncGroup,
} from '../../keepalived-conf/index.js';
import {IPVS_SCHEDULERS} from '../../profile/schedulers.js';

/** keepalived 2.2.7's values for keywords a hand-written config may leave out. */
export const KEEPALIVED_DEFAULTS = {
	state: 'BACKUP',
	priority: 100,
	advertInt: 1,
	scriptInterval: 1,
	delayLoop: 60,
	protocol: 'TCP',
	weight: 1,
	connectTimeout: 5,
	retry: 1,
	delayBeforeRetry: 1,
	httpStatus: 200,
} as const;

export type Doc = Record<string, unknown>;

/** The block's lines except the fields in `typed`: unmodelled keywords first, then the others in spec order. */
export function nodesExcept(fields: Readonly<Record<string, {write(value: never): SyntaxNode[]}>>, model: {readonly extra: readonly SyntaxNode[]}, typed: ReadonlySet<string>): SyntaxNode[] {
	const out: SyntaxNode[] = [...model.extra];
	for (const [name, field] of Object.entries(fields)) if (!typed.has(name)) out.push(...field.write((model as unknown as Record<string, never>)[name]!));
	return out;
}

function withOmit(doc: Doc, omit: readonly string[]): Doc {
	return omit.length > 0 ? {...doc, omit} : doc;
}

const WHOLE_NUMBER = /^\d+$/;

// ---- vrrp_script --------------------------------------------------------------------------------

export interface LiftedScript {
	readonly doc: Doc;
	readonly extra: SyntaxNode[];
}

/** Plain words only (the profile runs scripts without a shell), single spaces. */
function plainCommand(command: string): boolean {
	return /^[A-Za-z0-9_./=:@%+, -]+$/.test(command) && command === command.split(/\s+/).filter(Boolean).join(' ');
}

export function liftScript(s: VrrpScript): LiftedScript | undefined {
	if (!s.script || s.script.user !== undefined || !plainCommand(s.script.command)) return undefined;
	if (s.weight && (s.weight.reverse || s.weight.weight === 0)) return undefined;
	const omit: string[] = [];
	const doc: Doc = {name: s.name, script: s.script.command};
	if (s.interval === undefined) omit.push('interval');
	doc.interval = s.interval ?? KEEPALIVED_DEFAULTS.scriptInterval;
	if (s.weight) doc.weight = s.weight.weight;
	if (s.fall !== undefined) doc.fall = s.fall;
	if (s.rise !== undefined) doc.rise = s.rise;
	const extra = nodesExcept(vrrpScriptSpec.fields, s, new Set(['script', 'interval', 'weight', 'fall', 'rise']));
	return {doc: withOmit(doc, omit), extra};
}

// ---- vrrp_sync_group ----------------------------------------------------------------------------

/**
 * The instances of a sync group that has nothing but its `group` list (the profile's vrrp_sync_groups
 * hold only that); undefined when it has any other line (notify, track_*, ...): it stays text whole.
 */
export function liftSyncGroup(g: VrrpSyncGroup): string[] | undefined {
	const instances = g.group ?? [];
	if (instances.length === 0 || nodesExcept(vrrpSyncGroupSpec.fields, g, new Set(['group'])).length > 0) return undefined;
	return [...instances];
}

// ---- vrrp_instance ------------------------------------------------------------------------------

/** What of an instance the typed fields may hold, before the directors are compared. */
export interface LiftedInstance {
	/** name, vrid, interface, advert_int, version, preempt, vips (and omit): equal on every director or the instance stays text. */
	readonly shared: Doc;
	readonly member: Doc;
	readonly authentication?: {type: string; pass: string};
	/** Names of the track_script block when every line is a bare name. */
	readonly trackNames?: string[];
	readonly unicastSrc?: string;
	/** Peer addresses, when no peer line has options. */
	readonly unicastPeers?: string[];
	readonly mcastDst?: string;
}

function preemptOf(vi: VrrpInstance): Doc['preempt'] | undefined {
	if (vi.preempt) return undefined;
	if (vi.nopreempt && vi.preemptDelay !== undefined) return undefined;
	if (vi.nopreempt) return 'nopreempt';
	if (vi.preemptDelay !== undefined) return Number.isInteger(vi.preemptDelay) && vi.preemptDelay >= 1 ? {preempt_delay: vi.preemptDelay} : undefined;
	return 'preempt';
}

function vipOf(entry: NonNullable<VrrpInstance['virtualIpaddress']>[number]): Doc | undefined {
	if (entry.brd !== undefined || entry.scope !== undefined || entry.options.length > 0) return undefined;
	const family = isIP(entry.address.split('/')[0] ?? '');
	if (family === 0) return undefined;
	const address = entry.address.includes('/') ? entry.address : `${entry.address}/${family === 4 ? 32 : 128}`;
	return {address, ...(entry.dev !== undefined ? {dev: entry.dev} : {}), ...(entry.label !== undefined ? {label: entry.label} : {})};
}

export function liftInstance(vi: VrrpInstance): LiftedInstance | undefined {
	const preempt = preemptOf(vi);
	if (vi.interface === undefined || vi.virtualRouterId === undefined || preempt === undefined) return undefined;
	const vips = (vi.virtualIpaddress ?? []).map(vipOf);
	if (vips.length === 0 || vips.some((v) => v === undefined)) return undefined;
	const shared: Doc = {name: vi.name, vrid: vi.virtualRouterId, interface: vi.interface, advert_int: vi.advertInt ?? KEEPALIVED_DEFAULTS.advertInt};
	if (vi.version !== undefined) shared.version = Number(vi.version);
	shared.preempt = preempt;
	shared.vips = vips;
	const memberOmit = [...(vi.state === undefined ? ['state'] : []), ...(vi.priority === undefined ? ['priority'] : [])];
	const member = withOmit({state: vi.state ?? KEEPALIVED_DEFAULTS.state, priority: vi.priority ?? KEEPALIVED_DEFAULTS.priority}, memberOmit);
	const auth = vi.authentication;
	const authentication = auth && auth.authType !== undefined && auth.authPass !== undefined && auth.extra.length === 0 ? {type: auth.authType, pass: auth.authPass} : undefined;
	const track = vi.trackScript;
	const trackNames = track && track.every((t) => t.weight === undefined && !t.reverse && t.options.length === 0) ? track.map((t) => t.name) : undefined;
	const peers = vi.unicastPeer;
	return {
		shared: withOmit(shared, vi.advertInt === undefined ? ['advert_int'] : []),
		member,
		...(authentication ? {authentication} : {}),
		...(trackNames ? {trackNames} : {}),
		...(vi.unicastSrcIp !== undefined ? {unicastSrc: vi.unicastSrcIp} : {}),
		...(peers && peers.every((p) => p.options.length === 0) ? {unicastPeers: peers.map((p) => p.address)} : {}),
		...(vi.mcastDstIp !== undefined ? {mcastDst: vi.mcastDstIp} : {}),
	};
}

/** Which typed fields an instance uses, decided across its directors. */
export interface InstanceTyping {
	readonly authentication: boolean;
	readonly trackScripts: boolean;
	readonly unicast: boolean;
	readonly multicastGroup: boolean;
}

/** The instance's lines its typed fields do not write. */
export function instanceExtra(vi: VrrpInstance, typing: InstanceTyping): SyntaxNode[] {
	const typed = new Set(['state', 'interface', 'virtualRouterId', 'priority', 'advertInt', 'version', 'nopreempt', 'preemptDelay', 'virtualIpaddress']);
	if (typing.authentication) typed.add('authentication');
	if (typing.trackScripts) typed.add('trackScript');
	if (typing.unicast) for (const f of ['unicastSrcIp', 'unicastPeer']) typed.add(f);
	if (typing.multicastGroup) typed.add('mcastDstIp');
	return nodesExcept(vrrpInstanceSpec.fields, vi, typed);
}

// ---- virtual_server, real_server, checkers ------------------------------------------------------

export interface LiftedCheck {
	readonly doc: Doc;
	readonly extra: SyntaxNode[];
}

function timer(value: number | undefined, fallback: number, field: string, omit: string[]): number {
	if (value === undefined) omit.push(field);
	return value ?? fallback;
}

const HEX_BYTES = /^(?:[0-9A-Fa-f]{2}){1,1024}$/;

/** UDP_CHECK's payload and require_reply, when the profile's fields can hold them (else they stay text). */
function liftUdpFields(check: Extract<Check, {type: 'UDP_CHECK'}>, doc: Doc, typed: Set<string>): void {
	if (check.payload !== undefined && HEX_BYTES.test(check.payload)) {
		doc.payload = check.payload;
		typed.add('payload');
	}
	const reply = check.requireReply;
	if (reply !== undefined && reply.length <= 1 && (reply.length === 0 || HEX_BYTES.test(reply[0]!))) {
		doc.require_reply = reply.length === 0 ? true : reply[0];
		typed.add('requireReply');
	}
}

export function liftCheck(check: Check): LiftedCheck | undefined {
	if (check.type !== 'HTTP_GET' && check.type !== 'TCP_CHECK' && check.type !== 'UDP_CHECK') return undefined;
	const omit: string[] = [];
	const doc: Doc = {type: check.type};
	const typed = new Set(['connectTimeout', 'retry', 'delayBeforeRetry']);
	if (check.type === 'HTTP_GET') {
		const url = check.urls.length === 1 ? check.urls[0]! : undefined;
		if (!url || url.path === undefined || url.digest !== undefined || url.virtualhost !== undefined || url.extra.length > 0) return undefined;
		const status = url.statusCode;
		if (status !== undefined && (status.length !== 1 || !/^\d{3}$/.test(status[0]!))) return undefined;
		doc.path = url.path;
		if (status === undefined) omit.push('status');
		doc.status = status === undefined ? KEEPALIVED_DEFAULTS.httpStatus : Number(status[0]);
		typed.add('urls');
	} else if (check.connectPort !== undefined) {
		doc.connect_port = check.connectPort;
		typed.add('connectPort');
	}
	doc.connect_timeout = timer(check.connectTimeout, KEEPALIVED_DEFAULTS.connectTimeout, 'connect_timeout', omit);
	doc.retry = timer(check.retry, KEEPALIVED_DEFAULTS.retry, 'retry', omit);
	doc.delay_before_retry = timer(check.delayBeforeRetry, KEEPALIVED_DEFAULTS.delayBeforeRetry, 'delay_before_retry', omit);
	if (check.type === 'UDP_CHECK') liftUdpFields(check, doc, typed);
	const extra = nodesExcept(checkSpecs[check.type].fields, check as never, typed);
	return {doc: withOmit(doc, omit), extra};
}

/** A checker as keepalived text. */
export function checkNodes(check: Check): SyntaxNode[] {
	return realServerSpec.fields.checks.write([check]);
}

export interface LiftedRealServer {
	readonly address: string;
	readonly port: number;
	/** The profile's real_server fields except `host` (set when hosts are named). */
	readonly doc: Doc;
	readonly check?: LiftedCheck;
	readonly extra: SyntaxNode[];
}

export function realServerKey(rs: RealServer): string {
	return `${rs.address} ${rs.port ?? ''}`.trim().toLowerCase();
}

/** `checkTyped`: false keeps every checker as text. */
export function liftRealServer(rs: RealServer, checkTyped: boolean): LiftedRealServer | undefined {
	if (rs.port === undefined || !WHOLE_NUMBER.test(rs.port) || isIP(rs.address) === 0) return undefined;
	const lifted = checkTyped ? rs.checks.map(liftCheck) : [];
	const sameType = (i: number) => rs.checks.filter((c) => c.type === rs.checks[i]!.type).length === 1;
	const index = lifted.findIndex((c, i) => c !== undefined && sameType(i));
	const omit = rs.weight === undefined ? ['weight'] : [];
	const doc: Doc = {port: Number(rs.port), weight: rs.weight ?? KEEPALIVED_DEFAULTS.weight};
	const others = rs.checks.filter((_, i) => i !== index).flatMap(checkNodes);
	const extra = [...nodesExcept(realServerSpec.fields, rs, new Set(['weight', 'checks'])), ...others];
	return {address: rs.address, port: Number(rs.port), doc: withOmit(doc, omit), ...(index >= 0 ? {check: lifted[index]} : {}), extra};
}

export function realServerNodes(rs: RealServer): SyntaxNode[] {
	return virtualServerSpec.fields.realServers.write([rs]);
}

const SCHEDULERS: ReadonlySet<string> = new Set(IPVS_SCHEDULERS);

export function virtualServerKey(vs: VirtualServer): string {
	const words = vs.kind === 'fwmark' ? ['fwmark', vs.fwmark] : vs.kind === 'group' ? ['group', vs.group] : [vs.address, ...(vs.port !== undefined ? [vs.port] : [])];
	return words.join(' ').toLowerCase();
}

/** The virtual server's typed fields (without its real servers) and its other lines. */
export interface LiftedVirtualServer {
	readonly doc: Doc;
	readonly extra: SyntaxNode[];
}

export function liftVirtualServer(vs: VirtualServer): LiftedVirtualServer | undefined {
	if (vs.kind !== 'address' || vs.port === undefined || !WHOLE_NUMBER.test(vs.port) || isIP(vs.address) === 0) return undefined;
	if (vs.lbAlgo === undefined || !SCHEDULERS.has(vs.lbAlgo) || vs.lbKind === undefined) return undefined;
	if (vs.protocol !== undefined && vs.protocol !== 'TCP' && vs.protocol !== 'UDP') return undefined;
	if (vs.delayLoop !== undefined && !Number.isInteger(vs.delayLoop)) return undefined;
	const omit = [...(vs.delayLoop === undefined ? ['delay_loop'] : []), ...(vs.protocol === undefined ? ['protocol'] : [])];
	const doc: Doc = {vip: vs.address, port: Number(vs.port), protocol: vs.protocol ?? KEEPALIVED_DEFAULTS.protocol, scheduler: vs.lbAlgo, forwarding: vs.lbKind};
	if (vs.persistenceTimeout !== undefined) doc.persistence_timeout = vs.persistenceTimeout;
	doc.delay_loop = vs.delayLoop ?? KEEPALIVED_DEFAULTS.delayLoop;
	const extra = nodesExcept(virtualServerSpec.fields, vs, new Set(['delayLoop', 'lbAlgo', 'lbKind', 'persistenceTimeout', 'protocol', 'realServers']));
	return {doc: withOmit(doc, omit), extra};
}

// Renders keepalived.conf for one director from the profile: the typed fields as syntax nodes, and
// each block's keepalived text (`extra`, `global_defs`) after its typed lines, all written by the
// keepalived-conf serializer (one keyword per line, always: keepalived's parser is line oriented
// and silently misreads nested blocks written on one line).
import {adaptToVersion, serializeNodes, type KeywordVersionWarning, type SyntaxNode} from '../keepalived-conf/index.js';
import {ADDRESS_UNKNOWN, type ConfExtras} from '../profile/conf-extras.js';
import type {HealthCheck, Host, Profile, RealServer, TrackScript, VirtualServer, VrrpInstance} from '../profile/model.js';
import {addressOn, hostByName} from '../profile/model.js';

export interface RenderOptions {
	/** Replace auth_pass (and other secrets) with a placeholder, for display. */
	readonly redactSecrets?: boolean;
	/**
	 * The director's keepalived version (stated in the profile or detected): keywords it knows under
	 * another name are written that way (HTTP_GET `retry` is `nb_get_retry` before 1.3.7). Without it,
	 * the keywords of current keepalived.
	 */
	readonly keepalivedVersion?: string;
}

/** A line the typed fields cannot be rendered without (an address still `unknown`). */
export class RenderError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'RenderError';
	}
}

function line(keyword: string, ...args: Array<string | number>): SyntaxNode {
	return {keyword, args: args.map(String)};
}

function block(keyword: string, args: Array<string | number>, children: readonly SyntaxNode[]): SyntaxNode {
	return {keyword, args: args.map(String), children};
}

/** The typed line, unless the profile leaves it to keepalived's default. */
function unlessOmitted(owner: ConfExtras, field: string, node: SyntaxNode): SyntaxNode[] {
	return owner.omit?.includes(field) ? [] : [node];
}

/** The host's address on `iface` (one of its listed interfaces, else its main address). */
function addressOf(profile: Profile, name: string, use: string, iface?: string): string {
	const host = hostByName(profile, name);
	const address = iface === undefined ? host.address : addressOn(host, iface);
	if (address === ADDRESS_UNKNOWN) throw new RenderError(`hosts.${name}.address is unknown: set it before rendering (${use} needs it)`);
	return address;
}

function renderInstance(profile: Profile, inst: VrrpInstance, director: string): SyntaxNode | undefined {
	const me = inst.members.find((m) => m.director === director);
	if (!me) return undefined;
	const out: SyntaxNode[] = [
		...unlessOmitted(me, 'state', line('state', me.state)),
		line('interface', inst.interface),
		line('virtual_router_id', inst.vrid),
		...unlessOmitted(me, 'priority', line('priority', me.priority)),
		...unlessOmitted(inst, 'advert_int', line('advert_int', inst.advertInt)),
	];
	if (inst.version) out.push(line('version', inst.version));
	if (inst.preempt.mode === 'nopreempt') out.push(line('nopreempt'));
	if (inst.preempt.mode === 'delay') out.push(line('preempt_delay', inst.preempt.delaySec));
	if (inst.authentication) out.push(block('authentication', [], [line('auth_type', inst.authentication.type), line('auth_pass', inst.authentication.pass)]));
	if (inst.unicast) {
		const use = `unicast VRRP of ${inst.name}`;
		out.push(line('unicast_src_ip', addressOf(profile, director, use, inst.interface)));
		const peers = inst.members.filter((m) => m.director !== director);
		if (peers.length > 0) out.push(block('unicast_peer', [], peers.map((p) => line(addressOf(profile, p.director, use, inst.interface)))));
	} else if (inst.multicastGroup) {
		out.push(line('mcast_dst_ip', inst.multicastGroup));
	}
	out.push(
		block(
			'virtual_ipaddress',
			[],
			inst.vips.map((vip) => line(`${vip.address}/${vip.prefix}`, ...(vip.dev ? ['dev', vip.dev] : []), ...(vip.label ? ['label', vip.label] : []))),
		),
	);
	if (inst.trackScripts.length > 0) out.push(block('track_script', [], inst.trackScripts.map((name) => line(name))));
	out.push(...(inst.extra ?? []), ...(me.extra ?? []));
	return block('vrrp_instance', [inst.name], out);
}

/** What TCP_CHECK and UDP_CHECK both say: the port to try and how patiently. */
function connectLines(check: Extract<HealthCheck, {type: 'TCP_CHECK' | 'UDP_CHECK'}>): SyntaxNode[] {
	return [
		...(check.connectPort ? [line('connect_port', check.connectPort)] : []),
		...unlessOmitted(check, 'connect_timeout', line('connect_timeout', check.connectTimeout)),
		...unlessOmitted(check, 'retry', line('retry', check.retry)),
		...unlessOmitted(check, 'delay_before_retry', line('delay_before_retry', check.delayBeforeRetry)),
	];
}

function renderCheck(check: HealthCheck): SyntaxNode[] {
	switch (check.type) {
		case 'HTTP_GET':
			return [
				block('HTTP_GET', [], [
					block('url', [], [line('path', check.path), ...unlessOmitted(check, 'status', line('status_code', check.status))]),
					...unlessOmitted(check, 'connect_timeout', line('connect_timeout', check.connectTimeout)),
					...unlessOmitted(check, 'retry', line('retry', check.retry)),
					...unlessOmitted(check, 'delay_before_retry', line('delay_before_retry', check.delayBeforeRetry)),
					...(check.extra ?? []),
				]),
			];
		case 'TCP_CHECK':
			return [
				block('TCP_CHECK', [], [
					...connectLines(check),
					...(check.extra ?? []),
				]),
			];
		case 'UDP_CHECK':
			return [
				block('UDP_CHECK', [], [
					...connectLines(check),
					...(check.payload !== undefined ? [line('payload', check.payload)] : []),
					...(check.requireReply === true ? [line('require_reply')] : check.requireReply !== undefined ? [line('require_reply', check.requireReply)] : []),
					...(check.extra ?? []),
				]),
			];
		case 'none':
			return [];
	}
}

function renderRealServer(rs: RealServer): SyntaxNode {
	// Its own lines before the check: real_server-level timers are defaults for its checkers.
	return block('real_server', [rs.address, rs.port], [...unlessOmitted(rs, 'weight', line('weight', rs.weight)), ...(rs.extra ?? []), ...renderCheck(rs.check)]);
}

function renderVirtualServer(vs: VirtualServer): SyntaxNode {
	return block('virtual_server', [vs.vip, vs.port], [
		...unlessOmitted(vs, 'delay_loop', line('delay_loop', vs.delayLoop)),
		line('lb_algo', vs.scheduler),
		line('lb_kind', vs.forwarding),
		...(vs.persistenceTimeout ? [line('persistence_timeout', vs.persistenceTimeout)] : []),
		...unlessOmitted(vs, 'protocol', line('protocol', vs.protocol)),
		// Before the real servers, where hand-written configs keep virtual_server-level settings.
		...(vs.extra ?? []),
		...vs.realServers.map(renderRealServer),
	]);
}

function renderScript(script: TrackScript): SyntaxNode {
	const command = script.script.join(' ');
	return block('vrrp_script', [script.name], [
		{keyword: 'script', args: [command], text: `script "${command}"`},
		...unlessOmitted(script, 'interval', line('interval', script.interval)),
		...(script.weight !== 0 ? [line('weight', script.weight)] : []),
		...(script.fall ? [line('fall', script.fall)] : []),
		...(script.rise ? [line('rise', script.rise)] : []),
		...(script.extra ?? []),
	]);
}

/** The sync groups whose instances this director runs (cross-check makes a group's instances share their directors). */
function renderSyncGroups(profile: Profile, mine: ReadonlySet<string>): SyntaxNode[] {
	return (profile.syncGroups ?? [])
		.filter((g) => g.instances.some((name) => mine.has(name)))
		.map((g) => block('vrrp_sync_group', [g.name], [block('group', [], g.instances.map((name) => line(name)))]));
}

const SCRIPT_SECURITY = new Set(['enable_script_security', 'script_user']);

/**
 * lvsdeck's own notify FIFO (profile keepalived.notify_fifo; README, VRRP history): keepalived creates
 * it and writes one line per VRRP transition; fifo_write_vrrp_states_on_reload (2.2.5; an older
 * keepalived ignores the line, and deploy says so) writes every instance's state again on a reload, so a reader
 * that (re)attaches learns where each instance stands. Left alone when global_defs names a FIFO itself.
 */
function notifyFifoLines(profile: Profile, globalLines: readonly SyntaxNode[]): SyntaxNode[] {
	const fifo = profile.keepalived.notifyFifo;
	if (fifo === undefined || globalLines.some((n) => n.keyword === 'vrrp_notify_fifo')) return [];
	return [line('vrrp_notify_fifo', fifo), line('fifo_write_vrrp_states_on_reload')];
}

function renderGlobalDefs(profile: Profile, host: Host, scripts: readonly TrackScript[]): SyntaxNode[] {
	const own = host.keepalived;
	const lines = [...(profile.keepalived.globalDefs ?? []), ...(own?.globalDefs ?? [])];
	const routerId = own?.routerId === undefined ? host.name : own.routerId;
	const out: SyntaxNode[] = routerId === false ? [] : [line('router_id', routerId)];
	if (scripts.length > 0 && profile.keepalived.autoScriptSecurity && !lines.some((n) => SCRIPT_SECURITY.has(n.keyword))) {
		// Without these keepalived reports "SECURITY VIOLATION - scripts are being executed but
		// script_security not enabled" (keepalived -t exits 6) and warns that the default script
		// user keepalived_script does not exist. Scripts must then be owned by root and not be
		// writable by anyone else.
		out.push(line('enable_script_security'), line('script_user', 'root'));
	}
	out.push(...notifyFifoLines(profile, lines));
	out.push(...lines);
	const written = out.length > 0 || profile.keepalived.globalDefs !== undefined || own?.globalDefs !== undefined;
	return written ? [block('global_defs', [], out)] : [];
}

/** The syntax nodes of keepalived.conf for `director`. */
export function renderKeepalivedNodes(profile: Profile, director: string): SyntaxNode[] {
	const host = hostByName(profile, director);
	const mine = profile.instances.filter((i) => i.members.some((m) => m.director === director));
	const scriptsUsed = new Set(mine.flatMap((i) => i.trackScripts));
	const scripts = profile.trackScripts.filter((t) => scriptsUsed.has(t.name));
	const myVips = new Set(mine.flatMap((i) => i.vips.map((v) => v.address)));
	return [
		...renderGlobalDefs(profile, host, scripts),
		...scripts.map(renderScript),
		// Blocks the typed fields do not hold come before the instances: some define what they use
		// (track_file, bfd_instance, vrrp_sync_group names only instances, which may follow).
		...(profile.keepalived.extra ?? []),
		...(host.keepalived?.extra ?? []),
		...renderSyncGroups(profile, new Set(mine.map((i) => i.name))),
		...mine.map((inst) => renderInstance(profile, inst, director)!),
		...profile.virtualServers.filter((v) => myVips.has(v.vip)).map(renderVirtualServer),
	];
}

/** The render for one keepalived version, and the lines that version does not know (it would ignore them). */
export function renderForVersion(profile: Profile, director: string, version: string): {nodes: SyntaxNode[]; warnings: KeywordVersionWarning[]} {
	return adaptToVersion(renderKeepalivedNodes(profile, director), version);
}

/**
 * The whole keepalived.conf for `director`. Deterministic: same profile (and version), same bytes. The
 * header does not name the version: a version that needs no other keyword renders the same file.
 */
export function renderKeepalivedConf(profile: Profile, director: string, options: RenderOptions = {}): string {
	const header = `# Rendered by lvsdeck from profile "${profile.name}" for ${director}. Edits here are overwritten by deploy.\n`;
	const nodes = options.keepalivedVersion ? renderForVersion(profile, director, options.keepalivedVersion).nodes : renderKeepalivedNodes(profile, director);
	return header + serializeNodes(nodes, {redactSecrets: options.redactSecrets === true});
}

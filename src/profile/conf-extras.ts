// keepalived.conf text inside a profile: for every keyword the typed fields do not hold, a profile
// block can carry the lines themselves (`extra`, `global_defs`, YAML block scalars), and `omit`
// names typed fields left out of keepalived.conf so keepalived uses its own default. The text is
// read with the keepalived-conf reader when the profile loads; a line the typed fields already
// write is refused, so a render is never ambiguous.
import {isScalar, type Document, type LineCounter} from 'yaml';
import {formatPath, locate, type FieldPath, type Position} from './locate.js';
import {parseKeepalivedTree, type SyntaxNode} from '../keepalived-conf/index.js';
import type {ProfileDoc} from './schema.js';

export {ADDRESS_UNKNOWN, confTextSchema, directorConfSchema, omitSchema} from './conf-schema.js';

export interface ConfExtras {
	/** keepalived.conf lines written into this block after the typed ones. */
	readonly extra?: readonly SyntaxNode[];
	/** Typed fields (YAML names) not written to keepalived.conf. */
	readonly omit?: readonly string[];
}

/** Syntax nodes of profile text (conditional lines and includes kept as written). */
export function parseConfText(text: string, file = 'profile'): ReturnType<typeof parseKeepalivedTree> {
	return parseKeepalivedTree(text, {file, conditionals: 'keep', includes: 'keep'});
}

/** Nodes of text that checkConfExtras accepted (undefined stays undefined). */
export function confNodes(text: string | undefined): SyntaxNode[] | undefined {
	if (text === undefined) return undefined;
	const parsed = parseConfText(text);
	if (!parsed.ok) throw new Error(`keepalived text does not parse: ${parsed.error.message}`);
	return parsed.tree;
}

export function confExtrasOf(block: {readonly extra?: string | undefined; readonly omit?: readonly string[] | undefined}): ConfExtras {
	return {...(block.extra !== undefined ? {extra: confNodes(block.extra)} : {}), ...(block.omit?.length ? {omit: [...block.omit]} : {})};
}

// ---- what the typed fields write, per block ---------------------------------------------------

type Doc = ProfileDoc;
type Instance = Doc['vrrp_instances'][number];
type VirtualServer = Doc['virtual_servers'][number];
type RealServer = VirtualServer['real_servers'][number];
type Check = RealServer['check'];
type TrackScript = NonNullable<Doc['track_scripts']>[number];

function instanceClaims(inst: Instance): string[] {
	return [
		...['state', 'interface', 'virtual_router_id', 'priority', 'advert_int', 'nopreempt', 'preempt', 'preempt_delay', 'virtual_ipaddress'],
		...(inst.version !== undefined ? ['version'] : []),
		...(inst.authentication ? ['authentication'] : []),
		...(inst.unicast ? ['unicast_src_ip', 'unicast_peer'] : []),
		...(!inst.unicast && inst.multicast_group !== undefined ? ['mcast_dst_ip'] : []),
		...(inst.track_scripts ? ['track_script'] : []),
	];
}

function scriptClaims(t: TrackScript): string[] {
	return ['script', 'interval', 'weight', ...(t.fall !== undefined ? ['fall'] : []), ...(t.rise !== undefined ? ['rise'] : [])];
}

function virtualServerClaims(vs: VirtualServer): string[] {
	return ['delay_loop', 'lb_algo', 'lvs_sched', 'lb_kind', 'lvs_method', 'protocol', ...(vs.persistence_timeout !== undefined ? ['persistence_timeout'] : [])];
}

function checkClaims(check: Check): string[] {
	if (check.type === 'HTTP_GET') return ['url', 'connect_timeout', 'retry', 'nb_get_retry', 'delay_before_retry'];
	if (check.type === 'TCP_CHECK') return ['connect_timeout', 'retry', 'delay_before_retry', ...(check.connect_port !== undefined ? ['connect_port'] : [])];
	if (check.type === 'UDP_CHECK') {
		return [
			'connect_timeout',
			'retry',
			'delay_before_retry',
			...(check.connect_port !== undefined ? ['connect_port'] : []),
			...(check.payload !== undefined ? ['payload'] : []),
			...(check.require_reply !== undefined ? ['require_reply'] : []),
		];
	}
	return [];
}

/** `vrrp_instance VI_1`, `virtual_server 10.0.0.1 80`: top-level blocks the typed fields write. */
function topLevelClaims(doc: Doc): Set<string> {
	// Compared in lower case: addresses are, and two names apart only by case would only confuse.
	return new Set(
		[
			...(doc.track_scripts ?? []).map((t) => `vrrp_script ${t.name}`),
			...doc.vrrp_instances.map((i) => `vrrp_instance ${i.name}`),
			...(doc.vrrp_sync_groups ?? []).map((g) => `vrrp_sync_group ${g.name}`),
			...doc.virtual_servers.map((vs) => `virtual_server ${vs.vip} ${vs.port}`),
		].map((k) => k.toLowerCase()),
	);
}

// ---- the check made at load -------------------------------------------------------------------

export interface ConfTextIssue {
	readonly path: FieldPath;
	readonly message: string;
	/** Line and column inside the text, when the problem is at one line of it. */
	readonly inner?: {readonly line: number; readonly col: number};
}

interface TextSite {
	readonly path: FieldPath;
	readonly text: string | undefined;
	/** Keywords the typed fields of the block already write. */
	readonly claimed: readonly string[];
	/** What writes them, for the message. */
	readonly owner: string;
	/** Whole blocks the typed fields write (top-level text only). */
	readonly claimedBlocks?: ReadonlySet<string>;
}

function sites(doc: Doc): TextSite[] {
	const out: TextSite[] = [];
	const top = topLevelClaims(doc);
	out.push({path: ['keepalived', 'global_defs'], text: doc.keepalived.global_defs, claimed: ['router_id'], owner: 'hosts.<director>.keepalived.router_id'});
	out.push({path: ['keepalived', 'extra'], text: doc.keepalived.extra, claimed: ['global_defs'], owner: 'keepalived.global_defs', claimedBlocks: top});
	for (const [name, host] of Object.entries(doc.hosts)) {
		if (!host.keepalived) continue;
		out.push({path: ['hosts', name, 'keepalived', 'global_defs'], text: host.keepalived.global_defs, claimed: ['router_id'], owner: `hosts.${name}.keepalived.router_id`});
		out.push({path: ['hosts', name, 'keepalived', 'extra'], text: host.keepalived.extra, claimed: ['global_defs'], owner: `hosts.${name}.keepalived.global_defs`, claimedBlocks: top});
	}
	for (const [i, t] of (doc.track_scripts ?? []).entries()) {
		out.push({path: ['track_scripts', i, 'extra'], text: t.extra, claimed: scriptClaims(t), owner: `track_scripts[${i}]`});
	}
	for (const [i, inst] of doc.vrrp_instances.entries()) {
		const claimed = instanceClaims(inst);
		out.push({path: ['vrrp_instances', i, 'extra'], text: inst.extra, claimed, owner: `vrrp_instances[${i}]`});
		for (const [d, m] of Object.entries(inst.directors)) out.push({path: ['vrrp_instances', i, 'directors', d, 'extra'], text: m.extra, claimed, owner: `vrrp_instances[${i}]`});
	}
	for (const [i, vs] of doc.virtual_servers.entries()) {
		const servers = new Set(vs.real_servers.map((rs) => `real_server ${doc.hosts[rs.host]?.address ?? ''} ${rs.port}`.toLowerCase()));
		out.push({path: ['virtual_servers', i, 'extra'], text: vs.extra, claimed: virtualServerClaims(vs), owner: `virtual_servers[${i}]`, claimedBlocks: servers});
		for (const [j, rs] of vs.real_servers.entries()) {
			const at: FieldPath = ['virtual_servers', i, 'real_servers', j];
			out.push({path: [...at, 'extra'], text: rs.extra, claimed: ['weight', ...(rs.check.type !== 'none' ? [rs.check.type] : [])], owner: formatPath(at)});
			if (rs.check.type !== 'none') out.push({path: [...at, 'check', 'extra'], text: rs.check.extra, claimed: checkClaims(rs.check), owner: formatPath([...at, 'check'])});
		}
	}
	return out;
}

function checkSite(site: TextSite, issues: ConfTextIssue[]): void {
	if (site.text === undefined) return;
	const parsed = parseConfText(site.text);
	if (!parsed.ok) {
		issues.push({path: site.path, message: parsed.error.message, inner: parsed.error.loc});
		return;
	}
	for (const node of parsed.tree) {
		const inner = node.loc ? {line: node.loc.line, col: node.loc.col} : undefined;
		const block = `${node.keyword} ${node.args.join(' ')}`.toLowerCase();
		if (site.claimed.includes(node.keyword)) {
			issues.push({path: site.path, message: `${node.keyword} is written from the typed fields of ${site.owner}; set it there, not here`, ...(inner ? {inner} : {})});
		} else if (site.claimedBlocks?.has(block)) {
			issues.push({path: site.path, message: `${node.keyword} ${node.args.join(' ')} is already a typed block of this profile; edit that one`, ...(inner ? {inner} : {})});
		}
	}
}

/** Syntax errors and typed keywords in profile text, each with the line inside the text. */
export function checkConfExtras(doc: Doc): ConfTextIssue[] {
	const issues: ConfTextIssue[] = [];
	for (const [name, host] of Object.entries(doc.hosts)) {
		if (host.keepalived && host.role !== 'director') issues.push({path: ['hosts', name, 'keepalived'], message: `only a director has keepalived settings (${name} is a ${host.role})`});
	}
	for (const site of sites(doc)) checkSite(site, issues);
	return issues;
}

/**
 * Where line `inner.line`, column `inner.col` of the text at `path` is in the YAML file. Exact for
 * block scalars (`|`), the usual form; other forms map to the start of the value.
 */
export function locateInText(doc: Document, counter: LineCounter, source: string, path: FieldPath, inner: {line: number; col: number} | undefined): Position {
	const at = locate(doc, counter, path);
	const node = doc.getIn(path, true);
	if (!inner || !isScalar(node) || !node.range) return at;
	if (node.type !== 'BLOCK_LITERAL' && node.type !== 'BLOCK_FOLDED') return inner.line === 1 ? {line: at.line, col: at.col + inner.col} : at;
	const lines = source.split('\n');
	const header = counter.linePos(node.range[0]).line;
	const content = lines.slice(header).find((l) => l.trim() !== '') ?? '';
	const indent = content.length - content.trimStart().length;
	return {line: header + inner.line, col: indent + inner.col};
}

// Directors' configs merged into one profile document (YAML shape). A block becomes typed profile
// fields when the typed fields hold it exactly on every director that has it; what a block has on
// every one of its directors is shared, what differs is per director; anything else stays
// keepalived text, verbatim. `demoted` names blocks an earlier round found the typed fields could
// not hold after all (they then stay text); merge reports further ones it finds itself.
import {isIP} from 'node:net';
import {canonicalNode, configFields, globalDefsSpec, serializeNodes, type KeepalivedConfig, type SyntaxNode, type VirtualServer, type VrrpInstance, type VrrpScript, type VrrpSyncGroup} from '../../keepalived-conf/index.js';
import {ADDRESS_UNKNOWN} from '../../profile/conf-extras.js';
import {
	instanceExtra,
	liftInstance,
	liftRealServer,
	liftScript,
	liftSyncGroup,
	liftVirtualServer,
	nodesExcept,
	realServerKey,
	realServerNodes,
	virtualServerKey,
	type Doc,
	type InstanceTyping,
	type LiftedInstance,
	type LiftedRealServer,
	type LiftedScript,
} from './lift.js';

export interface DirectorConfig {
	/** The director's host name in the profile. */
	readonly name: string;
	/** Its address when known (from the command line or the SSH target). */
	readonly address?: string;
	/** The config as keepalived reads it on this director (its config id), includes followed. */
	readonly config: KeepalivedConfig;
	/** The keepalived version it runs, when known (`keepalived --version` over SSH). */
	readonly keepalivedVersion?: string;
}

/** Blocks kept as keepalived text, with why: `instance:VI_1`, `script:chk`, `group:G1`, `vs:KEY`, `rs:VSKEY|RSKEY`, `check:VSKEY|RSKEY`, `auth:VI_1`, `track:VI_1`, `unicast:VI_1`. */
export type Demotions = Map<string, string>;

export interface MergeOptions {
	readonly demoted: Demotions;
	/** Real server host names by address (`--name`); others are named `rs-10-0-0-1`. */
	readonly names?: ReadonlyMap<string, string>;
}

/** Where each typed block sits in the document, to map a validation problem back to the block. */
export interface DocIndex {
	readonly scripts: string[];
	readonly instances: string[];
	/** Typed vrrp_sync_groups, by name. */
	readonly groups: string[];
	readonly virtualServers: string[];
	readonly realServers: string[][];
}

export interface MergeResult {
	readonly doc: Doc;
	readonly index: DocIndex;
	/** Blocks found untypable in this round (merge again with them demoted). */
	readonly demote: Demotions;
	/** Director addresses the configs gave (unicast_src_ip), for the caller's comments. */
	readonly addressSource: ReadonlyMap<string, string>;
}

// ---- shared helpers -----------------------------------------------------------------------------

const text = (nodes: readonly SyntaxNode[]): string | undefined => (nodes.length > 0 ? serializeNodes(nodes) : undefined);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const canon = (nodes: readonly SyntaxNode[]): string[] => nodes.map((n) => canonicalNode(n, false)).sort();

/** Lines present on every list (as a multiset), in the first list's order; and what is left of each. */
export function splitCommon(lists: ReadonlyArray<readonly SyntaxNode[]>): {common: SyntaxNode[]; rest: SyntaxNode[][]} {
	if (lists.length === 0) return {common: [], rest: []};
	const counts = lists.map((l) => {
		const m = new Map<string, number>();
		for (const n of l) m.set(canonicalNode(n, false), (m.get(canonicalNode(n, false)) ?? 0) + 1);
		return m;
	});
	const common: SyntaxNode[] = [];
	const taken = new Map<string, number>();
	for (const n of lists[0]!) {
		const k = canonicalNode(n, false);
		const t = taken.get(k) ?? 0;
		if (counts.every((m) => (m.get(k) ?? 0) > t)) {
			common.push(n);
			taken.set(k, t + 1);
		}
	}
	const rest = lists.map((l) => {
		const left = new Map(taken);
		return l.filter((n) => {
			const k = canonicalNode(n, false);
			const t = left.get(k) ?? 0;
			if (t > 0) {
				left.set(k, t - 1);
				return false;
			}
			return true;
		});
	});
	return {common, rest};
}

/** Blocks by name (or key) on each director, in order of first appearance; a name given twice on one director is `duplicate`. */
function byKey<T>(dirs: readonly DirectorConfig[], list: (c: KeepalivedConfig) => readonly T[], key: (x: T) => string): Array<{key: string; on: Map<string, T>; duplicate: boolean}> {
	const out = new Map<string, {key: string; on: Map<string, T>; duplicate: boolean}>();
	for (const d of dirs) {
		for (const x of list(d.config)) {
			const k = key(x);
			const entry = out.get(k) ?? {key: k, on: new Map<string, T>(), duplicate: false};
			if (entry.on.has(d.name)) entry.duplicate = true;
			entry.on.set(d.name, x);
			out.set(k, entry);
		}
	}
	return [...out.values()];
}

/** Director addresses: given, else the first unicast_src_ip of its config, else unknown; never two alike. */
function directorAddresses(dirs: readonly DirectorConfig[]): {address: Map<string, string>; source: Map<string, string>} {
	const address = new Map<string, string>();
	const source = new Map<string, string>();
	const used = new Set(dirs.flatMap((d) => (d.address ? [d.address] : [])));
	for (const d of dirs) {
		if (d.address) {
			address.set(d.name, d.address);
			continue;
		}
		const fromConfig = d.config.vrrpInstances.map((vi) => vi.unicastSrcIp).find((a) => a !== undefined && isIP(a) !== 0 && !used.has(a));
		if (fromConfig) {
			used.add(fromConfig);
			source.set(d.name, 'unicast_src_ip');
		}
		address.set(d.name, fromConfig ?? ADDRESS_UNKNOWN);
	}
	return {address, source};
}

// ---- the merge ------------------------------------------------------------------------------------

interface TypedInstance {
	readonly name: string;
	readonly doc: Doc;
	readonly members: ReadonlySet<string>;
	readonly trackScripts: readonly string[];
	readonly vips: ReadonlySet<string>;
}

class Merge {
	readonly demote: Demotions = new Map();
	private readonly address: Map<string, string>;
	readonly addressSource: Map<string, string>;
	private readonly typedScripts = new Map<string, {lifted: LiftedScript; on: Set<string>}>();
	private readonly typedInstances: TypedInstance[] = [];
	private readonly typedGroups: Array<{name: string; instances: string[]}> = [];
	/** Blocks that stay text, per director. */
	private readonly text = {
		scripts: new Map<string, VrrpScript[]>(),
		instances: new Map<string, VrrpInstance[]>(),
		syncGroups: new Map<string, VrrpSyncGroup[]>(),
		virtualServers: new Map<string, VirtualServer[]>(),
	};

	constructor(
		private readonly dirs: readonly DirectorConfig[],
		private readonly options: MergeOptions,
	) {
		const a = directorAddresses(dirs);
		this.address = a.address;
		this.addressSource = a.source;
		for (const d of dirs) {
			this.text.scripts.set(d.name, []);
			this.text.instances.set(d.name, []);
			this.text.syncGroups.set(d.name, []);
			this.text.virtualServers.set(d.name, []);
		}
	}

	private demoted(key: string): boolean {
		return this.options.demoted.has(key);
	}

	private keepAsText<T>(kind: 'scripts' | 'instances' | 'syncGroups' | 'virtualServers', on: Map<string, T>): void {
		for (const [d, x] of on) (this.text[kind].get(d) as T[]).push(x);
	}

	scripts(): void {
		for (const {key: name, on, duplicate} of byKey(this.dirs, (c) => c.vrrpScripts, (s) => s.name)) {
			const lifted = [...on.values()].map(liftScript);
			const first = lifted[0];
			const typable = !duplicate && !this.demoted(`script:${name}`) && first !== undefined && lifted.every((l) => l !== undefined && same(l.doc, first.doc) && same(canon(l.extra), canon(first.extra)));
			if (typable) this.typedScripts.set(name, {lifted: first, on: new Set(on.keys())});
			else this.keepAsText('scripts', on);
		}
	}

	private instanceTyping(name: string, on: Map<string, VrrpInstance>, lifted: readonly LiftedInstance[]): InstanceTyping {
		const members = [...on.keys()];
		const firstAuth = lifted[0]!.authentication;
		const authentication = !this.demoted(`auth:${name}`) && firstAuth !== undefined && lifted.every((l) => same(l.authentication, firstAuth));
		const names = lifted[0]!.trackNames;
		const trackScripts = !this.demoted(`track:${name}`) && names !== undefined && lifted.every((l) => same(l.trackNames, names)) && names.every((n) => this.typedScripts.has(n));
		const unicast =
			!this.demoted(`unicast:${name}`) &&
			members.every((d, i) => {
				const me = this.address.get(d)!;
				const others = members.filter((x) => x !== d).map((x) => this.address.get(x)!);
				const peers = lifted[i]!.unicastPeers;
				if (me === ADDRESS_UNKNOWN || others.includes(ADDRESS_UNKNOWN) || lifted[i]!.unicastSrc !== me) return false;
				return others.length === 0 ? peers === undefined : peers !== undefined && same([...peers].sort(), [...others].sort());
			});
		const group = lifted[0]!.mcastDst;
		const multicastGroup = !unicast && group !== undefined && isIP(group) === 4 && lifted.every((l) => l.mcastDst === group);
		return {authentication, trackScripts, unicast, multicastGroup};
	}

	instances(): void {
		for (const {key: name, on, duplicate} of byKey(this.dirs, (c) => c.vrrpInstances, (vi) => vi.name)) {
			const lifted = [...on.values()].map(liftInstance);
			const first = lifted[0];
			if (duplicate || this.demoted(`instance:${name}`) || first === undefined || lifted.some((l) => l === undefined || !same(l.shared, first.shared))) {
				this.keepAsText('instances', on);
				continue;
			}
			const all = lifted as LiftedInstance[];
			const typing = this.instanceTyping(name, on, all);
			const extras = splitCommon([...on.values()].map((vi) => instanceExtra(vi, typing)));
			const directors: Doc = {};
			[...on.keys()].forEach((d, i) => {
				const own = text(extras.rest[i]!);
				directors[d] = {...all[i]!.member, ...(own !== undefined ? {extra: own} : {})};
			});
			const {omit, vips, preempt, ...head} = first.shared;
			const doc: Doc = {
				...head,
				...(typing.authentication ? {authentication: first.authentication} : {}),
				unicast: typing.unicast,
				...(typing.multicastGroup ? {multicast_group: first.mcastDst} : {}),
				preempt,
				directors,
				vips,
				...(typing.trackScripts ? {track_scripts: first.trackNames} : {}),
				...(extras.common.length > 0 ? {extra: text(extras.common)} : {}),
				...(omit !== undefined ? {omit} : {}),
			};
			const vipAddresses = new Set((vips as Array<{address: string}>).map((v) => v.address.split('/')[0]!.toLowerCase()));
			this.typedInstances.push({name, doc, members: new Set(on.keys()), trackScripts: typing.trackScripts ? first.trackNames! : [], vips: vipAddresses});
		}
	}

	/**
	 * A sync group is typed when it is only its list of typed instances, the same wherever it is, and on
	 * exactly the directors that run them (the render writes it there); anything else stays text whole.
	 */
	syncGroups(): void {
		for (const {key: name, on, duplicate} of byKey(this.dirs, (c) => c.vrrpSyncGroups, (g) => g.name)) {
			const lifted = [...on.values()].map(liftSyncGroup);
			const first = lifted[0];
			const typed = first?.map((n) => this.typedInstances.find((i) => i.name === n));
			const runners = new Set(typed?.flatMap((i) => (i ? [...i.members] : [])));
			const typable =
				!duplicate &&
				!this.demoted(`group:${name}`) &&
				first !== undefined &&
				lifted.every((l) => l !== undefined && same(l, first)) &&
				typed!.every((i) => i !== undefined) &&
				runners.size === on.size &&
				[...on.keys()].every((d) => runners.has(d));
			if (typable) this.typedGroups.push({name, instances: first});
			else this.keepAsText('syncGroups', on);
		}
	}

	/** A typed script is written on the directors whose typed instances track it: it must be on exactly those. */
	settleScripts(): void {
		for (const [name, s] of this.typedScripts) {
			const users = new Set(this.typedInstances.filter((i) => i.trackScripts.includes(name)).flatMap((i) => [...i.members]));
			if (users.size !== s.on.size || [...s.on].some((d) => !users.has(d))) {
				this.demote.set(`script:${name}`, users.size === 0 ? 'no typed vrrp_instance tracks it' : 'not on exactly the directors whose instances track it');
			}
		}
	}

	/** `--name` for the address, else `rs-10-0-0-1`; never a director's name or another address's. */
	private realServerName(address: string, taken: ReadonlyMap<string, string>): string {
		const base = this.options.names?.get(address) ?? `rs-${address.toLowerCase().replace(/[.:]/g, '-')}`.replace(/-+$/, '');
		let name = base;
		for (let n = 2; this.dirs.some((d) => d.name === name) || (taken.has(name) && taken.get(name) !== address); n++) name = `${base}-${n}`;
		return name;
	}

	virtualServers(): {docs: Doc[]; index: string[]; rsIndex: string[][]; hosts: Map<string, string>} {
		const directorAddresses = new Set([...this.address.values()]);
		const docs: Doc[] = [];
		const index: string[] = [];
		const rsIndex: string[][] = [];
		const hosts = new Map<string, string>();
		for (const {key, on, duplicate} of byKey(this.dirs, (c) => c.virtualServers, virtualServerKey)) {
			const sample = [...on.values()][0]!;
			const vip = sample.kind === 'address' ? sample.address.toLowerCase() : undefined;
			const carriers = new Set(this.typedInstances.filter((i) => vip !== undefined && i.vips.has(vip)).flatMap((i) => [...i.members]));
			const shapes = [...on.values()].map((vs) => this.liftServer(key, vs, directorAddresses));
			const first = shapes[0];
			const typable =
				!duplicate &&
				!this.demoted(`vs:${key}`) &&
				first !== undefined &&
				first.servers.length > 0 &&
				shapes.every((s) => s !== undefined && same(s.signature, first.signature)) &&
				carriers.size === on.size &&
				[...on.keys()].every((d) => carriers.has(d));
			if (!typable) {
				this.keepAsText('virtualServers', on);
				continue;
			}
			const realServers = first.servers.map((rs) => {
				const host = [...hosts].find(([, a]) => a === rs.address)?.[0] ?? this.realServerName(rs.address, hosts);
				hosts.set(host, rs.address);
				return {host, ...rs.doc, ...(rs.check ? {check: {...rs.check.doc, ...(rs.check.extra.length > 0 ? {extra: text(rs.check.extra)} : {})}} : {}), ...(rs.extra.length > 0 ? {extra: text(rs.extra)} : {})};
			});
			const {omit, ...head} = first.doc;
			docs.push({...head, real_servers: realServers, ...(first.extra.length > 0 ? {extra: text(first.extra)} : {}), ...(omit !== undefined ? {omit} : {})});
			index.push(key);
			rsIndex.push(first.servers.map((rs) => `${key}|${rs.key}`));
		}
		return {docs, index, rsIndex, hosts};
	}

	private liftServer(key: string, vs: VirtualServer, directorAddresses: ReadonlySet<string>): {doc: Doc; extra: SyntaxNode[]; servers: Array<LiftedRealServer & {key: string}>; signature: unknown} | undefined {
		const lifted = liftVirtualServer(vs);
		if (!lifted) return undefined;
		const keys = vs.realServers.map(realServerKey);
		const servers: Array<LiftedRealServer & {key: string}> = [];
		const textServers: SyntaxNode[] = [];
		vs.realServers.forEach((rs, i) => {
			const rsKey = keys[i]!;
			const typed =
				!this.demoted(`rs:${key}|${rsKey}`) && keys.indexOf(rsKey) === keys.lastIndexOf(rsKey) && !directorAddresses.has(rs.address) ? liftRealServer(rs, !this.demoted(`check:${key}|${rsKey}`)) : undefined;
			if (typed) servers.push({...typed, key: rsKey});
			else textServers.push(...realServerNodes(rs));
		});
		const extra = [...lifted.extra, ...textServers];
		const signature = {doc: lifted.doc, extra: canon(extra), servers: servers.map((s) => ({key: s.key, doc: s.doc, check: s.check ? {doc: s.check.doc, extra: canon(s.check.extra)} : null, extra: canon(s.extra)}))};
		return {doc: lifted.doc, extra, servers, signature};
	}

	/** global_defs lines (router_id apart) per director, with the script-security pair settled; and whether lvsdeck adds that pair. */
	private globalDefs(): {lines: Map<string, SyntaxNode[] | undefined>; auto: boolean} {
		const scriptsOn = (d: string) => this.typedInstances.some((i) => i.members.has(d) && i.trackScripts.length > 0);
		const lines = new Map<string, SyntaxNode[] | undefined>();
		for (const d of this.dirs) {
			const gd = d.config.globalDefs;
			lines.set(d.name, gd ? nodesExcept(globalDefsSpec.fields, gd, new Set(['routerId'])) : undefined);
		}
		const security = (n: SyntaxNode) => n.keyword === 'enable_script_security' || n.keyword === 'script_user';
		const auto = this.dirs.every((d) => !scriptsOn(d.name) || (lines.get(d.name) ?? []).some(security));
		if (auto) {
			// Where exactly lvsdeck's own pair is written, leave it to the renderer (it adds it back).
			for (const d of this.dirs) {
				const l = lines.get(d.name);
				if (!l || !scriptsOn(d.name)) continue;
				const found = l.filter(security);
				const exact = found.length === 2 && found.some((n) => n.keyword === 'enable_script_security' && n.args.length === 0) && found.some((n) => n.keyword === 'script_user' && same(n.args, ['root']));
				if (exact) lines.set(d.name, l.filter((n) => !security(n)));
			}
		}
		return {lines, auto};
	}

	/** Top-level lines per director: everything not typed, in keepalived-conf's order. */
	private topLevel(d: DirectorConfig): SyntaxNode[] {
		const c = d.config;
		const rest: KeepalivedConfig = {
			...c,
			vrrpScripts: this.text.scripts.get(d.name)!,
			vrrpInstances: this.text.instances.get(d.name)!,
			vrrpSyncGroups: this.text.syncGroups.get(d.name)!,
			virtualServers: this.text.virtualServers.get(d.name)!,
		};
		return nodesExcept(configFields, rest, new Set(['globalDefs']));
	}

	build(): MergeResult {
		this.scripts();
		this.instances();
		this.syncGroups();
		this.settleScripts();
		const vs = this.virtualServers();
		for (const [name, s] of this.typedScripts) if (this.demote.has(`script:${name}`)) this.keepAsText('scripts', new Map([...s.on].map((d) => [d, this.dirs.find((x) => x.name === d)!.config.vrrpScripts.find((x) => x.name === name)!])));
		const typedScripts = [...this.typedScripts].filter(([name]) => !this.demote.has(`script:${name}`));

		const gd = this.globalDefs();
		const everyHasGd = this.dirs.every((d) => gd.lines.get(d.name) !== undefined);
		const gdSplit = everyHasGd ? splitCommon(this.dirs.map((d) => gd.lines.get(d.name)!)) : undefined;
		const top = splitCommon(this.dirs.map((d) => this.topLevel(d)));

		const hosts: Doc = {};
		this.dirs.forEach((d, i) => {
			const routerId = d.config.globalDefs?.routerId;
			const ownGd = gdSplit ? gdSplit.rest[i]! : gd.lines.get(d.name);
			const keepalived: Doc = {};
			if (routerId === undefined) keepalived.router_id = false;
			else if (routerId !== d.name) keepalived.router_id = routerId;
			const ownText = ownGd && ownGd.length > 0 ? serializeNodes(ownGd) : undefined;
			const sharedGd = gdSplit !== undefined && gdSplit.common.length > 0;
			const autoHere = gd.auto && this.typedInstances.some((t) => t.members.has(d.name) && t.trackScripts.length > 0);
			if (ownText !== undefined) keepalived.global_defs = ownText;
			// An empty global_defs block is still a block: say so, or the render would leave it out.
			else if (ownGd !== undefined && routerId === undefined && !sharedGd && !autoHere) keepalived.global_defs = '';
			const ownTop = text(top.rest[i]!);
			if (ownTop !== undefined) keepalived.extra = ownTop;
			hosts[d.name] = {address: this.address.get(d.name), role: 'director', ...(Object.keys(keepalived).length > 0 ? {keepalived} : {})};
		});
		for (const [name, address] of vs.hosts) hosts[name] = {address, role: 'realserver'};

		const keepalived: Doc = {};
		if (gdSplit && gdSplit.common.length > 0) keepalived.global_defs = serializeNodes(gdSplit.common);
		if (top.common.length > 0) keepalived.extra = serializeNodes(top.common);
		if (!gd.auto) keepalived.auto_script_security = false;

		const doc: Doc = {
			hosts,
			...(Object.keys(keepalived).length > 0 ? {keepalived} : {}),
			...(typedScripts.length > 0
				? {track_scripts: typedScripts.map(([, s]) => ({...s.lifted.doc, ...(s.lifted.extra.length > 0 ? {extra: text(s.lifted.extra)} : {})}))}
				: {}),
			vrrp_instances: this.typedInstances.map((i) => i.doc),
			...(this.typedGroups.length > 0 ? {vrrp_sync_groups: this.typedGroups.map((g) => ({name: g.name, instances: g.instances}))} : {}),
			virtual_servers: vs.docs,
		};
		// omit goes last in each typed script, for reading.
		for (const s of (doc.track_scripts as Doc[] | undefined) ?? []) {
			const {omit, ...rest} = s;
			Object.keys(s).forEach((k) => delete s[k]);
			Object.assign(s, rest, omit !== undefined ? {omit} : {});
		}
		const index: DocIndex = {
			scripts: typedScripts.map(([n]) => n),
			instances: this.typedInstances.map((i) => i.name),
			groups: this.typedGroups.map((g) => g.name),
			virtualServers: vs.index,
			realServers: vs.rsIndex,
		};
		return {doc, index, demote: this.demote, addressSource: this.addressSource};
	}
}

export function mergeDirectors(dirs: readonly DirectorConfig[], options: MergeOptions): MergeResult {
	return new Merge(dirs, options).build();
}

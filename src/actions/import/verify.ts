// Proof that a merged profile holds the directors' configs: it must validate as any profile does,
// and render, for every director, a config semantically equal to the one it came from. A typed
// block that fails either is named, to stay keepalived text in the next round; a difference no
// block explains is an internal error (it would mean text was lost).
import {compareKeepalivedConf, emptyConfig, formatDifference, parseKeepalivedConf, type KeepalivedConfig, type VirtualServer} from '../../keepalived-conf/index.js';
import {profileSchema, type ProfileDoc} from '../../profile/schema.js';
import {crossCheck} from '../../profile/cross-check.js';
import {checkConfExtras} from '../../profile/conf-extras.js';
import {formatPath, type FieldPath} from '../../profile/locate.js';
import {statedKeepalivedVersion, type Profile} from '../../profile/model.js';
import {renderKeepalivedConf} from '../../render/keepalived-conf.js';
import {realServerKey, virtualServerKey} from './lift.js';
import type {Demotions, DirectorConfig, DocIndex} from './merge.js';

export class ImportInternalError extends Error {
	constructor(message: string) {
		super(`import: internal error (please report it): ${message}`);
		this.name = 'ImportInternalError';
	}
}

/** The block a profile problem at `path` belongs to, as a demotion key. */
function blockAt(path: FieldPath, index: DocIndex): string | undefined {
	const [section, i, sub, j, subsub] = path;
	if (typeof i !== 'number') return undefined;
	if (section === 'track_scripts') return index.scripts[i] !== undefined ? `script:${index.scripts[i]}` : undefined;
	if (section === 'vrrp_instances') {
		const name = index.instances[i];
		if (name === undefined) return undefined;
		if (sub === 'authentication') return `auth:${name}`;
		if (sub === 'track_scripts') return `track:${name}`;
		return `instance:${name}`;
	}
	if (section === 'vrrp_sync_groups') return index.groups[i] !== undefined ? `group:${index.groups[i]}` : undefined;
	if (section === 'virtual_servers') {
		const rs = typeof j === 'number' && sub === 'real_servers' ? index.realServers[i]?.[j] : undefined;
		if (rs !== undefined) return subsub === 'check' ? `check:${rs}` : `rs:${rs}`;
		return index.virtualServers[i] !== undefined ? `vs:${index.virtualServers[i]}` : undefined;
	}
	return undefined;
}

export type Validation = {readonly ok: true; readonly doc: ProfileDoc} | {readonly ok: false; readonly demote: Demotions};

/** The document as the profile loader checks it; problems in typed blocks become demotions. */
export function validateDoc(raw: unknown, index: DocIndex): Validation {
	const parsed = profileSchema.safeParse(raw);
	const issues: Array<{path: FieldPath; message: string}> = parsed.success
		? [...crossCheck(parsed.data), ...checkConfExtras(parsed.data)].map((i) => ({path: i.path, message: i.message}))
		: parsed.error.issues.map((i) => ({path: i.path as FieldPath, message: i.message}));
	if (issues.length === 0 && parsed.success) return {ok: true, doc: parsed.data};
	const demote: Demotions = new Map();
	for (const issue of issues) {
		const key = blockAt(issue.path, index);
		if (key === undefined) throw new ImportInternalError(`${formatPath(issue.path)}: ${issue.message}`);
		if (!demote.has(key)) demote.set(key, `${formatPath(issue.path)}: ${issue.message}`);
	}
	return {ok: false, demote};
}

function only(patch: Partial<KeepalivedConfig>): KeepalivedConfig {
	return {...emptyConfig(), ...patch};
}

function differs(a: Partial<KeepalivedConfig>, b: Partial<KeepalivedConfig>): string | undefined {
	const first = compareKeepalivedConf(only(a), only(b))[0];
	return first ? formatDifference(first, {a: 'director', b: 'rendered'}) : undefined;
}

/** Which typed virtual server part differs: the server itself, one real server, or its checker. */
function serverDemotions(key: string, a: VirtualServer, b: VirtualServer, rsKeys: readonly string[], out: Demotions): void {
	const head = differs({virtualServers: [{...a, realServers: []}]}, {virtualServers: [{...b, realServers: []}]});
	if (head) {
		out.set(`vs:${key}`, head);
		return;
	}
	for (const rsKey of rsKeys) {
		const want = rsKey.slice(key.length + 1);
		const ra = a.realServers.find((r) => realServerKey(r) === want);
		const rb = b.realServers.find((r) => realServerKey(r) === want);
		if (!ra || !rb) {
			out.set(`rs:${rsKey}`, `real_server ${want} ${ra ? 'not rendered' : 'not on the director'}`);
			continue;
		}
		const plain = differs({virtualServers: [{...a, realServers: [{...ra, checks: []}]}]}, {virtualServers: [{...b, realServers: [{...rb, checks: []}]}]});
		if (plain) out.set(`rs:${rsKey}`, plain);
		else {
			const checks = differs({virtualServers: [{...a, realServers: [ra]}]}, {virtualServers: [{...b, realServers: [rb]}]});
			if (checks) out.set(`check:${rsKey}`, checks);
		}
	}
}

/** Render every director and compare with its config, block by typed block. */
export function compareRendered(profile: Profile, dirs: readonly DirectorConfig[], index: DocIndex): Demotions {
	const demote: Demotions = new Map();
	for (const d of dirs) {
		const version = statedKeepalivedVersion(profile, d.name);
		const rendered = parseKeepalivedConf(renderKeepalivedConf(profile, d.name, version ? {keepalivedVersion: version} : {}), {file: `rendered for ${d.name}`, configId: d.name});
		if (!rendered.ok) throw new ImportInternalError(`the rendered config for ${d.name} does not parse: ${rendered.error.message}`);
		const a = d.config;
		const b = rendered.config;
		for (const name of index.scripts) {
			const why = differs({vrrpScripts: a.vrrpScripts.filter((s) => s.name === name)}, {vrrpScripts: b.vrrpScripts.filter((s) => s.name === name)});
			if (why) demote.set(`script:${name}`, why);
		}
		for (const name of index.instances) {
			const why = differs({vrrpInstances: a.vrrpInstances.filter((s) => s.name === name)}, {vrrpInstances: b.vrrpInstances.filter((s) => s.name === name)});
			if (why) demote.set(`instance:${name}`, why);
		}
		for (const name of index.groups) {
			const why = differs({vrrpSyncGroups: a.vrrpSyncGroups.filter((g) => g.name === name)}, {vrrpSyncGroups: b.vrrpSyncGroups.filter((g) => g.name === name)});
			if (why) demote.set(`group:${name}`, why);
		}
		index.virtualServers.forEach((key, i) => {
			const va = a.virtualServers.find((v) => virtualServerKey(v) === key);
			const vb = b.virtualServers.find((v) => virtualServerKey(v) === key);
			if (va && vb) serverDemotions(key, va, vb, index.realServers[i] ?? [], demote);
			else if (va || vb) demote.set(`vs:${key}`, `virtual_server ${key} ${va ? 'not rendered' : 'not on the director'}`);
		});
		if (demote.size > 0) continue;
		const rest = compareKeepalivedConf(a, b);
		if (rest.length > 0) throw new ImportInternalError(`${d.name}: the rendered config differs: ${formatDifference(rest[0]!, {a: 'director', b: 'rendered'})}`);
	}
	return demote;
}

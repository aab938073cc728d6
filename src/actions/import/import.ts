// `lvsdeck import`, the part that touches no host: read each director's keepalived.conf (includes
// followed, conditional lines evaluated for its config id), merge the directors into one profile,
// prove it renders back what each director had, and write it as commented YAML.
import {readdirSync, readFileSync, statSync} from 'node:fs';
import {
	formatDiagnostic,
	parseKeepalivedConfFile,
	type ConfigFileReader,
	type KeepalivedConfig,
	type SyntaxNode,
	type VirtualServer,
} from '../../keepalived-conf/index.js';
import {parseProfile} from '../../profile/load.js';
import {resolveProfile, type ResolveOptions} from '../../profile/resolve.js';
import type {Profile} from '../../profile/model.js';
import {renderForVersion} from '../../render/keepalived-conf.js';
import {virtualServerKey, type Doc} from './lift.js';
import {mergeDirectors, type Demotions, type DirectorConfig, type DocIndex, type MergeResult} from './merge.js';
import {profileYaml, type YamlComments} from './profile-yaml.js';
import {compareRendered, ImportInternalError, validateDoc} from './verify.js';

export {ImportInternalError} from './verify.js';

/** A config keepalived would not read (or could not be read): one line, file:line:col first. */
export class ImportError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ImportError';
	}
}

export interface DirectorSource {
	/** The director's host name in the profile. */
	readonly name: string;
	readonly address?: string;
	/** keepalived's config id on that director (`@id` lines): its short host name unless started with -i. */
	readonly configId: string;
	/** The main file, as `files` knows it. */
	readonly file: string;
	readonly files: ConfigFileReader;
	/** Put before file:line:col in messages (`dir1:` for files read over SSH). */
	readonly where?: string;
	/** The keepalived version the director runs (`keepalived --version`), when known. */
	readonly keepalivedVersion?: string;
}

/** Files on this machine, for --conf. */
export const localFiles: ConfigFileReader = {
	readFile(p) {
		try {
			return statSync(p).isFile() ? readFileSync(p, 'utf8') : undefined;
		} catch {
			return undefined;
		}
	},
	listDirectory(p) {
		try {
			return readdirSync(p);
		} catch {
			return undefined;
		}
	},
};

/** The evaluated view is this director's own: conditions are dropped, and lines keepalived ignores with them. */
function evaluated<T>(value: T): T {
	if (Array.isArray(value)) return value.map((v) => evaluated(v)) as T;
	if (value === null || typeof value !== 'object') return value;
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(value)) {
		if (k === 'ignored' && Array.isArray(v)) out[k] = [];
		else if (k === 'extra' && Array.isArray(v)) out[k] = (v as SyntaxNode[]).map(withoutCondition);
		else out[k] = evaluated(v);
	}
	return out as T;
}

function withoutCondition(node: SyntaxNode): SyntaxNode {
	const {condition: _, children, ...rest} = node;
	return children === undefined ? rest : {...rest, children: children.map(withoutCondition)};
}

export interface ReadConfigs {
	readonly dirs: DirectorConfig[];
	/** keepalived's warnings, file:line:col: message (fix: ...), each once. */
	readonly warnings: string[];
}

/** Parse every director's config; the first one keepalived could not read is an ImportError. */
export function readDirectorConfigs(sources: readonly DirectorSource[]): ReadConfigs {
	const warnings: string[] = [];
	const dirs: DirectorConfig[] = [];
	for (const s of sources) {
		const parsed = parseKeepalivedConfFile(s.file, {files: s.files, configId: s.configId});
		const where = s.where ?? '';
		for (const d of parsed.diagnostics) {
			const line = `${where}${formatDiagnostic(d)}`;
			if (!warnings.includes(line)) warnings.push(line);
		}
		if (!parsed.ok) throw new ImportError(`${where}${formatDiagnostic(parsed.error)}`);
		dirs.push({name: s.name, ...(s.address ? {address: s.address} : {}), ...(s.keepalivedVersion ? {keepalivedVersion: s.keepalivedVersion} : {}), config: evaluated(parsed.config)});
	}
	return {dirs, warnings};
}

export interface ImportSettings {
	readonly profileName: string;
	readonly description?: string;
	/** Where the profile will be (relative paths in it resolve from there). */
	readonly profileFile: string;
	/** Real server host names by address (`--name`). */
	readonly names?: ReadonlyMap<string, string>;
	readonly station?: Doc;
	readonly ssh?: Doc;
	/** Per-director SSH settings (user, port, config_alias). */
	readonly hostSsh?: ReadonlyMap<string, Doc>;
	/** keepalived.conf path on the directors, when not the default. */
	readonly configPath?: string;
	/** Hosts the SSH settings need besides the directors (a jump host). */
	readonly extraHosts?: Readonly<Record<string, Doc>>;
	readonly header: readonly string[];
	readonly resolve?: ResolveOptions;
	/** DR real servers holding their VIPs on a dummy interface (host name → device): their vip_device. */
	readonly vipDevices?: ReadonlyMap<string, string>;
}

export interface ImportResult {
	readonly yaml: string;
	/** The document and comments the YAML was made from (for a redacted copy). */
	readonly doc: Doc;
	readonly comments: YamlComments;
	readonly profile: Profile;
	/** What stayed keepalived text, and why. */
	readonly notes: string[];
	/** Lines the profile renders that a director's keepalived version does not know (it would ignore them). */
	readonly versionWarnings: string[];
}

/**
 * The directors' keepalived versions into the document: keepalived.version when every director reported
 * the same one, else each its own (hosts.NAME.keepalived.version). Render and deploy follow them.
 */
function withVersions(hosts: Record<string, Doc>, keepalived: Doc | undefined, dirs: readonly DirectorConfig[]): Doc | undefined {
	const versions = new Set(dirs.map((d) => d.keepalivedVersion));
	if (versions.size === 1 && dirs[0]?.keepalivedVersion) return {version: dirs[0].keepalivedVersion, ...keepalived};
	for (const d of dirs) {
		const host = hosts[d.name];
		if (d.keepalivedVersion && host) hosts[d.name] = {...host, keepalived: {...(host['keepalived'] as Doc | undefined), version: d.keepalivedVersion}};
	}
	return keepalived;
}

function fullDoc(merged: MergeResult, settings: ImportSettings, dirs: readonly DirectorConfig[] = []): Doc {
	const {hosts, keepalived: mergedKeepalived, ...rest} = merged.doc as {hosts: Record<string, Doc>; keepalived?: Doc};
	const keepalived = withVersions(hosts, mergedKeepalived, dirs);
	for (const [name, ssh] of settings.hostSsh ?? []) if (hosts[name]) hosts[name] = {...hosts[name], ssh};
	for (const [name, host] of Object.entries(settings.extraHosts ?? {})) hosts[name] ??= host;
	for (const [name, device] of settings.vipDevices ?? []) if (hosts[name]?.['role'] === 'realserver') hosts[name] = {...hosts[name], vip_device: device};
	const settingsKeepalived = settings.configPath ? {config_path: settings.configPath} : {};
	const allKeepalived = {...settingsKeepalived, ...keepalived};
	return {
		name: settings.profileName,
		...(settings.description ? {description: settings.description} : {}),
		...(settings.station ? {station: settings.station} : {}),
		...(settings.ssh ? {ssh: settings.ssh} : {}),
		hosts,
		...(Object.keys(allKeepalived).length > 0 ? {keepalived: allKeepalived} : {}),
		...rest,
	};
}

const MAX_ROUNDS = 200;

/** Merge, validate and render-compare until every typed block is proven; the rest stays text. */
function settle(dirs: readonly DirectorConfig[], settings: ImportSettings): {merged: MergeResult; doc: Doc; demoted: Demotions} {
	const demoted: Demotions = new Map();
	for (let round = 0; round < MAX_ROUNDS; round++) {
		const merged = mergeDirectors(dirs, {demoted, ...(settings.names ? {names: settings.names} : {})});
		let found: Demotions = merged.demote;
		const doc = fullDoc(merged, settings, dirs);
		if (found.size === 0) {
			const validation = validateDoc(doc, merged.index);
			if (validation.ok) found = compareRendered(resolveProfile(validation.doc, settings.profileFile, settings.resolve), dirs, merged.index);
			else found = validation.demote;
		}
		if (found.size === 0) return {merged, doc, demoted};
		for (const [k, why] of found) {
			if (demoted.has(k)) throw new ImportInternalError(`${k} was already kept as text (${why})`);
			demoted.set(k, why);
		}
	}
	throw new ImportInternalError(`no stable profile after ${MAX_ROUNDS} rounds`);
}

const LABELS: Record<string, string> = {instance: 'vrrp_instance', script: 'vrrp_script', group: 'vrrp_sync_group', vs: 'virtual_server', rs: 'real_server', check: 'checker of real_server', auth: 'authentication of', track: 'track_script of', unicast: 'unicast peers of'};

/** What stayed keepalived text: demoted blocks with the reason, then blocks the typed fields cannot hold. */
function describeText(dirs: readonly DirectorConfig[], index: DocIndex, demoted: Demotions): string[] {
	const notes = [...demoted].map(([k, why]) => {
		const [kind, ...rest] = k.split(':');
		return `${LABELS[kind!] ?? kind} ${rest.join(':').replace('|', ' real_server ')} stays keepalived text: ${why}`;
	});
	const all = (pick: (c: KeepalivedConfig) => readonly string[]) => [...new Set(dirs.flatMap((d) => pick(d.config)))];
	for (const name of all((c) => c.vrrpInstances.map((i) => i.name))) {
		if (!index.instances.includes(name) && !demoted.has(`instance:${name}`)) notes.push(`vrrp_instance ${name} stays keepalived text: the typed fields cannot hold it as it is (or it differs between directors)`);
	}
	for (const name of all((c) => c.vrrpSyncGroups.map((g) => g.name))) {
		if (!index.groups.includes(name) && !demoted.has(`group:${name}`)) notes.push(`vrrp_sync_group ${name} stays keepalived text: the profile's vrrp_sync_groups hold only a list of two or more typed instances, the same on every director that runs them`);
	}
	for (const key of all((c) => c.virtualServers.map((v: VirtualServer) => virtualServerKey(v)))) {
		if (!index.virtualServers.includes(key) && !demoted.has(`vs:${key}`)) notes.push(`virtual_server ${key} stays keepalived text: the typed fields cannot hold it as it is (or it differs between directors, or no typed instance carries its address)`);
	}
	return notes;
}

/** The profile for these directors, proven to render what each of them had. */
export function buildProfile(dirs: readonly DirectorConfig[], settings: ImportSettings): ImportResult {
	const {merged, doc, demoted} = settle(dirs, settings);
	const comments: YamlComments = {header: settings.header, addressSource: merged.addressSource};
	const yaml = profileYaml(doc, comments);
	// The written text, read back as any profile is, must still render the same.
	const profile = parseProfile(yaml, settings.profileFile, settings.resolve);
	const late = compareRendered(profile, dirs, merged.index);
	if (late.size > 0) throw new ImportInternalError(`the written profile renders differently: ${[...late.values()][0]!}`);
	return {yaml, doc, comments, profile, notes: describeText(dirs, merged.index, demoted), versionWarnings: versionWarnings(profile, dirs)};
}

/** `dir1 (keepalived 1.3.5): virtual_server ... > real_server ...: lvs_method needs keepalived 1.3.6 or later; ...`. */
function versionWarnings(profile: Profile, dirs: readonly DirectorConfig[]): string[] {
	return dirs.flatMap((d) => (d.keepalivedVersion ? renderForVersion(profile, d.name, d.keepalivedVersion).warnings.map((w) => `${d.name} (keepalived ${d.keepalivedVersion}): ${w.message}`) : []));
}

// Drift that means something: the installed keepalived config (includes followed) compared in keepalived
// terms with what the profile renders, so layout, comments and order never count. The director snapshot
// gives the main file's sha256 on every tenth poll; the config itself is read (1 + include levels round
// trips) only when that hash differs from the rendered one and from the last one compared. A config
// with `include` lines can change without its main file changing: it is read again every
// INCLUDES_RECHECK_MS. A read that failed is tried again after RETRY_MS.
import {compareKeepalivedConf, formatDifference, parseKeepalivedConf, type Difference, type KeepalivedConfig} from '../keepalived-conf/index.js';
import type {InstalledConfig} from '../probes/installed-config.js';
import {redactSecrets} from '../text/redact.js';
import type {ConfigDrift, DirectorData, Finding} from './types.js';

export const INCLUDES_RECHECK_MS = 120_000;
export const RETRY_MS = 30_000;

export interface RenderedConfig {
	readonly text: string;
	readonly sha256: string;
}

export interface DriftTrackerOptions {
	/** What the profile renders for a director; undefined for other hosts. */
	readonly rendered: (director: string) => RenderedConfig | undefined;
	/** Reads a director's installed config, includes followed (never throws). */
	readonly read: (director: string) => Promise<InstalledConfig>;
	readonly now?: () => number;
	readonly includesRecheckMs?: number;
	readonly retryMs?: number;
}

/** Per director: the last comparison, kept while the main file's hash stays the same. */
export class ConfigDriftTracker {
	private readonly last = new Map<string, ConfigDrift>();
	private readonly now: () => number;

	constructor(private readonly options: DriftTrackerOptions) {
		this.now = options.now ?? Date.now;
	}

	/** The drift to publish for this installed hash; reads the host only when the cache cannot answer. */
	async update(director: string, installedSha256: string | null | undefined): Promise<ConfigDrift | undefined> {
		const rendered = this.options.rendered(director);
		if (!rendered || installedSha256 === null || installedSha256 === undefined) {
			this.last.delete(director);
			return undefined;
		}
		const cached = this.last.get(director);
		if (cached && this.fresh(cached, installedSha256)) return cached;
		const result = installedSha256 === rendered.sha256 ? this.same(installedSha256) : await this.compare(director, installedSha256, rendered);
		this.last.set(director, result);
		return result;
	}

	private fresh(c: ConfigDrift, sha256: string): boolean {
		if (c.installedSha256 !== sha256) return false;
		const age = this.now() - c.checkedAt;
		if (c.kind === 'unread') return age < (this.options.retryMs ?? RETRY_MS);
		if (c.kind === 'compared' && c.hasIncludes) return age < (this.options.includesRecheckMs ?? INCLUDES_RECHECK_MS);
		return true;
	}

	/** Byte for byte what the profile renders (which has no includes): nothing to read. */
	private same(sha256: string): ConfigDrift {
		return {installedSha256: sha256, checkedAt: this.now(), kind: 'compared', differences: [], hasIncludes: false};
	}

	private async compare(director: string, sha256: string, rendered: RenderedConfig): Promise<ConfigDrift> {
		const base = {installedSha256: sha256, checkedAt: this.now()};
		const installed = await this.options.read(director);
		switch (installed.kind) {
			case 'parsed': {
				// Parsed only now: a host whose file cannot be read (retried every RETRY_MS) costs no parse.
				const profile = this.renderedModel(director, rendered);
				if (typeof profile === 'string') return {...base, kind: 'unread', error: profile};
				return {...base, kind: 'compared', differences: compareKeepalivedConf(installed.config, profile), hasIncludes: installed.hasIncludes};
			}
			case 'invalid':
				return {...base, kind: 'invalid', error: installed.error};
			case 'unread':
				return {...base, kind: 'unread', error: installed.error};
			case 'missing':
				return {...base, kind: 'unread', error: 'the file was gone when it was read'};
		}
	}

	/**
	 * The rendered config's model, or why it does not parse. Parsed for each comparison rather than kept:
	 * a comparison is rare (a new installed hash, an include recheck), and a model per director is about
	 * 160 KB that a fleet console would otherwise hold for its whole run.
	 */
	private renderedModel(director: string, rendered: RenderedConfig): KeepalivedConfig | string {
		const parsed = parseKeepalivedConf(rendered.text, {file: 'rendered keepalived.conf', configId: director});
		return parsed.ok ? parsed.config : `the rendered config does not parse: ${parsed.error.message}`;
	}
}

/** How many differences a finding names before `(+N more)`. */
const SHOWN = 3;

/** `vrrp_instance VI_1 priority: installed 90, profile 100; ... (+2 more)`; never a secret's value. */
export function describeDifferences(differences: readonly Difference[], shown = SHOWN): string {
	const first = differences.slice(0, shown).map((d) => formatDifference(d));
	const more = differences.length - first.length;
	return `${first.join('; ')}${more > 0 ? ` (+${more} more)` : ''}`;
}

/**
 * The drift finding of a director whose installed main file (sha256 `data.configSha256`) is not the
 * rendered one; undefined when the configs are the same in keepalived terms (layout only).
 */
export function driftFinding(director: string, data: DirectorData, configPath: string): Finding | undefined {
	const subject = director;
	if (data.configSha256 === null) return {kind: 'config-drift', severity: 'warning', subject, message: `${director} has no ${configPath}`};
	const drift = data.drift?.installedSha256 === data.configSha256 ? data.drift : undefined;
	if (drift?.kind === 'compared') {
		if (drift.differences.length === 0) return undefined;
		return {kind: 'config-drift', severity: 'warning', subject, message: redactSecrets(`config-drift ${director}: ${describeDifferences(drift.differences)}`)};
	}
	if (drift?.kind === 'invalid') {
		return {kind: 'config-invalid', severity: 'warning', subject, message: redactSecrets(`${director}: the installed config does not parse: ${drift.error}`)};
	}
	const why = drift ? ` (not compared in keepalived terms: ${drift.error})` : '';
	return {kind: 'config-drift', severity: 'warning', subject, message: redactSecrets(`${director}: installed ${configPath} differs from what the profile renders${why}`)};
}

/** A difference as `status --json` and `deploy --json` write it. */
export interface DifferenceEntry {
	readonly path: string;
	readonly keyword: string;
	readonly kind: 'changed' | 'only-installed' | 'only-profile';
	readonly installed?: string;
	readonly profile?: string;
	/** A secret (auth_pass): it differs, its values are never written. */
	readonly secret?: true;
}

export function differenceEntry(d: Difference): DifferenceEntry {
	const kind = d.kind === 'changed' ? 'changed' : d.kind === 'only-a' ? 'only-installed' : 'only-profile';
	return {
		path: d.path,
		keyword: d.keyword,
		kind,
		...(d.secret ? {secret: true as const} : {}),
		...(!d.secret && d.a !== undefined ? {installed: d.a} : {}),
		...(!d.secret && d.b !== undefined ? {profile: d.b} : {}),
	};
}

/** The entry in the finding's words: `vrrp_instance VI_1 priority: installed 90, profile 100`. */
export function formatDifferenceEntry(e: DifferenceEntry): string {
	const kind = e.kind === 'changed' ? 'changed' : e.kind === 'only-installed' ? 'only-a' : 'only-b';
	return formatDifference({path: e.path, keyword: e.keyword, kind, ...(e.installed !== undefined ? {a: e.installed} : {}), ...(e.profile !== undefined ? {b: e.profile} : {}), ...(e.secret ? {secret: true} : {})});
}

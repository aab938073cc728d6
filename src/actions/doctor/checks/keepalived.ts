// keepalived itself on each director: its version and build (the same on every director), `keepalived
// -t` on the installed file (keepalived's own verdict: any exit but 0, or anything on stderr, fails;
// a missing file gives 0 with a message), and keywords this version ignores or has renamed. Pure.
import {adaptToVersion, compareKeepalivedVersions, filesFromMap, parseKeepalivedTree, type SyntaxNode} from '../../../keepalived-conf/index.js';
import type {KeepalivedConfig} from '../../../keepalived-conf/index.js';
import type {InstalledConfig} from '../../../probes/installed-config.js';
import type {Profile} from '../../../profile/model.js';
import {readVersionOutput} from '../../../probes/keepalived-caps.js';
import {redactSecrets} from '../../../text/redact.js';
import {check, type DoctorCheck} from '../check.js';
import type {Read} from '../reads.js';

/**
 * Keywords keepalived deprecated, each from the first release whose parser warns about it (its own
 * message and its `Deprecated` comments in global_parser.c, vrrp_parser.c, check_http.c and
 * track_file.c, dated by the release tags), with what replaces it; `parent` where only that block's
 * keyword is deprecated.
 */
export const OBSOLETE: ReadonlyArray<{keyword: string; since: string; instead: string; parent?: string}> = [
	{keyword: 'lvs_sync_daemon_interface', since: '1.2.20', instead: 'lvs_sync_daemon in global_defs', parent: 'vrrp_instance'},
	{keyword: 'nb_get_retry', since: '1.3.7', instead: 'retry'},
	{keyword: 'global_tracking', since: '2.0.0', instead: 'track_interface/track_script/track_file on the vrrp_sync_group'},
	{keyword: 'enable_snmp_keepalived', since: '2.0.0', instead: 'enable_snmp_vrrp'},
	{keyword: 'linkbeat_use_polling', since: '2.0.13', instead: 'a linkbeat_interfaces block', parent: 'vrrp_instance'},
	{keyword: 'vrrp_rlimit_rtime', since: '2.1.0', instead: 'vrrp_rlimit_rttime'},
	{keyword: 'checker_rlimit_rtime', since: '2.1.0', instead: 'checker_rlimit_rttime'},
	{keyword: 'bfd_rlimit_rtime', since: '2.1.0', instead: 'bfd_rlimit_rttime'},
	{keyword: 'vrrp_track_file', since: '2.1.0', instead: 'track_file'},
	{keyword: 'lvs_process_name', since: '2.2.0', instead: 'checker_process_name'},
	{keyword: 'lvs_flush_onstop', since: '2.2.0', instead: 'lvs_flush_on_stop'},
	{keyword: 'vrrp_vmac_garp_intvl', since: '2.2.3', instead: 'vrrp_garp_extra_if'},
	{keyword: 'vmac_garp_intvl', since: '2.2.3', instead: 'garp_extra_if'},
];

export function versionOf(r: Read): string | null {
	return r.ok ? readVersionOutput(`${r.stdout}\n${r.stderr}`).version : null;
}

/** One check per director: the version and whether it dumps JSON; a warning when the directors differ. */
export function versionChecks(reads: ReadonlyArray<{director: string; version: Read}>): DoctorCheck[] {
	const versions = new Set(reads.map((r) => versionOf(r.version)).filter((v): v is string => v !== null));
	return reads.map(({director, version}) => {
		const where = {host: director, view: 'vrrp' as const};
		if (!version.ok) return check('keepalived.version', 'skip', director, `not read: ${version.error}`, '', where);
		const {version: v, json} = readVersionOutput(`${version.stdout}\n${version.stderr}`);
		if (v === null) return check('keepalived.version', 'fail', director, 'keepalived --version gave no version (is keepalived installed?)', 'install keepalived', where);
		const evidence = `keepalived ${v}, ${json ? 'with' : 'without'} JSON dumps`;
		if (versions.size > 1) return check('keepalived.version', 'warn', director, `${evidence}; the directors run ${[...versions].join(', ')}`, 'run the same keepalived version on every director', where);
		return check('keepalived.version', 'ok', director, evidence, '', where);
	});
}

/**
 * The build's feature list: `Config options:` (2.x, configure.ac's add_config_opt) or `Build options:`
 * (1.3 and 1.4), as words; undefined when the output has neither line.
 */
export function buildOptions(text: string): {label: string; options: string[]} | undefined {
	const m = /^(Config options|Build options):[ \t]*(.*)$/m.exec(text);
	return m ? {label: m[1]!, options: m[2]!.trim().split(/\s+/).filter((w) => w !== '')} : undefined;
}

/** The build features a cluster needs, each with why (from the profile and the installed config). */
export function featuresUsed(profile: Pick<Profile, 'virtualServers' | 'instances'>, config?: KeepalivedConfig): Array<{option: string; why: string}> {
	const out: Array<{option: string; why: string}> = [];
	if (profile.instances.length > 0) out.push({option: 'VRRP', why: `${profile.instances.length} VRRP instance${profile.instances.length === 1 ? '' : 's'}`});
	if (profile.virtualServers.length > 0) out.push({option: 'LVS', why: `${profile.virtualServers.length} virtual server${profile.virtualServers.length === 1 ? '' : 's'}`});
	const auth = profile.instances.filter((i) => i.authentication);
	if (auth.length > 0) out.push({option: 'VRRP_AUTH', why: `authentication on ${auth.map((i) => i.name).join(', ')}`});
	const vmac = (config?.vrrpInstances ?? []).filter((i) => i.useVmac !== undefined);
	if (vmac.length > 0) out.push({option: 'VRRP_VMAC', why: `use_vmac on ${vmac.map((i) => i.name).join(', ')}`});
	return out;
}

/** Features worth showing as evidence when present (JSON dumps, BFD, the firewall backend). */
const SHOWN = ['LVS', 'VRRP', 'VRRP_AUTH', 'VRRP_VMAC', 'JSON', 'BFD', 'NFTABLES', 'LIBIPTC', 'LIBIPSET', 'SNMP'];

/** One check per director: the build's features, a warning when one the cluster uses is missing. */
export function buildCheck(director: string, version: Read, used: ReadonlyArray<{option: string; why: string}>): DoctorCheck {
	const where = {host: director, view: 'vrrp' as const};
	if (!version.ok) return check('keepalived.build', 'skip', director, `not read: ${version.error}`, '', where);
	const build = buildOptions(`${version.stdout}\n${version.stderr}`);
	if (!build) return check('keepalived.build', 'skip', director, 'keepalived --version lists no build options (a build older than 1.3?)', '', where);
	const has = new Set(build.options);
	const shown = SHOWN.filter((o) => has.has(o));
	const missing = used.filter((u) => !has.has(u.option));
	const evidence = `${build.label}: ${shown.join(' ') || '(none of ' + SHOWN.join(', ') + ')'}`;
	if (missing.length === 0) return check('keepalived.build', 'ok', director, evidence, '', where);
	return check(
		'keepalived.build',
		'warn',
		director,
		`${evidence}; missing what the cluster uses: ${missing.map((m) => `${m.option} (${m.why})`).join(', ')}`,
		`install a keepalived built with ${missing.map((m) => m.option).join(', ')} (the distribution's package has them; a source build needs ${missing.map((m) => CONFIGURE_FLAG[m.option] ?? m.option).join(', ')})`,
		where,
	);
}

/** The configure switch that turned each feature off. */
const CONFIGURE_FLAG: Record<string, string> = {LVS: 'no --disable-lvs', VRRP: 'no --disable-vrrp', VRRP_AUTH: 'no --disable-vrrp-auth', VRRP_VMAC: 'no --disable-vmac'};

/** `keepalived -t -f CONFIG` on the director itself (interfaces and scripts are checked where they are). */
export function configTestCheck(director: string, configPath: string, r: Read): DoctorCheck {
	const where = {host: director, view: 'vrrp' as const};
	if (!r.ok) return check('keepalived.config-test', 'skip', director, `not run: ${r.error}`, '', where);
	const said = redactSecrets(r.stderr.trim() || r.stdout.trim()).split('\n').filter((l) => l.trim() !== '');
	if (r.code === 0 && r.stderr.trim() === '') return check('keepalived.config-test', 'ok', director, `keepalived -t accepts ${configPath}`, '', where);
	return check(
		'keepalived.config-test',
		'fail',
		director,
		`keepalived -t ${configPath} exited ${r.code ?? 'by a signal'}${said.length ? `: ${said.slice(0, 3).join(' | ')}` : ''}`,
		r.code === 6 ? 'add enable_script_security (and script_user) to global_defs' : `fix ${configPath} where keepalived -t says, then reload`,
		where,
	);
}

/** Every node with its parent's keyword. */
function* nodes(list: readonly SyntaxNode[], parent?: string): Generator<{node: SyntaxNode; parent: string | undefined}> {
	for (const node of list) {
		yield {node, parent};
		if (node.children) yield* nodes(node.children, node.keyword);
	}
}

/** Keywords that are obsolete for `version`, or that it does not know yet (it ignores the line). */
export function keywordProblems(tree: readonly SyntaxNode[], version: string): string[] {
	const obsolete = [...nodes(tree)].flatMap(({node, parent}) => {
		const o = OBSOLETE.find((x) => x.keyword === node.keyword && (x.parent === undefined || x.parent === parent) && compareKeepalivedVersions(version, x.since) >= 0);
		return o ? [`${node.keyword} is obsolete since ${o.since} (use ${o.instead})`] : [];
	});
	const unknown = adaptToVersion(tree, version).warnings.map((w) => w.message);
	return [...new Set([...obsolete, ...unknown])];
}

export function keywordsCheck(director: string, installed: InstalledConfig, version: string | null): DoctorCheck {
	const where = {host: director, view: 'vrrp' as const};
	if (installed.kind !== 'parsed') return check('keepalived.keywords', 'skip', director, `the installed config was not read (${installed.kind})`, '', where);
	if (version === null) return check('keepalived.keywords', 'skip', director, 'the keepalived version is unknown', '', where);
	const main = installed.files[0]!;
	const parsed = parseKeepalivedTree(installed.texts[main] ?? '', {file: main, configId: installed.configId, files: filesFromMap(installed.texts)});
	if (!parsed.ok) return check('keepalived.keywords', 'skip', director, 'the installed config does not parse', '', where);
	const problems = keywordProblems(parsed.tree, version);
	if (problems.length === 0) return check('keepalived.keywords', 'ok', director, `every keyword is current for keepalived ${version}`, '', where);
	return check('keepalived.keywords', 'warn', director, problems.slice(0, 4).join('; '), `rewrite the lines for keepalived ${version} (lvsdeck render shows the current form)`, where);
}

// keepalived itself on each director: its version and build (the same on every director), `keepalived
// -t` on the installed file (keepalived's own verdict: any exit but 0, or anything on stderr, fails;
// a missing file gives 0 with a message), and keywords this version ignores or has renamed. Pure.
import {adaptToVersion, compareKeepalivedVersions, filesFromMap, parseKeepalivedTree, type SyntaxNode} from '../../../keepalived-conf/index.js';
import type {InstalledConfig} from '../../../probes/installed-config.js';
import {readVersionOutput} from '../../../probes/keepalived-caps.js';
import {redactSecrets} from '../../../text/redact.js';
import {check, type DoctorCheck} from '../check.js';
import type {Read} from '../reads.js';

/** Keywords keepalived replaced: still read (with a warning in its log) or refused, from `since`. */
const OBSOLETE: ReadonlyArray<{keyword: string; since: string; instead: string}> = [
	{keyword: 'nb_get_retry', since: '1.3.7', instead: 'retry'},
	{keyword: 'lvs_sync_daemon_interface', since: '1.2.20', instead: 'lvs_sync_daemon'},
	{keyword: 'global_tracking', since: '2.0.0', instead: 'sync_group_tracking_weight'},
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
	const obsolete = [...nodes(tree)].flatMap(({node}) => {
		const o = OBSOLETE.find((x) => x.keyword === node.keyword && compareKeepalivedVersions(version, x.since) >= 0);
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

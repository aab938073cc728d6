// Notify and track scripts keepalived cannot run: missing, not executable, or (under
// enable_script_security) not owned by root or writable by others, which keepalived refuses. The
// scripts are found in the installed config (every `notify*`, `script`, `misc_path` ... line) and
// looked at with one `stat -L` per director. Pure.
import type {KeepalivedConfig} from '../../../keepalived-conf/index.js';
import {check, type DoctorCheck} from '../check.js';
import type {Read} from '../reads.js';

export interface ScriptUse {
	/** The keyword path: `vrrp_instance VI_1 notify_master`. */
	readonly where: string;
	/** The program keepalived runs (the first word of the line's command). */
	readonly path: string;
}

/** A model key as keepalived spells it: notifyMaster → notify_master; a list's key names one item (vrrpInstances → vrrp_instance). */
function keyword(key: string, list: boolean): string {
	const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
	return list ? snake.replace(/s$/, '') : snake;
}

function isScript(v: unknown): v is {command: string} {
	return typeof v === 'object' && v !== null && typeof (v as {command?: unknown}).command === 'string' && Object.keys(v).every((k) => ['command', 'user', 'group'].includes(k));
}

/** Every script line of a parsed config, with the program it runs (absolute paths only: keepalived needs them). */
export function scriptUses(config: KeepalivedConfig): ScriptUse[] {
	const out: ScriptUse[] = [];
	const walk = (value: unknown, where: string[]): void => {
		if (isScript(value)) {
			const path = value.command.trim().split(/\s+/)[0] ?? '';
			out.push({where: where.join(' '), path});
			return;
		}
		if (typeof value !== 'object' || value === null) return;
		for (const [k, v] of Object.entries(value)) {
			if (k === 'loc' || k === 'extras') continue;
			if (!Array.isArray(v)) walk(v, [...where, keyword(k, false)]);
			else for (const item of v) walk(item, [...where, keyword(k, true), typeof (item as {name?: unknown})?.name === 'string' ? (item as {name: string}).name : '']);
		}
	};
	walk(config, []);
	return out.map((u) => ({...u, where: u.where.replace(/\s+/g, ' ').trim()}));
}

export interface FileStat {
	readonly mode: number;
	readonly uid: number;
	readonly type: string;
}

/** `stat -L -c '%a %u %U %F %n'` lines by path (a missing file has no line; stat says so on stderr). */
export function parseStat(stdout: string): Map<string, FileStat> {
	const out = new Map<string, FileStat>();
	for (const line of stdout.split('\n')) {
		const m = /^([0-7]{1,4}) (\d+) \S+ ([^/]+) (\/.*)$/.exec(line);
		if (m) out.set(m[4]!, {mode: Number.parseInt(m[1]!, 8), uid: Number(m[2]), type: m[3]!.trim()});
	}
	return out;
}

/** What keepalived would refuse about one script file, or undefined. */
export function scriptProblem(s: FileStat | undefined, scriptSecurity: boolean): string | undefined {
	if (!s) return 'is missing';
	if (!s.type.startsWith('regular')) return `is a ${s.type}, not a file`;
	if ((s.mode & 0o111) === 0) return `is not executable (mode ${s.mode.toString(8)})`;
	if (scriptSecurity && s.uid !== 0) return `is owned by uid ${s.uid}, not root, under enable_script_security`;
	if (scriptSecurity && (s.mode & 0o022) !== 0) return `is writable by group or others (mode ${s.mode.toString(8)}) under enable_script_security`;
	return undefined;
}

/** One check per director over all its scripts. */
export function scriptsCheck(director: string, config: KeepalivedConfig | undefined, stat: Read | undefined): DoctorCheck {
	const where = {host: director, view: 'vrrp' as const};
	if (!config) return check('keepalived.scripts', 'skip', director, 'the installed config was not read', '', where);
	const uses = scriptUses(config).filter((u) => u.path.startsWith('/'));
	if (uses.length === 0) return check('keepalived.scripts', 'ok', director, 'the config runs no script', '', where);
	if (!stat || !stat.ok) return check('keepalived.scripts', 'skip', director, `the scripts were not looked at${stat && !stat.ok ? `: ${stat.error}` : ''}`, '', where);
	const stats = parseStat(stat.stdout);
	const security = config.globalDefs?.enableScriptSecurity === true;
	const problems = uses.flatMap((u) => {
		const p = scriptProblem(stats.get(u.path), security);
		return p ? [{...u, problem: p}] : [];
	});
	if (problems.length === 0) return check('keepalived.scripts', 'ok', director, `${uses.length} script${uses.length === 1 ? '' : 's'} runnable${security ? ' under enable_script_security' : ''}`, '', where);
	const first = problems[0]!;
	return check(
		'keepalived.scripts',
		'fail',
		director,
		problems.map((p) => `${p.path} (${p.where}) ${p.problem}`).join('; '),
		first.problem.startsWith('is missing') ? `install ${first.path} or fix the path in the config` : `chown root:root ${first.path} && chmod 755 ${first.path}`,
		where,
	);
}

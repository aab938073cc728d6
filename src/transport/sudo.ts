// How a command runs on a host whose profile says `sudo: true`: what needs root goes through
// `sudo -n --`, everything that reads without privileges runs as the login user. sudoers can only
// allow exact command lines (whitespace runs count as one space, and no newline can be written), so a
// constant script sent through sudo is first put on one line; the sudoers rules lvsdeck generates
// use the same function, which is what keeps the two equal.

/** Programs (with the argv shapes) that need no root, so never go through sudo. */
const USER_PROGRAMS: ReadonlyMap<string, (args: readonly string[]) => boolean> = new Map([
	['ip', (a: readonly string[]) => !a.some((w) => ['add', 'del', 'delete', 'replace', 'change', 'set', 'flush', 'netns'].includes(w))],
	['sysctl', (a: readonly string[]) => !a.some((w) => w === '-w' || w === '--write' || w === '-p' || w === '--load' || w.includes('='))],
	['curl', () => true],
	['hostname', (a: readonly string[]) => a.every((w) => w.startsWith('-'))],
	['date', () => true],
	['uname', () => true],
	['id', () => true],
	['uptime', () => true],
	['true', () => true],
	['pidof', () => true],
	// keepalived's log: the login user reads it (group adm or systemd-journal), never through sudo.
	['tail', () => true],
	['journalctl', (a: readonly string[]) => !a.some((w) => /^--(vacuum|rotate|flush|sync|relinquish|smart-relinquish)/.test(w))],
	['pgrep', () => true],
	// file metadata (doctor: are the notify and track scripts executable, root-owned?)
	['stat', (a: readonly string[]) => a.every((w) => w !== '-f' && !w.startsWith('--file-system'))],
	['keepalived', (a: readonly string[]) => a.length === 1 && ['--version', '-v'].includes(a[0]!)],
	['systemctl', (a: readonly string[]) => ['is-active', 'is-enabled', 'is-failed', 'status', 'show'].includes(a.find((w) => !w.startsWith('-')) ?? '')],
]);

/** lvsdeck's constant scripts (by their $0) that read only what any user may read. */
const USER_SCRIPTS = new Set(['lvsdeck-signum', 'lvsdeck-rs-check', 'lvsdeck-rs-stream', 'lvsdeck-heartbeat', 'lvsdeck-watch', 'lvsdeck-sockwatch']);

/** True when the command must run as root (through sudo when the host's profile asks for it). */
export function needsRoot(argv: readonly string[]): boolean {
	const program = (argv[0] ?? '').split('/').pop() ?? '';
	if (program === 'sudo') return false;
	if (program === 'sh' && argv[1] === '-c') return !USER_SCRIPTS.has(argv[3] ?? '');
	const rule = USER_PROGRAMS.get(program);
	return rule === undefined || !rule(argv.slice(1));
}

// A line ending in one of these continues on the next line without a `;` (`do;` is a syntax error).
const CONTINUES = /(?:^|\s)(?:then|do|else|in|\{|\||&&|\|\||;;|;)$|^[^\s()]+\)$/;

/**
 * A multi-line constant script as one line with single spaces, for sudo. Lines are trimmed and joined
 * with `; ` unless the line leaves a compound command open (then ` `). Refuses scripts it cannot put on
 * one line faithfully: quoted text spanning lines, comment lines, or a run of blanks inside a line.
 */
export function oneLineScript(script: string): string {
	const lines = script.split('\n').map((l) => l.trim()).filter((l) => l !== '');
	let out = '';
	for (const line of lines) {
		if (line.startsWith('#')) throw new Error(`script line is a comment, cannot join: ${line}`);
		if (/\s\s|\t/.test(line)) throw new Error(`script line has a run of blanks sudoers would collapse: ${line}`);
		if (quotesOpen(line)) throw new Error(`script line leaves a quote open: ${line}`);
		out = out === '' ? line : `${out}${CONTINUES.test(out) ? ' ' : '; '}${line}`;
	}
	return out;
}

function quotesOpen(line: string): boolean {
	let single = false;
	let double = false;
	for (let i = 0; i < line.length; i++) {
		const c = line[i];
		if (c === '\\' && !single) i++;
		else if (c === "'" && !double) single = !single;
		else if (c === '"' && !single) double = !double;
	}
	return single || double;
}

/** The argv actually sent for a command that needs root: `sudo -n -- ...`, a script on one line. */
export function sudoArgv(argv: readonly string[]): string[] {
	const words = argv[0] === 'sh' && argv[1] === '-c' && argv[2] !== undefined ? ['sh', '-c', oneLineScript(argv[2]), ...argv.slice(3)] : [...argv];
	return ['sudo', '-n', '--', ...words];
}

export type SudoRefusal = 'password' | 'tty' | 'not-allowed' | 'no-sudo';

/** What sudo's own error says, when a sudo-wrapped command failed because of sudo itself. */
export function sudoRefusal(code: number | null, stderr: string): SudoRefusal | undefined {
	if (code === 0) return undefined;
	const first = stderr.split('\n').find((l) => l.startsWith('sudo:')) ?? '';
	if (/a password is required|a terminal is required to read the password/.test(first)) return 'password';
	if (/must have a tty/.test(first)) return 'tty';
	if (/is not allowed to execute|not in the sudoers file|may not run sudo/.test(stderr.split('\n')[0] ?? '')) return 'not-allowed';
	if (code === 127 && /sudo: (?:command )?not found/.test(stderr)) return 'no-sudo';
	return undefined;
}

/** One short name for a command in messages: a script by its $0, a program with its words. */
export function commandLabel(argv: readonly string[]): string {
	if (argv[0] === 'sh' && argv[1] === '-c') return `${argv[3] ?? 'script'} (lvsdeck script)`;
	return argv.slice(0, 6).join(' ');
}

/** The one-line error for a sudo refusal: the host, what was refused, and the fix. */
export function sudoRefusalMessage(host: string, user: string, refusal: SudoRefusal, argv: readonly string[]): string {
	const what = commandLabel(argv);
	switch (refusal) {
		case 'password':
			return `${host}: sudo will not run ${what} for ${user} without a password (no NOPASSWD rule allows it; lvsdeck never types one): install the rules \`lvsdeck sudoers\` prints in /etc/sudoers.d/`;
		case 'tty':
			return `${host}: sudo requires a tty (Defaults requiretty); add \`Defaults:${user} !requiretty\` to /etc/sudoers.d/ (the rules \`lvsdeck sudoers\` prints have it)`;
		case 'not-allowed':
			return `${host}: sudo does not allow ${user} to run ${what}; install the rules \`lvsdeck sudoers\` prints in /etc/sudoers.d/`;
		case 'no-sudo':
			return `${host}: sudo is not installed, but the profile says sudo: true`;
	}
}

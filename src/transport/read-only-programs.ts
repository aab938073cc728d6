// Every program read-only mode runs, with the exact argv shapes it accepts. Words are compared whole:
// a program's own abbreviation rules (curl and getopt_long accept any unambiguous prefix of a long
// option, iproute2 any prefix of a keyword) and option merging (`-sX`, `--opt=value`) never widen what
// is listed, because only the listed spellings pass. Combined short flags pass only where a
// combination is written out here verbatim.
import {
	absolutePath,
	addressPort,
	count,
	dateFormat,
	devNull,
	httpHeader,
	httpUrl,
	interfaceName,
	journalSince,
	logFilePath,
	oneOf,
	processName,
	seconds,
	sysctlKey,
	systemdProperty,
	systemdUnit,
	userAgent,
	type ValueKind,
} from './argv-kinds.js';

/** One accepted form of a command line, after the program name. */
export interface Shape {
	/** Words that must come first, in order; each position lists its accepted spellings. */
	readonly lead: ReadonlyArray<readonly string[]>;
	/** Flags allowed after the lead, each at most once. */
	readonly flags?: readonly string[];
	/** Options allowed after the lead, each followed by one value word of its kind, at most once. */
	readonly options?: ReadonlyMap<string, ValueKind>;
	/** Operands (words not starting with "-"): how many, and of which kind. */
	readonly operands?: {readonly kind: ValueKind; readonly min: number; readonly max: number};
}

export interface ProgramSpec {
	/** Flags allowed before the lead (iproute2's global options), each at most once. */
	readonly leadingFlags?: readonly string[];
	readonly shapes: readonly Shape[];
}

const options = (entries: ReadonlyArray<readonly [string, ValueKind]>) => new Map(entries);

const IPVSADM_FLAGS = ['-n', '--numeric', '--stats', '--rate', '--exact', '-c', '--connection', '--thresholds', '--persistent-conn', '--sort'];
const IPVSADM_SELECTORS = options([
	['-t', addressPort],
	['--tcp-service', addressPort],
	['-u', addressPort],
	['--udp-service', addressPort],
	['-f', count],
	['--fwmark-service', count],
]);

const ipvsadm: ProgramSpec = {
	shapes: [
		{lead: [['-L', '-l', '--list', '-Ln', '-ln']], flags: IPVSADM_FLAGS, options: IPVSADM_SELECTORS},
		{lead: [['-S', '--save']], flags: ['-n', '--numeric']},
		{lead: [['--version', '-v']]},
	],
};

// iproute2 resolves each of these by its own prefix rules to a display option; none of them is a prefix
// of -batch, -force or -netns as iproute2 checks them.
const IP_GLOBAL_FLAGS = ['-j', '-json', '-o', '-oneline', '-4', '-6', '-br', '-brief', '-d', '-details', '-s', '-stats', '-p', '-pretty', '-ts', '-tshort'];
const ipDev = options([['dev', interfaceName]]);

const ip: ProgramSpec = {
	leadingFlags: IP_GLOBAL_FLAGS,
	shapes: [
		{lead: [['addr', 'address'], ['show', 'list']], options: ipDev},
		{lead: [['link'], ['show', 'list']], options: ipDev},
		{lead: [['route'], ['show', 'list']]},
		{lead: [['monitor']], operands: {kind: oneOf('address', 'addr', 'link', 'route', 'all'), min: 0, max: 1}},
	],
};

// `-t` only parses the config and exits; `-f` is allowed only after it (alone it would start a daemon).
const keepalived: ProgramSpec = {
	shapes: [{lead: [['--version', '-v']]}, {lead: [['-t', '--config-test']], options: options([['-f', absolutePath], ['--use-file', absolutePath]])}],
};

/** The firewall's rules, printed; nothing else of nft (every other command changes them). */
const nft: ProgramSpec = {shapes: [{lead: [['list'], ['ruleset']]}]};

/**
 * firewalld's zones and direct rules, printed; nothing else of firewall-cmd (its other options change
 * the rules, reload or stop the daemon, or wait on it: --state is read with systemctl instead).
 */
const firewallCmd: ProgramSpec = {shapes: [{lead: [['--list-all-zones']]}, {lead: [['--direct'], ['--get-all-rules']]}]};

/** A file's mode, owner and type, in one fixed format (`--printf` and other formats are refused). */
const STAT_FORMAT = '%a %u %U %F %n';
const stat: ProgramSpec = {shapes: [{lead: [], flags: ['-L'], options: options([['-c', oneOf(STAT_FORMAT)]]), operands: {kind: absolutePath, min: 1, max: 32}}]};

const units = {kind: systemdUnit, min: 1, max: 8};
const systemctl: ProgramSpec = {
	shapes: [
		{lead: [['is-active', 'is-enabled', 'is-failed']], flags: ['--quiet', '-q'], operands: units},
		{lead: [['status']], flags: ['--no-pager'], operands: units},
		{lead: [['show']], flags: ['--value'], options: options([['-p', systemdProperty], ['--property', systemdProperty]]), operands: {...units, max: 1}},
	],
};

const sysctl: ProgramSpec = {
	shapes: [{lead: [], flags: ['-n', '--values', '-e', '--ignore', '-ne'], operands: {kind: sysctlKey, min: 1, max: 16}}],
};

// GET (or HEAD) only: no method, body, upload, config file, or file written other than /dev/null.
const curl: ProgramSpec = {
	shapes: [
		{
			lead: [],
			flags: [
				'-s', '--silent', '-S', '--show-error', '-f', '--fail', '-sS', '-Ss', '-sf', '-fs', '-sSf', '-fsS', '-sfS', '-Ssf',
				'-k', '--insecure', '-i', '--include', '-I', '--head', '-v', '--verbose', '-4', '--ipv4', '-6', '--ipv6', '-N', '--no-buffer',
			],
			options: options([
				['-m', seconds],
				['--max-time', seconds],
				['--connect-timeout', seconds],
				['-H', httpHeader],
				['--header', httpHeader],
				['-A', userAgent],
				['--user-agent', userAgent],
				['-o', devNull],
				['--output', devNull],
			]),
			operands: {kind: httpUrl, min: 1, max: 4},
		},
	],
};

// keepalived's log: the last lines, or each new one as it is written (-F follows the file across rotation).
const tail: ProgramSpec = {shapes: [{lead: [], flags: ['-F', '-q'], options: options([['-n', count]]), operands: {kind: logFilePath, min: 1, max: 1}}]};

// keepalived's journal, read only: no --file/-D/-M (other journals), --vacuum-*/--rotate/--flush (change it), or an output that is not text.
const journalctl: ProgramSpec = {
	shapes: [
		{
			lead: [],
			flags: ['-f', '--follow', '--no-pager', '-q', '--quiet'],
			options: options([
				['-u', systemdUnit],
				['--unit', systemdUnit],
				['-o', oneOf('short-iso-precise', 'short-iso', 'short-precise', 'short')],
				['--output', oneOf('short-iso-precise', 'short-iso', 'short-precise', 'short')],
				['-n', count],
				['--lines', count],
				['--since', journalSince],
			]),
		},
	],
};

const pidof: ProgramSpec = {shapes: [{lead: [], flags: ['-s', '-x'], operands: {kind: processName, min: 1, max: 4}}]};
const pgrep: ProgramSpec = {shapes: [{lead: [], flags: ['-x', '-f', '-c'], operands: {kind: processName, min: 1, max: 1}}]};

const hostname: ProgramSpec = {
	shapes: [{lead: [], flags: ['-f', '--fqdn', '-s', '--short', '-d', '--domain', '-i', '--ip-address', '-I', '--all-ip-addresses']}],
};
const date: ProgramSpec = {shapes: [{lead: [], flags: ['-u', '--utc', '-R', '--rfc-email'], operands: {kind: dateFormat, min: 0, max: 1}}]};
const uname: ProgramSpec = {shapes: [{lead: [], flags: ['-a', '--all', '-s', '-n', '-r', '-v', '-m', '-o']}]};
const id: ProgramSpec = {shapes: [{lead: [], flags: ['-u', '-g', '-n', '-un']}]};
const noArguments: ProgramSpec = {shapes: [{lead: []}]};

export {STAT_FORMAT};

/** Program name → its shapes. `sudo` and `sh` are judged separately (wrapper and constant scripts). */
export const READ_ONLY_PROGRAMS: ReadonlyMap<string, ProgramSpec> = new Map([
	['ipvsadm', ipvsadm],
	['ip', ip],
	['keepalived', keepalived],
	['nft', nft],
	['iptables-save', noArguments],
	['iptables-legacy-save', noArguments],
	['firewall-cmd', firewallCmd],
	['stat', stat],
	['systemctl', systemctl],
	['sysctl', sysctl],
	['curl', curl],
	['tail', tail],
	['journalctl', journalctl],
	['pidof', pidof],
	['pgrep', pgrep],
	['hostname', hostname],
	['date', date],
	['uname', uname],
	['id', id],
	['uptime', noArguments],
	['true', noArguments],
]);

/** Programs that run other programs; read-only mode allows none but `sudo -n -- COMMAND`. */
export const WRAPPERS = new Set([
	'env', 'nice', 'ionice', 'timeout', 'busybox', 'toybox', 'xargs', 'nohup', 'stdbuf', 'setsid', 'chroot', 'chrt', 'taskset', 'flock',
	'doas', 'su', 'runuser', 'pkexec', 'unshare', 'nsenter', 'ssh', 'watch', 'time', 'command', 'exec', 'strace', 'script', 'find', 'parallel',
	'bash', 'dash', 'zsh', 'ksh', 'ash', 'csh', 'tcsh', 'fish', 'python', 'python3', 'perl', 'ruby', 'awk', 'gawk', 'mawk', 'node',
]);

/** Where a program may be named with its full path. */
export const SYSTEM_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

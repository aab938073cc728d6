// Read-only mode, enforced where commands are sent: every command is checked against an allowlist
// of commands that cannot change a host, whoever asks for it. Anything not recognised is refused.
import {TransportError, type ExecOptions, type ExecResult, type HostStatus, type Transport} from './types.js';

/** Constant probe scripts (run as `sh -c SCRIPT name args...`) known to only read. */
const readOnlyScripts = new Set<string>();

/** Probe modules register their constant read-only scripts here at load time. */
export function registerReadOnlyScript(script: string): string {
	readOnlyScripts.add(script);
	return script;
}

const IPVSADM_FLAGS = new Set([
	'-L', '-l', '--list', '-n', '--numeric', '--stats', '--rate', '--exact', '-c', '--connection',
	'--thresholds', '--persistent-conn', '--nosort', '--sort', '--tun-info', '-S', '--save', '-Ln', '-Lnc', '-ln', '--help', '-h', '-v', '--version',
]);

function ipvsadmReadOnly(args: readonly string[]): boolean {
	const listing = args.some((a) => /^-(L|l|S)/.test(a) || a === '--list' || a === '--save' || a === '--version' || a === '-v');
	if (!listing) return false;
	for (let i = 0; i < args.length; i++) {
		const a = args[i]!;
		if (IPVSADM_FLAGS.has(a)) continue;
		// a service selector after -L: -t addr:port, -u addr:port, -f mark
		if ((a === '-t' || a === '-u' || a === '-f' || a === '--tcp-service' || a === '--udp-service' || a === '--fwmark-service') && args[i + 1]) {
			i++;
			continue;
		}
		return false;
	}
	return true;
}

const IP_OPTIONS = new Set(['-j', '-json', '-o', '-oneline', '-4', '-6', '-br', '-brief', '-d', '-details', '-s', '-stats', '-p', '-pretty', '-c', '-color', '-n', '-t', '-ts']);
const IP_OBJECTS = new Set(['addr', 'address', 'a', 'link', 'l', 'route', 'r', 'neigh', 'n', 'rule', 'netns']);
const IP_READ_VERBS = new Set(['show', 'list', 'ls', 'lst', 'sh', 'get']);

function ipReadOnly(args: readonly string[]): boolean {
	let i = 0;
	while (i < args.length && (IP_OPTIONS.has(args[i]!) || /^-(j|o|4|6|br|d|s)$/.test(args[i]!))) {
		// `ip -n NS` takes a value
		if (args[i] === '-n') i++;
		i++;
	}
	const object = args[i];
	const verb = args[i + 1];
	if (object === 'monitor') return args.slice(i + 1).every((a) => /^(address|addr|link|route|all|label)$/.test(a));
	if (!object || !IP_OBJECTS.has(object)) return false;
	if (object === 'netns') return verb === undefined || verb === 'list' || verb === 'identify';
	if (verb === undefined || IP_READ_VERBS.has(verb)) return true;
	// `ip addr dev eth0` style (an implied show) is accepted only when followed by a selector
	return verb === 'dev';
}

const CURL_REFUSED =
	/^(-X|--request|-d|--data.*|-F|--form.*|-T|--upload-file|-o|--output|-O|--remote-name|--remote-name-all|--output-dir|-K|--config|--json|-D|--dump-header|-c|--cookie-jar|--trace|--trace-ascii|--stderr|--libcurl|--etag-save|--hsts|--alt-svc)$/;

function curlReadOnly(args: readonly string[]): boolean {
	// GET only: no methods, bodies, uploads, and no file written (output, headers, cookies, traces,
	// caches, nor -w's %output{file})
	return args.every((a) => !CURL_REFUSED.test(a) && !/^-[A-Za-z]*[XdFTOoKDc]/.test(a) && !a.includes('%output{'));
}

/** `date` shows the time; `-s`/`--set` and a bare `[MMDDhhmm...]` operand set the clock. */
function dateReadOnly(args: readonly string[]): boolean {
	for (let i = 0; i < args.length; i++) {
		const a = args[i]!;
		if (a.startsWith('+')) continue; // an output format
		if (/^(-u|--utc|--universal|-R|--rfc-email|-I[a-z]*|--iso-8601(=[a-z]+)?|--rfc-3339=[a-z]+|--date=.*|--reference=.*)$/.test(a)) continue;
		if ((a === '-d' || a === '-r') && args[i + 1] !== undefined) {
			i++;
			continue;
		}
		return false;
	}
	return true;
}

/** True when `argv` cannot change the state of the host it runs on. */
export function isReadOnlyCommand(argv: readonly string[]): boolean {
	const [cmd, ...args] = argv;
	if (cmd === undefined) return false;
	const base = cmd.split('/').pop()!;
	switch (base) {
		case 'sudo':
			return args[0] === '-n' && args[1] === '--' && isReadOnlyCommand(args.slice(2));
		case 'ipvsadm':
			return ipvsadmReadOnly(args);
		case 'ip':
			return ipReadOnly(args);
		case 'keepalived':
			return args.length === 1 && (args[0] === '--version' || args[0] === '-v' || /^--signum=[A-Z_]+$/.test(args[0]!));
		case 'systemctl':
			return ['is-active', 'is-enabled', 'is-failed', 'status', 'show'].includes(args[0] ?? '');
		case 'sysctl':
			// name=value, -w, -p/-f (also inside a cluster like -ep) and --write/--load/--system (or their
			// getopt abbreviations) write values
			return args.every((a) => !a.includes('=') && !/^-[^-]*[wpf]/.test(a) && !/^--(w|l|s)/.test(a));
		case 'cat':
		case 'sha256sum':
		case 'stat':
		case 'ls':
		case 'head':
		case 'tail':
			return args.every((a) => !a.startsWith('-') || /^-(n|c)?\d*$|^--$|^-[lah1]+$|^-f$/.test(a));
		case 'hostname':
			// display options only: a name operand, -F/--file and -b/--boot set the host name
			return args.every((a) => /^-[aAdfiIsyVh]+$/.test(a) || /^--(alias|all-fqdns|domain|fqdn|long|ip-address|all-ip-addresses|short|yp|nis|version|help)$/.test(a));
		case 'date':
			return dateReadOnly(args);
		case 'uname':
		case 'id':
		case 'uptime':
		case 'true':
		case 'echo':
			return true;
		case 'curl':
			return curlReadOnly(args);
		case 'sh':
		case 'bash':
			return args[0] === '-c' && args[1] !== undefined && readOnlyScripts.has(args[1]);
		default:
			return false;
	}
}

/** Wraps a transport so that only read-only commands ever reach it. */
export class ReadOnlyTransport implements Transport {
	constructor(private readonly inner: Transport) {}

	async exec(host: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
		if (!isReadOnlyCommand(argv)) {
			throw new TransportError('read-only', host, `read-only mode: refused to run "${argv.slice(0, 3).join(' ')}${argv.length > 3 ? ' ...' : ''}" on ${host}`);
		}
		return this.inner.exec(host, argv, options);
	}

	status(host: string): HostStatus {
		return this.inner.status(host);
	}

	onStatus(listener: (s: HostStatus) => void): () => void {
		return this.inner.onStatus(listener);
	}

	close(): Promise<void> {
		return this.inner.close();
	}
}

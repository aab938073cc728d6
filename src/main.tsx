// Argument parsing and the one exit path: every command returns an exit code (0 ok, 1 findings or a
// failed expectation, 2 error); errors are printed as one line, never as a stack trace.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {Command, CommanderError, Option} from 'commander';
import {CliError} from './cli-error.js';
import {redactSecrets} from './text/redact.js';
import {printErr, writeErr, writeOut} from './text/sink.js';
import {sanitizeLine} from './text/sanitize.js';
import {ProfileError} from './profile/errors.js';
import {LabPreflightError} from './lab/preflight.js';
import {LabError} from './lab/lab-error.js';
import {LabPlanError, packageRoot} from './lab/plan.js';
import {TransportError} from './transport/types.js';
// Tiny (node:net, node:fs, node:crypto): status's connections open before its command module loads.
import {preconnect} from './transport/connect-hints.js';
// Each command's module is imported in its action, so `--help` and the commands that draw nothing never
// load React, Ink or the modules of the other commands (start-up time; see README, benchmarks).
import type {drillCommand} from './commands/drill.js';
import type {watchCommand} from './commands/watch.js';
import type {ImportOptions} from './commands/import.js';
// Small and pure: a usage error of `check` is answered before any command module loads.
import {unknownOutput} from './cluster/plugin-check.js';

const version = (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {version: string}).version;

type SetCode = (code: number) => void;

/** A repeatable option's values, in order (`--profile A --profile B`). */
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** --profiles DIR, for the commands that read several clusters (status, the console, the wall, exporter, check). */
const profilesOption = () => new Option('--profiles <dir>', 'every profile (*.yaml, *.yml) in this folder, with or instead of --profile (repeatable)').argParser(collect);

/** The shipped lab's profile: what the lab commands use unless told otherwise. */
const DEFAULT_LAB_PROFILES: readonly string[] = [path.join(packageRoot(), 'profiles', 'lab.yaml')];

/**
 * The lab's profile option: the shipped lab unless told otherwise; repeated, one lab with a cluster per
 * profile. (commander hands the default in as the first "previous" value: the first --profile replaces it.)
 */
const labProfileOption = () =>
	new Option('-p, --profile <file>', 'lab profile; repeat for one lab with several clusters')
		.default(DEFAULT_LAB_PROFILES, 'profiles/lab.yaml')
		.argParser((value: string, previous: readonly string[]) => (previous === DEFAULT_LAB_PROFILES ? [value] : [...previous, value]));

/** demo opens the console on one cluster: the shipped lab's, or one --profile. */
const demoProfileOption = () => new Option('-p, --profile <file>', 'lab profile').default(DEFAULT_LAB_PROFILES[0]!, 'profiles/lab.yaml');

/** lab up, down, status, exec. */
function addLabCommands(program: Command, setCode: SetCode): void {
	const lab = program
		.command('lab')
		.description('the practice cluster: 2 directors, 2 real servers, real IPVS and keepalived on this machine')
		.enablePositionalOptions();
	lab
		.command('up')
		.description('build and boot the lab (idempotent; one cluster ready in under 30 s)')
		.addOption(labProfileOption())
		.action(async (o: {profile: string[]}) => setCode(await (await import('./commands/lab.js')).labUpCommand(o.profile)));
	lab
		.command('down')
		.description('stop the lab; leaves no process, namespace, tap or mount behind')
		.addOption(labProfileOption())
		.action(async (o: {profile: string[]}) => setCode(await (await import('./commands/lab.js')).labDownCommand(o.profile)));
	lab
		.command('status')
		.description('each lab host with sshd, keepalived and web server up or down (exit 0 all up, 1 otherwise)')
		.addOption(labProfileOption())
		.option('--json', 'print JSON')
		.action(async (o: {profile: string[]; json?: boolean}) => setCode(await (await import('./commands/lab.js')).labStatusCommand(o.profile, o)));
	lab
		.command('exec')
		.description("run a command in the lab's station namespace: lvsdeck lab exec -- curl -s http://192.168.67.100/")
		.addOption(labProfileOption())
		.argument('<command...>', 'the command and its arguments (after --)')
		.passThroughOptions()
		.action(async (command: string[], o: {profile: string[]}) => setCode(await (await import('./commands/lab.js')).labExecCommand(o.profile, command)));
}

/** What reads the cluster: status, the console and the wall. */
function addReadingCommands(program: Command, setCode: SetCode): void {
	program
		.command('status')
		.description('read the whole cluster once (read-only): VIP holders, VRRP, IPVS, real servers, findings; exit 0 healthy, 1 findings, 2 error')
		.option('-p, --profile <file>', 'cluster profile (YAML); repeat for several clusters', collect)
		.addOption(profilesOption())
		.option('--json', 'print one JSON object (schema in README)')
		.option('--watch', 'keep polling and re-print (Ctrl-C to stop)')
		.option('--interval <ms>', 'poll interval for --watch', '1000')
		.option('--trust-host-key <name=fingerprint...>', 'trust this SHA256 host-key fingerprint for that host (this run only)')
		.action(async (o: {profile?: string[]; profiles?: string[]; json?: boolean; watch?: boolean; interval?: string; trustHostKey?: string[]}) => {
			// One cluster: its hosts' TCP connections open now, from the last run's hints, while the command loads.
			if (o.profile?.length === 1 && o.profiles === undefined) void preconnect(o.profile[0]!);
			setCode(await (await import('./commands/status.js')).statusCommand(o));
		});

	program
		.command('doctor')
		.description('check the usual causes (read-only): VRRP adverts, passwords, foreign routers, firewalls, clocks, scripts, ip_vs, real servers, keepalived -t; exit 0 fine, 1 warnings, 2 failures')
		.requiredOption('-p, --profile <file>', 'cluster profile (YAML)')
		.option('--json', 'print one JSON record per check')
		.option('--trust-host-key <name=fingerprint...>', 'trust this SHA256 host-key fingerprint for that host (this run only)')
		.action(async (o: {profile: string; json?: boolean; trustHostKey?: string[]}) => setCode(await (await import('./commands/doctor.js')).doctorCommand(o)));

	program
		.command('history')
		.description("every VRRP transition: keepalived's own log on each director (read-only) merged with the history kept in the state dir; exit 0, 1 when a log could not be read, 2 error")
		.requiredOption('-p, --profile <file>', 'cluster profile (YAML)')
		.option('--since <duration>', 'only transitions in the last DURATION (90s, 30m, 12h, 7d, 2w)')
		.option('--lines <n>', "lines of each director's log to read (default 2000)")
		.option('--json', 'print one JSON object')
		.option('--trust-host-key <name=fingerprint...>', 'trust this SHA256 host-key fingerprint for that host (this run only)')
		.action(async (o: {profile: string; since?: string; lines?: string; json?: boolean; trustHostKey?: string[]}) => setCode(await (await import('./commands/history.js')).historyCommand(o)));

	const screenOptions = (cmd: Command) =>
		cmd
			.option('-p, --profile <file>', 'cluster profile (YAML); repeat for several clusters', collect)
			.addOption(profilesOption())
			.option('--interval <ms>', 'poll interval')
			.option('--trust-host-key <name=fingerprint...>', 'trust this SHA256 host-key fingerprint for that host (this run only)');
	screenOptions(
		program
			.command('console', {isDefault: true})
			.description('the live console (default command): VIPs, VRRP, IPVS with rates, real servers, findings, action log; several clusters open on a fleet overview')
			.option('--read-only', 'refuse every command that changes a host (enforced in the transport)'),
	).action(async (o: {profile?: string[]; profiles?: string[]; interval?: string; readOnly?: boolean; trustHostKey?: string[]}) => setCode(await (await import('./commands/console.js')).consoleCommand(o)));
	screenOptions(program.command('wall').description('read-only wall screen: VIP holders, healthy real servers, one alarm banner; several clusters are tiled, or rotated when they do not fit'))
		.option('--rotate <seconds>', 'several clusters that do not fit at once: seconds each page shows (default 10)')
		.action(async (o: {profile?: string[]; profiles?: string[]; interval?: string; rotate?: string; trustHostKey?: string[]}) => setCode(await (await import('./commands/console.js')).wallCommand(o)));
}

/** What feeds the monitoring an ops team already runs: the Prometheus exporter and the monitoring plugin. */
function addMonitoringCommands(program: Command, setCode: SetCode): void {
	program
		.command('exporter')
		.description('serve Prometheus metrics (OpenMetrics when asked) of one or more clusters, read-only, from the console\'s poller: /metrics and /healthz; stops on SIGTERM or Ctrl-C')
		.option('-p, --profile <file>', 'cluster profile (YAML); repeat for several clusters (label cluster=<profile name>)', collect)
		.addOption(profilesOption())
		.requiredOption('--listen <addr:port>', 'where to listen: an IP address and a port, e.g. 127.0.0.1:9877 or [::1]:9877 (port 0: any free port)')
		.option('--interval <ms>', 'poll interval', '1000')
		.option('--trust-host-key <name=fingerprint...>', 'trust this SHA256 host-key fingerprint for that host (this run only)')
		.action(async (o: {profile?: string[]; profiles?: string[]; listen: string; interval?: string; trustHostKey?: string[]}) => setCode(await (await import('./commands/exporter.js')).exporterCommand(o)));

	program
		.command('check')
		.description('monitoring plugin (Nagios/Icinga): one read-only poll, one status line with performance data; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN')
		.option('-p, --profile <file>', 'cluster profile (YAML); repeat for several clusters', collect)
		.addOption(profilesOption())
		.option('-w, --warning <[name=]range>', `WARNING when a figure is outside the range (names: vips, rs_up, hosts_up, critical, warning, poll; bare range: rs_up); repeatable`, collect)
		.option('-c, --critical <[name=]range>', 'CRITICAL when a figure is outside the range (as --warning); repeatable', collect)
		.option('-t, --timeout <s>', 'UNKNOWN when the poll takes longer (default 30)')
		.option('--trust-host-key <name=fingerprint...>', 'trust this SHA256 host-key fingerprint for that host (this run only)')
		// A usage error is UNKNOWN for a plugin: exit 3 with a status line, after commander's message.
		.exitOverride((error) => {
			if (error.exitCode !== 0) {
				writeOut(`${unknownOutput(error.message)}\n`);
				throw new CommanderError(3, error.code, error.message);
			}
			throw error;
		})
		.action(async (o: {profile?: string[]; profiles?: string[]; warning?: string[]; critical?: string[]; timeout?: string; trustHostKey?: string[]}) => setCode(await (await import('./commands/check.js')).checkCommand(o)));
}

/** What changes or measures the cluster: deploy, drill, watch. */
function addOperationCommands(program: Command, setCode: SetCode): void {
	program
		.command('deploy')
		.description('render configs from the profile, show the diff, validate with keepalived -t on the target, back up, install, reload, verify, roll back on failure')
		.requiredOption('-p, --profile <file>', 'cluster profile (YAML)')
		.option('--host <name>', 'only this director or real server')
		.option('--dry-run', 'show the plan (the change in keepalived terms, then unified diffs) and change nothing')
		.option('--yes', 'do not ask for confirmation (required without a terminal)')
		.option('--allow-removals', 'allow removing keywords only the installed config has (--yes alone does not)')
		.option('--force-rewrite', 'rewrite a config that differs only in layout (left alone by default)')
		.option('--json', 'print the plan or the report as JSON')
		.option('--trust-host-key <name=fingerprint...>', 'trust this SHA256 host-key fingerprint for that host (this run only)')
		.action(async (o: {profile: string; host?: string; dryRun?: boolean; yes?: boolean; allowRemovals?: boolean; forceRewrite?: boolean; json?: boolean; trustHostKey?: string[]}) =>
			setCode(await (await import('./commands/deploy.js')).deployCommand(o)),
		);

	program
		.command('drill')
		.description('drills against real traffic, always restored: failover (stop keepalived on the master), hard-failover (freeze it, or cut its VRRP), rs-health (stop a real server\'s service), drain (weight 0 on the active director); exit 0 pass, 1 expectation failed, 2 error')
		.argument('[kind]', 'failover | hard-failover | rs-health | drain')
		.option('-p, --profile <file>', 'cluster profile (YAML); required unless the --plan names one')
		.option('--plan <file>', 'run the drills of this YAML plan in order (one JSON report, one JUnit test case per drill)')
		.option('--instance <name>', 'VRRP instance (default: the first)')
		.option('--method <freeze|cut>', 'hard-failover: freeze keepalived on the master (SIGSTOP, default) or cut its VRRP with a tc filter (split brain)')
		.option('--rs <name>', 'real server for rs-health and drain (default: the first of the service)')
		.option('--service <vip:port>', 'the virtual service to drill and watch, TCP or UDP (udp:VIP:PORT when both); its VIP picks the instance (default: the first TCP service of the instance, or of the profile)')
		.option('--mode <http|tcp|udp>', 'how the drill\'s traffic speaks to the service, as watch --mode (default: udp for UDP services, http for TCP ones checked with HTTP_GET or on an HTTP port, else tcp)')
		.option('--send <text>', 'tcp/udp: what the drill\'s traffic sends (escapes \\n \\r \\t \\\\; udp default "lvsdeck\\n")')
		.option('--timeout-ms <n>', 'a drill request taking longer counts as a timeout (default 1000)')
		.option('--json <file>', 'write the JSON report (schema in README)')
		.option('--junit <file>', 'write a JUnit XML report')
		.option('--max-failover-ms <n>', 'fail when the takeover takes longer')
		.option('--max-failed-requests <n>', 'fail when more requests fail')
		.option('--rate <n>', 'watcher requests per second during the drill (default 20)')
		.option('--from <host>', 'send the watcher\'s requests from this client host over SSH (default: this station)')
		.option('--recover', 'restore what an interrupted drill left changed')
		.option('--trust-host-key <name=fingerprint...>', 'trust this SHA256 host-key fingerprint for that host (this run only)')
		.action(async (kind: string | undefined, o: Parameters<typeof drillCommand>[1]) => setCode(await (await import('./commands/drill.js')).drillCommand(kind, o)));

	program
		.command('watch')
		.description('round-robin watcher: HTTP requests to a VIP, each on a new connection, with answers per backend against the weights, errors, latency and gaps; exit 1 when more than --max-failed-requests failed')
		.requiredOption('-p, --profile <file>', 'cluster profile (YAML)')
		.option('--service <vip:port>', 'virtual service, TCP or UDP (udp:VIP:PORT when both; default: the first TCP one)')
		.option('--mode <http|tcp|udp>', 'http GETs; tcp connects, sends --send, reads the first answer; udp sends a datagram, reads the reply (default: udp for UDP services, http for TCP ones checked with HTTP_GET or on an HTTP port, else tcp)')
		.option('--send <text>', 'tcp/udp: what to send (escapes \\n \\r \\t \\\\; udp default "lvsdeck\\n")')
		.option('--backend <answer|table>', 'name each backend from the answer (first word, or --pattern) or from the director\'s IPVS connection table (default: answer for http or with --pattern, else table)')
		.option('--path <path>', 'URL path to request', '/')
		.option('--from <host>', 'make the requests on this client host over SSH (curl) instead of this station')
		.option('--rate <n>', 'requests per second (default 20)')
		.option('--concurrency <n>', 'requests in flight at most (station), or curl processes (--from)')
		.option('--timeout-ms <n>', 'a request taking longer counts as a timeout (default 1000)')
		.option('--duration <s>', 'stop after this many seconds (default: until q or Ctrl-C)')
		.option('--pattern <regex>', 'backend name in the response body: first group or whole match (default: first word)')
		.option('--json <file>', 'write the summary as JSON')
		.option('--max-failed-requests <n>', 'exit 1 when more requests fail or time out')
		.option('--trust-host-key <name=fingerprint...>', 'trust this SHA256 host-key fingerprint for that host (this run only)')
		.action(async (o: Parameters<typeof watchCommand>[0]) => setCode(await (await import('./commands/watch.js')).watchCommand(o)));
}

/** import: a profile from the directors' keepalived.conf. */
function addImportCommand(program: Command, setCode: SetCode): void {
	program
		.command('import')
		.description('write a profile from the keepalived.conf the directors already have (over SSH, read-only, or from local copies); never writes to a host; exit 2 when a config does not parse (file:line:col)')
		.option('--director <name=[user@]address[:port]>', 'read this director over SSH (repeat for each director)', collect)
		.option('--conf <name=file>', 'read this director from a local copy of its keepalived.conf (repeat)', collect)
		.option('--address <name=ip>', 'the address of a director read with --conf (else its unicast_src_ip, else a placeholder)', collect)
		.option('--name <address=name>', 'host name for a real server (default rs-10-0-0-1 style)', collect)
		.option('--config-id <name=id>', "keepalived's config id on that director for @ lines (default: its host name; the NAME with --conf)", collect)
		.option('--config-path <path>', 'keepalived.conf on the directors', '/etc/keepalived/keepalived.conf')
		.option('--out <file>', 'write the profile here (default: print it, passwords redacted)')
		.option('--force', 'replace an existing --out file (the old one is kept as FILE.bak.<UTC time>)')
		.option('--profile-name <name>', 'the profile\'s name (default: from --out, else "imported")')
		.option('--user <user>', 'SSH user for the directors')
		.option('--sudo', 'that user reads keepalived\'s files through sudo -n (the lvsdeck-monitor rules); kept in the profile')
		.option('--identity-file <file>', 'SSH private key')
		.option('--known-hosts <file>', 'known_hosts file to check host keys against')
		.option('--jump <name=[user@]address[:port]>', 'reach the directors through this jump host')
		.option('--station-netns <netns>', 'run from this network namespace (the lab: lvslab)')
		.option('--ssh-from <profile>', "take the ssh and station sections of this existing profile")
		.option('--trust-host-key <name=fingerprint...>', 'trust this SHA256 host-key fingerprint for that host (this run only)')
		.option('--show-secrets', 'print the VRRP password when printing the profile')
		.option('--json', 'print a JSON report (directors read, file written and its backup, notes, warnings; the profile, passwords redacted, when not written)')
		.action(async (o: ImportOptions) => setCode(await (await import('./commands/import.js')).importCommand(o)));
}

/** render and sudoers (from the profile alone), and demo (the lab and its console). */
function addOfflineCommands(program: Command, setCode: SetCode): void {
	program
		.command('render')
		.description('print what deploy would install (keepalived.conf for a director, the LVS-DR setup for a real server); touches no host; passwords redacted unless --show-secrets')
		.requiredOption('-p, --profile <file>', 'cluster profile (YAML)')
		.option('--host <name>', 'only this director or real server (a director\'s keepalived.conf exactly, no header)')
		.option('--show-secrets', 'print auth_pass and other secrets as they are')
		.action(async (o: {profile: string; host?: string; showSecrets?: boolean}) => setCode(await (await import('./commands/render.js')).renderCommand(o)));

	program
		.command('sudoers')
		.description('print the sudoers drop-in a non-root login needs (profile sudo: true): --monitor for status, the console and the wall; --operate adds deploy and the drills')
		.option('--monitor', 'the read-only rights')
		.option('--operate', 'what deploy and the drills add (install with the monitor file)')
		.option('-p, --profile <file>', 'exact rules for this cluster (without: the generic rules in contrib/sudoers/)')
		.option('--user <name>', 'who gets the rights: a user or %group (default: the profile\'s sudo user, else %lvsdeck)')
		.action(async (o: {monitor?: boolean; operate?: boolean; profile?: string; user?: string}) => setCode(await (await import('./commands/sudoers.js')).sudoersCommand(o)));

	program
		.command('demo')
		.description('start the lab if needed and open the console on it (without a terminal: a first look at the cluster)')
		.addOption(demoProfileOption())
		.action(async (o: {profile: string}) => setCode(await (await import('./commands/demo.js')).demoCommand(o.profile)));
}

/** completion and man: generated from this program, so they always match --help. */
function addHelpCommands(program: Command, setCode: SetCode): void {
	program
		.command('completion')
		.description('print a shell completion script: bash (source it, or put it in /etc/bash_completion.d/lvsdeck) or zsh (put it on $fpath as _lvsdeck)')
		.argument('<shell>', 'bash | zsh')
		.action(async (shell: string) => setCode(await (await import('./commands/help/help-commands.js')).completionCommand(program, shell)));
	program
		.command('man')
		.description('print the manual page (roff): lvsdeck man > /usr/local/share/man/man1/lvsdeck.1, or lvsdeck man | man -l -')
		.action(async () => setCode(await (await import('./commands/help/help-commands.js')).manCommand(program, version)));
}

function buildProgram(setCode: SetCode): Command {
	const program = new Command('lvsdeck')
		.description('Terminal operator console for LVS (IPVS) + Keepalived load balancers')
		.version(version, '-V, --version', 'print the version and the keepalived and LVS features lvsdeck supports')
		.showHelpAfterError('(run with --help for usage)')
		.exitOverride()
		.enablePositionalOptions()
		.configureOutput({writeOut, writeErr, outputError: (str, write) => write(str)});

	addLabCommands(program, setCode);
	addReadingCommands(program, setCode);
	addMonitoringCommands(program, setCode);
	addOperationCommands(program, setCode);
	addImportCommand(program, setCode);
	addOfflineCommands(program, setCode);
	addHelpCommands(program, setCode);
	return program;
}

/** Parses argv, runs the command and returns its exit code. Never throws. */
export async function main(argv: readonly string[]): Promise<number> {
	let code = 0;
	try {
		// The long --version (features from the profile schema) loads only when asked, keeping --help fast.
		if (argv.length === 3 && (argv[2] === '-V' || argv[2] === '--version')) {
			writeOut(`${(await import('./commands/help/version.js')).versionText(version)}\n`);
			return 0;
		}
		const program = buildProgram((c) => (code = c));
		await program.parseAsync([...argv]);
		return code;
	} catch (error) {
		if (error instanceof CommanderError) {
			// --help and --version exit 0; usage errors were already printed by commander.
			// `check` is a monitoring plugin: its usage errors are UNKNOWN (3); every other command's are 2.
			return error.exitCode === 0 ? 0 : error.exitCode === 3 ? 3 : 2;
		}
		const known =
			error instanceof CliError ||
			error instanceof ProfileError ||
			error instanceof LabPreflightError ||
			error instanceof LabPlanError ||
			error instanceof LabError ||
			error instanceof TransportError;
		const raw = error instanceof Error ? error.message : String(error);
		// Messages can carry remote text (stderr of a host, an SSH error): sanitized, and folded to one line
		// but for the lab's own boot report, which quotes its console on purpose.
		const message = error instanceof LabError ? raw : redactSecrets(sanitizeLine(raw));
		printErr(`lvsdeck: ${known ? message : `unexpected error: ${message}`}`);
		return error instanceof CliError ? error.exitCode : 2;
	}
}

// What doctor reads from each director, as raw command results: the checks parse them (pure, tested on
// captured output), so a read here never decides anything. Every command is one the read-only guard
// allows (transport/read-only-programs.ts); doctor always runs over a read-only transport.
import {readInstalledConfig, sudoConfigFolder, type InstalledConfig} from '../../probes/installed-config.js';
import {keepalivedLogReadCommand} from '../../probes/keepalived-log.js';
import {keepalivedDumpCommand, keepalivedVersionCommand} from '../../probes/vrrp.js';
import {DEFAULT_KEEPALIVED_LOG, type Profile} from '../../profile/model.js';
import {STAT_FORMAT} from '../../transport/read-only-programs.js';
import type {Transport} from '../../transport/types.js';

/** One command's result, or why it did not run (unreachable, refused, timed out). */
export type Read = {readonly ok: true; readonly code: number | null; readonly stdout: string; readonly stderr: string} | {readonly ok: false; readonly error: string};

/** The sysctls the LVS checks read (missing keys are left out by `sysctl -e`: a module not loaded). */
export const DOCTOR_SYSCTLS = [
	'net.ipv4.ip_forward',
	'net.ipv4.vs.expire_nodest_conn',
	'net.ipv4.vs.expire_quiescent_template',
	'net.ipv4.vs.conntrack',
	'net.netfilter.nf_conntrack_count',
	'net.netfilter.nf_conntrack_max',
] as const;

/** How many of keepalived's last log lines doctor reads (a few minutes of a busy director). */
export const DOCTOR_LOG_LINES = 2000;

export const commands = {
	/** Seconds since the epoch with nanoseconds: the clock check. */
	clock: ['date', '+%s.%N'],
	sysctl: ['sysctl', '-e', ...DOCTOR_SYSCTLS],
	nft: ['nft', 'list', 'ruleset'],
	iptables: ['iptables-save'],
	/** Where iptables-save is the nft variant, legacy rules are only seen here. */
	iptablesLegacy: ['iptables-legacy-save'],
	/** firewalld: is it running (systemctl, as `firewall-cmd --state` waits 10 s for a stopped daemon), every zone as `--list-all-zones` prints it, and its direct rules. */
	firewalldState: ['systemctl', 'is-active', 'firewalld'],
	firewalldZones: ['firewall-cmd', '--list-all-zones'],
	firewalldDirect: ['firewall-cmd', '--direct', '--get-all-rules'],
	version: keepalivedVersionCommand(),
	/** keepalived's recent log (the checkers' reasons, the senders of adverts), from the journal or the profile's file. */
	log: (profile: Pick<Profile, 'keepalived'>) => keepalivedLogReadCommand(profile.keepalived.log ?? DEFAULT_KEEPALIVED_LOG, DOCTOR_LOG_LINES),
	configTest: (configPath: string) => ['keepalived', '-t', '-f', configPath],
	stats: (pidFile: string, dumpDir: string) => keepalivedDumpCommand('stats', pidFile, dumpDir),
	stat: (paths: readonly string[]) => ['stat', '-L', '-c', STAT_FORMAT, ...paths],
} as const;

export interface ClockRead {
	readonly read: Read;
	/** Local epoch ms when the command was sent and when its answer came back. */
	readonly sentAt: number;
	readonly receivedAt: number;
}

/** Everything read from one director. `stats` holds the two reads of keepalived's counters, in order. */
export interface DirectorReads {
	readonly host: string;
	readonly clock: ClockRead;
	readonly sysctl: Read;
	readonly nft: Read;
	readonly iptables: Read;
	readonly iptablesLegacy: Read;
	readonly firewalld: FirewalldReads;
	readonly version: Read;
	readonly configTest: Read;
	readonly installed: InstalledConfig;
	readonly stats: readonly Read[];
	/** `stat` of the script files the installed config runs (absent: none to look at). */
	readonly scripts?: Read;
	/** keepalived's last log lines, read after the counters' window (absent: not read). */
	readonly log?: Read;
	/** This machine's clock (epoch ms) when the log read came back. */
	readonly logReadAt?: number;
}

/** firewalld's rules, read only when it runs. */
export interface FirewalldReads {
	readonly state: Read;
	readonly zones?: Read;
	readonly direct?: Read;
}

export async function readFirewalld(run: Runner, host: string): Promise<FirewalldReads> {
	const state = await run(host, commands.firewalldState);
	if (!state.ok || state.code !== 0) return {state};
	const [zones, direct] = await Promise.all([run(host, commands.firewalldZones), run(host, commands.firewalldDirect)]);
	return {state, zones, direct};
}

export type Runner = (host: string, argv: readonly string[]) => Promise<Read>;

/** Runs through the transport; never throws. */
export function runnerOf(transport: Transport, signal?: AbortSignal): Runner {
	return async (host, argv) => {
		try {
			const r = await transport.exec(host, argv, signal ? {signal} : {});
			if (r.timedOut) return {ok: false, error: `${argv[0]} timed out`};
			return {ok: true, code: r.code, stdout: r.stdout, stderr: r.stderr};
		} catch (error) {
			return {ok: false, error: error instanceof Error ? error.message : String(error)};
		}
	};
}

export async function readClock(run: Runner, host: string, now: () => number): Promise<ClockRead> {
	const sentAt = now();
	const read = await run(host, commands.clock);
	return {read, sentAt, receivedAt: now()};
}

/** The reads that need one round each, in parallel (the two stats reads, firewalld, `stat` and the log are the session's). */
export async function readDirectorOnce(run: Runner, profile: Profile, host: string, now: () => number) {
	const {configPath} = profile.keepalived;
	const sudo = profile.hosts.find((h) => h.name === host)?.ssh.sudo === true;
	const [clock, sysctl, nft, iptables, iptablesLegacy, version, configTest, installed] = await Promise.all([
		readClock(run, host, now),
		run(host, commands.sysctl),
		run(host, commands.nft),
		run(host, commands.iptables),
		run(host, commands.iptablesLegacy),
		run(host, commands.version),
		run(host, commands.configTest(configPath)),
		readInstalledConfig(
			async (argv) => {
				const r = await run(host, argv);
				if (!r.ok) throw new Error(r.error);
				return {code: r.code, stdout: r.stdout, stderr: r.stderr, timedOut: false, durationMs: 0};
			},
			configPath,
			{fallbackConfigId: host, ...(sudo ? {confineTo: sudoConfigFolder(configPath)} : {})},
		),
	]);
	return {clock, sysctl, nft, iptables, iptablesLegacy, version, configTest, installed};
}

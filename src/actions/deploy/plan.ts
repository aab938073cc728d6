// Deploy, step 1: read what is on each host and diff it with what the profile renders. Changes nothing.
// Directors' configs are also compared in keepalived terms (includes followed): a file that differs
// only in layout is left alone unless a rewrite is forced, and keywords only the installed config has
// are listed as removals (the command and the console ask for them separately).
import {createTwoFilesPatch} from 'diff';
import {compareKeepalivedConf, parseKeepalivedConf, type Difference} from '../../keepalived-conf/index.js';
import {readInstalledConfig, sudoConfigFolder} from '../../probes/installed-config.js';
import {statedKeepalivedVersion, type Host, type Profile} from '../../profile/model.js';
import {renderForVersion, renderKeepalivedConf, type RenderOptions} from '../../render/keepalived-conf.js';
import {keepalivedVersionCommand} from '../../probes/vrrp.js';
import {readVersionOutput} from '../../probes/keepalived-caps.js';
import {ARP_SYSCTL_FILE, realServerSetup, renderRealServerSysctlConf, setupArgs} from '../../render/realserver-setup.js';
import {ipAddrJsonCommand, parseIpAddrJson} from '../../probes/vip.js';
import type {Transport} from '../../transport/types.js';
import {sha256Hex} from '../../probes/config-hash.js';
import {redactConfPair} from '../../text/redact.js';
import {parseSetupChanges, READ_FILE_SCRIPT, REALSERVER_SETUP_SCRIPT, temporariesCommand} from './remote-scripts.js';
import {VALIDATE_TMP_DIR} from '../validate-config.js';

export interface FileChange {
	readonly path: string;
	/** null when the file does not exist on the host. */
	readonly current: string | null;
	/** sha256 of the file as read on the host (null when missing): install checks it is still this one. */
	readonly currentSha256: string | null;
	readonly desired: string;
	readonly desiredSha256: string;
	/** Unified diff (empty when unchanged), VRRP passwords masked: it is shown and written as is. */
	readonly diff: string;
	readonly changed: boolean;
}

/** A director's change in keepalived terms: installed (includes followed) against the rendered config. */
export interface SemanticChange {
	/** Every difference; empty when only layout, comments or order differ. */
	readonly differences: readonly Difference[];
	/** The differences that are keywords only the installed config has: the deploy would remove them. */
	readonly removals: readonly Difference[];
}

export interface HostPlan {
	readonly host: string;
	readonly role: 'director' | 'realserver';
	readonly file: FileChange;
	/** Real servers: the setup's words (VIPs, `dev=`, `tun=`, `gw=`), and live settings that differ (applied now, not only persisted). */
	readonly vips?: readonly string[];
	readonly liveChanges?: readonly string[];
	/** Directors: does it hold a VIP now (it goes last, so the VIP moves at most once)? */
	readonly holdsVip?: boolean;
	/** Directors: temporaries of interrupted runs (they may hold the password); deploy removes them. */
	readonly staleTemporaries?: readonly string[];
	/** Directors whose file exists and differs: the change in keepalived terms, or why it could not be compared. */
	readonly semantic?: SemanticChange | {readonly error: string};
	/** Directors whose file differs only in layout: left as it is (`skip`), or rewritten as forced (`rewrite`). */
	readonly layoutOnly?: 'skip' | 'rewrite';
	/** Directors: the keepalived version rendered for, and lines of the profile that version does not know. */
	readonly keepalived?: TargetKeepalived;
}

export interface TargetKeepalived {
	/** null: the director reported no version (the render is for current keepalived). */
	readonly version: string | null;
	/** Where the version came from: the profile (keepalived.version) or `keepalived --version` on the director. */
	readonly from: 'profile' | 'director';
	/** `vrrp_instance VI_1: mcast_dst_ip needs keepalived 2.2.5 or later; keepalived 2.1.5 ignores the line`. */
	readonly warnings: readonly string[];
}

export interface DeployPlan {
	readonly hosts: readonly HostPlan[];
	readonly changed: boolean;
}

export interface PlanOptions {
	/** Only this host. */
	readonly host?: string;
	/** Renders a director's keepalived.conf (tests inject broken configs here); given the target's keepalived version. */
	readonly render?: (profile: Profile, director: string, options?: RenderOptions) => string;
	/** Write a director's file even when it differs only in layout (`--force-rewrite`). */
	readonly forceRewrite?: boolean;
}

/** Will deploy write this host's file? Not when it matches, nor when it differs only in layout (unless forced). */
export function writesFile(h: HostPlan): boolean {
	return h.file.changed && h.layoutOnly !== 'skip';
}

/** Has deploy anything to do on this host? */
export function hostHasWork(h: HostPlan): boolean {
	return writesFile(h) || (h.liveChanges?.length ?? 0) > 0 || (h.staleTemporaries?.length ?? 0) > 0;
}

/** `vrrp_instance VI_1 notify_master`: what a removal takes away (a secret is named, never shown). */
export function removalSubject(d: Difference): string {
	return d.path === '' ? d.keyword : `${d.path} ${d.keyword}`;
}

/** The keywords the deploy would remove, per host whose file it writes. */
export function planRemovals(plan: DeployPlan): Array<{host: string; removals: readonly Difference[]}> {
	return plan.hosts.flatMap((h) => (writesFile(h) && h.semantic && 'removals' in h.semantic && h.semantic.removals.length > 0 ? [{host: h.host, removals: h.semantic.removals}] : []));
}

const MISSING = '@@lvsdeck missing';
/** Reading a file is quick, but a director busy with polls and reloads can be slow to start a session. */
const READ_TIMEOUT_MS = 15_000;

export interface RemoteFile {
	readonly text: string;
	/** sha256 of the bytes on the host (the text may have lost invalid UTF-8 on the way). */
	readonly sha256: string;
}

export async function readRemoteFile(transport: Transport, host: string, path: string): Promise<RemoteFile | null> {
	const r = await transport.exec(host, ['sh', '-c', READ_FILE_SCRIPT, 'lvsdeck-read', path], {timeoutMs: READ_TIMEOUT_MS});
	if (r.timedOut) throw new Error(`${host}: reading ${path} timed out`);
	if (r.code !== 0) throw new Error(`${host}: cannot read ${path}: ${r.stderr.trim() || `exit ${r.code}`}`);
	if (r.stdout === `${MISSING}\n`) return null;
	const m = /^sha256=([0-9a-f]{64})\n/.exec(r.stdout);
	if (!m) throw new Error(`${host}: cannot read ${path}: unexpected output`);
	return {sha256: m[1]!, text: r.stdout.slice(m[0].length)};
}

/** The change from what a host holds to what the profile renders, with a diff safe to show. */
export function fileChange(path: string, current: RemoteFile | null, desired: string): FileChange {
	const desiredSha256 = sha256Hex(desired);
	const changed = current?.sha256 !== desiredSha256;
	const shown = redactConfPair(current?.text ?? null, desired);
	const diff = changed ? createTwoFilesPatch(`${path} (installed)`, `${path} (rendered)`, shown.current ?? '', shown.desired, current === null ? 'missing' : '', '') : '';
	return {path, current: current?.text ?? null, currentSha256: current?.sha256 ?? null, desired, desiredSha256, diff, changed};
}

/** The installed config (includes followed) against the desired one, in keepalived terms. */
async function semanticChange(transport: Transport, host: string, path: string, desired: string, sudo: boolean): Promise<SemanticChange | {error: string}> {
	const installed = await readInstalledConfig((argv) => transport.exec(host, argv), path, {fallbackConfigId: host, ...(sudo ? {confineTo: sudoConfigFolder(path)} : {})});
	if (installed.kind === 'invalid') return {error: `the installed config does not parse: ${installed.error}`};
	if (installed.kind === 'unread') return {error: installed.error};
	if (installed.kind === 'missing') return {error: `${path} was gone when it was read again`};
	const rendered = parseKeepalivedConf(desired, {file: `${path} (rendered)`, configId: host});
	if (!rendered.ok) return {error: `the rendered config does not parse: ${rendered.error.message}`};
	const differences = compareKeepalivedConf(installed.config, rendered.config);
	return {differences, removals: differences.filter((d) => d.kind === 'only-a')};
}

/** The version the profile states for the director, else the one it reports; a director that says nothing gets the current keywords. */
async function targetKeepalived(profile: Profile, transport: Transport, host: Host): Promise<{version: string | null; from: 'profile' | 'director'}> {
	const stated = statedKeepalivedVersion(profile, host.name);
	if (stated !== undefined) return {version: stated, from: 'profile'};
	try {
		const r = await transport.exec(host.name, keepalivedVersionCommand(), {timeoutMs: READ_TIMEOUT_MS});
		return {version: r.timedOut ? null : readVersionOutput(`${r.stdout}\n${r.stderr}`).version, from: 'director'};
	} catch {
		// Reading the file below reports an unreachable director; the version is not worth a second error.
		return {version: null, from: 'director'};
	}
}

async function planDirector(profile: Profile, transport: Transport, host: Host, render: NonNullable<PlanOptions['render']>, forceRewrite: boolean): Promise<HostPlan> {
	const path = profile.keepalived.configPath;
	// The stale temporaries after the file, not beside it: a busy director (a console polls it too) gets
	// one more session at a time, not two.
	const readBoth = async () => [await readRemoteFile(transport, host.name, path), await transport.exec(host.name, temporariesCommand('list', path, VALIDATE_TMP_DIR), {timeoutMs: READ_TIMEOUT_MS})] as const;
	const target = await targetKeepalived(profile, transport, host);
	const [[current, stale], addrs] = await Promise.all([readBoth(), transport.exec(host.name, ipAddrJsonCommand())]);
	const vips = new Set(profile.instances.flatMap((i) => i.vips.map((v) => v.address)));
	const holdsVip = parseIpAddrJson(addrs.stdout).addresses.some((a) => vips.has(a.address));
	const staleTemporaries = [...stale.stdout.matchAll(/^stale=(.+)$/gm)].map((m) => m[1]!);
	const file = fileChange(path, current, render(profile, host.name, target.version === null ? {} : {keepalivedVersion: target.version}));
	const warnings = target.version === null ? [] : renderForVersion(profile, host.name, target.version).warnings.map((w) => w.message);
	// A missing file has nothing to compare; an equal one nothing to say.
	const semantic = file.changed && current !== null ? await semanticChange(transport, host.name, path, file.desired, host.ssh.sudo) : undefined;
	const layoutOnly = semantic && 'differences' in semantic && semantic.differences.length === 0 ? (forceRewrite ? 'rewrite' : 'skip') : undefined;
	return {
		host: host.name,
		role: 'director',
		file,
		holdsVip,
		...(staleTemporaries.length > 0 ? {staleTemporaries} : {}),
		...(semantic ? {semantic} : {}),
		...(layoutOnly ? {layoutOnly} : {}),
		keepalived: {...target, warnings},
	};
}

async function planRealServer(profile: Profile, transport: Transport, host: Host): Promise<HostPlan> {
	const setup = realServerSetup(profile, host.name);
	const args = setupArgs(setup);
	const desired = renderRealServerSysctlConf(profile.name, setup);
	// The setup script's check mode says what apply would change live, for every forwarding mode.
	const check = () => transport.exec(host.name, ['sh', '-c', REALSERVER_SETUP_SCRIPT, 'lvsdeck-setup', 'check', ARP_SYSCTL_FILE, ...args], {stdin: desired, timeoutMs: READ_TIMEOUT_MS});
	const [current, checked] = await Promise.all([readRemoteFile(transport, host.name, ARP_SYSCTL_FILE), check()]);
	const liveChanges = checked.code === 0 ? parseSetupChanges(checked.stdout) : undefined;
	if (liveChanges === undefined) throw new Error(`${host.name}: cannot read the real-server setup: ${checked.stderr.trim() || `exit ${checked.code}`}`);
	return {host: host.name, role: 'realserver', file: fileChange(ARP_SYSCTL_FILE, current, desired), vips: args, liveChanges};
}

/**
 * Reads every host and orders the work: real servers first (a new VIP must be on their lo before a
 * director sends traffic for it), then directors that hold no VIP, the VIP holders last (so the VIP
 * moves at most once).
 */
export async function planDeploy(profile: Profile, transport: Transport, options: PlanOptions = {}): Promise<DeployPlan> {
	const render = options.render ?? renderKeepalivedConf;
	const targets = profile.hosts.filter((h) => (h.role === 'director' || h.role === 'realserver') && (options.host === undefined || h.name === options.host));
	if (options.host !== undefined && targets.length === 0) throw new Error(`${options.host} is not a director or real server of profile ${profile.name}`);
	const forceRewrite = options.forceRewrite === true;
	const plans = await Promise.all(targets.map((h) => (h.role === 'director' ? planDirector(profile, transport, h, render, forceRewrite) : planRealServer(profile, transport, h))));
	const rank = (p: HostPlan) => (p.role === 'realserver' ? 0 : p.holdsVip ? 2 : 1);
	const hosts = [...plans].sort((a, b) => rank(a) - rank(b));
	return {hosts, changed: hosts.some(hostHasWork)};
}

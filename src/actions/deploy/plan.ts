// Deploy, step 1: read what is on each host and diff it with what the profile renders. Changes nothing.
import {createTwoFilesPatch} from 'diff';
import type {Host, Profile} from '../../profile/model.js';
import {renderKeepalivedConf} from '../../render/keepalived-conf.js';
import {ARP_SYSCTL_FILE, realServerVips, renderArpSysctlConf} from '../../render/realserver-setup.js';
import {parseRealServerCheck, realServerCheckCommand} from '../../probes/realserver.js';
import {ipAddrJsonCommand, parseIpAddrJson} from '../../probes/vip.js';
import type {Transport} from '../../transport/types.js';
import {sha256Hex} from '../../probes/config-hash.js';
import {redactConfPair} from '../../text/redact.js';
import {READ_FILE_SCRIPT, temporariesCommand} from './remote-scripts.js';
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

export interface HostPlan {
	readonly host: string;
	readonly role: 'director' | 'realserver';
	readonly file: FileChange;
	/** Real servers: VIPs to put on lo, and live settings that differ (applied now, not only persisted). */
	readonly vips?: readonly string[];
	readonly liveChanges?: readonly string[];
	/** Directors: does it hold a VIP now (it goes last, so the VIP moves at most once)? */
	readonly holdsVip?: boolean;
	/** Directors: temporaries of interrupted runs (they may hold the password); deploy removes them. */
	readonly staleTemporaries?: readonly string[];
}

export interface DeployPlan {
	readonly hosts: readonly HostPlan[];
	readonly changed: boolean;
}

export interface PlanOptions {
	/** Only this host. */
	readonly host?: string;
	/** Renders a director's keepalived.conf (tests inject broken configs here). */
	readonly render?: (profile: Profile, director: string) => string;
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

async function planDirector(profile: Profile, transport: Transport, host: Host, render: NonNullable<PlanOptions['render']>): Promise<HostPlan> {
	const path = profile.keepalived.configPath;
	// The stale temporaries after the file, not beside it: a busy director (a console polls it too) gets
	// one more session at a time, not two.
	const readBoth = async () => [await readRemoteFile(transport, host.name, path), await transport.exec(host.name, temporariesCommand('list', path, VALIDATE_TMP_DIR), {timeoutMs: READ_TIMEOUT_MS})] as const;
	const [[current, stale], addrs] = await Promise.all([readBoth(), transport.exec(host.name, ipAddrJsonCommand())]);
	const vips = new Set(profile.instances.flatMap((i) => i.vips.map((v) => v.address)));
	const holdsVip = parseIpAddrJson(addrs.stdout).addresses.some((a) => vips.has(a.address));
	const staleTemporaries = [...stale.stdout.matchAll(/^stale=(.+)$/gm)].map((m) => m[1]!);
	return {host: host.name, role: 'director', file: fileChange(path, current, render(profile, host.name)), holdsVip, ...(staleTemporaries.length > 0 ? {staleTemporaries} : {})};
}

async function planRealServer(profile: Profile, transport: Transport, host: Host): Promise<HostPlan> {
	const vips = realServerVips(profile, host.name);
	const [current, check] = await Promise.all([readRemoteFile(transport, host.name, ARP_SYSCTL_FILE), transport.exec(host.name, realServerCheckCommand())]);
	const parsed = parseRealServerCheck(check.stdout, vips);
	const liveChanges = [
		...parsed.missingVips.map((v) => `add ${v}/32 on lo`),
		...(['all', 'lo'] as const).flatMap((k) => [
			...(parsed.arpIgnore[k] === 1 ? [] : [`net.ipv4.conf.${k}.arp_ignore ${parsed.arpIgnore[k] ?? '?'} -> 1`]),
			...(parsed.arpAnnounce[k] === 2 ? [] : [`net.ipv4.conf.${k}.arp_announce ${parsed.arpAnnounce[k] ?? '?'} -> 2`]),
		]),
	];
	return {host: host.name, role: 'realserver', file: fileChange(ARP_SYSCTL_FILE, current, renderArpSysctlConf(profile.name)), vips, liveChanges};
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
	const plans = await Promise.all(targets.map((h) => (h.role === 'director' ? planDirector(profile, transport, h, render) : planRealServer(profile, transport, h))));
	const rank = (p: HostPlan) => (p.role === 'realserver' ? 0 : p.holdsVip ? 2 : 1);
	const hosts = [...plans].sort((a, b) => rank(a) - rank(b));
	return {hosts, changed: hosts.some((h) => h.file.changed || (h.liveChanges?.length ?? 0) > 0 || (h.staleTemporaries?.length ?? 0) > 0)};
}

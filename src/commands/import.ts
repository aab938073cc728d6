// `lvsdeck import`: a profile from the keepalived.conf the directors already have, read over SSH
// (read-only) with --director, or from local copies with --conf. Never writes to a host.
// Exit 0 written (warnings on stderr), 2 error (a config keepalived would not read: file:line:col).
import {copyFileSync, existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import {isIP} from 'node:net';
import path from 'node:path';
import {parse as parseYaml} from 'yaml';
import {CliError} from '../cli-error.js';
import {nameSchema} from '../profile/schema.js';
import {resolveProfile} from '../profile/resolve.js';
import type {Profile} from '../profile/model.js';
import {profileSchema} from '../profile/schema.js';
import {buildProfile, ImportError, ImportInternalError, localFiles, readDirectorConfigs, type DirectorSource, type ImportSettings} from '../actions/import/import.js';
import {redactedProfileYaml} from '../actions/import/redact.js';
import type {Doc} from '../actions/import/lift.js';
import {readRemoteKeepalivedConfig, RemoteReadError} from '../probes/keepalived-files.js';
import {detectVipDevices} from '../actions/import/vip-devices.js';
import {keepalivedVersionCommand} from '../probes/vrrp.js';
import {readVersionOutput} from '../probes/keepalived-caps.js';
import {createClusterTransport} from '../transport/cluster-transport.js';
import type {Transport} from '../transport/types.js';
import {runInStation} from '../station.js';
import {printErr, printJson, writeFileWithSecrets, writeOut, writeOutWithSecrets} from '../text/sink.js';
import {parseTrust} from './with-cluster.js';

export interface ImportOptions {
	readonly director?: readonly string[];
	readonly conf?: readonly string[];
	readonly address?: readonly string[];
	readonly name?: readonly string[];
	readonly configId?: readonly string[];
	readonly configPath?: string;
	readonly out?: string;
	readonly force?: boolean;
	readonly profileName?: string;
	readonly user?: string;
	readonly sudo?: boolean;
	readonly identityFile?: string;
	readonly knownHosts?: string;
	readonly jump?: string;
	readonly stationNetns?: string;
	readonly sshFrom?: string;
	readonly trustHostKey?: readonly string[];
	readonly showSecrets?: boolean;
	/** Print a JSON report on stdout (what was read and written, notes, warnings) instead of the text lines. */
	readonly json?: boolean;
}

const DEFAULT_CONFIG_PATH = '/etc/keepalived/keepalived.conf';

function pairs(flag: string, values: readonly string[] | undefined, check: (key: string, value: string) => string | undefined): Map<string, string> {
	const out = new Map<string, string>();
	for (const v of values ?? []) {
		const eq = v.indexOf('=');
		if (eq <= 0 || eq === v.length - 1) throw new CliError(`${flag} ${v}: expected KEY=VALUE`, 2);
		const [key, value] = [v.slice(0, eq), v.slice(eq + 1)];
		const problem = check(key, value);
		if (problem) throw new CliError(`${flag} ${v}: ${problem}`, 2);
		if (out.has(key)) throw new CliError(`${flag}: ${key} is given twice`, 2);
		out.set(key, value);
	}
	return out;
}

const badName = (n: string) => (nameSchema.safeParse(n).success ? undefined : `${n} must be letters, digits, "_", "." or "-" (at most 63)`);

/** `[USER@]ADDRESS[:PORT]`, an IPv6 address in brackets when a port follows. */
export function parseTarget(target: string): {user?: string; host: string; port?: number} | undefined {
	const m = /^(?:([a-z_][a-z0-9_-]{0,31})@)?(?:\[([^\]]+)\]|([^@:\s]+)|([0-9A-Fa-f:.]+))(?::(\d{1,5}))?$/.exec(target);
	if (!m) {
		const v6 = /^(?:([a-z_][a-z0-9_-]{0,31})@)?([0-9A-Fa-f:.]+)$/.exec(target);
		if (v6 && isIP(v6[2]!) === 6) return {...(v6[1] ? {user: v6[1]} : {}), host: v6[2]!};
		return undefined;
	}
	const host = m[2] ?? m[3] ?? m[4]!;
	const port = m[5] !== undefined ? Number(m[5]) : undefined;
	if (port !== undefined && (port < 1 || port > 65535)) return undefined;
	return {...(m[1] ? {user: m[1]} : {}), host, ...(port !== undefined ? {port} : {})};
}

/** Host doc for an SSH target: an IP is the address; a name is an ~/.ssh/config alias. */
function targetHost(target: {user?: string; host: string; port?: number}): {address?: string; ssh: Doc} {
	const ssh: Doc = {...(target.user ? {user: target.user} : {}), ...(target.port !== undefined ? {port: target.port} : {})};
	if (isIP(target.host) !== 0) return {address: target.host, ssh};
	return {ssh: {...ssh, config_alias: target.host}};
}

/** A path for the written profile: relative to its folder when it has one, else absolute. */
function profilePath(p: string, base: string, outDir: string | undefined): string {
	if (p.startsWith('~')) return p;
	const absolute = path.resolve(base, p);
	return outDir ? path.relative(outDir, absolute) || '.' : absolute;
}

interface SshSetup {
	readonly ssh?: Doc;
	readonly station?: Doc;
	/** Extra hosts the SSH settings need (a jump host). */
	readonly hosts: Record<string, Doc>;
}

function sshSetup(o: ImportOptions, outDir: string | undefined): SshSetup {
	let ssh: Doc = {};
	let station: Doc | undefined;
	const hosts: Record<string, Doc> = {};
	if (o.sshFrom) {
		let raw: {ssh?: Doc; station?: Doc; hosts?: Record<string, Doc>};
		try {
			raw = (parseYaml(readFileSync(o.sshFrom, 'utf8')) ?? {}) as typeof raw;
		} catch (error) {
			throw new CliError(`--ssh-from ${o.sshFrom}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, 2);
		}
		const base = path.dirname(path.resolve(o.sshFrom));
		ssh = {...raw.ssh};
		for (const k of ['identity_file', 'known_hosts'] as const) if (typeof ssh[k] === 'string') ssh[k] = profilePath(ssh[k], base, outDir);
		if (raw.station) station = {...raw.station};
		const jump = typeof ssh.jump === 'string' ? ssh.jump : undefined;
		if (jump && raw.hosts?.[jump]) hosts[jump] = {...raw.hosts[jump], role: 'bastion'};
	}
	if (o.user) ssh.user = o.user;
	if (o.sudo) ssh.sudo = true;
	if (o.identityFile) ssh.identity_file = profilePath(o.identityFile, process.cwd(), outDir);
	if (o.knownHosts) ssh.known_hosts = profilePath(o.knownHosts, process.cwd(), outDir);
	if (o.stationNetns) station = {netns: o.stationNetns};
	if (o.jump) {
		const [name, target] = [...pairs('--jump', [o.jump], (k, v) => badName(k) ?? (parseTarget(v) ? undefined : 'expected NAME=[USER@]ADDRESS[:PORT]'))][0]!;
		const t = targetHost(parseTarget(target)!);
		hosts[name] = {address: t.address ?? 'unknown', role: 'bastion', ...(Object.keys(t.ssh).length > 0 ? {ssh: t.ssh} : {})};
		ssh.jump = name;
	}
	return {...(Object.keys(ssh).length > 0 ? {ssh} : {}), ...(station ? {station} : {}), hosts};
}

function backupStamp(now = new Date()): string {
	return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Write the profile (0600: it holds the VRRP password); an existing file is kept as FILE.bak.<stamp>. */
function writeProfile(file: string, text: string): string | undefined {
	let backup: string | undefined;
	if (existsSync(file)) {
		backup = `${file}.bak.${backupStamp()}`;
		copyFileSync(file, backup);
	}
	const tmp = `${file}.lvsdeck-new`;
	writeFileWithSecrets(tmp, text, 0o600);
	renameSync(tmp, file);
	return backup;
}

export async function importCommand(o: ImportOptions): Promise<number> {
	const remote = pairs('--director', o.director, (k, v) => badName(k) ?? (parseTarget(v) ? undefined : 'expected NAME=[USER@]ADDRESS[:PORT]'));
	const local = pairs('--conf', o.conf, (k) => badName(k));
	if (remote.size + local.size === 0) throw new CliError('import: give at least one --director NAME=[USER@]ADDRESS or --conf NAME=FILE', 2);
	for (const k of remote.keys()) if (local.has(k)) throw new CliError(`import: ${k} is given with both --director and --conf`, 2);
	const names = [...remote.keys(), ...local.keys()];
	const addresses = pairs('--address', o.address, (k, v) => (names.includes(k) ? (isIP(v) ? undefined : `${v} is not an IP address`) : `${k} is not a director given with --director or --conf`));
	const rsNames = pairs('--name', o.name, (k, v) => (isIP(k) ? badName(v) : `${k} is not an IP address`));
	const configIds = pairs('--config-id', o.configId, (k) => (names.includes(k) ? undefined : `${k} is not a director given with --director or --conf`));
	const out = o.out ? path.resolve(o.out) : undefined;
	if (out && existsSync(out) && !o.force) throw new CliError(`${o.out} exists: pass --force to replace it (the old one is kept as ${o.out}.bak.<UTC time>)`, 2);
	const profileName = o.profileName ?? (out && !badName(path.basename(out).replace(/\.ya?ml$/, '')) ? path.basename(out).replace(/\.ya?ml$/, '') : 'imported');
	if (badName(profileName)) throw new CliError(`--profile-name ${profileName}: ${badName(profileName)}`, 2);
	const configPath = o.configPath ?? DEFAULT_CONFIG_PATH;
	if (!path.posix.isAbsolute(configPath)) throw new CliError(`--config-path ${configPath}: must be an absolute path`, 2);

	const setup = sshSetup(o, out ? path.dirname(out) : undefined);
	const targets = new Map([...remote].map(([n, t]) => [n, targetHost(parseTarget(t)!)]));
	const netns = setup.station?.['netns'];
	if (remote.size > 0) {
		const reexec = await runInStation(typeof netns === 'string' ? netns : undefined);
		if (reexec !== undefined) return reexec;
	}

	const sources: DirectorSource[] = [];
	for (const [name, file] of local) {
		const address = addresses.get(name);
		sources.push({name, ...(address ? {address} : {}), configId: configIds.get(name) ?? name, file, files: localFiles});
	}
	const hostSsh = new Map([...targets].filter(([, t]) => Object.keys(t.ssh).length > 0).map(([n, t]) => [n, t.ssh]));
	if (remote.size > 0) sources.push(...(await readRemote(o, setup, targets, hostSsh, configPath, configIds, addresses, out)));

	const where = [...remote].map(([n, t]) => `${n} (${t}:${configPath})`).concat([...local].map(([n, f]) => `${n} (${f})`));
	const settings: ImportSettings = {
		profileName,
		description: `imported from ${[...remote.keys(), ...local.keys()].join(', ')}`,
		profileFile: out ?? path.resolve('imported.yaml'),
		names: rsNames,
		...(setup.station ? {station: setup.station} : {}),
		...(setup.ssh ? {ssh: setup.ssh} : {}),
		hostSsh,
		...(configPath !== DEFAULT_CONFIG_PATH ? {configPath} : {}),
		header: [
			`Imported by lvsdeck on ${new Date().toISOString().slice(0, 10)} from ${where.join(', ')}.`,
			`Check it renders what each director has: lvsdeck render --profile ${o.out ?? 'FILE'} --host ${names[0]}`,
			'Fields named extra and global_defs hold keepalived.conf text the typed fields do not (written as is);',
			"omit lists typed fields left out of keepalived.conf, so keepalived uses its defaults (the values given).",
		],
	};
	let result;
	const readWarnings: string[] = [];
	let detected: VipDeviceScan = {devices: new Map(), notes: []};
	try {
		const read = readDirectorConfigs(sources);
		readWarnings.push(...read.warnings);
		result = buildProfile(read.dirs, {...settings, extraHosts: setup.hosts});
		// Over SSH, also look where the DR real servers hold their VIPs (lo, or a dummy device).
		if (remote.size > 0) detected = await realServerVipDevices(o, result.profile);
		if (detected.devices.size > 0) result = buildProfile(read.dirs, {...settings, extraHosts: setup.hosts, vipDevices: detected.devices});
	} catch (error) {
		for (const w of readWarnings) printErr(w);
		if (error instanceof ImportError || error instanceof ImportInternalError) throw new CliError(error.message, 2);
		throw error;
	}
	const notes = [...detected.notes, ...[...detected.devices].map(([host, device]) => `${host} holds its VIPs on ${device}: vip_device ${device}`), ...result.notes];
	const backup = out ? writeProfile(out, result.yaml) : undefined;
	reportImport(o, {names, out, backup, result, notes, warnings: readWarnings});
	return 0;
}

interface ImportOutcome {
	readonly names: readonly string[];
	readonly out: string | undefined;
	readonly backup: string | undefined;
	readonly result: ReturnType<typeof buildProfile>;
	readonly notes: readonly string[];
	/** What reading the configs warned about (file:line:col), before the profile's own version warnings. */
	readonly warnings: readonly string[];
}

/** What import says: one JSON report, or the notes on stderr and the profile (redacted) or a line naming the file. */
function reportImport(o: ImportOptions, {names, out, backup, result, notes, warnings}: ImportOutcome): void {
	const p = result.profile;
	if (o.json) {
		// the profile itself, passwords redacted, when it was not written to a file
		const report = {directors: names, written: out ?? null, backup: backup ?? null, instances: p.instances.length, virtualServers: p.virtualServers.length, notes, warnings: [...warnings, ...result.versionWarnings], profile: out ? null : redactedProfileYaml(result)};
		printJson(report, {pretty: true});
		return;
	}
	for (const w of warnings) printErr(w);
	for (const n of notes) printErr(`lvsdeck import: note: ${n}`);
	for (const w of result.versionWarnings) printErr(`lvsdeck import: warning: ${w}`);
	if (!out) {
		if (o.showSecrets) writeOutWithSecrets(result.yaml);
		else writeOut(redactedProfileYaml(result));
		if (!o.showSecrets) printErr('lvsdeck import: passwords are redacted on the terminal; --out FILE writes them (or --show-secrets)');
		return;
	}
	printErr(
		`lvsdeck import: wrote ${o.out} (${names.length} director${names.length === 1 ? '' : 's'}, ${p.instances.length} typed vrrp_instance${p.instances.length === 1 ? '' : 's'}, ${p.virtualServers.length} typed virtual_server${p.virtualServers.length === 1 ? '' : 's'})${backup ? `; the old file is ${path.relative(process.cwd(), backup) || backup}` : ''}`,
	);
}

interface VipDeviceScan {
	readonly devices: Map<string, string>;
	readonly notes: readonly string[];
}

/** DR real servers' dummy VIP devices, read best effort with the read-only transport; notes for hosts it could not read. */
async function realServerVipDevices(o: ImportOptions, profile: Profile): Promise<VipDeviceScan> {
	const transport = createClusterTransport(profile, {readOnly: true, trust: parseTrust(o.trustHostKey)});
	try {
		const found = await detectVipDevices(profile, transport);
		return {devices: found.devices, notes: found.notes};
	} finally {
		await transport.close();
	}
}

/** The director's keepalived version (the profile records it; render and deploy follow it); undefined when it says none. */
async function remoteKeepalivedVersion(transport: Transport, host: string): Promise<string | undefined> {
	const r = await transport.exec(host, keepalivedVersionCommand()).catch(() => undefined);
	return r && !r.timedOut ? (readVersionOutput(`${r.stdout}\n${r.stderr}`).version ?? undefined) : undefined;
}

async function readRemote(
	o: ImportOptions,
	setup: SshSetup,
	targets: ReadonlyMap<string, {address?: string; ssh: Doc}>,
	hostSsh: ReadonlyMap<string, Doc>,
	configPath: string,
	configIds: ReadonlyMap<string, string>,
	addresses: ReadonlyMap<string, string>,
	out: string | undefined,
): Promise<DirectorSource[]> {
	// A profile of just the directors (and a jump host) to connect with, by the usual host-key rules.
	const hosts: Record<string, Doc> = {...setup.hosts};
	for (const [name, t] of targets) {
		const ssh = hostSsh.get(name);
		hosts[name] = {address: addresses.get(name) ?? t.address ?? 'unknown', role: 'director', ...(ssh ? {ssh} : {})};
	}
	const doc = profileSchema.safeParse({name: 'import', ...(setup.station ? {station: setup.station} : {}), ...(setup.ssh ? {ssh: setup.ssh} : {}), hosts, vrrp_instances: []});
	if (!doc.success) throw new CliError(`import: SSH settings: ${doc.error.issues[0]?.path.join('.')}: ${doc.error.issues[0]?.message}`, 2);
	const profile = resolveProfile(doc.data, out ?? path.resolve('imported.yaml'));
	const transport = createClusterTransport(profile, {readOnly: true, trust: parseTrust(o.trustHostKey)});
	try {
		return await Promise.all(
			[...targets].map(async ([name, t]) => {
				const sudo = profile.hosts.find((h) => h.name === name)?.ssh.sudo === true;
				const read = await readRemoteKeepalivedConfig(transport, name, configPath, {sudo}).catch((error: unknown) => {
					throw new CliError(error instanceof RemoteReadError || error instanceof Error ? error.message : String(error), 2);
				});
				const address = addresses.get(name) ?? t.address;
				const keepalivedVersion = await remoteKeepalivedVersion(transport, name);
				return {
					name,
					...(address ? {address} : {}),
					configId: configIds.get(name) ?? read.configId,
					file: configPath,
					files: read.reader,
					where: `${name}:`,
					...(keepalivedVersion ? {keepalivedVersion} : {}),
				};
			}),
		);
	} finally {
		await transport.close();
	}
}

// Every command lvsdeck runs as root, as sudoers rules: the one list `lvsdeck sudoers` prints and deploy
// and the drills check before they start. Two levels: monitor (what status, the console, the wall and
// the exporter need: reading only) and operate (what deploy and the drills add). Each rule is the
// exact argv the code sends (scripts are the same constants, put on one line the way the transport
// sends them through sudo), with ANY only where a value changes from run to run (time stamps, backups,
// signal numbers) or, in the generic rules, where it belongs to a cluster (interfaces, services).
// Scripts that take such a value check it themselves.
import path from 'node:path/posix';
import type {Host, Profile} from '../../profile/model.js';
import {realServerHosts, realServerService} from '../../profile/model.js';
import {CONFIG_READ_SCRIPT, DIRECTOR_SNAPSHOT_SCRIPT} from '../../transport/read-only-scripts.js';
import {sudoConfigFolder} from '../../probes/installed-config.js';
import {connectionTableCommand} from '../../probes/ipvs-connections.js';
import {INSTALL_SCRIPT, READ_FILE_SCRIPT, RESTORE_SCRIPT, STATE_SCRIPT, CLEANUP_SCRIPT, REALSERVER_SETUP_SCRIPT} from '../deploy/remote-scripts.js';
import {VALIDATE_SCRIPT, VALIDATE_TMP_DIR} from '../validate-config.js';
import {CUT_VRRP_SCRIPT, SIGNAL_VRRP_SCRIPT, UNCUT_VRRP_SCRIPT} from '../drills/faults.js';
import {ARP_SYSCTL_FILE, realServerSetup, setupArgs} from '../../render/realserver-setup.js';
import {commands as doctorCommands} from '../doctor/reads.js';

/** A word any value may take (`*` in sudoers). */
export const ANY: unique symbol = Symbol('any');
export type RuleWord = string | typeof ANY;

export type RightsLevel = 'monitor' | 'operate';
export type RuleRole = 'director' | 'realserver';

/** What needs a rule: the read path, deploy, or a drill (hard-failover by its method). */
export type RuleUse = 'monitor' | 'deploy' | 'failover' | 'hard-freeze' | 'hard-cut' | 'rs-health' | 'drain';

export interface SudoRule {
	readonly level: RightsLevel;
	readonly uses: readonly RuleUse[];
	readonly role: RuleRole;
	/** What it is for, shown above the rule. */
	readonly why: string;
	readonly argv: readonly RuleWord[];
}

/** The values rules are built from: a profile's, or generic ones (ANY where a cluster decides). */
export interface RightsInput {
	readonly configPath: string;
	readonly backupDir: string;
	readonly pidFile: string;
	/** Every pid file the snapshot may be given: keepalived before 2.0.17 defaulted to /var/run. */
	readonly snapshotPidFiles: readonly string[];
	readonly vrrpPidFile: string;
	readonly dumpDir: string;
	readonly keepalived: {readonly start: readonly RuleWord[]; readonly stop: readonly RuleWord[]; readonly reload: readonly RuleWord[]};
	/** VRRP interfaces (the cut drill). */
	readonly interfaces: readonly RuleWord[];
	/** `ipvsadm -e` argv up to the weight, one per real server (the drain drill). */
	readonly weightEdits: ReadonlyArray<readonly RuleWord[]>;
	/** Real-server service start and stop commands (the rs-health drill). */
	readonly services: ReadonlyArray<readonly RuleWord[]>;
	/** The VIPs deploy puts on real servers' lo, per host (ANY in the generic rules). */
	readonly loVips: ReadonlyArray<readonly RuleWord[]>;
}

/** Debian and RHEL defaults, for the sudoers files in contrib/ (no cluster in view). */
export const GENERIC_INPUT: RightsInput = {
	configPath: '/etc/keepalived/keepalived.conf',
	backupDir: '/etc/keepalived/backup',
	pidFile: '/run/keepalived.pid',
	snapshotPidFiles: ['/run/keepalived.pid', '/var/run/keepalived.pid'],
	vrrpPidFile: '/run/keepalived_vrrp.pid',
	dumpDir: '/tmp',
	keepalived: {start: ['systemctl', 'start', 'keepalived'], stop: ['systemctl', 'stop', 'keepalived'], reload: ['systemctl', 'reload', 'keepalived']},
	interfaces: [ANY],
	weightEdits: [['ipvsadm', '-e', ANY]],
	services: [
		['systemctl', 'start', ANY],
		['systemctl', 'stop', ANY],
	],
	loVips: [[ANY]],
};

const FORWARD_FLAG = {DR: '-g', NAT: '-m', TUN: '-i'} as const;

/** The values of one profile: every rule exact but for per-run values. */
export function rightsInputOf(profile: Profile): RightsInput {
	const k = profile.keepalived;
	// Every unit the rs-health drill may stop and start: the hosts' services and the ones the virtual
	// servers (rs_service) or their real servers (service) name.
	const units = [...realServerHosts(profile).map((h) => h.service), ...profile.virtualServers.flatMap((vs) => vs.realServers.map((rs) => realServerService(profile, vs, rs)))];
	const services = units.flatMap((u) => (u ? [u.start, u.stop] : []));
	return {
		configPath: k.configPath,
		backupDir: k.backupDir,
		pidFile: k.pidFile,
		snapshotPidFiles: k.pidFileDefaulted ? unique([k.pidFile, '/run/keepalived.pid', '/var/run/keepalived.pid']) : [k.pidFile],
		vrrpPidFile: k.vrrpPidFile,
		dumpDir: k.dumpDir,
		keepalived: {start: k.start, stop: k.stop, reload: k.reload},
		interfaces: unique(profile.instances.map((i) => i.interface)),
		weightEdits: profile.virtualServers.flatMap((vs) =>
			vs.realServers.map((rs): RuleWord[] => ['ipvsadm', '-e', vs.protocol === 'UDP' ? '-u' : '-t', `${vs.vip}:${vs.port}`, '-r', `${rs.address}:${rs.port}`, FORWARD_FLAG[vs.forwarding], '-w', ANY]),
		),
		services: uniqueArgv(services),
		loVips: uniqueArgv(realServerHosts(profile).map((h) => setupArgs(realServerSetup(profile, h.name)))),
	};
}

function unique<T>(list: readonly T[]): T[] {
	return [...new Set(list)];
}

function uniqueArgv(list: ReadonlyArray<readonly RuleWord[]>): Array<readonly RuleWord[]> {
	const seen = new Set<string>();
	return list.filter((a) => {
		const key = JSON.stringify(a.map((w) => (w === ANY ? '\0*' : w)));
		return seen.has(key) ? false : (seen.add(key), true);
	});
}

const script = (text: string, name: string, ...args: RuleWord[]): RuleWord[] => ['sh', '-c', text, name, ...args];

function monitorRules(i: RightsInput): SudoRule[] {
	const m = (why: string, argv: RuleWord[]): SudoRule => ({level: 'monitor', uses: ['monitor'], role: 'director', why, argv});
	return [
		...i.snapshotPidFiles.flatMap((pidFile) =>
			(['json', 'data', 'none'] as const).map((kind) =>
				m(`the director snapshot with a ${kind} keepalived dump (pid file ${pidFile}): ipvsadm -Ln (list, stats, rates), ip addr, the config's sha256${kind === 'none' ? '' : `, and keepalived's ${kind} dump (signal checked by the script)`}`, script(DIRECTOR_SNAPSHOT_SCRIPT, 'lvsdeck-probe', i.configPath, kind, pidFile, i.dumpDir, ANY)),
			),
		),
		m('the IPVS connection table (the watcher and drills name the backend of a TCP or UDP request by its client port)', [...connectionTableCommand()]),
		m(`read the installed keepalived config and its includes, only files under ${sudoConfigFolder(i.configPath)} (drift, import)`, script(CONFIG_READ_SCRIPT, 'lvsdeck-conf', sudoConfigFolder(i.configPath), ANY)),
		...doctorRules(i).map(([why, argv]) => m(why, argv)),
	];
}

/** doctor's reads that need root (the same argv doctor sends): keepalived's counters, its config test, the firewall (nft, iptables, firewalld). */
function doctorRules(i: RightsInput): Array<[string, RuleWord[]]> {
	return [
		...i.snapshotPidFiles.map((pidFile): [string, RuleWord[]] => [`doctor: keepalived's VRRP counters (keepalived.stats, pid file ${pidFile})`, [...doctorCommands.stats(pidFile, i.dumpDir)]]),
		[`doctor: keepalived -t on ${i.configPath} (a config test; starts nothing)`, [...doctorCommands.configTest(i.configPath)]],
		['doctor: the nftables ruleset (does a rule drop VRRP?)', [...doctorCommands.nft]],
		['doctor: the iptables rules', [...doctorCommands.iptables]],
		['doctor: the legacy iptables rules', [...doctorCommands.iptablesLegacy]],
		["doctor: firewalld's zones (does the VRRP interface's zone let protocol 112 in?)", [...doctorCommands.firewalldZones]],
		["doctor: firewalld's direct rules", [...doctorCommands.firewalldDirect]],
	];
}

function directorOperateRules(i: RightsInput): SudoRule[] {
	const d = (uses: readonly RuleUse[], why: string, argv: readonly RuleWord[]): SudoRule => ({level: 'operate', uses, role: 'director', why, argv});
	const base = path.basename(i.configPath);
	const dir = path.dirname(i.configPath);
	return [
		d(['deploy'], `deploy: read ${i.configPath} with its sha256`, script(READ_FILE_SCRIPT, 'lvsdeck-read', i.configPath)),
		d(['deploy'], 'deploy: list stale lvsdeck temporaries', script(CLEANUP_SCRIPT, 'lvsdeck-temporaries', 'list', base, dir, VALIDATE_TMP_DIR)),
		d(['deploy'], 'deploy: remove stale lvsdeck temporaries', script(CLEANUP_SCRIPT, 'lvsdeck-temporaries', 'remove', base, dir, VALIDATE_TMP_DIR)),
		d(['deploy'], 'deploy: check a config with keepalived -t (from stdin, in a 0600 temporary)', script(VALIDATE_SCRIPT, 'lvsdeck-validate', ANY)),
		d(['deploy'], `deploy: back up and install ${i.configPath} (stamp and hashes checked by the script)`, script(INSTALL_SCRIPT, 'lvsdeck-install', i.configPath, i.backupDir, ANY)),
		d(['deploy'], `deploy: what ${i.configPath} and keepalived hold after a step`, script(STATE_SCRIPT, 'lvsdeck-state', i.configPath, ANY)),
		d(['deploy'], `deploy: roll ${i.configPath} back to its backup`, script(RESTORE_SCRIPT, 'lvsdeck-restore', i.configPath, ANY)),
		d(['deploy', 'failover'], 'deploy, failover drill: start keepalived', i.keepalived.start),
		d(['deploy'], 'deploy: reload keepalived', i.keepalived.reload),
		d(['failover'], 'failover drill: stop keepalived', i.keepalived.stop),
		...(['CHECK', 'STOP', 'CONT'] as const).map((action) => d(['hard-freeze'], `hard-failover drill (freeze): ${action} keepalived's VRRP process (pid checked by the script)`, script(SIGNAL_VRRP_SCRIPT, 'lvsdeck-drill', i.vrrpPidFile, i.pidFile, action))),
		...i.interfaces.flatMap((ifname) => [
			d(['hard-cut'], 'hard-failover drill (cut): drop VRRP sent on the interface (tc filter)', script(CUT_VRRP_SCRIPT, 'lvsdeck-drill', ifname)),
			d(['hard-cut'], 'hard-failover drill (cut): remove that filter', script(UNCUT_VRRP_SCRIPT, 'lvsdeck-drill', ifname)),
		]),
		...i.weightEdits.map((argv) => d(['drain'], 'drain drill: set a real server\'s weight (0, then back)', argv)),
	];
}

function realServerOperateRules(i: RightsInput): SudoRule[] {
	const r = (uses: readonly RuleUse[], why: string, argv: readonly RuleWord[]): SudoRule => ({level: 'operate', uses, role: 'realserver', why, argv});
	return [
		r(['deploy'], `deploy: read ${ARP_SYSCTL_FILE} with its sha256`, script(READ_FILE_SCRIPT, 'lvsdeck-read', ARP_SYSCTL_FILE)),
		...i.loVips.flatMap((args) => [
			r(['deploy'], 'deploy: read what the real-server setup would change', script(REALSERVER_SETUP_SCRIPT, 'lvsdeck-setup', 'check', ARP_SYSCTL_FILE, ...args)),
			r(['deploy'], 'deploy: the real-server setup (VIPs, route, sysctls and their file)', script(REALSERVER_SETUP_SCRIPT, 'lvsdeck-setup', 'apply', ARP_SYSCTL_FILE, ...args)),
		]),
		...i.services.map((argv) => r(['rs-health'], 'rs-health drill: stop and start the real server\'s service', argv)),
	];
}

/** Every rule of a level (operate includes monitor's: install both files, or the operate one alone needs monitor too). */
export function sudoRules(input: RightsInput, level: RightsLevel): SudoRule[] {
	const monitor = monitorRules(input);
	return level === 'monitor' ? monitor : [...directorOperateRules(input), ...realServerOperateRules(input)];
}

/** The rules a host needs for a level, by its role (monitor's come with operate's). */
export function rulesForHost(input: RightsInput, host: Host, level: RightsLevel): SudoRule[] {
	const role = host.role === 'director' || host.role === 'realserver' ? host.role : undefined;
	if (!role) return [];
	const levels: RightsLevel[] = level === 'operate' ? ['monitor', 'operate'] : ['monitor'];
	return levels.flatMap((l) => sudoRules(input, l)).filter((r) => r.role === role);
}


// VRRP state from keepalived: version/JSON support, signal numbers, and the JSON / text data /
// stats dumps (facts file 3a, 3b). keepalived 2.2.7 writes the VRRP password in clear into the
// dumps, so the parsers never copy auth fields and problems never quote dump values.
import type {Argv} from '../profile/model.js';
import {KEEPALIVED_DUMP_SCRIPT, KEEPALIVED_SIGNUM_SCRIPT} from '../transport/read-only-scripts.js';

// The scripts (and what they may do to a director) are in the transport's list of read-only scripts.
export {DUMP_EXIT, KEEPALIVED_DUMP_SCRIPT, KEEPALIVED_SIGNUM_SCRIPT} from '../transport/read-only-scripts.js';
import {isInstanceName, isInterfaceName, isPlainAddress, isVersion} from './shape.js';

/** VRRP instance state. JSON uses numbers (vrrp.h), the text dump uses these names. */
export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP' | 'DELETED' | 'UNKNOWN';

/** Counters of one instance (keepalived.stats or the JSON `stats` object). */
export interface VrrpStats {
	advertRcvd?: number;
	advertSent?: number;
	becomeMaster?: number;
	releaseMaster?: number;
	priZeroRcvd?: number;
	priZeroSent?: number;
	// The three authentication counters are named cred* (not auth*): parsed dumps must hold nothing
	// that reads like the auth fields they never copy.
	/** Adverts whose password did not match ours (auth_pass differs). */
	credFailure?: number;
	/** Adverts with another auth_type than ours. */
	credTypeMismatch?: number;
	credTypeInvalid?: number;
	/** Adverts whose address list differs from ours (another router on the VRID, or a different VIP list). */
	addrListErr?: number;
}

/** One VRRP instance as one director sees it. */
export interface VrrpInstanceState {
	name: string;
	state: VrrpState;
	wantState?: VrrpState;
	/** 2 or 3 (the `version` keyword); every dump since 1.3.x prints it. */
	vrrpVersion?: number;
	interface?: string;
	vrid?: number;
	priority?: number;
	effectivePriority?: number;
	/** Only a BACKUP knows it, and only the text dump prints it. */
	masterRouter?: string;
	/** Priority of the current master; only meaningful (and only set) on a BACKUP. */
	masterPriority?: number;
	/** Unix seconds, float. */
	lastTransition?: number;
	advertIntMs?: number;
	preempt?: boolean;
	preemptDelaySec?: number;
	/** Like '192.168.67.100/24' (address/prefix only; excluded VIPs included). */
	vips: string[];
	stats?: VrrpStats;
	/** Tracked scripts: names (text dump) or the script's command (the JSON dump has only that). */
	trackedScripts?: string[];
	/** Tracked interfaces (track_interface). */
	trackedInterfaces?: string[];
	/** Of the tracked scripts, those keepalived reports failing (Status = BAD; text dump only). */
	failedScripts?: string[];
	/** Of the tracked interfaces, those keepalived reports not up (text dump only). */
	downInterfaces?: string[];
	/** The instance's own interface is not up (its Interfaces section says so; text dump only). */
	interfaceDown?: boolean;
	/** The vrrp_sync_group it belongs to: a member in FAULT puts every other member in FAULT too. */
	syncGroup?: string;
}

/**
 * One instance with every field present: what the dump of this keepalived version does not print is
 * null (1.3.5 has no effective priority nor wanted state, only a BACKUP knows its master, ...), so
 * every version reads into the same shape. Built from parsed fields only: never a password.
 */
export interface VrrpRecord {
	name: string;
	state: VrrpState;
	wantState: VrrpState | null;
	vrrpVersion: number | null;
	interface: string | null;
	vrid: number | null;
	priority: number | null;
	effectivePriority: number | null;
	masterRouter: string | null;
	masterPriority: number | null;
	lastTransition: number | null;
	advertIntMs: number | null;
	preempt: boolean | null;
	preemptDelaySec: number | null;
	vips: string[];
	/** The record keeps the six traffic counters (its schema predates the error counters). */
	stats: Required<{[K in keyof Pick<VrrpStats, 'advertRcvd' | 'advertSent' | 'becomeMaster' | 'releaseMaster' | 'priZeroRcvd' | 'priZeroSent'>]: number | null}> | null;
}

const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

export function vrrpRecord(i: VrrpInstanceState): VrrpRecord {
	const s = i.stats;
	return {
		name: i.name,
		state: i.state,
		wantState: orNull(i.wantState),
		vrrpVersion: orNull(i.vrrpVersion),
		interface: orNull(i.interface),
		vrid: orNull(i.vrid),
		priority: orNull(i.priority),
		effectivePriority: orNull(i.effectivePriority),
		masterRouter: orNull(i.masterRouter),
		masterPriority: orNull(i.masterPriority),
		lastTransition: orNull(i.lastTransition),
		advertIntMs: orNull(i.advertIntMs),
		preempt: orNull(i.preempt),
		preemptDelaySec: orNull(i.preemptDelaySec),
		vips: [...i.vips],
		stats: s
			? {
					advertRcvd: orNull(s.advertRcvd),
					advertSent: orNull(s.advertSent),
					becomeMaster: orNull(s.becomeMaster),
					releaseMaster: orNull(s.releaseMaster),
					priZeroRcvd: orNull(s.priZeroRcvd),
					priZeroSent: orNull(s.priZeroSent),
				}
			: null,
	};
}

/** The text dumps come in two files (keepalived.data, keepalived.stats): join the counters by instance name. */
export function withStats(instances: readonly VrrpInstanceState[], stats: VrrpStatsDump): VrrpInstanceState[] {
	return instances.map((i) => (Object.hasOwn(stats.instances, i.name) ? {...i, stats: {...stats.instances[i.name]}} : {...i}));
}

/** Instances from one dump plus what could not be read. */
export interface VrrpDump {
	instances: VrrpInstanceState[];
	problems: string[];
}

/** Per-instance counters from keepalived.stats. */
export interface VrrpStatsDump {
	/** Keyed by instance name (null-prototype object). */
	instances: Record<string, VrrpStats>;
	problems: string[];
}

/** `keepalived --version` (it prints to stdout or stderr depending on the version; join both). */
export function keepalivedVersionCommand(): Argv {
	return ['keepalived', '--version'];
}

/** Signal numbers differ between builds and only some are stable, so always ask the binary. */
/** Each run of the keepalived binary is costly on a small director, so ask only for the signals needed. */
export function keepalivedSignumCommand(names: ReadonlyArray<'DATA' | 'STATS' | 'JSON'> = ['DATA', 'STATS', 'JSON']): Argv {
	return ['sh', '-c', KEEPALIVED_SIGNUM_SCRIPT, 'lvsdeck-signum', ...names];
}

/** Signal keepalived for a JSON or text data dump and print it (see KEEPALIVED_DUMP_SCRIPT). */
export function keepalivedDumpCommand(kind: 'json' | 'data' | 'stats', pidFile = '/run/keepalived.pid', tmpDir = '/tmp'): Argv {
	return ['sh', '-c', KEEPALIVED_DUMP_SCRIPT, 'lvsdeck-probe', kind, pidFile, tmpDir];
}

/** Version and JSON support from `keepalived --version`. */
export function parseKeepalivedVersion(text: string): {version?: string; json: boolean} {
	const out: {version?: string; json: boolean} = {json: false};
	if (typeof text !== 'string') return out;
	for (const raw of text.split('\n')) {
		const line = raw.trim();
		if (out.version === undefined && line.startsWith('Keepalived v')) {
			const v = line.slice('Keepalived v'.length).split(/\s/, 1)[0] ?? '';
			if (isVersion(v)) out.version = v;
		}
		// 2.x lists JSON under `Config options:`, 1.3.8 to 1.4.x under `Build options:`.
		if ((line.startsWith('Config options:') || line.startsWith('Build options:')) && line.split(/\s+/).includes('JSON')) out.json = true;
		if (line.split(/\s+/).includes('--enable-json')) out.json = true;
	}
	return out;
}

/** `NAME=number` lines from KEEPALIVED_SIGNUM_SCRIPT; non-numbers (unknown sigfunc) are left out. */
export function parseSignum(text: string): {data?: number; stats?: number; json?: number} {
	const out: {data?: number; stats?: number; json?: number} = {};
	if (typeof text !== 'string') return out;
	for (const raw of text.split('\n')) {
		const eq = raw.indexOf('=');
		if (eq < 0) continue;
		const name = raw.slice(0, eq).trim();
		const value = raw.slice(eq + 1).trim();
		if (!/^\d{1,3}$/.test(value)) continue;
		const n = Number(value);
		if (n < 1 || n > 64) continue;
		if (name === 'DATA') out.data = n;
		else if (name === 'STATS') out.stats = n;
		else if (name === 'JSON') out.json = n;
	}
	return out;
}

// ---------------------------------------------------------------------------------------------

const MAX_PROBLEMS = 50;

function capped(problems: string[]): string[] {
	if (problems.length <= MAX_PROBLEMS) return problems;
	return [...problems.slice(0, MAX_PROBLEMS), `... and ${problems.length - MAX_PROBLEMS} more problems`];
}

const STATE_BY_CODE = new Map<number, VrrpState>([
	[0, 'INIT'],
	[1, 'BACKUP'],
	[2, 'MASTER'],
	[3, 'FAULT'],
	[97, 'DELETED'],
	[98, 'STOP'],
]);

const STATE_NAMES = new Set<string>(['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP', 'DELETED']);

function stateFromName(s: string): VrrpState {
	return STATE_NAMES.has(s) ? (s as VrrpState) : 'UNKNOWN';
}

function isRecord(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(o: Record<string, unknown>, key: string): number | undefined {
	const v = o[key];
	return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Instance names are shown to the user: only names of the shape keepalived's config gives them. */
function cleanName(v: unknown): string | undefined {
	return isInstanceName(v) ? v : undefined;
}

/** '192.168.67.100/24 dev eth0 scope global set' → '192.168.67.100/24'. */
function vipAddress(entry: string): string | undefined {
	const first = entry.trim().split(/\s+/, 1)[0] ?? '';
	const slash = first.indexOf('/');
	const address = slash < 0 ? first : first.slice(0, slash);
	if (!isPlainAddress(address)) return undefined;
	return slash < 0 || /^\d{1,3}$/.test(first.slice(slash + 1)) ? first : undefined;
}

function statsFromJson(s: Record<string, unknown>): VrrpStats {
	const out: VrrpStats = {};
	const set = (k: keyof VrrpStats, key: string): void => {
		const v = num(s, key);
		if (v !== undefined) out[k] = v;
	};
	set('advertRcvd', 'advert_rcvd');
	set('advertSent', 'advert_sent');
	set('becomeMaster', 'become_master');
	set('releaseMaster', 'release_master');
	set('priZeroRcvd', 'pri_zero_rcvd');
	set('priZeroSent', 'pri_zero_sent');
	set('credFailure', 'auth_failure');
	set('credTypeMismatch', 'authtype_mismatch');
	set('credTypeInvalid', 'invalid_authtype');
	set('addrListErr', 'addr_list_err');
	return out;
}

/** The instance records of a dump: v1 is an array; later versions may wrap it in an object. */
function jsonRecords(root: unknown): unknown[] | undefined {
	if (Array.isArray(root)) return root;
	if (isRecord(root)) {
		for (const v of Object.values(root)) {
			if (Array.isArray(v) && v.some((e) => isRecord(e) && isRecord(e.data))) return v;
		}
	}
	return undefined;
}

/** keepalived 2.2.7 prints a tracked script as its command in quotes ('/usr/bin/false'): shown unquoted, bounded. */
function isScriptText(v: unknown): v is string {
	return typeof v === 'string' && /^[\x20-\x7e]{1,120}$/.test(v);
}

/** keepalived quotes each word of a script command: `'/usr/bin/test' '-e' '/run/x'` is `/usr/bin/test -e /run/x`. */
function unquoteCommand(v: string): string {
	return /^'.*'$/.test(v) ? v.slice(1, -1).split("' '").join(' ') : v;
}

/** The entries of a JSON name list that pass `ok` (a script command's quotes removed). */
function jsonNames(list: unknown, ok: (v: unknown) => v is string): string[] {
	if (!Array.isArray(list)) return [];
	return list.map((v) => (typeof v === 'string' ? unquoteCommand(v) : v)).filter(ok).slice(0, 32);
}

/**
 * Parse /tmp/keepalived.json (`{"data":{…},"stats":{…}}` per instance). Only the fields below are
 * copied; `auth_type`/`auth_data` never are.
 */
export function parseKeepalivedJson(text: string): VrrpDump {
	const problems: string[] = [];
	const instances: VrrpInstanceState[] = [];
	if (typeof text !== 'string' || text.trim() === '') return {instances, problems: ['empty keepalived JSON dump']};
	let root: unknown;
	try {
		root = JSON.parse(text);
	} catch {
		// The engine's message quotes the input (and with it auth_data), so it is not passed on.
		return {instances, problems: ['keepalived JSON dump is not valid JSON (truncated or not a JSON dump)']};
	}
	const records = jsonRecords(root);
	if (!records) return {instances, problems: ['keepalived JSON dump is not an array of instances']};
	records.forEach((rec, i) => {
		const d = isRecord(rec) ? (isRecord(rec.data) ? rec.data : rec) : undefined;
		const name = d ? cleanName(d.iname) : undefined;
		if (!d || name === undefined) {
			problems.push(`JSON instance #${i + 1} has no usable iname; skipped`);
			return;
		}
		const code = num(d, 'state');
		const state = code === undefined ? 'UNKNOWN' : (STATE_BY_CODE.get(code) ?? 'UNKNOWN');
		if (state === 'UNKNOWN') problems.push(`${name}: unknown state code ${code ?? '(missing)'}`);
		const inst: VrrpInstanceState = {name, state, vips: []};
		const want = num(d, 'wantstate');
		if (want !== undefined) inst.wantState = STATE_BY_CODE.get(want) ?? 'UNKNOWN';
		if (isInterfaceName(d.ifp_ifname)) inst.interface = d.ifp_ifname;
		else if (d.ifp_ifname !== undefined) problems.push(`${name}: interface is not an interface name; dropped`);
		const copy = (k: 'vrid' | 'priority' | 'effectivePriority' | 'lastTransition' | 'preemptDelaySec', key: string): void => {
			const v = num(d, key);
			if (v !== undefined) inst[k] = v;
		};
		copy('vrid', 'vrid');
		const version = num(d, 'version');
		if (version === 2 || version === 3) inst.vrrpVersion = version;
		copy('priority', 'base_priority');
		copy('effectivePriority', 'effective_priority');
		copy('lastTransition', 'last_transition');
		copy('preemptDelaySec', 'preempt_delay');
		// master_priority is 0 on a MASTER; it only means "priority of the master" on a BACKUP.
		const mp = num(d, 'master_priority');
		if (mp !== undefined && state === 'BACKUP') inst.masterPriority = mp;
		// adver_int is seconds as a float (adver_int / TIMER_HZ_FLOAT).
		const adv = num(d, 'adver_int');
		if (adv !== undefined) inst.advertIntMs = Math.round(adv * 1000);
		if (typeof d.nopreempt === 'boolean') inst.preempt = !d.nopreempt;
		for (const key of ['vips', 'evips']) {
			const list = d[key];
			if (!Array.isArray(list)) continue;
			for (const v of list) {
				const a = typeof v === 'string' ? vipAddress(v) : undefined;
				if (a) inst.vips.push(a);
				else problems.push(`${name}: unreadable ${key} entry`);
			}
		}
		if (isRecord(rec) && isRecord(rec.stats)) inst.stats = statsFromJson(rec.stats);
		const scripts = jsonNames(d.track_script, isScriptText);
		if (scripts.length > 0) inst.trackedScripts = scripts;
		const ifaces = jsonNames(d.track_ifp, isInterfaceName);
		if (ifaces.length > 0) inst.trackedInterfaces = ifaces;
		instances.push(inst);
	});
	return {instances, problems: capped(problems)};
}

const SECTION_PREFIX = '------<';

function indentOf(line: string): number {
	let i = 0;
	while (i < line.length && line.charCodeAt(i) === 32) i++;
	return i;
}

// Keys whose values must never be kept, whatever the section.
function isSecretKey(key: string): boolean {
	const k = key.toLowerCase();
	return k.includes('pass') || k.includes('auth') || k.includes('secret') || k.includes('key');
}

function firstNumber(value: string): number | undefined {
	const tok = value.split(' ', 1)[0] ?? '';
	if (!/^\d+(\.\d+)?$/.test(tok)) return undefined;
	return Number(tok);
}

/**
 * Parse /tmp/keepalived.data. Only the `VRRP Topology` section is read: the Interfaces section
 * has `State = UP, RUNNING` at the same indentation and the Scripts section has `Status`.
 */
export function parseKeepalivedData(text: string): VrrpDump {
	const problems: string[] = [];
	const instances: VrrpInstanceState[] = [];
	if (typeof text !== 'string' || text.trim() === '') return {instances, problems: ['empty keepalived data dump']};
	let inTopology = false;
	let sawTopology = false;
	let cur: VrrpInstanceState | undefined;
	let block: 'vips' | 'scripts' | 'ifaces' | 'other' | undefined;
	let inNic = false;
	const lines = text.split('\n');
	for (let n = 0; n < lines.length; n++) {
		const line = (lines[n] ?? '').replace(/\r$/, '');
		if (line.startsWith(SECTION_PREFIX)) {
			// 1.3.x prints each tracked interface as a `------< NIC >------` block inside its instance
			// (lines at indent 1); the instance goes on at indent 3 after it.
			if (inTopology && cur && line.includes('< NIC >')) {
				inNic = true;
				continue;
			}
			inTopology = line.includes('< VRRP Topology >');
			if (inTopology) sawTopology = true;
			cur = undefined;
			block = undefined;
			inNic = false;
			continue;
		}
		if (!inTopology) continue;
		const body = line.trim();
		if (body === '') continue;
		const indent = indentOf(line);
		if (inNic && indent <= 1 && !body.startsWith('VRRP Instance = ')) continue;
		inNic = false;
		if (indent <= 1 && body.startsWith('VRRP Instance = ')) {
			const name = cleanName(body.slice('VRRP Instance = '.length).trim());
			if (name === undefined) {
				problems.push(`line ${n + 1}: instance without a usable name; skipped`);
				cur = undefined;
				continue;
			}
			cur = {name, state: 'UNKNOWN', vips: []};
			instances.push(cur);
			block = undefined;
			continue;
		}
		if (!cur) continue;
		if (indent >= 5) {
			if (block === 'vips') {
				const a = vipAddress(body);
				if (a) cur.vips.push(a);
				else problems.push(`${cur.name}: unreadable virtual IP line ${n + 1}`);
			} else if (block === 'scripts' || block === 'ifaces') addTracked(cur, block, body);
			continue;
		}
		block = undefined;
		const eq = body.indexOf(' = ');
		const key = eq < 0 ? body.replace(/\s*:$/, '') : body.slice(0, eq);
		if (isSecretKey(key)) continue;
		// `Virtual IP (1):` (2.x) or `Virtual IP = 1` (1.3.x), then one address per line.
		if (key.startsWith('Virtual IP')) {
			block = 'vips';
			continue;
		}
		// `Tracked scripts :` / `Tracked interfaces :`, then `name weight N` per line.
		if (key === 'Tracked scripts' || key === 'Tracked interfaces') {
			block = key === 'Tracked scripts' ? 'scripts' : 'ifaces';
			continue;
		}
		if (eq < 0) {
			block = 'other';
			continue;
		}
		applyDataField(cur, key, body.slice(eq + 3).trim(), n + 1, problems);
	}
	if (!sawTopology) problems.push('no "VRRP Topology" section in the data dump');
	for (const i of instances) if (i.state !== 'BACKUP') delete i.masterPriority;
	markTrackFailures(instances, trackStatus(lines));
	return {instances, problems: capped(problems)};
}

/** One `Key = value` line of an instance in the data dump, into `cur`; what cannot be read goes to `problems`. */
function applyDataField(cur: VrrpInstanceState, key: string, value: string, lineNo: number, problems: string[]): void {
	switch (key) {
		case 'State':
			// 1.3.x prints states other than BACKUP, MASTER and FAULT as their number (vrrp.h).
			cur.state = /^\d{1,3}$/.test(value) ? (STATE_BY_CODE.get(Number(value)) ?? 'UNKNOWN') : stateFromName(value);
			if (cur.state === 'UNKNOWN') problems.push(`${cur.name}: unknown state on line ${lineNo}`);
			break;
		case 'VRRP Version': {
			const v = firstNumber(value);
			if (v === 2 || v === 3) cur.vrrpVersion = v;
			break;
		}
		case 'Wantstate':
			cur.wantState = stateFromName(value);
			if (cur.wantState === 'UNKNOWN') problems.push(`${cur.name}: unknown wanted state on line ${lineNo}`);
			break;
		case 'Master router': {
			const a = value.split(' ', 1)[0] ?? '';
			if (isPlainAddress(a)) cur.masterRouter = a;
			else problems.push(`${cur.name}: master router on line ${lineNo} is not an address; dropped`);
			break;
		}
		case 'Master priority':
			setNum(cur, 'masterPriority', value);
			break;
		case 'Last transition':
			setNum(cur, 'lastTransition', value);
			break;
		// `Listening device` up to 1.4.x; 2.x `Interface = eth0`, `Interface = vrrp.51, vmac on eth0`
		// or `Interface = not configured`.
		case 'Listening device':
		case 'Interface': {
			const name = value.split(',', 1)[0]!.trim();
			if (isInterfaceName(name)) cur.interface = name;
			else if (name !== 'not configured') problems.push(`${cur.name}: interface on line ${lineNo} is not an interface name; dropped`);
			break;
		}
		case 'Sync group': {
			const group = cleanName(value);
			if (group !== undefined) cur.syncGroup = group;
			break;
		}
		case 'Virtual Router ID':
			setNum(cur, 'vrid', value);
			break;
		case 'Priority':
			setNum(cur, 'priority', value);
			break;
		case 'Effective priority':
			setNum(cur, 'effectivePriority', value);
			break;
		case 'Advert interval': {
			// `1 sec` (VRRPv2) or `N milli-sec` (VRRPv3).
			const v = firstNumber(value);
			if (v !== undefined) cur.advertIntMs = value.includes('milli') ? v : Math.round(v * 1000);
			break;
		}
		case 'Preempt':
			if (value === 'enabled') cur.preempt = true;
			else if (value === 'disabled') cur.preempt = false;
			break;
		case 'Preempt delay':
			setNum(cur, 'preemptDelaySec', value);
			break;
		default:
			break;
	}
}

function addTracked(inst: VrrpInstanceState, block: 'scripts' | 'ifaces', body: string): void {
	const name = body.split(/\s+/, 1)[0] ?? '';
	if (block === 'scripts' && isInstanceName(name)) (inst.trackedScripts ??= []).push(name);
	else if (block === 'ifaces' && isInterfaceName(name)) (inst.trackedInterfaces ??= []).push(name);
}

/** From the `VRRP Scripts` and `Interfaces` sections: scripts whose Status is BAD, interfaces that are not UP. */
function trackStatus(lines: readonly string[]): {badScripts: Set<string>; downInterfaces: Set<string>} {
	const badScripts = new Set<string>();
	const downInterfaces = new Set<string>();
	let section: 'scripts' | 'ifaces' | undefined;
	let name: string | undefined;
	for (const raw of lines) {
		const line = raw.replace(/\r$/, '');
		if (line.startsWith(SECTION_PREFIX)) {
			section = line.includes('< VRRP Scripts >') ? 'scripts' : line.includes('< Interfaces >') ? 'ifaces' : undefined;
			name = undefined;
			continue;
		}
		if (!section) continue;
		const body = line.trim();
		const indent = indentOf(line);
		if (indent === 1) name = body.startsWith('VRRP Script = ') || body.startsWith('Name = ') ? body.slice(body.indexOf(' = ') + 3).trim() : undefined;
		else if (indent === 3 && name !== undefined) {
			if (section === 'scripts' && body === 'Status = BAD') badScripts.add(name);
			if (section === 'ifaces' && body.startsWith('State = ') && !body.startsWith('State = UP')) downInterfaces.add(name);
		}
	}
	return {badScripts, downInterfaces};
}

function markTrackFailures(instances: VrrpInstanceState[], status: {badScripts: Set<string>; downInterfaces: Set<string>}): void {
	for (const i of instances) {
		const failed = (i.trackedScripts ?? []).filter((s) => status.badScripts.has(s));
		const down = (i.trackedInterfaces ?? []).filter((s) => status.downInterfaces.has(s));
		if (failed.length > 0) i.failedScripts = failed;
		if (down.length > 0) i.downInterfaces = down;
		if (i.interface !== undefined && status.downInterfaces.has(i.interface)) i.interfaceDown = true;
	}
}

function setNum(inst: VrrpInstanceState, k: 'masterPriority' | 'lastTransition' | 'vrid' | 'priority' | 'effectivePriority' | 'preemptDelaySec', value: string): void {
	const v = firstNumber(value);
	if (v !== undefined) inst[k] = v;
}

const STATS_GROUPS = new Map<string, Partial<Record<string, keyof VrrpStats>>>([
	['Advertisements', {Received: 'advertRcvd', Sent: 'advertSent'}],
	['Priority Zero', {Received: 'priZeroRcvd', Sent: 'priZeroSent'}],
	['Packet Errors', {'Address List': 'addrListErr'}],
	['Authentication Errors', {'Invalid Type': 'credTypeInvalid', 'Type Mismatch': 'credTypeMismatch', Failure: 'credFailure'}],
]);

/** Parse /tmp/keepalived.stats into per-instance counters. */
export function parseKeepalivedStats(text: string): VrrpStatsDump {
	const problems: string[] = [];
	const instances = Object.create(null) as Record<string, VrrpStats>;
	if (typeof text !== 'string' || text.trim() === '') return {instances, problems: ['empty keepalived stats dump']};
	let cur: VrrpStats | undefined;
	let group: string | undefined;
	const lines = text.split('\n');
	for (let n = 0; n < lines.length; n++) {
		const line = (lines[n] ?? '').replace(/\r$/, '');
		const body = line.trim();
		if (body === '') continue;
		const indent = indentOf(line);
		if (indent === 0) {
			group = undefined;
			if (body.startsWith('VRRP Instance:')) {
				const name = cleanName(body.slice('VRRP Instance:'.length).trim());
				if (name === undefined) {
					problems.push(`line ${n + 1}: instance without a usable name; skipped`);
					cur = undefined;
				} else {
					cur = {};
					instances[name] = cur;
				}
			} else {
				cur = undefined;
				problems.push(`line ${n + 1}: unrecognised line`);
			}
			continue;
		}
		if (!cur) continue;
		const colon = body.indexOf(':');
		if (colon < 0) continue;
		const key = body.slice(0, colon);
		const rest = body.slice(colon + 1).trim();
		if (rest === '') {
			group = indent <= 2 ? key : group;
			continue;
		}
		const v = /^\d{1,15}$/.test(rest) ? Number(rest) : undefined;
		if (v === undefined) {
			problems.push(`line ${n + 1}: counter is not a number`);
			continue;
		}
		if (indent <= 2) {
			group = undefined;
			if (key === 'Became master') cur.becomeMaster = v;
			else if (key === 'Released master') cur.releaseMaster = v;
			continue;
		}
		const map = group === undefined ? undefined : STATS_GROUPS.get(group);
		const field = map && Object.hasOwn(map, key) ? map[key] : undefined;
		if (field) cur[field] = v;
	}
	return {instances, problems: capped(problems)};
}

/** Kept here for the probes' callers; the one implementation lives in src/text/redact.ts. */
export {redactSecrets} from '../text/redact.js';

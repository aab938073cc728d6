// The documented JSON shape of a cluster snapshot (`lvsdeck status --json`), and its text tables.
// Pure: views, scripts and tests all read the same object.
import type {ArpSysctl, ClusterState, Finding, HostState, RealServerData} from './types.js';
import {isHealthy} from './findings.js';
import {differenceEntry, formatDifferenceEntry, type DifferenceEntry} from './drift.js';
import {sanitizeLine} from '../text/sanitize.js';
import {vrrpRecord, type VrrpRecord} from '../probes/vrrp.js';
import type {KeepalivedCapabilities} from '../probes/keepalived-caps.js';

export interface StatusReport {
	readonly profile: string;
	readonly generatedAt: string;
	readonly healthy: boolean;
	readonly vips: ReadonlyArray<{
		vip: string;
		instance: string;
		holders: string[];
		expected: string | null;
		/** Set when the expected holder ties on priority: who wins and why. */
		expectedWhy: string | null;
		members: Array<{
			director: string;
			state: string | null;
			priority: number | null;
			effectivePriority: number | null;
			configuredPriority: number;
			/** Set when keepalived runs the member below its configured priority, with why when it says. */
			lowered: string | null;
			/** Set when the member is in FAULT: why, as keepalived says. */
			faultWhy: string | null;
		}>;
	}>;
	readonly hosts: ReadonlyArray<{
		name: string;
		address: string;
		role: string;
		reachable: boolean;
		connection: string;
		lastOkAgeMs: number | null;
		error: string | null;
	}>;
	readonly directors: ReadonlyArray<{
		name: string;
		keepalived: 'active' | 'inactive' | 'unknown';
		configSha256: string | null;
		/**
		 * The installed config (includes followed) against the rendered one in keepalived terms: [] when
		 * they are the same (layout, comments and order never count); null when not compared (see driftError).
		 */
		drift: DifferenceEntry[] | null;
		/** Why the installed config could not be compared (`file:line:col: ...` when it does not parse). */
		driftError: string | null;
		/** keepalived's version on this director (`keepalived --version`); null until asked or unreadable. */
		keepalivedVersion: string | null;
		/** What this keepalived can do and how lvsdeck reads it; null until asked. */
		keepalivedFeatures: {
			/** `keepalived --signum` exists (1.3.8 and later); null: not known. */
			signum: boolean | null;
			jsonDump: boolean;
			textDump: boolean;
			/** The dump read each poll, and the signal sent for it (from --signum, or SIGUSR1 without it). */
			dump: 'json' | 'data' | 'none';
			dumpSignal: number | null;
			/** The pid file signalled (the profile's pid_file, or this version's default). */
			pidFile: string;
		} | null;
		/** Every instance in one shape whatever the version: what its dump does not print is null. */
		vrrp: Array<Omit<VrrpRecord, 'name'> & {instance: string}>;
		vrrpError: string | null;
		/** What the last read could not parse or refused (a field not of its shape). */
		problems: string[];
		ipvs: Array<{
			protocol: string;
			address: string;
			port: number;
			fwmark: number | null;
			scheduler: string;
			persistent: number | null;
			conns: number | null;
			cps: number | null;
			realServers: Array<{
				address: string;
				port: number;
				forward: string;
				weight: number;
				activeConn: number;
				inactConn: number;
				conns: number | null;
				inBytes: number | null;
				outBytes: number | null;
				cps: number | null;
			}>;
		}>;
	}>;
	readonly realServers: ReadonlyArray<{
		name: string;
		vipsOnLo: string[];
		missingVips: string[];
		arpIgnore: ArpReport;
		arpAnnounce: ArpReport;
		arpOk: boolean;
		serviceActive: boolean | null;
		portAnswering: boolean | null;
		/** Forwarding modes of the services the host serves (DR, NAT, TUN). */
		modes: string[];
		/** Where the DR VIPs must be (vipsOnLo and missingVips are about this device). */
		vipDevice: string;
		/** The interface carrying the real address, whose ARP values count. */
		arpInterface: string | null;
		/** false: no service needs the ARP settings (arpOk is then true). */
		arpRequired: boolean | null;
		nat: {gateways: string[]; defaultVia: string[]; ok: boolean; note: string | null} | null;
		tun: {devices: string[]; down: string[]; vipsOnTunnel: string[]; missingVips: string[]; rpFilter: {all: number | null; tunnel: number | null; effective: number | null}; rpFilterOk: boolean; ok: boolean} | null;
		ports: Array<{protocol: string; port: number; answering: boolean | null}>;
	}>;
	readonly findings: readonly Finding[];
}

const n = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** An ARP sysctl: all and lo (as before), the real address's interface and the kernel's max(all, interface). */
interface ArpReport {
	all: number | null;
	lo: number | null;
	interface: number | null;
	effective: number | null;
}

const arpReport = (v: ArpSysctl): ArpReport => ({all: n(v.all), lo: n(v.lo), interface: n(v.interface), effective: n(v.effective)});

function modeReport(r: RealServerData): Pick<StatusReport['realServers'][number], 'modes' | 'vipDevice' | 'arpInterface' | 'arpRequired' | 'nat' | 'tun' | 'ports'> {
	const t = r.tun;
	return {
		modes: [...(r.modes ?? [])],
		vipDevice: r.vipDevice ?? 'lo',
		arpInterface: n(r.arpInterface),
		arpRequired: n(r.arpRequired),
		nat: r.nat ? {gateways: [...r.nat.gateways], defaultVia: [...r.nat.defaultVia], ok: r.nat.ok, note: n(r.nat.note)} : null,
		tun: t
			? {devices: [...t.devices], down: [...t.down], vipsOnTunnel: [...t.vipsOnTunnel], missingVips: [...t.missingVips], rpFilter: {all: n(t.rpFilter.all), tunnel: n(t.rpFilter.tunnel), effective: n(t.rpFilter.effective)}, rpFilterOk: t.rpFilterOk, ok: t.ok}
			: null,
		ports: (r.ports ?? []).map((p) => ({...p})),
	};
}

/** The drift result for the hash the director reports now (an older one says nothing about it). */
function driftOf(d: HostState['director']): {drift: DifferenceEntry[] | null; driftError: string | null} {
	const drift = d?.drift && d.drift.installedSha256 === d.configSha256 ? d.drift : undefined;
	if (!drift) return {drift: null, driftError: null};
	if (drift.kind === 'compared') return {drift: drift.differences.map(differenceEntry), driftError: null};
	return {drift: null, driftError: drift.kind === 'invalid' ? `does not parse: ${drift.error}` : drift.error};
}

function featuresOf(c: KeepalivedCapabilities, pidFile: string | undefined): NonNullable<StatusReport['directors'][number]['keepalivedFeatures']> {
	return {
		signum: c.features.signum,
		jsonDump: c.features.jsonDump,
		textDump: c.features.textDump,
		dump: c.dump.kind,
		dumpSignal: c.dump.kind === 'none' ? null : c.dump.signal,
		pidFile: pidFile ?? c.pidFile,
	};
}

/** Differences listed under a director in the text report before `(+N more)`. */
const DRIFT_LINES = 20;

type Section<K extends keyof StatusReport> = StatusReport[K] extends ReadonlyArray<infer E> ? E : never;

function vipEntry(v: ClusterState['vips'][number]): Section<'vips'> {
	return {
		vip: v.vip,
		instance: v.instance,
		holders: [...v.holders],
		expected: n(v.expected),
		expectedWhy: n(v.expectedWhy),
		members: v.members.map((m) => ({
			director: m.director,
			state: n(m.state),
			priority: n(m.priority),
			effectivePriority: n(m.effectivePriority),
			configuredPriority: m.configuredPriority,
			lowered: n(m.lowered),
			faultWhy: n(m.faultWhy),
		})),
	};
}

function hostEntry(h: HostState, now: number): Section<'hosts'> {
	return {
		name: h.name,
		address: h.address,
		role: h.role,
		reachable: h.reachable,
		connection: h.conn.state,
		lastOkAgeMs: h.lastOkAt === undefined ? null : Math.max(0, now - h.lastOkAt),
		error: n(h.error),
	};
}

type IpvsEntry = Section<'directors'>['ipvs'][number];

function ipvsEntry(s: NonNullable<HostState['director']>['ipvs']['services'][number]): IpvsEntry {
	return {
		protocol: s.protocol,
		address: s.address,
		port: s.port,
		fwmark: n(s.fwmark),
		scheduler: s.scheduler,
		persistent: n(s.persistent),
		conns: n(s.stats?.conns),
		cps: n(s.rate?.cps),
		realServers: s.realServers.map((r) => ({
			address: r.address,
			port: r.port,
			forward: r.forward,
			weight: r.weight,
			activeConn: r.activeConn,
			inactConn: r.inactConn,
			conns: n(r.stats?.conns),
			inBytes: n(r.stats?.inBytes),
			outBytes: n(r.stats?.outBytes),
			cps: n(r.rate?.cps),
		})),
	};
}

function directorEntry(h: HostState): Section<'directors'> {
	const d = h.director;
	return {
		name: h.name,
		keepalived: d?.keepalivedActive === undefined ? 'unknown' : d.keepalivedActive ? 'active' : 'inactive',
		configSha256: d?.configSha256 ?? null,
		...driftOf(d),
		keepalivedVersion: d?.keepalived?.version ?? null,
		keepalivedFeatures: d?.keepalived ? featuresOf(d.keepalived, d.pidFile) : null,
		vrrp: (d?.vrrp ?? []).map((v) => {
			const {name, ...rest} = vrrpRecord(v);
			return {instance: name, ...rest};
		}),
		vrrpError: n(d?.vrrpError),
		problems: [...(d?.problems ?? [])],
		ipvs: (d?.ipvs.services ?? []).map(ipvsEntry),
	};
}

function realServerEntry(h: HostState & {realServer: NonNullable<HostState['realServer']>}): Section<'realServers'> {
	const r = h.realServer;
	return {
		name: h.name,
		vipsOnLo: [...r.vipsOnLo],
		missingVips: [...r.missingVips],
		arpIgnore: arpReport(r.arpIgnore),
		arpAnnounce: arpReport(r.arpAnnounce),
		arpOk: r.arpOk,
		serviceActive: n(r.serviceActive),
		portAnswering: n(r.portAnswering),
		...modeReport(r),
	};
}

export function buildStatusReport(state: ClusterState, now = Date.now()): StatusReport {
	const hostsByRole = (role: HostState['role']) => state.hosts.filter((h) => h.role === role);
	return {
		profile: state.profileName,
		generatedAt: new Date(state.at).toISOString(),
		healthy: isHealthy(state.findings),
		vips: state.vips.map(vipEntry),
		hosts: state.hosts.map((h) => hostEntry(h, now)),
		directors: hostsByRole('director').map(directorEntry),
		realServers: hostsByRole('realserver')
			.filter((h): h is HostState & {realServer: NonNullable<HostState['realServer']>} => h.realServer !== undefined)
			.map(realServerEntry),
		findings: state.findings,
	};
}

/** Columns padded to their widest cell; cells are sanitized first, so widths count what is shown. */
function table(header: string[], rawRows: string[][]): string {
	const rows = rawRows.map((r) => r.map(sanitizeLine));
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
	const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
	return [line(header), ...rows.map(line)].join('\n');
}

/** `  drift: vrrp_instance VI_1 priority: installed 90, profile 100` per difference, or why it was not compared. */
function driftLines(d: StatusReport['directors'][number]): string[] {
	if (d.driftError !== null) return [`  config not compared: ${sanitizeLine(d.driftError)}`];
	const list = d.drift ?? [];
	const lines = list.slice(0, DRIFT_LINES).map((e) => `  drift: ${sanitizeLine(formatDifferenceEntry(e))}`);
	if (list.length > DRIFT_LINES) lines.push(`  drift: (+${list.length - DRIFT_LINES} more)`);
	return lines;
}

function age(ms: number | null): string {
	if (ms === null) return 'never';
	if (ms < 1000) return 'now';
	if (ms < 60_000) return `${Math.round(ms / 1000)}s ago`;
	return `${Math.round(ms / 60_000)}m ago`;
}

/** `2.2.7 (--signum, JSON dump)`: the version and how its state is read. */
function keepalivedSummary(d: StatusReport['directors'][number]): string {
	const f = d.keepalivedFeatures!;
	const signum = f.signum === false ? 'no --signum' : f.signum ? '--signum' : undefined;
	return `${d.keepalivedVersion ?? 'version unknown'} (${[signum, f.jsonDump ? 'JSON dump' : 'text dump'].filter(Boolean).join(', ')})`;
}

/** Human tables for `lvsdeck status` (remote text sanitized). */
export function formatStatusReport(r: StatusReport): string {
	const out: string[] = [];
	out.push(`cluster ${sanitizeLine(r.profile)} at ${r.generatedAt}: ${r.healthy ? 'healthy' : `${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}`}`);
	out.push('');
	out.push(
		table(
			['VIP', 'INSTANCE', 'HOLDER', 'EXPECTED', 'VRRP'],
			r.vips.map((v) => [
				v.vip,
				v.instance,
				v.holders.length === 0 ? '(none)' : v.holders.join('+'),
				v.expected ?? '-',
				v.members.map((m) => `${m.director}=${m.state ?? '?'}/${m.effectivePriority ?? m.priority ?? m.configuredPriority}`).join(' '),
			]),
		),
	);
	for (const v of r.vips) if (v.expectedWhy) out.push(`${v.vip} (${v.instance}): ${v.expectedWhy}`);
	out.push('');
	out.push(
		table(
			['HOST', 'ADDRESS', 'ROLE', 'REACHABLE', 'CONNECTION', 'LAST OK'],
			r.hosts.map((h) => [h.name, h.address, h.role, h.reachable ? 'yes' : 'NO', h.connection, age(h.lastOkAgeMs)]),
		),
	);
	for (const d of r.directors) {
		out.push('');
		const build = d.keepalivedFeatures ? ` ${keepalivedSummary(d)}` : '';
		out.push(`${sanitizeLine(d.name)}: keepalived ${d.keepalived}${build}${d.vrrpError ? ` (${sanitizeLine(d.vrrpError)})` : ''}`);
		const rows: string[][] = [];
		for (const s of d.ipvs) {
			const svc = s.protocol === 'FWM' ? `FWM ${s.fwmark ?? ''}` : `${s.protocol} ${s.address.includes(':') ? `[${s.address}]` : s.address}:${s.port}`;
			rows.push([svc, s.scheduler + (s.persistent ? ` persistent ${s.persistent}` : ''), '', '', '', '', String(s.conns ?? '')]);
			for (const rs of s.realServers) {
				rows.push([`  -> ${rs.address.includes(':') ? `[${rs.address}]` : rs.address}:${rs.port}`, '', rs.forward, String(rs.weight), String(rs.activeConn), String(rs.inactConn), String(rs.conns ?? '')]);
			}
		}
		if (rows.length > 0) out.push(table(['SERVICE', 'SCHEDULER', 'FORWARD', 'WEIGHT', 'ACTIVE', 'INACTIVE', 'CONNS'], rows));
		else out.push('  (no IPVS services)');
		for (const p of d.problems) out.push(`  output problem: ${sanitizeLine(p)}`);
		out.push(...driftLines(d));
	}
	if (r.realServers.length > 0) {
		out.push('');
		out.push(
			table(
				['REAL SERVER', 'MODES', 'VIPS', 'ARP', 'SERVICE', 'PORT'],
				r.realServers.map((s) => [
					s.name,
					s.modes.join(',') || '-',
					s.missingVips.length === 0 ? (s.vipsOnLo.length > 0 ? `on ${s.vipDevice}` : '-') : `missing ${s.missingVips.join(',')} on ${s.vipDevice}`,
					!s.arpRequired && s.arpRequired !== null ? 'not needed' : s.arpOk ? 'ok' : `ignore=${s.arpIgnore.effective ?? '?'} announce=${s.arpAnnounce.effective ?? '?'} on ${s.arpInterface ?? 'all'}`,
					s.serviceActive === null ? '?' : s.serviceActive ? 'active' : 'INACTIVE',
					s.portAnswering === null ? '?' : s.portAnswering ? 'answers' : 'NO ANSWER',
				]),
			),
		);
	}
	out.push('');
	if (r.findings.length === 0) out.push('findings: none');
	else for (const f of r.findings) out.push(`${f.severity.toUpperCase().padEnd(8)} ${f.kind.padEnd(20)} ${sanitizeLine(f.message)}`);
	return out.join('\n');
}

// Pure presenters: cluster state (and the profile) → table models for the console views. All remote
// text goes through sanitizeLine here, so views never draw raw host output.
import type {Profile} from '../../profile/model.js';
import type {ClusterState, HostState} from '../../cluster/types.js';
import {formatAddrPort, realServerKey, serviceKey} from '../../probes/ipvs.js';
import {describeCapabilities} from '../../probes/keepalived-caps.js';
import {sanitizeLine} from '../../text/sanitize.js';
import {clockTime, humanAge, humanCount, humanRate, sparkline} from '../format.js';
import type {LogEntry} from '../action-log.js';
import {historyKey, HISTORY_LENGTH} from '../history.js';
import {lazyCells, type Row, type TableModel, type Tone} from './types.js';
import {realServerSetupCell, realServerSetupDetail} from './realserver-setup.js';

const s = sanitizeLine;

export function connTone(h: HostState): Tone {
	if (h.conn.state === 'hostkey-refused' || h.conn.state === 'auth-failed') return 'bad';
	if (!h.reachable) return h.lastPollAt === undefined ? 'dim' : 'bad';
	return 'ok';
}

/** A frame at least this often on a quiet screen: the VRRP timelines' buckets move with the clock. */
const HEARTBEAT_MS = 10_000;

/** The console header's clock: hours and minutes (a clock with seconds would cost a frame a second). */
export function headerClock(now: number): string {
	return clockTime(now).slice(0, 5);
}

/** Bounds of the coarse ages a host that answers shows: its age moves between them, not every second. */
const FRESH_STEPS_MS = [[5_000, '<5s'], [15_000, '<15s'], [60_000, '<1m']] as const;

/**
 * A host's data age, wherever the console shows it (hosts view, chips, stale IPVS tables, details),
 * so that the clock text below changes exactly when one of them does. While the host answers, a coarse age (`<5s`, `<15s`, `<1m`): with data
 * 1-3 s old at a 1 s interval, an exact age changed every second and cost the console a frame a second
 * for nothing an operator acts on. Once it stops answering (stale), or after a minute, the exact age.
 */
export function lastOkText(h: HostState, now: number): string {
	if (h.lastOkAt === undefined) return 'never';
	const age = Math.max(0, now - h.lastOkAt);
	if (h.reachable) for (const [bound, text] of FRESH_STEPS_MS) if (age < bound) return text;
	return humanAge(age);
}

/**
 * What of the console's screen depends on the clock, as one text: the header clock, each host's data
 * age (chips, hosts view, stale IPVS tables), each instance's time since its last transition (VRRP
 * view) and a heartbeat every 10 s. A clock tick draws a frame only when this text changed.
 */
export function consoleClockText(state: ClusterState, now: number): string {
	const age = (at: number | undefined) => (at === undefined ? '-' : humanAge(Math.max(0, now - at)));
	const hosts = state.hosts.map((h) => `${h.name}:${lastOkText(h, now)}${h.lastPollAt === undefined ? ':never polled' : ''}`);
	const transitions = state.hosts.flatMap((h) => (h.director?.vrrp ?? []).map((v) => `${h.name}/${v.name}:${age(v.lastTransition === undefined ? undefined : v.lastTransition * 1000)}`));
	return [headerClock(now), String(Math.floor(now / HEARTBEAT_MS)), ...hosts, ...transitions].join(' ');
}

/** Header chips: one per host with its connection state and the age of its last good data. */
export function hostChips(state: ClusterState, now: number): Array<{name: string; text: string; tone: Tone}> {
	return state.hosts.map((h) => {
		const label =
			h.conn.state === 'hostkey-refused'
				? 'refused'
				: h.conn.state === 'auth-failed'
					? 'auth failed'
					: h.reachable
						? h.conn.state === 'ready'
							? 'ready'
							: h.conn.state
						: h.lastPollAt === undefined
							? 'connecting'
							: h.conn.state === 'retrying'
								? 'retrying'
								: 'stale';
		const age = h.reachable || h.lastOkAt === undefined ? '' : ` ${lastOkText(h, now)}`;
		return {name: h.name, text: `${s(h.name)} ${label}${age}`, tone: connTone(h)};
	});
}

/** The banner line: the worst finding, or healthy. */
export function banner(state: ClusterState): {text: string; tone: Tone} {
	const critical = state.findings.filter((f) => f.severity === 'critical');
	const warnings = state.findings.filter((f) => f.severity === 'warning');
	const first = critical[0] ?? warnings[0];
	if (!first) {
		const waiting = state.hosts.filter((h) => h.lastPollAt === undefined).map((h) => s(h.name));
		if (waiting.length > 0) return {text: `waiting for the first data from ${waiting.join(', ')}…`, tone: 'dim'};
		return {text: 'healthy: no findings', tone: 'ok'};
	}
	const more = critical.length + warnings.length - 1;
	return {text: `${first.severity === 'critical' ? 'ALARM' : 'WARNING'}: ${s(first.message)}${more > 0 ? ` (+${more} more)` : ''}`, tone: first.severity === 'critical' ? 'bad' : 'warn'};
}

export function vipTable(state: ClusterState, profile: Profile): TableModel {
	const directors = profile.hosts.filter((h) => h.role === 'director').map((h) => h.name);
	const rows: Row[] = state.vips.map((v) => {
		const alarms = state.findings.filter((f) => f.subject === v.vip && f.severity !== 'info');
		const memberCells = directors.map((d) => {
			const m = v.members.find((x) => x.director === d);
			if (!m) return '-';
			return `${m.state ?? '?'} ${m.effectivePriority ?? m.priority ?? m.configuredPriority}`;
		});
		const holder = v.holders.length === 0 ? 'NONE' : v.holders.join('+');
		return {
			key: `vip|${v.vip}`,
			cells: [v.vip, v.instance, holder, ...memberCells, alarms.length > 0 ? s(alarms.map((a) => a.kind).join(',')) : 'ok'],
			tone: alarms.some((a) => a.severity === 'critical') ? 'bad' : alarms.length > 0 ? 'warn' : 'ok',
			detail: () => [
				`VIP ${v.vip} (instance ${v.instance})`,
				`holder: ${holder}; preferred: ${v.expected ?? 'none'}${v.expectedWhy ? ` (${v.expectedWhy})` : ''}`,
				...v.members.map((m) => `${m.director}: ${m.state ?? 'unknown'}, priority ${m.priority ?? '?'} (effective ${m.effectivePriority ?? '?'}, configured ${m.configuredPriority})`),
				...alarms.map((a) => `${a.severity}: ${s(a.message)}`),
			],
		};
	});
	return {
		columns: [
			{title: 'VIP', width: 16},
			{title: 'INSTANCE', width: 10},
			{title: 'HOLDER', width: 10},
			...directors.map((d) => ({title: s(d).toUpperCase(), width: 11})),
			{title: 'ALARM', width: 0},
		],
		rows,
	};
}

export function hostTable(state: ClusterState, now: number): TableModel {
	return {
		columns: [
			{title: 'HOST', width: 10},
			{title: 'ADDRESS', width: 16},
			{title: 'ROLE', width: 11},
			{title: 'CONNECTION', width: 16},
			{title: 'LAST OK', width: 8, align: 'right'},
			{title: 'ERROR', width: 0},
		],
		rows: state.hosts.map((h) => ({
			key: `host|${h.name}`,
			cells: [s(h.name), h.address, h.role, h.reachable ? h.conn.state : h.lastPollAt === undefined ? 'connecting' : `stale (${h.conn.state})`, lastOkText(h, now), s(h.error ?? h.conn.lastError ?? '')],
			tone: connTone(h),
			detail: () => [`${h.name} ${h.address} (${h.role})`, `connection: ${h.conn.state}`, `last good data: ${h.lastOkAt === undefined ? 'never' : `${lastOkText(h, now)} ago`}`, ...(h.error ? [`error: ${s(h.error)}`] : [])],
		})),
	};
}

/** Per director: service rows followed by their real servers with rates and a sparkline. */
export function ipvsTable(state: ClusterState, history: {get(key: string): readonly number[]}, now: number): TableModel {
	const rows: Row[] = [];
	const nameOf = new Map(state.hosts.map((x) => [x.address, x.name]));
	for (const h of state.hosts.filter((x) => x.role === 'director')) {
		const stale = !h.reachable;
		const note = h.lastPollAt === undefined ? ' (connecting…)' : stale ? ` (stale, ${h.lastOkAt === undefined ? 'no data' : `${lastOkText(h, now)} old`})` : '';
		rows.push({
			key: `ipvs|${h.name}`,
			cells: [`${s(h.name)}${note}`, '', '', '', '', '', '', '', ''],
			tone: 'head',
		});
		for (const svc of h.director?.ipvs.services ?? []) {
			const sk = serviceKey(svc);
			rows.push({
				key: `ipvs|${h.name}|${sk}`,
				cells: [sk, `${svc.scheduler}${svc.persistent ? ` p${svc.persistent}` : ''}`, '', '', '', '', humanCount(svc.rate?.cps), humanRate(svc.rate?.inBps), ''],
				tone: stale ? 'dim' : 'normal',
				detail: () => [`${h.name}: ${sk} scheduler ${svc.scheduler}${svc.persistent ? ` persistent ${svc.persistent}s` : ''}`, `connections: ${svc.stats?.conns ?? '?'}, in ${svc.stats?.inBytes ?? '?'} B, out ${svc.stats?.outBytes ?? '?'} B`],
			});
			for (const rs of svc.realServers) {
				const key = historyKey(h.name, sk, realServerKey(rs));
				const rsName = nameOf.get(rs.address);
				rows.push(
					lazyCells(
						{
							key: `ipvs|${key}`,
							...(rsName ? {search: rsName} : {}),
							tone: stale ? 'dim' : rs.weight === 0 ? 'warn' : 'normal',
							detail: () => [
								`${h.name}: ${sk} -> ${formatAddrPort(rs.address, rs.port)}`,
								`forward ${rs.forward}, weight ${rs.weight}, active ${rs.activeConn}, inactive ${rs.inactConn}`,
								`total: ${rs.stats?.conns ?? '?'} connections, ${rs.stats?.inPkts ?? '?'}/${rs.stats?.outPkts ?? '?'} packets, ${rs.stats?.inBytes ?? '?'}/${rs.stats?.outBytes ?? '?'} bytes in/out`,
								`rate: ${rs.rate?.cps ?? '?'} conn/s, ${rs.rate?.inPps ?? '?'}/${rs.rate?.outPps ?? '?'} pkt/s, ${rs.rate?.inBps ?? '?'}/${rs.rate?.outBps ?? '?'} B/s in/out`,
								`conn/s over the last ${HISTORY_LENGTH} polls: ${history.get(key).join(' ') || 'none yet'}`,
							],
						},
						() => [
							`  -> ${formatAddrPort(rs.address, rs.port)}${rsName ? ` ${s(rsName)}` : ''}`,
							rs.forward,
							String(rs.weight),
							humanCount(rs.activeConn),
							humanCount(rs.inactConn),
							humanCount(rs.stats?.conns),
							humanCount(rs.rate?.cps),
							humanRate(rs.rate?.inBps),
							sparkline(history.get(key), 12),
						],
					),
				);
			}
		}
		if (h.director && h.director.ipvs.services.length === 0) rows.push({key: `ipvs|${h.name}|empty`, cells: ['  (no IPVS services)', '', '', '', '', '', '', '', ''], tone: 'dim'});
	}
	return {
		columns: [
			{title: 'SERVICE / REAL SERVER', width: 26},
			{title: 'SCHED/FWD', width: 10},
			{title: 'W', width: 4, align: 'right'},
			{title: 'ACTIVE', width: 7, align: 'right'},
			{title: 'INACT', width: 6, align: 'right'},
			{title: 'CONNS', width: 6, align: 'right'},
			{title: 'CPS', width: 5, align: 'right'},
			{title: 'IN', width: 8, align: 'right'},
			{title: 'CPS HISTORY', width: 0},
		],
		rows,
	};
}

function preemptText(profile: Profile, instance: string): string {
	const p = profile.instances.find((i) => i.name === instance)?.preempt;
	if (!p) return '?';
	return p.mode === 'delay' ? `delay ${p.delaySec}s` : p.mode;
}

/** The director's keepalived version for the VRRP table ('?' until detected). */
function versionCell(h: HostState): string {
	const c = h.director?.keepalived;
	return c ? s(c.version ?? '?') : '?';
}

/** `keepalived 2.2.7 (--signum, JSON dump)` and how its state is read, for the details. */
function keepalivedLines(h: HostState): string[] {
	const c = h.director?.keepalived;
	if (!c) return ['keepalived: version not detected yet'];
	const dump = c.dump.kind === 'none' ? `no dump: ${c.dump.why}` : `reads the ${c.dump.kind === 'json' ? 'JSON' : 'text'} dump on signal ${c.dump.signal}${c.dump.signalFrom === 'sigusr1' ? ' (SIGUSR1: no --signum)' : ''}`;
	return [s(`keepalived ${describeCapabilities(c)}`), s(`${dump}; pid file ${h.director?.pidFile ?? c.pidFile}`)];
}

export function vrrpTable(state: ClusterState, profile: Profile, now: number): TableModel {
	const rows: Row[] = [];
	for (const h of state.hosts.filter((x) => x.role === 'director')) {
		const list = h.director?.vrrp ?? [];
		if (list.length === 0) {
			rows.push({
				key: `vrrp|${h.name}`,
				cells: [s(h.name), '-', versionCell(h), h.director?.keepalivedActive === false ? 'DOWN' : '?', '', '', '', '', '', s(h.director?.vrrpError ?? '')],
				tone: h.director?.keepalivedActive === false ? 'bad' : 'dim',
				detail: () => keepalivedLines(h),
			});
			continue;
		}
		for (const v of list) {
			// JSON dumps carry no master address: for a BACKUP, name the member that reports MASTER.
			const masterPeer = v.state === 'BACKUP' && v.masterRouter === undefined ? state.vips.find((p) => p.instance === v.name)?.members.find((m) => m.state === 'MASTER' && m.director !== h.name)?.director : undefined;
			const age = v.lastTransition === undefined ? '-' : humanAge(Math.max(0, now - v.lastTransition * 1000));
			rows.push({
				key: `vrrp|${h.name}|${v.name}`,
				cells: [s(h.name), s(v.name), versionCell(h), v.state, String(v.priority ?? '?'), String(v.effectivePriority ?? '?'), s(v.masterRouter ?? (v.state === 'MASTER' ? '(self)' : masterPeer ? `${masterPeer} (state)` : '-')), age, preemptText(profile, v.name), v.vips.map(s).join(' ')],
				tone: !h.reachable ? 'dim' : v.state === 'MASTER' ? 'ok' : v.state === 'BACKUP' ? 'normal' : 'bad',
				detail: () => [
					`${h.name} ${v.name}: ${v.state}${v.wantState ? ` (wants ${v.wantState})` : ''}`,
					`priority ${v.priority ?? '?'}, effective ${v.effectivePriority ?? '?'}, VRID ${v.vrid ?? '?'} on ${v.interface ?? '?'}`,
					`master router ${v.masterRouter ?? '-'}${v.masterPriority ? ` (priority ${v.masterPriority})` : ''}`,
					`last transition ${v.lastTransition === undefined ? '-' : new Date(v.lastTransition * 1000).toISOString()}`,
					`adverts received ${v.stats?.advertRcvd ?? '?'}, sent ${v.stats?.advertSent ?? '?'}; became master ${v.stats?.becomeMaster ?? '?'} times`,
					...keepalivedLines(h),
				],
			});
		}
	}
	return {
		columns: [
			{title: 'DIRECTOR', width: 10},
			{title: 'INSTANCE', width: 10},
			{title: 'KEEPALIVED', width: 10},
			{title: 'STATE', width: 8},
			{title: 'PRIO', width: 5, align: 'right'},
			{title: 'EFF', width: 5, align: 'right'},
			{title: 'MASTER ROUTER', width: 16},
			{title: 'CHANGED', width: 8, align: 'right'},
			{title: 'PREEMPT', width: 10},
			{title: 'VIPS', width: 0},
		],
		rows,
	};
}

export function realServerTable(state: ClusterState, profile: Profile): TableModel {
	const directors = state.hosts.filter((h) => h.role === 'director');
	const rows: Row[] = state.hosts
		.filter((h) => h.role === 'realserver')
		.map((h) => {
			const rs = h.realServer;
			const address = h.address;
			const inTables = directors.map((d) => {
				const entries = (d.director?.ipvs.services ?? []).flatMap((svc) => svc.realServers.filter((r) => r.address === address));
				if (!d.director) return '?';
				return entries.length === 0 ? 'OUT' : `in w${entries.map((e) => e.weight).join('/')}`;
			});
			const problems = state.findings.filter((f) => f.subject === h.name);
			return {
				key: `rs|${h.name}`,
				cells: [
					s(h.name),
					h.reachable ? 'yes' : 'NO',
					realServerSetupCell(rs),
					rs ? (rs.arpOk ? `ok ${rs.arpIgnore.all ?? '?'}/${rs.arpAnnounce.all ?? '?'}` : `BAD ${rs.arpIgnore.all ?? '?'}/${rs.arpAnnounce.all ?? '?'}`) : '?',
					rs?.serviceActive === undefined ? '?' : rs.serviceActive ? 'active' : 'DOWN',
					rs?.portAnswering === undefined ? '?' : rs.portAnswering ? 'answers' : 'NO',
					...inTables,
				],
				tone: !h.reachable ? 'bad' : problems.some((p) => p.severity === 'critical') ? 'bad' : problems.length > 0 ? 'warn' : 'ok',
				detail: () => [
					`${h.name} ${address}: service ${profile.hosts.find((x) => x.name === h.name)?.service?.name ?? '-'}`,
					...realServerSetupDetail(rs),
					`arp_ignore all/lo ${rs?.arpIgnore.all ?? '?'}/${rs?.arpIgnore.lo ?? '?'}, arp_announce all/lo ${rs?.arpAnnounce.all ?? '?'}/${rs?.arpAnnounce.lo ?? '?'}`,
					...problems.map((p) => `${p.severity}: ${s(p.message)}`),
				],
			};
		});
	return {
		columns: [
			{title: 'REAL SERVER', width: 12},
			{title: 'REACH', width: 6},
			{title: 'RS SETUP', width: 18},
			{title: 'ARP I/A', width: 8},
			{title: 'SERVICE', width: 8},
			{title: 'PORT', width: 8},
			...directors.map((d) => ({title: `IN ${s(d.name).toUpperCase()}`, width: 9})),
		],
		rows,
	};
}

export function logTable(state: ClusterState, log: readonly LogEntry[]): TableModel {
	const time = (at: number) => new Date(at).toTimeString().slice(0, 8);
	const rows: Row[] = [
		{key: 'log|findings', cells: [`findings (${state.findings.length})`, '', ''], tone: 'head'},
		...state.findings.map((f, i) => ({
			key: `finding|${i}|${f.kind}|${f.subject}`,
			cells: [f.severity.toUpperCase(), f.kind, s(f.message)],
			tone: (f.severity === 'critical' ? 'bad' : f.severity === 'warning' ? 'warn' : 'normal') as Tone,
		})),
		{key: 'log|events', cells: ['events', '', ''], tone: 'head'},
		...state.events.slice(-50).map((e, i) => ({key: `event|${i}|${e.at}`, cells: [time(e.at), e.kind, s(e.message)], tone: 'normal' as Tone})),
		{key: 'log|actions', cells: ['action log', '', ''], tone: 'head'},
		...log.map((e, i) => ({key: `action|${i}|${e.at}`, cells: [time(e.at), e.level, s(e.text)], tone: (e.level === 'error' ? 'bad' : e.level === 'warn' ? 'warn' : 'normal') as Tone})),
	];
	return {columns: [{title: 'WHEN/LEVEL', width: 10}, {title: 'KIND', width: 22}, {title: 'MESSAGE', width: 0}], rows};
}

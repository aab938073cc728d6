// A cluster snapshot as Prometheus metrics (what `lvsdeck exporter` serves). Pure: the snapshot, the
// poller's timings and the last drill results in, samples added to a MetricSet out. IPVS metrics
// that node_exporter's ipvs collector already has keep its names and labels (local_address,
// local_port, remote_address, remote_port, proto, local_mark), so its dashboards keep working; every
// series also carries `cluster` (the profile's name) and, for what a director reports, `director`.
import type {Profile} from '../profile/model.js';
import type {IpvsCounters, IpvsRates, IpvsRealServer, IpvsService} from '../probes/ipvs.js';
import type {VrrpState} from '../probes/vrrp.js';
import type {MetricSet} from '../text/exposition.js';
import type {ClusterState, HostState, Severity} from './types.js';

/** The last result of one drill kind on this cluster (from the state dir). */
export interface DrillResult {
	readonly drill: string;
	/** hard-failover: freeze or cut ('' for the other kinds). */
	readonly method: string;
	readonly verdict: 'pass' | 'fail';
	/** Fault → takeover (failover drills) or removal (real-server drills); null: it never happened. */
	readonly failoverMs: number | null;
	readonly expectedBoundMs: number;
	/** Epoch ms the drill ended. */
	readonly endedAt: number;
}

export interface ClusterMetricsInput {
	readonly profile: Profile;
	readonly state: ClusterState;
	/** The poller's last poll duration per host, ms. */
	readonly pollDurationsMs: ReadonlyMap<string, number>;
	readonly drills: readonly DrillResult[];
	/** Epoch ms of the scrape. */
	readonly now: number;
}

/** One 0/1 series per state, never a churning state label. */
export const VRRP_STATES: readonly VrrpState[] = ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP', 'DELETED', 'UNKNOWN'];
const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

const bool = (b: boolean) => (b ? 1 : 0);

/** Every metric of one cluster, added to `set`. */
export function addClusterMetrics(set: MetricSet, input: ClusterMetricsInput): void {
	const cluster = input.profile.name;
	addHostMetrics(set, cluster, input);
	addVrrpMetrics(set, cluster, input.state);
	for (const h of input.state.hosts) {
		if (h.director) addIpvsMetrics(set, {cluster, director: h.name}, h.director.ipvs.services);
	}
	addExpectedRealServers(set, cluster, input);
	addRealServerChecks(set, cluster, input.state);
	addFindingMetrics(set, cluster, input.state);
	addDrillMetrics(set, cluster, input.drills);
}

function addHostMetrics(set: MetricSet, cluster: string, {state, pollDurationsMs, now}: ClusterMetricsInput): void {
	set.declare('lvsdeck_host_last_ok_age_seconds', 'gauge', 'Seconds since the last successful poll of the host (absent: never reached).');
	for (const h of state.hosts) {
		const labels = {cluster, host: h.name, role: h.role};
		set.add('lvsdeck_host_up', 'gauge', 'Whether the last poll reached the host (1) or not (0).', labels, bool(h.reachable));
		if (h.lastOkAt !== undefined) set.add('lvsdeck_host_last_ok_age_seconds', 'gauge', '', labels, Math.max(0, now - h.lastOkAt) / 1000);
		const ms = pollDurationsMs.get(h.name);
		if (ms !== undefined) set.add('lvsdeck_poll_duration_seconds', 'gauge', "Duration of lvsdeck's last poll of the host.", labels, ms / 1000);
		if (h.director?.keepalivedActive !== undefined) {
			set.add('lvsdeck_keepalived_up', 'gauge', 'Whether keepalived runs on the director (from its last good poll).', {cluster, director: h.name}, bool(h.director.keepalivedActive));
		}
	}
}

function addVrrpMetrics(set: MetricSet, cluster: string, state: ClusterState): void {
	const seen = new Set<string>();
	for (const p of state.vips) {
		set.add('lvsdeck_vip_holders', 'gauge', 'How many reachable directors carry the VIP (1 healthy, 0 no master, 2+ split brain).', {cluster, instance: p.instance, vip: p.vip}, p.holders.length);
		const directors = new Set([...p.members.map((m) => m.director), ...p.holders]);
		for (const director of directors) {
			const labels = {cluster, instance: p.instance, vip: p.vip, director};
			set.add('lvsdeck_vip_holder', 'gauge', 'Whether this director carries the VIP (1) or not (0).', labels, bool(p.holders.includes(director)));
			set.add('lvsdeck_vip_preferred', 'gauge', 'Whether this director is the one the VRRP election should pick (1) or not (0).', labels, bool(p.expected === director));
		}
		// The member series are per instance: an instance with two VIPs reports its members once.
		if (seen.has(p.instance)) continue;
		seen.add(p.instance);
		for (const m of p.members) addMember(set, {cluster, instance: p.instance, director: m.director}, m);
	}
}

function addMember(set: MetricSet, labels: Record<string, string>, m: ClusterState['vips'][number]['members'][number]): void {
	for (const s of VRRP_STATES) {
		set.add('lvsdeck_vrrp_state', 'gauge', "1 for the member's current VRRP state, 0 for the others (all 0: unknown).", {...labels, state: s}, bool(m.state === s));
	}
	set.add('lvsdeck_vrrp_configured_priority', 'gauge', 'The priority the profile gives this member.', labels, m.configuredPriority);
	if (m.priority !== undefined) set.add('lvsdeck_vrrp_priority', 'gauge', 'The priority keepalived reports for this member.', labels, m.priority);
	if (m.effectivePriority !== undefined) set.add('lvsdeck_vrrp_effective_priority', 'gauge', 'The effective priority keepalived elects with (tracking applied).', labels, m.effectivePriority);
}

/** node_exporter's backend labels: FWM services have no address or port but a mark. */
function serviceLabels(svc: IpvsService): Record<string, string> {
	return {
		local_address: svc.address,
		local_port: String(svc.port),
		proto: svc.protocol,
		local_mark: svc.fwmark === undefined ? '' : String(svc.fwmark),
	};
}

const COUNTERS: ReadonlyArray<[keyof IpvsCounters, string, string]> = [
	['conns', 'connections', 'Connections'],
	['inPkts', 'incoming_packets', 'Incoming packets'],
	['outPkts', 'outgoing_packets', 'Outgoing packets'],
	['inBytes', 'incoming_bytes', 'Incoming bytes'],
	['outBytes', 'outgoing_bytes', 'Outgoing bytes'],
];
const RATES: ReadonlyArray<[keyof IpvsRates, string, string]> = [
	['cps', 'connections', 'Connections'],
	['inPps', 'incoming_packets', 'Incoming packets'],
	['outPps', 'outgoing_packets', 'Outgoing packets'],
	['inBps', 'incoming_bytes', 'Incoming bytes'],
	['outBps', 'outgoing_bytes', 'Outgoing bytes'],
];

function addIpvsMetrics(set: MetricSet, base: {cluster: string; director: string}, services: readonly IpvsService[]): void {
	const totals: IpvsCounters = {conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0};
	for (const svc of services) {
		const labels = {...base, ...serviceLabels(svc)};
		addTraffic(set, 'lvsdeck_ipvs_service', 'of the virtual service', labels, svc.stats, svc.rate);
		for (const k of COUNTERS) totals[k[0]] += svc.stats?.[k[0]] ?? 0;
		for (const rs of svc.realServers) addBackend(set, {...labels, remote_address: rs.address, remote_port: String(rs.port)}, rs);
	}
	// node_exporter's totals are the kernel's over every service: the same sums.
	for (const [key, name, what] of COUNTERS) set.add(`node_ipvs_${name}`, 'counter', `${what} over every IPVS service of the director.`, base, totals[key]);
}

function addBackend(set: MetricSet, labels: Record<string, string>, rs: IpvsRealServer): void {
	set.add('node_ipvs_backend_connections_active', 'gauge', 'The current active connections by local and remote address.', labels, rs.activeConn);
	set.add('node_ipvs_backend_connections_inactive', 'gauge', 'The current inactive connections by local and remote address.', labels, rs.inactConn);
	set.add('node_ipvs_backend_weight', 'gauge', 'The current backend weight by local and remote address.', labels, rs.weight);
	addTraffic(set, 'lvsdeck_ipvs_backend', 'to the real server', labels, rs.stats, rs.rate);
}

function addTraffic(set: MetricSet, prefix: string, of: string, labels: Record<string, string>, stats: IpvsCounters | undefined, rate: IpvsRates | undefined): void {
	if (stats) for (const [key, name, what] of COUNTERS) set.add(`${prefix}_${name}`, 'counter', `${what} ${of} (ipvsadm --stats).`, labels, stats[key]);
	if (rate) for (const [key, name, what] of RATES) set.add(`${prefix}_${name}_per_second`, 'gauge', `${what} per second ${of} (ipvsadm --rate).`, labels, rate[key]);
}

/** Each real server the profile puts in a service: is it in each reachable director's table? */
function addExpectedRealServers(set: MetricSet, cluster: string, {profile, state}: ClusterMetricsInput): void {
	set.declare('lvsdeck_ipvs_realserver_present', 'gauge', "Whether a real server of the profile is in the director's IPVS table (1) or missing (0).");
	for (const d of state.hosts.filter((h) => h.director && h.reachable)) {
		for (const vs of profile.virtualServers) {
			const svc = d.director!.ipvs.services.find((s) => s.protocol === vs.protocol && s.address === vs.vip && s.port === vs.port);
			for (const rs of vs.realServers) {
				const present = svc?.realServers.some((r) => r.address === rs.address && r.port === rs.port) ?? false;
				const labels = {cluster, director: d.name, host: rs.host, local_address: vs.vip, local_port: String(vs.port), proto: vs.protocol, remote_address: rs.address, remote_port: String(rs.port)};
				set.add('lvsdeck_ipvs_realserver_present', 'gauge', '', labels, bool(present));
			}
		}
	}
}

function addRealServerChecks(set: MetricSet, cluster: string, state: ClusterState): void {
	for (const h of state.hosts.filter((x): x is HostState & {realServer: NonNullable<HostState['realServer']>} => x.realServer !== undefined)) {
		const rs = h.realServer;
		const labels = {cluster, host: h.name};
		if (rs.serviceActive !== undefined) set.add('lvsdeck_realserver_service_up', 'gauge', "Whether the real server's service runs (its status command).", labels, bool(rs.serviceActive));
		set.add('lvsdeck_realserver_vips_ok', 'gauge', 'Whether the real server carries every DR VIP it needs on its VIP device.', labels, bool(rs.missingVips.length === 0));
		set.add('lvsdeck_realserver_arp_ok', 'gauge', 'Whether the ARP sysctls suit the forwarding modes the real server serves.', labels, bool(rs.arpOk));
		for (const p of rs.ports ?? []) {
			if (p.answering === null) continue;
			set.add('lvsdeck_realserver_port_answering', 'gauge', 'Whether the service port answers the station (TCP connect, UDP datagram).', {...labels, proto: p.protocol, port: String(p.port)}, bool(p.answering));
		}
	}
}

function addFindingMetrics(set: MetricSet, cluster: string, state: ClusterState): void {
	set.declare('lvsdeck_findings', 'gauge', 'Current findings by kind and severity (absent: none of that kind).');
	const counts = new Map<string, {kind: string; severity: Severity; n: number}>();
	for (const f of state.findings) {
		const key = `${f.kind}/${f.severity}`;
		const entry = counts.get(key) ?? {kind: f.kind, severity: f.severity, n: 0};
		entry.n++;
		counts.set(key, entry);
	}
	for (const c of counts.values()) set.add('lvsdeck_findings', 'gauge', '', {cluster, kind: c.kind, severity: c.severity}, c.n);
	for (const severity of SEVERITIES) {
		set.add('lvsdeck_findings_by_severity', 'gauge', 'Current findings of each severity.', {cluster, severity}, state.findings.filter((f) => f.severity === severity).length);
	}
}

function addDrillMetrics(set: MetricSet, cluster: string, drills: readonly DrillResult[]): void {
	set.declare('lvsdeck_drill_last_passed', 'gauge', 'Whether the last drill of this kind passed (1) or failed (0).');
	set.declare('lvsdeck_drill_last_failover_seconds', 'gauge', 'The last drill: fault to takeover (or to the real server leaving the table).');
	set.declare('lvsdeck_drill_last_bound_seconds', 'gauge', 'The last drill: the time the takeover was expected within.');
	set.declare('lvsdeck_drill_last_end_timestamp_seconds', 'gauge', 'When the last drill of this kind ended.');
	for (const d of drills) {
		const labels = {cluster, drill: d.drill, method: d.method};
		set.add('lvsdeck_drill_last_passed', 'gauge', '', labels, bool(d.verdict === 'pass'));
		if (d.failoverMs !== null) set.add('lvsdeck_drill_last_failover_seconds', 'gauge', '', labels, d.failoverMs / 1000);
		set.add('lvsdeck_drill_last_bound_seconds', 'gauge', '', labels, d.expectedBoundMs / 1000);
		set.add('lvsdeck_drill_last_end_timestamp_seconds', 'gauge', '', labels, d.endedAt / 1000);
	}
}

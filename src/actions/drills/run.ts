// One entry point for every drill: a spec (what to drill, with its own settings) and the common
// options (traffic, confirmation, abort, progress, preflight checks). The CLI, drill plans and the
// console all run drills through here, so a drill kind is added in one place.
import type {Profile} from '../../profile/model.js';
import type {Transport} from '../../transport/types.js';
import type {DrillCommonOptions, DrillThresholds, DrillTrafficChoice} from './common.js';
import type {HardMethod} from './faults.js';
import {runFailoverDrill, type DrillReport} from './failover.js';
import {runRealServerDrill} from './realserver-drill.js';
import {recordLastResult} from './last-results.js';

export const DRILL_KINDS = ['failover', 'hard-failover', 'rs-health', 'drain'] as const;
export type DrillKind = (typeof DRILL_KINDS)[number];

export interface FailoverSpec {
	readonly kind: 'failover' | 'hard-failover';
	readonly instance?: string;
	readonly method?: HardMethod;
	/** The service to watch (`VIP:PORT`); its VIP picks the instance when none is named. */
	readonly service?: string;
	readonly thresholds?: DrillThresholds;
	/** How the drill's traffic speaks to the service (mode, payload, timeout). */
	readonly traffic?: DrillTrafficChoice;
}

export interface RealServerSpec {
	readonly kind: 'rs-health' | 'drain';
	readonly rs?: string;
	/** The service the real server is drilled in (`VIP:PORT`). */
	readonly service?: string;
	readonly thresholds?: DrillThresholds;
	readonly traffic?: DrillTrafficChoice;
}

export type DrillSpec = FailoverSpec | RealServerSpec;

export function isRealServerSpec(spec: DrillSpec): spec is RealServerSpec {
	return spec.kind === 'rs-health' || spec.kind === 'drain';
}

/** A drill's name for people: its kind, and what it targets when the spec names it. */
export function describeSpec(spec: DrillSpec): string {
	const on = `${spec.service ? ` on ${spec.service}` : ''}${spec.traffic?.mode ? ` (${spec.traffic.mode})` : ''}`;
	if (isRealServerSpec(spec)) return `${spec.kind}${spec.rs ? ` ${spec.rs}` : ''}${on}`;
	return `${spec.kind}${spec.method ? ` (${spec.method})` : ''}${spec.instance ? ` ${spec.instance}` : ''}${on}`;
}

/** Runs one drill and keeps its result as the last of its kind (the exporter reports it). */
export async function runDrill(profile: Profile, transport: Transport, spec: DrillSpec, options: DrillCommonOptions): Promise<DrillReport> {
	const report = await startDrill(profile, transport, spec, options);
	recordLastResult(report);
	return report;
}

function startDrill(profile: Profile, transport: Transport, spec: DrillSpec, options: DrillCommonOptions): Promise<DrillReport> {
	// The spec's traffic choice (a plan's drill, the command line) over the caller's.
	const common = spec.traffic ? {...options, traffic: {...options.traffic, ...spec.traffic}} : options;
	const thresholds = {...(spec.thresholds ? {thresholds: spec.thresholds} : {}), ...(spec.service ? {service: spec.service} : {})};
	if (isRealServerSpec(spec)) {
		return runRealServerDrill(profile, transport, {...common, kind: spec.kind, ...(spec.rs ? {rs: spec.rs} : {}), ...thresholds});
	}
	return runFailoverDrill(profile, transport, {...common, kind: spec.kind, ...(spec.instance ? {instance: spec.instance} : {}), ...(spec.method ? {method: spec.method} : {}), ...thresholds});
}

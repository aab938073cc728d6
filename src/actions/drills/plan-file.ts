// Drill plans: a YAML file naming drills to run in order, validated like a profile (one line
// `file:line:col: field: reason`, nothing run) before anything happens:
//   profile: profiles/lab.yaml      # optional, relative to the plan's folder; --profile wins
//   on_failure: continue            # or stop (the default)
//   drills:
//     - {kind: failover, instance: VI_1, max_failover_ms: 5000, max_failed_requests: 20}
//     - {kind: rs-health, rs: rs1}
//     - {kind: hard-failover, method: cut}
//     - {kind: failover, service: 192.168.67.100:9053}   # any TCP or UDP service (udp:VIP:PORT when both)
//     - {kind: rs-health, service: 192.168.67.100:9000, mode: tcp, send: "PING\\n", timeout_ms: 2000}
import {readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {LineCounter, parseDocument, type Document} from 'yaml';
import {z} from 'zod';
import type {Profile} from '../../profile/model.js';
import {ProfileError} from '../../profile/errors.js';
import {formatPath, locate, type FieldPath} from '../../profile/locate.js';
import type {DrillThresholds, DrillTrafficChoice} from './common.js';
import {DRILL_TIMEOUT_RANGE} from './common.js';
import {checkSendText, WATCH_MODES, WatchModeError} from '../watch-mode.js';
import {trafficChoiceProblem, withoutOption} from './traffic-choice.js';
import {isRealServerSpec, type DrillSpec} from './run.js';
import {DrillRefused} from './common.js';
import {failoverTarget, realServerTarget} from './targets.js';

const MAX_PLAN_BYTES = 64 * 1024;
const ms = z.number().int().min(0).max(3_600_000);
const count = z.number().int().min(0).max(10_000_000);
const name = z.string().min(1).max(63);
/** `VIP:PORT` or `tcp:`/`udp:VIP:PORT`, checked against the profile later. */
const service = z.string().max(80).regex(/^(?:(?:tcp|udp):)?(?:\[[0-9A-Fa-f:.]+\]|[0-9.]+):\d{1,5}$/, 'expected VIP:PORT (udp:VIP:PORT for a UDP service on a TCP port)');

/** `send` text: the watcher's rules (printable ASCII; escapes as `--send` takes them, watch-mode.ts). */
const send = z.string().superRefine((v, ctx) => {
	try {
		checkSendText(v);
	} catch (error) {
		if (!(error instanceof WatchModeError)) throw error;
		ctx.addIssue({code: 'custom', message: withoutOption(error.message)});
	}
});

/** How each drill's traffic speaks to its service (the CLI's --mode, --send, --timeout-ms). */
const traffic = {
	mode: z.enum(WATCH_MODES, {error: `must be one of ${WATCH_MODES.join(', ')}`}).optional(),
	send: send.optional(),
	timeout_ms: z.number().int().min(DRILL_TIMEOUT_RANGE.min).max(DRILL_TIMEOUT_RANGE.max).optional(),
};

const drillSchema = z.discriminatedUnion('kind', [
	z.object({kind: z.literal('failover'), instance: name.optional(), service: service.optional(), ...traffic, max_failover_ms: ms.optional(), max_failed_requests: count.optional()}).strict(),
	z.object({kind: z.literal('hard-failover'), instance: name.optional(), service: service.optional(), ...traffic, method: z.enum(['freeze', 'cut']).optional(), max_failover_ms: ms.optional(), max_failed_requests: count.optional()}).strict(),
	z.object({kind: z.literal('rs-health'), rs: name.optional(), service: service.optional(), ...traffic, max_removal_ms: ms.optional(), max_failed_requests: count.optional()}).strict(),
	z.object({kind: z.literal('drain'), rs: name.optional(), service: service.optional(), ...traffic, max_removal_ms: ms.optional(), max_failed_requests: count.optional()}).strict(),
]);

const planSchema = z
	.object({
		profile: z.string().min(1).max(4096).optional(),
		on_failure: z.enum(['continue', 'stop']).optional(),
		drills: z.array(drillSchema).min(1).max(50),
	})
	.strict();

type PlanDoc = z.infer<typeof planSchema>;
type DrillDoc = PlanDoc['drills'][number];

export interface DrillPlan {
	readonly file: string;
	/** The plan's profile, resolved against the plan's folder (undefined: the caller must name one). */
	readonly profile?: string;
	readonly onFailure: 'continue' | 'stop';
	readonly drills: readonly DrillSpec[];
	/** Where a drill's fields are in the file, for errors found later (against the profile). */
	readonly position: (at: FieldPath) => {line: number; col: number};
}

function thresholdsOf(d: DrillDoc): DrillThresholds | undefined {
	const removal = d.kind === 'rs-health' || d.kind === 'drain';
	const maxMs = removal ? d.max_removal_ms : d.max_failover_ms;
	const t = {...(maxMs !== undefined ? {maxFailoverMs: maxMs} : {}), ...(d.max_failed_requests !== undefined ? {maxFailedRequests: d.max_failed_requests} : {})};
	// A failed expectation names the plan's own field, not the command-line option.
	return Object.keys(t).length > 0 ? {...t, names: {maxFailoverMs: removal ? 'max_removal_ms' : 'max_failover_ms', maxFailedRequests: 'max_failed_requests'}} : undefined;
}

function trafficOf(d: DrillDoc): DrillTrafficChoice | undefined {
	const t = {...(d.mode !== undefined ? {mode: d.mode} : {}), ...(d.send !== undefined ? {send: d.send} : {}), ...(d.timeout_ms !== undefined ? {timeoutMs: d.timeout_ms} : {})};
	return Object.keys(t).length > 0 ? t : undefined;
}

function specOf(d: DrillDoc): DrillSpec {
	const thresholds = thresholdsOf(d);
	const traffic = trafficOf(d);
	const t = {...(thresholds ? {thresholds} : {}), ...(d.service ? {service: d.service} : {}), ...(traffic ? {traffic} : {})};
	if (d.kind === 'rs-health' || d.kind === 'drain') return {kind: d.kind, ...(d.rs ? {rs: d.rs} : {}), ...t};
	return {kind: d.kind, ...(d.instance ? {instance: d.instance} : {}), ...(d.kind === 'hard-failover' && d.method ? {method: d.method} : {}), ...t};
}

function issueReason(issue: z.core.$ZodIssue): {at: FieldPath; reason: string; atKey: boolean} {
	const at = issue.path as FieldPath;
	if (issue.code === 'unrecognized_keys') return {at: [...at, issue.keys[0]!], reason: 'unknown key', atKey: true};
	const kinds = 'must be one of failover, hard-failover, rs-health, drain';
	if (issue.code === 'invalid_union') return at[at.length - 1] === 'kind' ? {at, reason: kinds, atKey: false} : {at: [...at, 'kind'], reason: kinds, atKey: false};
	return {at, reason: issue.message, atKey: false};
}

/** Reads and checks a plan file; throws a ProfileError (file:line:col) on anything wrong. */
export function loadDrillPlan(file: string): DrillPlan {
	let text: string;
	try {
		if (!statSync(file).isFile()) throw new ProfileError(file, 1, 1, '(file)', 'a drill plan must be a regular file');
		if (statSync(file).size > MAX_PLAN_BYTES) throw new ProfileError(file, 1, 1, '(file)', `a drill plan may be at most ${MAX_PLAN_BYTES} bytes`);
		text = readFileSync(file, 'utf8');
	} catch (error) {
		if (error instanceof ProfileError) throw error;
		const code = (error as NodeJS.ErrnoException).code;
		throw new ProfileError(file, 1, 1, '(file)', code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? 'error'})`);
	}
	return parseDrillPlan(text, file);
}

export function parseDrillPlan(text: string, file: string): DrillPlan {
	const counter = new LineCounter();
	const doc: Document = parseDocument(text, {lineCounter: counter, prettyErrors: false, uniqueKeys: true, logLevel: 'error'});
	const yamlError = doc.errors[0];
	if (yamlError) {
		const pos = counter.linePos(yamlError.pos[0]);
		throw new ProfileError(file, pos.line, pos.col, '(yaml)', yamlError.message.split('\n')[0]!);
	}
	let raw: unknown;
	try {
		raw = doc.toJS({maxAliasCount: 20});
	} catch (error) {
		throw new ProfileError(file, 1, 1, '(yaml)', error instanceof Error ? error.message.split('\n')[0]! : 'cannot be read');
	}
	if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ProfileError(file, 1, 1, '(top level)', 'a drill plan must be a mapping with a drills list');
	const parsed = planSchema.safeParse(raw);
	const position = (at: FieldPath) => locate(doc, counter, at);
	if (!parsed.success) {
		const {at, reason, atKey} = issueReason(parsed.error.issues[0]!);
		const pos = locate(doc, counter, at, atKey);
		throw new ProfileError(file, pos.line, pos.col, formatPath(at), reason, parsed.error.issues.length - 1);
	}
	const plan = parsed.data;
	const profile = plan.profile !== undefined ? path.resolve(path.dirname(path.resolve(file)), plan.profile) : undefined;
	return {file, ...(profile ? {profile} : {}), onFailure: plan.on_failure ?? 'stop', drills: plan.drills.map(specOf), position};
}

/**
 * The plan's drills checked against the profile (instances, real servers and services exist, a service
 * is on the named instance and has the named real server); file:line:col on the first that does not.
 */
export function checkPlanAgainstProfile(plan: DrillPlan, profile: Profile): void {
	plan.drills.forEach((spec, i) => {
		const fail = (field: string, reason: string): never => {
			const pos = plan.position(['drills', i, field]);
			throw new ProfileError(plan.file, pos.line, pos.col, formatPath(['drills', i, field]), reason);
		};
		if (spec.service !== undefined) {
			try {
				if (isRealServerSpec(spec)) realServerTarget(profile, spec.rs, spec.service);
				else failoverTarget(profile, spec.instance, spec.service);
			} catch (error) {
				if (error instanceof DrillRefused) fail('service', error.message);
				throw error;
			}
		}
		const problem = trafficChoiceProblem(profile, spec);
		if (problem) fail(problem.field, withoutOption(problem.message));
		if ((spec.kind === 'failover' || spec.kind === 'hard-failover') && spec.instance !== undefined && !profile.instances.some((x) => x.name === spec.instance)) {
			fail('instance', `no VRRP instance ${spec.instance} in profile ${profile.name}`);
		}
		if ((spec.kind === 'rs-health' || spec.kind === 'drain') && spec.rs !== undefined && !profile.virtualServers.some((v) => v.realServers.some((r) => r.host === spec.rs))) {
			fail('rs', `${spec.rs} is not a real server of profile ${profile.name}`);
		}
	});
}

// Deploy as a session over one cluster, the same for the `deploy` command and the console's guided
// flow: plan, the preflight checks' refusal, then execute with progress events. The callers are
// sinks: they show the plan, ask (once, or twice for removals) and print or draw the report; neither
// holds a transport of its own.
import type {Profile} from '../../profile/model.js';
import type {Transport} from '../../transport/types.js';
import type {ClusterWatch} from '../../cluster/watch.js';
import type {PreflightCheck} from '../preflight.js';
import {executeDeploy, type DeployEvent, type DeployReport} from './execute.js';
import {planDeploy, type DeployPlan} from './plan.js';
import {firstRefusal} from '../preflight.js';
import {sudoRightsCheck} from '../sudoers/preflight.js';

export interface DeploySession {
	/** Reads every host (or the one asked for) and renders the profile: what would change. */
	plan(): Promise<DeployPlan>;
	/** Applies the plan host by host; removals only when the caller had them confirmed. */
	execute(plan: DeployPlan, onEvent: (e: DeployEvent) => void, allowRemovals: boolean): Promise<DeployReport>;
}

export interface DeploySessionOptions {
	readonly host?: string;
	readonly forceRewrite?: boolean;
	/** The console's store and poller: verification then adds no polling of its own. */
	readonly watch?: ClusterWatch;
	readonly preflight?: readonly PreflightCheck[];
}

/** A preflight check refused before planning (planning already reads hosts the way deploy will). */
export class DeployRefused extends Error {}

export function deploySession(profile: Profile, transport: Transport, options: DeploySessionOptions = {}): DeploySession {
	const targets = profile.hosts.filter((h) => (options.host ? h.name === options.host : h.role === 'director' || h.role === 'realserver')).map((h) => h.name);
	return {
		plan: async () => {
			// The checks run on every host deploy may touch before anything is read: planning itself
			// reads through the same rights (sudo), so a missing one is named up front, not half-way.
			const checks = [sudoRightsCheck(['deploy']), ...(options.preflight ?? [])];
			const refusal = await firstRefusal(checks, {profile, transport, hosts: targets, operation: 'deploy'});
			if (refusal !== undefined) throw new DeployRefused(refusal);
			return planDeploy(profile, transport, {...(options.host ? {host: options.host} : {}), forceRewrite: options.forceRewrite === true});
		},
		execute: (plan, onEvent, allowRemovals) => executeDeploy(profile, transport, plan, {onEvent, allowRemovals, ...(options.watch ? {watch: options.watch} : {})}),
	};
}

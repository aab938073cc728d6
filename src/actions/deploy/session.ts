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
import {deployRefusal} from './preflight.js';

export interface DeploySession {
	/** Reads every host (or the one asked for) and renders the profile: what would change. */
	plan(): Promise<DeployPlan>;
	/** The first preflight refusal for the hosts the plan changes (undefined: go on). */
	refusal(plan: DeployPlan): Promise<string | undefined>;
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

export function deploySession(profile: Profile, transport: Transport, options: DeploySessionOptions = {}): DeploySession {
	return {
		plan: () => planDeploy(profile, transport, {...(options.host ? {host: options.host} : {}), forceRewrite: options.forceRewrite === true}),
		refusal: (plan) => deployRefusal(profile, transport, plan, options.preflight),
		execute: (plan, onEvent, allowRemovals) => executeDeploy(profile, transport, plan, {onEvent, allowRemovals, ...(options.watch ? {watch: options.watch} : {})}),
	};
}

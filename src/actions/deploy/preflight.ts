// Deploy's preflight: the caller's checks (see actions/preflight.ts) over the hosts the plan changes,
// run after planning and before the confirmation, so a refusal changes nothing.
import type {Profile} from '../../profile/model.js';
import type {Transport} from '../../transport/types.js';
import {firstRefusal, type PreflightCheck} from '../preflight.js';
import {hostHasWork, type DeployPlan} from './plan.js';

/** The first refusal of `checks` for the hosts with work in `plan` (undefined: deploy may go on). */
export function deployRefusal(profile: Profile, transport: Transport, plan: DeployPlan, checks: readonly PreflightCheck[] | undefined): Promise<string | undefined> {
	return firstRefusal(checks, {profile, transport, hosts: plan.hosts.filter(hostHasWork).map((h) => h.host), operation: 'deploy'});
}

// Preflight checks an operation runs before it changes anything: each looks at the hosts the
// operation is about to change and answers with one line naming the host and what is missing (the
// operation then refuses up front, nothing changed), or undefined when all is well. Deploy and every
// drill take a list of them, so a new requirement (sudo rights, a tool on the host) is one more check.
import type {Profile} from '../profile/model.js';
import type {Transport} from '../transport/types.js';

export interface PreflightContext {
	readonly profile: Profile;
	readonly transport: Transport;
	/** The hosts the operation will change, in the order it changes them. */
	readonly hosts: readonly string[];
	/** What is about to run, for the refusal's wording: 'deploy', 'failover drill', ... */
	readonly operation: string;
}

/** One check: a one-line refusal naming the host, or undefined. */
export type PreflightCheck = (context: PreflightContext) => Promise<string | undefined>;

/** Runs the checks in order and returns the first refusal (undefined: all passed). */
export async function firstRefusal(checks: readonly PreflightCheck[] | undefined, context: PreflightContext): Promise<string | undefined> {
	for (const check of checks ?? []) {
		const refusal = await check(context);
		if (refusal !== undefined) return refusal;
	}
	return undefined;
}

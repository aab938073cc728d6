// Before deploy or a drill changes anything: does sudo let the login run every command the operation
// will need, on every host it touches? `sudo -n -l COMMAND` answers without running it. A missing right
// is one line naming the host, the command and the fix, found up front instead of half-way through.
import type {Host, Profile} from '../../profile/model.js';
import {commandLabel, sudoArgv} from '../../transport/sudo.js';
import type {Transport} from '../../transport/types.js';
import {ANY, rightsInputOf, rulesForHost, type RuleUse, type SudoRule} from './rules.js';
import type {PreflightCheck} from '../preflight.js';

/** A value a rule's `*` takes when the check asks sudo (any non-empty word matches). */
const SAMPLE = 'lvsdeck-check';

function sampleArgv(rule: SudoRule): string[] {
	return rule.argv.map((w) => (w === ANY ? SAMPLE : w));
}

/** `sudo -n -l -- COMMAND`: exit 0 when sudo would run it without a password. Never wrapped again. */
export function sudoListCommand(argv: readonly string[]): string[] {
	return ['sudo', '-n', '-l', ...sudoArgv(argv).slice(2)];
}

async function firstMissing(transport: Transport, host: Host, rules: readonly SudoRule[], signal?: AbortSignal): Promise<string | undefined> {
	for (const rule of rules) {
		const argv = sampleArgv(rule);
		const r = await transport.exec(host.name, sudoListCommand(argv), {timeoutMs: 10_000, ...(signal ? {signal} : {})});
		if (r.code === 0) continue;
		const why = r.timedOut ? 'sudo -l timed out' : /must have a tty/.test(r.stderr) ? `sudo requires a tty (add \`Defaults:${host.ssh.user} !requiretty\`)` : `not allowed without a password`;
		return `${host.name}: sudo does not let ${host.ssh.user} run ${commandLabel(argv)} (${rule.why}): ${why}; install the lvsdeck-operate rules (\`lvsdeck sudoers --operate\`) in /etc/sudoers.d/ on ${host.name}`;
	}
	return undefined;
}

/**
 * The missing sudo rights for an operation, one line per host that lacks one (empty: all there, or no
 * host logs in through sudo). Hosts are checked in parallel, each stopping at its first missing right.
 */
export async function missingSudoRights(transport: Transport, profile: Profile, hosts: readonly string[], uses: readonly RuleUse[], signal?: AbortSignal): Promise<string[]> {
	const input = rightsInputOf(profile);
	const wanted = profile.hosts.filter((h) => hosts.includes(h.name) && h.ssh.sudo);
	const found = await Promise.all(
		wanted.map((host) => {
			const rules = rulesForHost(input, host, 'operate').filter((r) => r.uses.some((u) => uses.includes(u)));
			return firstMissing(transport, host, rules, signal).catch((error: unknown) => `${host.name}: cannot check its sudo rights: ${error instanceof Error ? error.message : String(error)}`);
		}),
	);
	return found.filter((m): m is string => m !== undefined);
}

/** The sudo-rights check as an operation preflight check: the first host missing a right, with the count of others. */
export function sudoRightsCheck(uses: readonly RuleUse[]): PreflightCheck {
	return async ({profile, transport, hosts}) => {
		const missing = await missingSudoRights(transport, profile, hosts, uses);
		if (missing.length === 0) return undefined;
		return missing.length === 1 ? missing[0] : `${missing[0]} (and ${missing.length - 1} more host${missing.length > 2 ? 's' : ''})`;
	};
}

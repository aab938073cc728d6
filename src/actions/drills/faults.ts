// The faults the failover drills inject on the master, each with the steps that undo it. Scripts are
// constants; values (pid file, interface) arrive as positional parameters, never inside the script.
import type {Profile, VrrpInstance} from '../../profile/model.js';
import type {RestoreStep} from './journal.js';
import type {FailoverKind} from './failover.js';

/** How a hard failure is made: freeze keepalived's VRRP process, or cut VRRP on the master's interface. */
export type HardMethod = 'freeze' | 'cut';

export interface Fault {
	/** What the drill will do, for the confirmation. */
	readonly plan: string;
	/** The timeline's line when it is injected. */
	readonly injected: string;
	readonly inject: readonly string[];
	readonly injectTimeoutMs: number;
	readonly restore: readonly RestoreStep[];
}

/** A tc filter priority no ordinary setup uses, so the restore removes ours and nothing else. */
export const CUT_FILTER_PREF = '49152';

/**
 * $1 interface. Drops the master's outgoing VRRP (IP protocol 112) with a tc filter on the clsact egress
 * hook: the master goes on believing it is master and keeps the VIP while the backup, hearing nothing,
 * takes over: a real split brain, as a broken link between directors causes. The clsact qdisc is added
 * only when missing, and then remembered, so the restore never removes one that was there before.
 */
export const CUT_VRRP_SCRIPT = [
	'mark=/run/lvsdeck-cut-vrrp-clsact-$1',
	'if tc qdisc add dev "$1" clsact 2>/dev/null; then : > "$mark"; fi',
	`tc filter add dev "$1" egress pref ${CUT_FILTER_PREF} protocol ip u32 match ip protocol 112 0xff action drop`,
].join('\n');

/** $1 interface. Removes the filter (and the qdisc if the cut added it); succeeds only when the cut is gone. */
export const UNCUT_VRRP_SCRIPT = [
	'mark=/run/lvsdeck-cut-vrrp-clsact-$1',
	`tc filter del dev "$1" egress pref ${CUT_FILTER_PREF} 2>/dev/null`,
	'if [ -e "$mark" ]; then tc qdisc del dev "$1" clsact 2>/dev/null; rm -f "$mark"; fi',
	`! tc filter show dev "$1" egress 2>/dev/null | grep -q "pref ${CUT_FILTER_PREF} "`,
].join('\n');

const FREEZE = 'kill -STOP "$(cat "$1")"';
const THAW = 'kill -CONT "$(cat "$1")"';

export function faultFor(profile: Profile, inst: VrrpInstance, target: string, backups: readonly string[], kind: FailoverKind, method: HardMethod = 'freeze'): Fault {
	const takeOver = `${backups.join(', ')} should take ${inst.vips[0]!.address} over`;
	if (kind === 'failover') {
		return {
			plan: `stop keepalived on ${target} (${profile.keepalived.stop.join(' ')}); ${takeOver}; then start it again`,
			injected: `stopping keepalived on ${target}`,
			inject: profile.keepalived.stop,
			injectTimeoutMs: 20_000,
			restore: [{host: target, argv: profile.keepalived.start, description: `start keepalived (${profile.keepalived.start.join(' ')})`}],
		};
	}
	if (method === 'cut') {
		return {
			plan: `drop VRRP sent by ${target} on ${inst.interface} (tc filter, pref ${CUT_FILTER_PREF}); ${takeOver} while ${target} keeps it (split brain); then remove the filter`,
			injected: `cutting VRRP from ${target} on ${inst.interface}`,
			inject: ['sh', '-c', CUT_VRRP_SCRIPT, 'lvsdeck-drill', inst.interface],
			injectTimeoutMs: 10_000,
			restore: [{host: target, argv: ['sh', '-c', UNCUT_VRRP_SCRIPT, 'lvsdeck-drill', inst.interface], description: `remove the VRRP cut on ${inst.interface}`}],
		};
	}
	return {
		plan: `freeze keepalived's VRRP process on ${target} (SIGSTOP); ${takeOver}; then resume it (SIGCONT)`,
		injected: `freezing keepalived's VRRP process on ${target}`,
		inject: ['sh', '-c', FREEZE, 'lvsdeck-drill', profile.keepalived.vrrpPidFile],
		injectTimeoutMs: 10_000,
		restore: [{host: target, argv: ['sh', '-c', THAW, 'lvsdeck-drill', profile.keepalived.vrrpPidFile], description: 'resume the frozen VRRP process (SIGCONT)'}],
	};
}

// The faults the failover drills inject on the master, each with the steps that undo it. Scripts are
// constants; values (pid file, interface) arrive as positional parameters, never inside the script.
import type {Profile, VrrpInstance} from '../../profile/model.js';
import type {ExecResult} from '../../transport/types.js';
import type {RestoreStep} from './journal.js';

/** The drills that make the master fail: a clean stop of keepalived, or a hard failure. */
export type FailoverKind = 'failover' | 'hard-failover';

/** How a hard failure is made: freeze keepalived's VRRP process, or cut VRRP on the master's interface. */
export type HardMethod = 'freeze' | 'cut';

export interface Fault {
	/** What the drill will do, for the confirmation. */
	readonly plan: string;
	/** Run before the confirmation: refuses the drill (exit FAULT_REFUSED, reason on stderr) when the fault cannot be made safely. */
	readonly check?: readonly string[];
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

/** Exit code of a fault script that refused (the reason is its stderr line). */
export const FAULT_REFUSED = 3;

/**
 * $1 the VRRP process's pid file, $2 keepalived's main pid file, $3 CHECK, STOP or CONT. Signals only a
 * positive pid whose process is called keepalived (keepalived_vrrp with process_names) and is a child of
 * the keepalived main process, i.e. keepalived's VRRP process; anything else refuses (exit 3, reason on
 * stderr). The checks and the kill run in this one script, so nothing can change in between but the
 * instant it takes. Values read from the host are echoed only once they are known to be numbers.
 */
export const SIGNAL_VRRP_SCRIPT = [
	`refuse() { echo "lvsdeck-drill: refusing to signal keepalived's VRRP process: $*" >&2; exit ${FAULT_REFUSED}; }`,
	'case "$3" in CHECK|STOP|CONT) ;; *) refuse "unknown action" ;; esac',
	'pid=; [ -r "$1" ] && read -r pid < "$1"',
	'case "$pid" in ""|0*|*[!0-9]*) refuse "$1 does not hold a positive process id" ;; esac',
	'[ ${#pid} -le 10 ] || refuse "$1 does not hold a positive process id"',
	'main=; [ -r "$2" ] && read -r main < "$2"',
	'case "$main" in ""|0*|*[!0-9]*) refuse "$2 does not hold a positive process id" ;; esac',
	'[ ${#main} -le 10 ] || refuse "$2 does not hold a positive process id"',
	'comm=; [ -r "/proc/$pid/comm" ] && read -r comm < "/proc/$pid/comm"',
	'case "$comm" in keepalived|keepalived_vrrp) ;; *) refuse "process $pid from $1 is not keepalived (or is gone)" ;; esac',
	'[ "$pid" != "$main" ] || refuse "process $pid from $1 is the keepalived main process, not its VRRP process"',
	'mcomm=; [ -r "/proc/$main/comm" ] && read -r mcomm < "/proc/$main/comm"',
	'[ "$mcomm" = keepalived ] || refuse "process $main from $2 is not keepalived (or is gone)"',
	'ppid=; [ -r "/proc/$pid/status" ] && while read -r k v; do [ "$k" = PPid: ] && ppid=$v; done < "/proc/$pid/status"',
	'[ "$ppid" = "$main" ] || refuse "process $pid from $1 is not a child of the keepalived main process $main"',
	'[ "$3" = CHECK ] && exit 0',
	'kill -"$3" "$pid"',
].join('\n');

/** The command that checks (CHECK) or signals (STOP, CONT) keepalived's VRRP process; see SIGNAL_VRRP_SCRIPT. */
export function signalVrrpCommand(profile: Profile, action: 'CHECK' | 'STOP' | 'CONT'): string[] {
	return ['sh', '-c', SIGNAL_VRRP_SCRIPT, 'lvsdeck-drill', profile.keepalived.vrrpPidFile, profile.keepalived.pidFile, action];
}

/** Why a fault script refused, or undefined when it did not (other failures are not refusals). */
export function faultRefusal(r: Pick<ExecResult, 'code' | 'stderr'>): string | undefined {
	if (r.code !== FAULT_REFUSED) return undefined;
	const line = r.stderr.split('\n').find((l) => l.startsWith('lvsdeck-drill: refusing'));
	return line?.slice('lvsdeck-drill: '.length).trim() ?? `refused (exit ${FAULT_REFUSED})`;
}

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
		check: signalVrrpCommand(profile, 'CHECK'),
		injected: `freezing keepalived's VRRP process on ${target}`,
		inject: signalVrrpCommand(profile, 'STOP'),
		injectTimeoutMs: 10_000,
		restore: [{host: target, argv: signalVrrpCommand(profile, 'CONT'), description: 'resume the frozen VRRP process (SIGCONT)'}],
	};
}

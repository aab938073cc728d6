// The constant scripts deploy runs on hosts. Values arrive only as positional parameters and file
// contents on stdin; nothing from a profile is ever interpolated into shell text.
import path from 'node:path';

/**
 * Where a script puts its temporary copy of a config (it holds the VRRP password): next to the target
 * (or in /tmp for `keepalived -t`), named `.NAME.lvsdeck-tmp.STAMP.PID.XXXXXX` so a later run can find
 * it, tell from the PID whether its writer is gone, and remove it. Created by mktemp (mode 0600) under
 * umask 077, so it is never readable by other users, not even for a moment.
 */
export const TEMP_MARK = 'lvsdeck-tmp';

/**
 * Shell function: give "$1" (a temporary file) the mode and owner of "$2" (the file it will replace),
 * or 0600 root for a new file, before it is renamed into place.
 */
const MATCH_OWNER = [
	'match_owner() {',
	'  if [ -e "$2" ]; then',
	'    set -- "$1" $(stat -c "%a %u %g" -- "$2") || return 1',
	'    chown "$3:$4" -- "$1" && chmod "$2" -- "$1"',
	'  else',
	'    chmod 600 -- "$1" && { [ "$(id -u)" != 0 ] || chown 0:0 -- "$1"; }',
	'  fi',
	'}',
].join('\n');

/**
 * Shell lines: remove the temporary file in "$VAR" however the script ends. An EXIT trap alone does
 * not run when the shell dies of a signal, and a cut SSH connection brings exactly that: sshd goes,
 * stdin ends, and the script's next write to the closed stderr raises SIGPIPE (or a pty's SIGHUP
 * arrives). Turning those signals into an exit runs the EXIT trap.
 */
export function removeOnExit(variable: string): string {
	return [`trap 'rm -f -- "$${variable}"' EXIT`, "trap 'exit 129' HUP", "trap 'exit 130' INT", "trap 'exit 141' PIPE", "trap 'exit 143' TERM"].join('\n');
}

/** Exit codes of INSTALL_SCRIPT that mean it stopped before the rename: the old file is untouched. */
export const INSTALL_EXIT = {beforeRename: [20, 21, 22, 23, 24, 26, 27, 28], changedSincePlan: 25} as const;

/**
 * Install a file atomically: "$1" target, "$2" backup folder, "$3" time stamp, "$4" sha256 the upload
 * must have, "$5" sha256 the target must still have (the one the plan was made against; `missing` when
 * it must not exist). The upload goes to a temporary file in the target's folder; it is installed
 * (rename, atomic on one file system) only when complete and matching the hash, so a cut connection
 * leaves the old file. When the target is not the planned one it stops (exit 25, `current=SHA`) before
 * changing anything. The current file is copied to "$2/NAME.$3" first (mode 0600). The new file gets
 * the mode and owner of the one it replaces. Prints `backup=PATH` (empty when there was none).
 */
export const INSTALL_SCRIPT = [
	MATCH_OWNER,
	'f=$1; bdir=$2; stamp=$3; want=$4; expect=$5',
	'umask 077',
	'd=$(dirname -- "$f"); base=$(basename -- "$f")',
	'mkdir -p -- "$d" "$bdir" || exit 20',
	`tmp=$(mktemp "$d/.$base.${TEMP_MARK}.$stamp.$$.XXXXXX") || exit 21`,
	removeOnExit('tmp'),
	'cat > "$tmp" || exit 22',
	'got=$(sha256sum < "$tmp" | cut -c1-64)',
	'if [ "$got" != "$want" ]; then echo "upload incomplete or corrupted (sha256 $got, expected $want)" >&2; exit 23; fi',
	'if [ -e "$f" ]; then now=$(sha256sum < "$f" | cut -c1-64) || exit 24; else now=missing; fi',
	'if [ "$now" != "$expect" ]; then echo "current=$now"; echo "$f changed since the plan" >&2; exit 25; fi',
	'backup=',
	// cp without -p under umask 077: the backup is 0600 from its first byte, whatever the original's mode.
	'if [ -e "$f" ]; then backup="$bdir/$base.$stamp"; cp -- "$f" "$backup" && touch -r "$f" -- "$backup" || exit 26; fi',
	'match_owner "$tmp" "$f" || exit 27',
	'sync',
	'mv -f -- "$tmp" "$f" || exit 28',
	'trap - EXIT',
	'echo "backup=$backup"',
].join('\n');

/** Put a backup back atomically, with the mode and owner of the file it replaces: "$1" target, "$2" backup file, "$3" time stamp. */
export const RESTORE_SCRIPT = [
	MATCH_OWNER,
	'f=$1; b=$2; stamp=$3',
	'umask 077',
	'[ -f "$b" ] || { echo "backup $b is missing" >&2; exit 30; }',
	'd=$(dirname -- "$f"); base=$(basename -- "$f")',
	`tmp=$(mktemp "$d/.$base.${TEMP_MARK}.$stamp.$$.XXXXXX") || exit 31`,
	removeOnExit('tmp'),
	'cat -- "$b" > "$tmp" || exit 32',
	'match_owner "$tmp" "$f" || exit 33',
	'mv -f -- "$tmp" "$f" || exit 34',
	'trap - EXIT',
	'echo restored',
].join('\n');

/**
 * What a director holds now, read after a step whose result is unknown: "$1" target, "$2" a backup
 * path ("" for none), then the command that exits 0 when keepalived is running. Prints
 * `sha256=HEX|missing`, `backup=yes|no`, `keepalived=active|inactive` and `end`.
 */
export const STATE_SCRIPT = [
	'f=$1; b=$2; shift 2',
	'if [ -e "$f" ]; then echo "sha256=$(sha256sum < "$f" | cut -c1-64)"; else echo sha256=missing; fi',
	'if [ -n "$b" ] && [ -e "$b" ]; then echo backup=yes; else echo backup=no; fi',
	'if [ $# -gt 0 ]; then if "$@" >/dev/null 2>&1; then echo keepalived=active; else echo keepalived=inactive; fi; fi',
	'echo end',
].join('\n');

/**
 * Temporaries left by interrupted runs: "$1" list|remove, "$2" the target's name (keepalived.conf),
 * then the folders to look in. A temporary is stale when the process named in it is gone, or when it
 * is older than 10 minutes (no step keeps one that long); a live run's temporary is left alone. Names
 * from older lvsdeck versions (no PID) count by age only. Prints `stale=PATH` (list) or `removed=PATH`.
 */
export const CLEANUP_SCRIPT = [
	'mode=$1; base=$2; shift 2',
	'for d in "$@"; do',
	`  for t in "$d/.$base.${TEMP_MARK}."* "$d/.lvsdeck-new."* "$d/.lvsdeck-restore."* "$d/lvsdeck-validate."*; do`,
	'    [ -f "$t" ] || continue',
	'    pid=',
	`    case "\${t##*/}" in ".$base.${TEMP_MARK}."*) rest=\${t%.*}; pid=\${rest##*.} ;; esac`,
	'    case "$pid" in *[!0-9]*) pid= ;; esac',
	'    if [ -n "$pid" ] && [ -d "/proc/$pid" ] && [ -z "$(find "$t" -maxdepth 0 -mmin +10)" ]; then continue; fi',
	'    if [ -z "$pid" ] && [ -z "$(find "$t" -maxdepth 0 -mmin +10)" ]; then continue; fi',
	'    if [ "$mode" = remove ]; then rm -f -- "$t" && echo "removed=$t"; else echo "stale=$t"; fi',
	'  done',
	'done',
	'exit 0',
].join('\n');

/** List or remove the stale temporaries of a config file (next to it, and where keepalived -t ran). */
export function temporariesCommand(mode: 'list' | 'remove', configPath: string, validateTmpDir: string): string[] {
	return ['sh', '-c', CLEANUP_SCRIPT, 'lvsdeck-temporaries', mode, path.posix.basename(configPath), path.posix.dirname(configPath), validateTmpDir];
}

/** Print `sha256=HEX` and then the file, or the single line `@@lvsdeck missing` when it does not exist: "$1" path. */
export const READ_FILE_SCRIPT = 'if [ -e "$1" ]; then echo "sha256=$(sha256sum < "$1" | cut -c1-64)" && cat -- "$1"; else echo "@@lvsdeck missing"; fi';

// The real-server setup script (and its boot-time copy) has its own module.
export {parseSetupChanges, REALSERVER_SETUP_SCRIPT} from './realserver-script.js';

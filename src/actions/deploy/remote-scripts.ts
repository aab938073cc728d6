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
	'trap \'rm -f -- "$tmp"\' EXIT',
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
	'trap \'rm -f -- "$tmp"\' EXIT',
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

/**
 * Real-server setup for every forwarding mode: "$1" apply|revert|check, "$2" the sysctl.d file, then
 * the setup's words (render/realserver-setup.ts `setupArgs`): `dev=NAME` (a dummy device, created if
 * missing, for the VIPs after it; before any, lo), a VIP, `tun=VIP` (on tunl0, loading ipip),
 * `gw=ADDRESS` (the default route). The sysctl file arrives on stdin (apply, check); its `key = value`
 * lines are also applied live. Idempotent: prints `changed: none` when everything already matched,
 * otherwise `changed:` and what was (check: would be) changed. check changes nothing. revert takes
 * the VIPs and the route away, sets the installed file's sysctls back to the kernel's 0, removes a
 * dummy device left without addresses, and the file.
 */
export const REALSERVER_SETUP_SCRIPT = [
	'mode=$1; f=$2; shift 2',
	'changed=',
	'note() { changed="$changed $1"; }',
	'run() { [ "$mode" = check ] || "$@"; }',
	'len() { case "$1" in *:*) echo 128 ;; *) echo 32 ;; esac; }',
	'has_addr() { ip -o addr show dev "$1" 2>/dev/null | grep -qF " $2/$(len "$2") "; }',
	'is_up() { ip link show dev "$1" 2>/dev/null | grep -q "[<,]UP[,>]"; }',
	'fam() { case "$1" in *:*) echo -6 ;; *) echo -4 ;; esac; }',
	'where() { if [ "$2" = lo ]; then echo "$1"; else echo "$1@$2"; fi; }',
	'sysctls() {',
	'  while read -r k eq v rest; do',
	'    case "$k" in ""|"#"*|";"*) continue ;; esac',
	'    [ "$eq" = "=" ] || continue',
	'    [ "$1" = zero ] && v=0',
	'    [ "$(sysctl -n "$k" 2>/dev/null)" = "$v" ] || { run sysctl -qw "$k=$v" || exit 41; note "sysctl:${k#net.ipv4.conf.}=$v"; }',
	'  done',
	'}',
	'case "$mode" in',
	'apply|check) dev=lo',
	'  for it in "$@"; do',
	'    case "$it" in',
	'    dev=*) dev=${it#dev=}',
	'      ip link show dev "$dev" >/dev/null 2>&1 || { run modprobe -q dummy; run ip link add "$dev" type dummy || exit 48; note "dev:$dev"; }',
	'      [ "$mode" = check ] || is_up "$dev" || { ip link set "$dev" up || exit 49; note "up:$dev"; } ;;',
	'    tun=*) vip=${it#tun=}',
	'      ip link show dev tunl0 >/dev/null 2>&1 || { run modprobe ipip || exit 50; note module:ipip; }',
	'      is_up tunl0 || { run ip link set tunl0 up || exit 51; note up:tunl0; }',
	'      has_addr tunl0 "$vip" || { run ip addr add "$vip/$(len "$vip")" dev tunl0 || exit 52; note "vip:$vip@tunl0"; } ;;',
	'    gw=*) gw=${it#gw=}',
	'      ip $(fam "$gw") route show default | grep -qF "default via $gw " || { run ip $(fam "$gw") route replace default via "$gw" || exit 53; note "route:default-via-$gw"; } ;;',
	'    *) has_addr "$dev" "$it" || { run ip addr add "$it/$(len "$it")" dev "$dev" || exit 40; note "vip:$(where "$it" "$dev")"; } ;;',
	'    esac',
	'  done',
	'  if [ "$mode" = check ]; then',
	'    sysctls set',
	'  else',
	'    mkdir -p -- "$(dirname -- "$f")" || exit 42',
	'    tmp=$(mktemp "$f.XXXXXX") || exit 43',
	'    cat > "$tmp"',
	'    sysctls set < "$tmp"',
	'    if [ -f "$f" ] && cmp -s "$tmp" "$f"; then rm -f -- "$tmp"; else chmod 644 -- "$tmp" && mv -f -- "$tmp" "$f" || exit 44; note "file:$f"; fi',
	'  fi ;;',
	'revert) cat > /dev/null',
	'  dev=lo; devs=',
	'  for it in "$@"; do',
	'    case "$it" in',
	'    dev=*) dev=${it#dev=}; devs="$devs $dev" ;;',
	'    tun=*) vip=${it#tun=}; ! has_addr tunl0 "$vip" || { ip addr del "$vip/$(len "$vip")" dev tunl0 || exit 45; note "vip:-$vip@tunl0"; } ;;',
	'    gw=*) gw=${it#gw=}',
	'      ! ip $(fam "$gw") route show default | grep -qF "default via $gw " || { ip $(fam "$gw") route del default via "$gw" || exit 54; note "route:-default-via-$gw"; } ;;',
	'    *) ! has_addr "$dev" "$it" || { ip addr del "$it/$(len "$it")" dev "$dev" || exit 45; note "vip:-$(where "$it" "$dev")"; } ;;',
	'    esac',
	'  done',
	'  [ -f "$f" ] && sysctls zero < "$f"',
	'  for d in $devs; do',
	'    ip -d link show dev "$d" 2>/dev/null | grep -qw dummy || continue',
	'    ip -o addr show dev "$d" scope global | grep -q . && continue',
	'    ip link del "$d" || exit 55; note "dev:-$d"',
	'  done',
	'  [ ! -e "$f" ] || { rm -f -- "$f" || exit 47; note "file:-$f"; } ;;',
	'*) echo "mode must be apply, revert or check" >&2; exit 2 ;;',
	'esac',
	'echo "changed:${changed:- none}"',
].join('\n');

/** `changed: none` → [], `changed: vip:1.2.3.4 file:/x` → ['vip:1.2.3.4', 'file:/x']. */
export function parseSetupChanges(stdout: string): string[] | undefined {
	const line = stdout.split('\n').find((l) => l.startsWith('changed:'));
	if (line === undefined) return undefined;
	const items = line.slice('changed:'.length).trim().split(/\s+/).filter(Boolean);
	return items.length === 1 && items[0] === 'none' ? [] : items;
}

// The constant scripts deploy runs on hosts. Values arrive only as positional parameters and file
// contents on stdin; nothing from a profile is ever interpolated into shell text.

/**
 * Install a file atomically: "$1" target, "$2" backup folder, "$3" time stamp, "$4" sha256 the upload
 * must have. The upload goes to a temporary file in the target's folder; it is installed (rename, atomic
 * on one file system) only when complete and matching the hash, so a cut connection leaves the old file.
 * The current file is copied to "$2/NAME.$3" first. Prints `backup=PATH` (empty when there was none).
 */
export const INSTALL_SCRIPT = [
	'f=$1; bdir=$2; stamp=$3; want=$4',
	'd=$(dirname -- "$f")',
	'mkdir -p -- "$d" "$bdir" || exit 20',
	'tmp=$(mktemp "$d/.lvsdeck-new.XXXXXX") || exit 21',
	'trap \'rm -f -- "$tmp"\' EXIT',
	'cat > "$tmp" || exit 22',
	'got=$(sha256sum < "$tmp" | cut -c1-64)',
	'if [ "$got" != "$want" ]; then echo "upload incomplete or corrupted (sha256 $got, expected $want)" >&2; exit 23; fi',
	'backup=',
	'if [ -e "$f" ]; then backup="$bdir/$(basename -- "$f").$stamp"; cp -p -- "$f" "$backup" || exit 24; fi',
	'chmod 644 -- "$tmp" && sync',
	'mv -f -- "$tmp" "$f" || exit 25',
	'trap - EXIT',
	'echo "backup=$backup"',
].join('\n');

/** Put a backup back atomically: "$1" target, "$2" backup file. */
export const RESTORE_SCRIPT = [
	'f=$1; b=$2',
	'[ -f "$b" ] || { echo "backup $b is missing" >&2; exit 30; }',
	'tmp=$(mktemp "$(dirname -- "$f")/.lvsdeck-restore.XXXXXX") || exit 31',
	'cp -p -- "$b" "$tmp" && mv -f -- "$tmp" "$f" || { rm -f -- "$tmp"; exit 32; }',
	'echo restored',
].join('\n');

/** Print a file, or the single line `@@lvsdeck missing` when it does not exist: "$1" path. */
export const READ_FILE_SCRIPT = 'if [ -e "$1" ]; then cat -- "$1"; else echo "@@lvsdeck missing"; fi';

/**
 * Real-server setup for DR: "$1" apply|revert, "$2" the sysctl.d file, then the VIPs. The sysctl file
 * content arrives on stdin. Idempotent: prints `changed: none` when everything already matched,
 * otherwise `changed:` and what was changed.
 */
export const REALSERVER_SETUP_SCRIPT = [
	'mode=$1; f=$2; shift 2',
	'changed=',
	'if [ "$mode" = apply ]; then',
	'  for vip in "$@"; do',
	'    ip -o addr show dev lo | grep -qF " $vip/32 " || { ip addr add "$vip/32" dev lo || exit 40; changed="$changed vip:$vip"; }',
	'  done',
	'  for k in all lo; do',
	'    for pair in arp_ignore=1 arp_announce=2; do',
	'      n=${pair%%=*}; v=${pair#*=}',
	'      cur=$(cat "/proc/sys/net/ipv4/conf/$k/$n")',
	'      [ "$cur" = "$v" ] || { sysctl -qw "net.ipv4.conf.$k.$n=$v" || exit 41; changed="$changed sysctl:$k.$n=$v"; }',
	'    done',
	'  done',
	'  mkdir -p -- "$(dirname -- "$f")" || exit 42',
	'  tmp=$(mktemp "$f.XXXXXX") || exit 43',
	'  cat > "$tmp"',
	'  if [ -f "$f" ] && cmp -s "$tmp" "$f"; then rm -f -- "$tmp"; else chmod 644 -- "$tmp" && mv -f -- "$tmp" "$f" || exit 44; changed="$changed file:$f"; fi',
	'elif [ "$mode" = revert ]; then',
	'  cat > /dev/null',
	'  for vip in "$@"; do',
	'    ip -o addr show dev lo | grep -qF " $vip/32 " && { ip addr del "$vip/32" dev lo || exit 45; changed="$changed vip:-$vip"; }',
	'  done',
	'  for k in all lo; do',
	'    for n in arp_ignore arp_announce; do',
	'      [ "$(cat "/proc/sys/net/ipv4/conf/$k/$n")" = 0 ] || { sysctl -qw "net.ipv4.conf.$k.$n=0" || exit 46; changed="$changed sysctl:$k.$n=0"; }',
	'    done',
	'  done',
	'  [ -e "$f" ] && { rm -f -- "$f" || exit 47; changed="$changed file:-$f"; }',
	'else',
	'  echo "mode must be apply or revert" >&2; exit 2',
	'fi',
	'echo "changed:${changed:- none}"',
].join('\n');

/** `changed: none` → [], `changed: vip:1.2.3.4 file:/x` → ['vip:1.2.3.4', 'file:/x']. */
export function parseSetupChanges(stdout: string): string[] | undefined {
	const line = stdout.split('\n').find((l) => l.startsWith('changed:'));
	if (line === undefined) return undefined;
	const items = line.slice('changed:'.length).trim().split(/\s+/).filter(Boolean);
	return items.length === 1 && items[0] === 'none' ? [] : items;
}

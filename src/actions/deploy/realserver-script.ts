// The real-server setup script deploy runs (apply, check) and operators run to undo it (revert), and
// the boot-time copy it installs so the setup survives a reboot: /usr/local/lib/lvsdeck/realserver-setup,
// run by lvsdeck-realserver.service (oneshot, enabled by its link in multi-user.target.wants). The
// setup's words are kept per sysctl file in `NAME.args` next to the boot script; what apply changed
// first (each sysctl's earlier value, the earlier default route) in `NAME.previous`, so revert puts
// it back. Every file apply replaces is copied to backup/ first. Values arrive only as positional
// parameters and stdin; the only text put into the script is lvsdeck's own constant paths and lines.
import {shellQuote} from '../../transport/quote.js';

export interface SetupPaths {
	/** Folder of the boot script, the args and previous-value files, and backup/. */
	readonly home: string;
	/** The systemd unit file. */
	readonly unit: string;
	/** Its enabling link (what `systemctl enable` would make). */
	readonly link: string;
}

export const BOOT_UNIT = 'lvsdeck-realserver.service';

export const SETUP_PATHS: SetupPaths = {
	home: '/usr/local/lib/lvsdeck',
	unit: `/etc/systemd/system/${BOOT_UNIT}`,
	link: `/etc/systemd/system/multi-user.target.wants/${BOOT_UNIT}`,
};

export const bootScriptPath = (p: SetupPaths): string => `${p.home}/realserver-setup`;
/** The words of the setup for sysctl file `file` (first line the file, then one word a line). */
export const argsPath = (p: SetupPaths, file: string): string => `${p.home}/${file.split('/').pop()}.args`;
/** What apply changed first: `sysctl KEY VALUE`, `route -4 LINE|none`. */
export const previousPath = (p: SetupPaths, file: string): string => `${p.home}/${file.split('/').pop()}.previous`;

/** The functions apply, check and the boot script share (no indentation: the boot copy is written line by line). */
const CORE = [
	'len() { case "$1" in *:*) echo 128 ;; *) echo 32 ;; esac; }',
	'has_addr() { ip -o addr show dev "$1" 2>/dev/null | grep -qF " $2/$(len "$2") "; }',
	'is_up() { ip link show dev "$1" 2>/dev/null | grep -q "[<,]UP[,>]"; }',
	'fam() { case "$1" in *:*) echo -6 ;; *) echo -4 ;; esac; }',
	'where() { if [ "$2" = lo ]; then echo "$1"; else echo "$1@$2"; fi; }',
	'note() { changed="$changed $1"; }',
	'run() { [ "$mode" = check ] || "$@"; }',
	'sysctls() {',
	'while read -r k eq v rest; do',
	'case "$k" in ""|"#"*|";"*) continue ;; esac',
	'[ "$eq" = "=" ] || continue',
	'now=$(sysctl -n "$k" 2>/dev/null)',
	'[ "$now" != "$v" ] || continue',
	'remember sysctl "$k" "$now"',
	'run sysctl -qw "$k=$v" || exit 41',
	'note "sysctl:${k#net.ipv4.conf.}=$v"',
	'done',
	'}',
	'setup_words() {',
	'dev=lo',
	'for it in "$@"; do',
	'case "$it" in',
	'dev=*) dev=${it#dev=}',
	'ip link show dev "$dev" >/dev/null 2>&1 || { run modprobe -q dummy; run ip link add "$dev" type dummy || exit 48; note "dev:$dev"; }',
	'[ "$mode" = check ] || is_up "$dev" || { ip link set "$dev" up || exit 49; note "up:$dev"; } ;;',
	'tun=*) vip=${it#tun=}',
	'ip link show dev tunl0 >/dev/null 2>&1 || { run modprobe ipip || exit 50; note module:ipip; }',
	'is_up tunl0 || { run ip link set tunl0 up || exit 51; note up:tunl0; }',
	'has_addr tunl0 "$vip" || { run ip addr add "$vip/$(len "$vip")" dev tunl0 || exit 52; note "vip:$vip@tunl0"; } ;;',
	'gw=*) gw=${it#gw=}',
	'ip $(fam "$gw") route show default | grep -qF "default via $gw " || { remember route "$(fam "$gw")" "$(ip $(fam "$gw") route show default | head -n 1)"; run ip $(fam "$gw") route replace default via "$gw" || exit 53; note "route:default-via-$gw"; } ;;',
	'*) has_addr "$dev" "$it" || { run ip addr add "$it/$(len "$it")" dev "$dev" || exit 40; note "vip:$(where "$it" "$dev")"; } ;;',
	'esac',
	'done',
	'}',
];

/** The script the unit runs at boot: every setup deploy recorded, applied again (nothing recorded, nothing backed up). */
export function bootScript(p: SetupPaths): string {
	return [
		'#!/bin/sh',
		`# Installed by lvsdeck deploy, run at boot by ${BOOT_UNIT}: the real-server setup (VIPs, dummy device, tunl0, default route, sysctls) again.`,
		'# Do not edit: the next deploy replaces it (keeping a copy in backup/).',
		'mode=boot; changed=',
		'remember() { :; }',
		...CORE,
		`for a in ${shellQuote(p.home)}/*.args; do`,
		'[ -f "$a" ] || continue',
		'f=$(sed -n 1p "$a")',
		'set -f; set -- $(sed 1d "$a"); set +f',
		'setup_words "$@"',
		'[ ! -f "$f" ] || sysctls < "$f"',
		'done',
		'echo "changed:${changed:- none}"',
		'',
	].join('\n');
}

/** The systemd unit: oneshot, after the network is up, left active so `systemctl status` shows it ran. */
export function bootUnit(p: SetupPaths): string {
	return [
		'# Installed by lvsdeck deploy: the LVS real-server setup again at boot.',
		'[Unit]',
		'Description=lvsdeck LVS real-server setup (VIPs, tunnel, default route, sysctls)',
		'Wants=network-online.target',
		'After=network-online.target',
		'',
		'[Service]',
		'Type=oneshot',
		'RemainAfterExit=yes',
		`ExecStart=/bin/sh ${bootScriptPath(p)}`,
		'',
		'[Install]',
		'WantedBy=multi-user.target',
		'',
	].join('\n');
}

/** `name() { printf '%s\n' LINE...; }`: the text as one shell line (sudoers can only hold one). */
function printer(name: string, text: string): string {
	const lines = text.replace(/\n$/, '').split('\n');
	return `${name}() { printf '%s\\n' ${lines.map((l) => `'${l.replaceAll("'", `'\\''`)}'`).join(' ')}; }`;
}

/** apply records what it changes first, compares and places files (keeping a copy of what it replaces). */
const SETUP_HELPERS = [
	'remember() {',
	'[ "$mode" = apply ] || return 0',
	'[ -f "$state" ] && awk -v a="$1" -v b="$2" \'$1 == a && $2 == b { f = 1 } END { exit !f }\' "$state" && return 0',
	'printf \'%s %s %s\\n\' "$1" "$2" "${3:-none}" >> "$state" || exit 56',
	'}',
	'same() { cmp -s - "$1" 2>/dev/null; }',
	// Put temporary "$1" at "$2" with mode "$3", keeping a copy of what was there; unchanged: nothing.
	'place() {',
	'if [ -f "$2" ] && cmp -s "$1" "$2"; then rm -f -- "$1"; return 0; fi',
	'if [ -f "$2" ]; then mkdir -p -- "$home/backup" && cp -p -- "$2" "$home/backup/${2##*/}.$(date -u +%Y%m%dT%H%M%SZ)" || exit 57; fi',
	'chmod "$3" -- "$1" && mv -f -- "$1" "$2" || exit 44',
	'note "file:$2"',
	'}',
];

/** The check and apply branches (check changes nothing). */
const CHECK_AND_APPLY = [
	'check) setup_words "$@"',
	'sysctls',
	'boot_text | same "$script" || note "file:$script"',
	'words_text "$@" | same "$args" || note "file:$args"',
	'unit_text | same "$unit" || note "file:$unit"',
	'[ "$(readlink -- "$link")" = "$unit" ] || note "link:$link" ;;',
	'apply) umask 022',
	'mkdir -p -- "$(dirname -- "$f")" "$home" "$(dirname -- "$unit")" "$(dirname -- "$link")" || exit 42',
	'chmod 755 -- "$home" || exit 42',
	'setup_words "$@"',
	'tmp=$(mktemp "$f.XXXXXX") || exit 43',
	'cat > "$tmp"',
	'sysctls < "$tmp"',
	'place "$tmp" "$f" 644',
	'tmp=$(mktemp "$home/.new.XXXXXX") || exit 43',
	'boot_text > "$tmp" && place "$tmp" "$script" 755',
	'tmp=$(mktemp "$home/.new.XXXXXX") || exit 43',
	'words_text "$@" > "$tmp" && place "$tmp" "$args" 644',
	'[ ! -f "$state" ] || chmod 600 -- "$state"',
	'before=$changed',
	'tmp=$(mktemp "$unit.XXXXXX") || exit 43',
	'unit_text > "$tmp" && place "$tmp" "$unit" 644',
	'[ "$(readlink -- "$link")" = "$unit" ] || { ln -sfn -- "$unit" "$link" || exit 58; note "link:$link"; }',
	'[ "$changed" = "$before" ] || [ ! -d /run/systemd/system ] || systemctl daemon-reload || exit 59 ;;',
];

/** The revert branch: the recorded earlier values back, then everything apply installed away. */
const REVERT = [
	'revert) cat > /dev/null',
	'dev=lo; devs=',
	'for it in "$@"; do',
	'case "$it" in',
	'dev=*) dev=${it#dev=}; devs="$devs $dev" ;;',
	'tun=*) vip=${it#tun=}; ! has_addr tunl0 "$vip" || { ip addr del "$vip/$(len "$vip")" dev tunl0 || exit 45; note "vip:-$vip@tunl0"; } ;;',
	'gw=*) gw=${it#gw=}',
	'! ip $(fam "$gw") route show default | grep -qF "default via $gw " || { ip $(fam "$gw") route del default via "$gw" || exit 54; note "route:-default-via-$gw"; } ;;',
	'*) ! has_addr "$dev" "$it" || { ip addr del "$it/$(len "$it")" dev "$dev" || exit 45; note "vip:-$(where "$it" "$dev")"; } ;;',
	'esac',
	'done',
	'if [ -f "$state" ]; then',
	'set -f',
	'while read -r kind k v; do',
	'case "$kind" in',
	'sysctl) [ "$v" != none ] && now=$(sysctl -n "$k" 2>/dev/null) || continue',
	'[ "$now" = "$v" ] || { sysctl -qw "$k=$v" || exit 41; note "sysctl:${k#net.ipv4.conf.}=$v"; } ;;',
	'route) [ "$v" != none ] || continue',
	'! ip "$k" route show default | grep -q . || continue',
	'ip "$k" route replace $v || exit 53',
	'p=${v#*via }; note "route:default-via-${p%% *}" ;;',
	'esac',
	'done < "$state"',
	'set +f',
	'rm -f -- "$state" || exit 47',
	'elif [ -f "$f" ]; then',
	'while read -r k eq v rest; do',
	'case "$k" in ""|"#"*|";"*) continue ;; esac',
	'[ "$eq" = "=" ] || continue',
	'[ "$(sysctl -n "$k" 2>/dev/null)" = 0 ] || { sysctl -qw "$k=0" || exit 41; note "sysctl:${k#net.ipv4.conf.}=0"; }',
	'done < "$f"',
	'fi',
	'for d in $devs; do',
	'ip -d link show dev "$d" 2>/dev/null | grep -qw dummy || continue',
	'ip -o addr show dev "$d" scope global | grep -q . && continue',
	'ip link del "$d" || exit 55; note "dev:-$d"',
	'done',
	'[ ! -e "$f" ] || { rm -f -- "$f" || exit 47; note "file:-$f"; }',
	'[ ! -e "$args" ] || { rm -f -- "$args" || exit 47; note "file:-$args"; }',
	'others=$(find "$home" -maxdepth 1 -name "*.args" 2>/dev/null | head -n 1)',
	'if [ -z "$others" ]; then',
	'[ ! -e "$script" ] || { rm -f -- "$script" || exit 47; note "file:-$script"; }',
	'[ ! -L "$link" ] || { rm -f -- "$link" || exit 47; note "link:-$link"; }',
	'[ ! -e "$unit" ] || { rm -f -- "$unit" || exit 47; note "file:-$unit"; [ ! -d /run/systemd/system ] || systemctl daemon-reload || exit 59; }',
	'fi ;;',
];

/**
 * Real-server setup for every forwarding mode: "$1" apply|revert|check, "$2" the sysctl.d file, then
 * the setup's words (render/realserver-setup.ts `setupArgs`): `dev=NAME` (a dummy device, created if
 * missing, for the VIPs after it; before any, lo), a VIP, `tun=VIP` (on tunl0, loading ipip),
 * `gw=ADDRESS` (the default route). The sysctl file arrives on stdin (apply, check); its `key = value`
 * lines are also applied live. apply also installs the boot script, the words, the unit and its link.
 * Idempotent: prints `changed: none` when everything already matched, otherwise `changed:` and what
 * was (check: would be) changed. check changes nothing. revert takes the VIPs and the route away,
 * puts back the sysctls and the default route apply changed (as recorded; without a record, from an
 * earlier lvsdeck, the file's sysctls go to the kernel's 0), removes a dummy device left without
 * addresses, the file, the words and the record, and the boot script, unit and link when no other
 * setup is left.
 */
export function realServerSetupScript(p: SetupPaths): string {
	const home = shellQuote(p.home);
	return [
		'mode=$1; f=$2; shift 2',
		'changed=',
		`home=${home}; unit=${shellQuote(p.unit)}; link=${shellQuote(p.link)}; script="$home/realserver-setup"`,
		'base=${f##*/}; args="$home/$base.args"; state="$home/$base.previous"',
		...CORE,
		...SETUP_HELPERS,
		printer('boot_text', bootScript(p)),
		printer('unit_text', bootUnit(p)),
		'words_text() { printf \'%s\\n\' "$f" "$@"; }',
		'case "$mode" in',
		...CHECK_AND_APPLY,
		...REVERT,
		'*) echo "mode must be apply, revert or check" >&2; exit 2 ;;',
		'esac',
		'echo "changed:${changed:- none}"',
	].join('\n');
}

export const REALSERVER_SETUP_SCRIPT = realServerSetupScript(SETUP_PATHS);

/** `changed: none` → [], `changed: vip:1.2.3.4 file:/x` → ['vip:1.2.3.4', 'file:/x']. */
export function parseSetupChanges(stdout: string): string[] | undefined {
	const line = stdout.split('\n').find((l) => l.startsWith('changed:'));
	if (line === undefined) return undefined;
	const items = line.slice('changed:'.length).trim().split(/\s+/).filter(Boolean);
	return items.length === 1 && items[0] === 'none' ? [] : items;
}

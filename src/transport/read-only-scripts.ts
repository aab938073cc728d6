// The only shell scripts read-only mode lets through, all in this one list: lvsdeck's own constant
// probe scripts, run as `sh -c SCRIPT NAME ARGS...`. Values never become part of a script's text; they
// arrive as positional parameters whose kinds each script declares here, and the guard checks them.
// Each script must be safe for ANY arguments of those kinds: it reads, and the only things it does to a
// host are the ones named in its comment. Scripts that change hosts (deploy's) live elsewhere and are
// refused.
import {absolutePath, absolutePattern, httpUrl, ipAddress, pattern, oneOf, orEmpty, portNumber, requestRate, seconds, sendText, signalNumber, socketRate, streamPeriod, watchProcesses, type ValueKind} from './argv-kinds.js';

export interface ReadOnlyScript {
	/** The script's $0 (the word after the script); lets `ps` on the host show what runs. */
	readonly name: string;
	/** Kinds of $1, $2, ... in order, all required. */
	readonly args: readonly ValueKind[];
	/** More arguments of one kind after `args`, between min and max of them. */
	readonly rest?: {readonly kind: ValueKind; readonly min: number; readonly max: number};
	/** The arguments after `args` are a command the script runs: the guard judges them as one. */
	readonly command?: true;
}

/**
 * `held`: is the dump file "$f" still open in keepalived, the process "$pid" or one of its children
 * (the VRRP process writes the dump)? 0: closed everywhere, so a non-empty file is the whole dump;
 * 1: open, still being written; 2: cannot tell (no /proc/PID/task/PID/children, or fd folders this
 * user may not read), and the readers fall back to waiting for the size to settle. Shell builtins only
 * (`-ef` compares the fd's file with "$f"): on a small host each process started costs tens of
 * milliseconds, and waiting a step for the size to settle cost two of them and 50 ms per dump.
 * keepalived's source since July 2026 ("Make JSON create atomic") writes the JSON dump to a temporary
 * file and renames it, so it is never seen open; released versions and the text dumps write in place
 * through stdio, in pieces.
 */
const DUMP_HELD_FUNCTION = [
	'held() {',
	'  kids=; [ -r "/proc/$pid/task/$pid/children" ] || return 2',
	'  read -r kids < "/proc/$pid/task/$pid/children"',
	'  for p in $pid $kids; do',
	'    [ -r "/proc/$p/fd" ] && [ -x "/proc/$p/fd" ] || return 2',
	'    for d in "/proc/$p/fd/"*; do [ "$d" -ef "$f" ] && return 1; done',
	'  done',
	'  return 0',
	'}',
];

/** Marks the sections of DIRECTOR_SNAPSHOT_SCRIPT's output. */
export const SNAPSHOT_MARK = '@@lvsdeck';

/** Exit codes of the dump part of DIRECTOR_SNAPSHOT_SCRIPT and of KEEPALIVED_DUMP_SCRIPT besides 0 (dump on stdout). */
export const DUMP_EXIT = {
	badArgs: 2,
	/** No pid file, a dead pid, or a pid that is not a keepalived process. */
	notRunning: 3,
	/** The dump file never appeared (also: keepalived has no VRRP instances). */
	noDump: 4,
	/** `keepalived --signum` did not give a number (build without JSON), or the number is not the dump's signal. */
	noSignal: 5,
} as const;

/** The section printer and `held`: the start of both director scripts below. */
const DIRECTOR_SCRIPT_PRELUDE = [
	`s() { printf '\\n${SNAPSHOT_MARK} %s\\n' "$1"; }`,
	...DUMP_HELD_FUNCTION,
];

/** The routine reads: IPVS in its three views and the interface addresses. */
const DIRECTOR_ROUTINE_LINES = [
	's ipvs-list; ipvsadm -Ln --exact 2>&1',
	's ipvs-stats; ipvsadm -Ln --stats --exact 2>&1',
	's ipvs-rate; ipvsadm -Ln --rate --exact 2>&1',
	's addr; ip -j addr show 2>&1',
];

/**
 * Asking keepalived for its dump (`ask`) and reading it (`collect`), apart: the scripts ask first and
 * read the rest of the host meanwhile, so keepalived writes its dump while IPVS, the addresses and the
 * config are read, and the dump is mostly there when `collect` looks (on the lab's emulated CPU a wait
 * step alone was a process, about 100 ms). Sets `pid` and `f` (the dump file) for `collect` and `held`;
 * `reuse` when another reader's dump of this very second is read instead of asking again.
 */
const DUMP_FUNCTIONS = [
	'ask() {',
	'  pid=; [ -f "$3" ] && [ -r "$3" ] && read -r pid < "$3"',
	`  case "$pid" in ""|*[!0-9]*) return ${DUMP_EXIT.notRunning} ;; esac`,
	'  comm=; [ -r "/proc/$pid/comm" ] && read -r comm < "/proc/$pid/comm"',
	`  [ "$comm" = keepalived ] || return ${DUMP_EXIT.notRunning}`,
	`  [ "$2" = none ] && return 0`,
	`  case "$5" in ""|*[!0-9]*) return ${DUMP_EXIT.noSignal} ;; esac`,
	'  case "$2:$(kill -l "$5" 2>/dev/null)" in',
	'    data:USR1|json:RTMIN+2) ;;',
	`    json:*) [ "$(keepalived --signum=JSON 2>/dev/null)" = "$5" ] || return ${DUMP_EXIT.noSignal} ;;`,
	`    *) return ${DUMP_EXIT.noSignal} ;;`,
	'  esac',
	'  if [ "$2" = json ]; then f="$4/keepalived.json"; else f="$4/keepalived.data"; fi',
	// Another reader (a second console, the wall) made a complete dump this very second while we waited
	// for the lock: read that one instead of asking keepalived again (dumps cost keepalived, and readers
	// queued on the lock would otherwise each wait for their own). Only after waiting, and under the lock:
	// a reader alone always asks keepalived, and never reads half a file.
	'  if [ -n "$waited" ] && [ -n "$locked" ] && [ -f "$f" ] && [ ! -L "$f" ] && [ -s "$f" ]; then',
	'    now=$(date +%s 2>/dev/null); at=$(stat -c %Y -- "$f" 2>/dev/null)',
	'    [ -n "$now" ] && [ "$now" = "$at" ] && { reuse=1; return 0; }',
	'  fi',
	'  rm -f -- "$f" || return 1',
	`  kill -"$5" "$pid" || return ${DUMP_EXIT.notRunning}`,
	'}',
	'collect() {',
	'  [ "$2" = none ] && return 0',
	'  [ -n "$reuse" ] && { cat -- "$f"; return 0; }',
	'  i=0; last=',
	'  while [ $i -lt 40 ]; do',
	'    if [ -s "$f" ]; then',
	'      held; h=$?',
	'      [ $h = 0 ] && { cat -- "$f"; return 0; }',
	'      if [ $h = 2 ]; then size=$(wc -c < "$f"); [ "$size" = "$last" ] && { cat -- "$f"; return 0; }; last=$size; fi',
	'    fi',
	'    sleep 0.05; i=$((i + 1))',
	'  done',
	`  [ -s "$f" ] && { cat -- "$f"; return 0; }; return ${DUMP_EXIT.noDump}`,
	'}',
	// One dump at a time per host: concurrent readers (two consoles, a deploy's verification) would
	// delete each other's dump files. flock is util-linux; without it, go on unlocked. The lock is the
	// dump folder opened read-only: nothing is created, and a missing folder cannot end the shell.
	'locked=; waited=; reuse=; [ "$2" != none ] && [ -d "$4" ] && command -v flock >/dev/null 2>&1 && exec 9<"$4" && { flock -n 9 || { waited=1; flock -w 5 9; }; } && locked=1',
	'ask "$@"; rc=$?',
];

/**
 * The config's hash (`HASH  -`: the station takes the hash; a `cut` was one process more on the host),
 * the binary, and keepalived's dump asked for by DUMP_FUNCTIONS (see DIRECTOR_SNAPSHOT_SCRIPT), then the
 * end mark.
 */
const DIRECTOR_EXTRA_LINES = [
	's config; if [ -z "$1" ]; then echo skipped; elif [ -f "$1" ] && [ -r "$1" ]; then sha256sum < "$1"; else echo missing; fi',
	// Which keepalived binary this is (path, size, mtime, inode), with the config's hash: the poller keys
	// its cached capabilities (version, dump signal) by it.
	's keepalived-bin; if [ -z "$1" ]; then echo skipped; elif p=$(command -v keepalived) && [ -f "$p" ]; then printf \'%s \' "$p"; stat -L -c \'%s %Y %i\' -- "$p" 2>&1; else echo missing; fi',
	's vrrp; [ $rc = 0 ] && { collect "$@"; rc=$?; }',
	's vrrp-exit; echo $rc',
	's end',
];

/**
 * Everything about a director in one session. Values arrive only as positional parameters: "$1" config
 * path ("" skips the hash), "$2" dump kind (json|data|none), "$3" keepalived pid file, "$4" dump folder,
 * "$5" the dump signal number (from `keepalived --signum`, asked once per host). With the hash it
 * names the keepalived binary (path, size, mtime, inode) the capabilities were cached for.
 * What it does to the host: signals a process named keepalived with the dump signal, after removing the
 * old dump file (keepalived.json or keepalived.data in "$4") so a stale dump is never read; keepalived
 * then writes a new one. Nothing else is created, truncated or removed: files are read only when they
 * are regular files (never a FIFO or a device), and concurrent readers take turns with flock on a
 * read-only descriptor of the dump folder itself, so no lock file is ever made.
 * "$5" must name the dump's own signal (USR1 for data, RTMIN+2 for JSON): any other number might stop or
 * reload keepalived. Shells that cannot name realtime signals (busybox) ask keepalived instead.
 */
export const DIRECTOR_SNAPSHOT_SCRIPT = [...DIRECTOR_SCRIPT_PRELUDE, ...DUMP_FUNCTIONS, ...DIRECTOR_ROUTINE_LINES, ...DIRECTOR_EXTRA_LINES].join('\n');

/**
 * DIRECTOR_SNAPSHOT_SCRIPT without the routine reads: the config's hash, the binary and keepalived's
 * dump alone, with the same arguments and the same effects on the host (it signals keepalived for the
 * dump, as the snapshot does). For a director whose stream (DIRECTOR_STREAM_SCRIPT) already gives the
 * IPVS table and the addresses each period: its dump and hash polls need not read them again.
 */
export const DIRECTOR_EXTRAS_SCRIPT = [...DIRECTOR_SCRIPT_PRELUDE, ...DUMP_FUNCTIONS, ...DIRECTOR_EXTRA_LINES].join('\n');

/** Marks the sections of CONFIG_READ_SCRIPT's output. */
export const CONFIG_READ_MARK = '@@lvsdeck-conf';

/** CONFIG_READ_SCRIPT's bounds: at most this many files per run, each at most this many bytes. */
export const CONFIG_READ_LIMITS = {files: 200, bytes: 4 * 1024 * 1024, patterns: 64} as const;

/**
 * The installed keepalived config, includes and all, for the semantic drift check and import: the host
 * name (keepalived's default config id), then for each argument after the first (an absolute path or
 * glob pattern, expanded by the shell with IFS empty so a pattern is never split) every match that is a
 * readable regular file, as `file PATH` and its text. "$1" confines the reading: a file whose real path
 * is not under that folder is refused (`outside PATH`); it is `/` for a root login and the config's
 * folder when the script runs through sudo, where sudoers can fix "$1" but not the patterns after it.
 * It only reads: files whose real path is under /dev, /proc or /sys are refused (`refused PATH`), names
 * holding a newline are skipped, a file over the byte bound is named (`too-big PATH`) but not printed,
 * and past the file bound it stops (`too-many`). Nothing is created, changed or signalled.
 */
export const CONFIG_READ_SCRIPT = [
	`m() { printf '\\n${CONFIG_READ_MARK} %s\\n' "$1"; }`,
	'h=; [ -r /proc/sys/kernel/hostname ] && read -r h < /proc/sys/kernel/hostname',
	'm "host $h"',
	'root=${1%/}; shift',
	"nl=$(printf '\\nx'); nl=${nl%x}",
	'n=0',
	'IFS=',
	'for p in "$@"; do',
	'  for f in $p; do',
	'    case "$f" in *"$nl"*) continue ;; esac',
	'    [ -f "$f" ] && [ -r "$f" ] || continue',
	'    r=$(readlink -f -- "$f") || continue',
	'    case "$r" in /dev/*|/proc/*|/sys/*) m "refused $f"; continue ;; esac',
	'    case "$r" in "$root"/*) ;; *) m "outside $f"; continue ;; esac',
	'    n=$((n + 1))',
	`    if [ "$n" -gt ${CONFIG_READ_LIMITS.files} ]; then m too-many; break 2; fi`,
	'    s=$(wc -c < "$f") || continue',
	`    if [ "$s" -gt ${CONFIG_READ_LIMITS.bytes} ]; then m "too-big $f"; continue; fi`,
	'    m "file $f"',
	'    cat -- "$f"',
	'  done',
	'done',
	'm end',
].join('\n');

/** Prints `DATA=10`, `STATS=12`, `JSON=36` (or the error text when the build lacks one). */
export const KEEPALIVED_SIGNUM_SCRIPT = [
	'for s in "$@"; do',
	'  printf \'%s=%s\\n\' "$s" "$(keepalived --signum="$s" 2>&1 | head -n 1)"',
	'done',
].join('\n');

/**
 * Asks keepalived for a dump and prints it. Values arrive only as "$1" kind (json|data|stats: the
 * counters, SIGUSR2's keepalived.stats), "$2" pid
 * file and "$3" dump directory. The old file is removed first so a stale dump is never read; the
 * pid must belong to a process called keepalived because USR1/RTMIN+2 kill most other programs.
 * A non-empty file is read once keepalived has it closed (DUMP_HELD_FUNCTION); where that cannot be
 * told, once its size held for a step: keepalived writes it through stdio, so a large dump can be
 * seen half written.
 */
export const KEEPALIVED_DUMP_SCRIPT = [
	...DUMP_HELD_FUNCTION,
	'case "$1" in',
	'  json) sig=JSON; f="$3/keepalived.json" ;;',
	'  data) sig=DATA; f="$3/keepalived.data" ;;',
	'  stats) sig=STATS; f="$3/keepalived.stats" ;;',
	'  *) echo "lvsdeck-probe: dump kind must be json, data or stats" >&2; exit 2 ;;',
	'esac',
	'pid=',
	'[ -f "$2" ] && [ -r "$2" ] && read -r pid < "$2"',
	'case "$pid" in',
	'  ""|*[!0-9]*) echo "lvsdeck-probe: keepalived is not running (no pid in $2)" >&2; exit 3 ;;',
	'esac',
	'comm=',
	'[ -r "/proc/$pid/comm" ] && read -r comm < "/proc/$pid/comm"',
	'if [ "$comm" != keepalived ] || ! kill -0 "$pid" 2>/dev/null; then',
	'  echo "lvsdeck-probe: keepalived is not running (pid $pid from $2)" >&2; exit 3',
	'fi',
	'n=$(keepalived --signum="$sig" 2>/dev/null)',
	'case "$n" in',
	'  ""|*[!0-9]*) echo "lvsdeck-probe: keepalived --signum=$sig gave no signal number" >&2; exit 5 ;;',
	'esac',
	'rm -f -- "$f" || exit 1',
	'kill -"$n" "$pid" || exit 3',
	'i=0',
	'last=',
	'while [ "$i" -lt 40 ]; do',
	'  if [ -s "$f" ]; then',
	'    held; h=$?',
	'    [ $h = 0 ] && exec cat -- "$f"',
	'    if [ $h = 2 ]; then size=$(wc -c < "$f"); [ "$size" = "$last" ] && exec cat -- "$f"; last=$size; fi',
	'  fi',
	'  sleep 0.05',
	'  i=$((i + 1))',
	'done',
	'[ -s "$f" ] && exec cat -- "$f"',
	'echo "lvsdeck-probe: $f did not appear within 2 s" >&2',
	'exit 4',
].join('\n');

/**
 * Everything the real-server checks of every forwarding mode read, in one session, without root and
 * with one process (`ip`; the rest are shell builtins reading /proc and /sys, as process starts are
 * slow on small hosts): `net.ipv4.conf.<if>.{arp_ignore,arp_announce,rp_filter}=N` for every entry of
 * /proc/sys/net/ipv4/conf (N is `missing` when unreadable; the kernel applies max(all, <if>), so the
 * per-interface values matter), `flags.<if>=0x...` per /sys/class/net entry (IFF_UP is 0x1),
 * `route4=` / `route6=` per line of /proc/net/route and /proc/net/ipv6_route, then `ip -o addr show`
 * as it prints. It only reads.
 */
export const REALSERVER_CHECK_SCRIPT = [
	'for d in /proc/sys/net/ipv4/conf/*/; do',
	'  c=${d%/}; c=${c##*/}',
	'  for k in arp_ignore arp_announce rp_filter; do',
	'    v=missing',
	'    [ -r "$d$k" ] && read -r v < "$d$k"',
	'    printf \'net.ipv4.conf.%s.%s=%s\\n\' "$c" "$k" "$v"',
	'  done',
	'done',
	'for f in /sys/class/net/*/flags; do',
	'  n=${f%/flags}; n=${n##*/}; v=',
	'  [ -r "$f" ] && read -r v < "$f" && printf \'flags.%s=%s\\n\' "$n" "$v"',
	'done',
	'[ -r /proc/net/route ] && while IFS= read -r l; do printf \'route4=%s\\n\' "$l"; done < /proc/net/route',
	'[ -r /proc/net/ipv6_route ] && while IFS= read -r l; do printf \'route6=%s\\n\' "$l"; done < /proc/net/ipv6_route',
	'ip -o addr show 2>&1',
].join('\n');

/** Marks the exit status of the service's status command in REALSERVER_POLL_SCRIPT's output. */
export const SERVICE_STATUS_MARK = '@@lvsdeck-service';

/**
 * A real server's whole poll in one session: REALSERVER_CHECK_SCRIPT, then the profile's service status
 * command, given as the script's arguments and run as they are ("$@", never through a shell's parsing;
 * the guard checks them as a command of their own), with no input and its output dropped, and its exit
 * status on a last line `@@lvsdeck-service N`. It does what that command does, and otherwise only reads.
 */
export const REALSERVER_POLL_SCRIPT = [REALSERVER_CHECK_SCRIPT, `"$@" </dev/null >/dev/null 2>&1; printf '\n${SERVICE_STATUS_MARK} %s\n' "$?"`].join('\n');

/** REALSERVER_STREAM_SCRIPT's lines: the end of a changed poll's text, and a poll that changed nothing. */
export const STREAM_MARKS = {frame: '@@lvsdeck-frame', same: '@@lvsdeck-same'} as const;

/**
 * REALSERVER_POLL_SCRIPT every "$1" seconds in one long-lived session, writing only what changed: the
 * poll's text followed by a line `@@lvsdeck-frame` when it differs from the last one written, else one
 * line `@@lvsdeck-same`, which tells the station the host was read on time. A fleet of real servers
 * then costs the station one line a second each instead of a session a second. The rest of the
 * arguments are the service's status command, run as REALSERVER_POLL_SCRIPT runs it. It ends at the
 * first write after the session is gone (SIGPIPE, or a failed write), so it outlives its session by at
 * most one period; the sleep runs alongside the read, so the period is "$1" or the read's time (or
 * 1 s where sleep takes no fractions).
 */
export const REALSERVER_STREAM_SCRIPT = [
	'i=$1; shift; last=',
	'while :; do',
	'sleep "$i" & s=$!',
	'out=$(',
	REALSERVER_POLL_SCRIPT,
	')',
	`if [ "$out" = "$last" ]; then echo ${STREAM_MARKS.same}; else printf '%s\n${STREAM_MARKS.frame}\n' "$out"; last=$out; fi || exit 0`,
	// A sleep without fractions (an old busybox) fails at once: then a whole second, never a busy loop;
	// where sleep cannot run at all, an end.
	'wait "$s" || sleep 1 || exit 0',
	'done',
].join('\n');

/**
 * DIRECTOR_SNAPSHOT_SCRIPT's routine read (no config hash, no dump: IPVS in its three views, the
 * addresses, and whether keepalived runs) every "$1" seconds in one long-lived session, writing only what
 * changed, as REALSERVER_STREAM_SCRIPT does: the text and `@@lvsdeck-frame`, or `@@lvsdeck-same`. "$2"
 * keepalived's pid file, "$3" its dump folder (read only to find keepalived; with the dump kind `none`
 * nothing is signalled, locked or removed). The dumps and hashes stay commands of their own, on the
 * poller's cadence. Ends as REALSERVER_STREAM_SCRIPT does.
 */
export const DIRECTOR_STREAM_SCRIPT = [
	'i=$1; pidf=$2; dumpd=$3; last=',
	'while :; do',
	'sleep "$i" & s=$!',
	'out=$(set -- "" none "$pidf" "$dumpd" ""',
	DIRECTOR_SNAPSHOT_SCRIPT,
	')',
	`if [ "$out" = "$last" ]; then echo ${STREAM_MARKS.same}; else printf '%s\n${STREAM_MARKS.frame}\n' "$out"; last=$out; fi || exit 0`,
	'wait "$s" || sleep 1 || exit 0',
	'done',
].join('\n');

/**
 * A client's or bastion's heartbeat in one long-lived session: an empty frame (`@@lvsdeck-frame`) at
 * once, then `@@lvsdeck-same` every "$1" seconds, which tells the station the host still runs a
 * process on time. Such hosts are only checked for reachability: this spares them (and the station) a
 * session each check. It reads nothing and changes nothing; it ends at its first write after its
 * session is gone, as REALSERVER_STREAM_SCRIPT does.
 */
export const HEARTBEAT_STREAM_SCRIPT = [
	`echo ${STREAM_MARKS.frame} || exit 0`,
	'while :; do',
	// Where sleep takes no fractions, whole seconds; where it cannot run at all, an end, never a busy loop.
	'sleep "$1" || sleep 1 || exit 0',
	`echo ${STREAM_MARKS.same} || exit 0`,
	'done',
].join('\n');

/** Marks curl's per-request line in REMOTE_WATCH_SCRIPT's output. */
export const REMOTE_WATCH_MARK = '@@LVSDECK';

/**
 * sh -c SCRIPT lvsdeck-watch URL_WITH_GLOB PER_PROCESS_RATE TIMEOUT_S PROCESSES
 * GET requests to an http(s) URL and nothing written on the host. Each curl's lines are
 * tagged with its number (sed -u writes whole lines) so concurrent outputs can be told apart.
 * Nothing may outlive the session: curl ignores SIGPIPE and would go on with the rest of its URLs, and a
 * killed session leaves orphans. So each curl only runs a short chunk (about 2 s of requests), and the
 * next chunk starts only while sed can still write to the session (SIGPIPE ignored, so sed fails
 * instead of dying silently).
 */
export const REMOTE_WATCH_SCRIPT = [
	'url=$1 rate=$2 timeout=$3 procs=$4',
	'command -v curl >/dev/null || { echo "curl is not installed on this host" >&2; exit 127; }',
	"trap '' PIPE",
	'i=0',
	'while [ "$i" -lt "$procs" ]; do',
	`  ( while curl -sN --rate "$rate" --max-time "$timeout" -H 'Connection: close' -w '\n${REMOTE_WATCH_MARK} %{http_code} %{time_total} %{exitcode} %{local_port}\n' "$url" 2>/dev/null | sed -u "s/^/$i /"; do :; done ) &`,
	'  i=$((i+1))',
	'done',
	'wait',
].join('\n');

/** Marks the socket watcher's per-request line and its once-a-second tick in REMOTE_SOCKET_WATCH_SCRIPT's output. */
export const REMOTE_SOCKET_MARK = '@@LVSDECK-SOCK';
export const REMOTE_SOCKET_TICK = '@@LVSDECK-TICK';

/**
 * sh -c SCRIPT lvsdeck-sockwatch tcp|udp ADDRESS PORT RATE_PER_S TIMEOUT_S SEND
 * The tcp and udp watcher on a client host, in perl (perl-base is on every Debian host), one process
 * with non-blocking sockets: RATE requests a second (a ceiling: at most 256 in flight), each on its own
 * socket (so its own source port, which IPVS schedules on its own); tcp connects, sends SEND if not
 * empty and reads the first answer; udp sends SEND as one datagram and reads the reply. SEND is
 * printable text with the escapes \n \r \t \\. Each request prints one line: MARK ok|failed|timeout
 * SECONDS LOCAL_IP LOCAL_PORT ERRNO ANSWER (its first line, printable, cut). Nothing is written on
 * the host. Nothing outlives the session: the loop writes a tick line every second, so it dies of
 * SIGPIPE once the session is gone.
 */
export const REMOTE_SOCKET_WATCH_SCRIPT = [
	'command -v perl >/dev/null 2>&1 || { echo "perl is not installed on this host" >&2; exit 127; }',
	"exec perl -e '",
	'use strict; use warnings;',
	'use IO::Socket::IP; use IO::Select; use Socket qw(SOCK_STREAM SOCK_DGRAM); use Time::HiRes qw(time);',
	'my ($mode, $host, $port, $rate, $timeout, $send) = @ARGV;',
	'my %esc = (n => "\\n", r => "\\r", t => "\\t", "\\\\" => "\\\\");',
	'$send =~ s/\\\\([nrt\\\\])/$esc{$1}/g;',
	'$SIG{PIPE} = "DEFAULT"; $| = 1;',
	'my (%live, $reading, $connecting);',
	'$reading = IO::Select->new; $connecting = IO::Select->new;',
	'sub errname { for my $n (sort keys %!) { return $n if $!{$n} } return "error" }',
	'sub line {',
	'  my ($t0, $outcome, $error, $s, $answer) = @_;',
	'  my ($ip, $lport) = $s ? ($s->sockhost // "-", $s->sockport // 0) : ("-", 0);',
	'  $answer = substr($answer // "", 0, 200); $answer =~ s/[\\r\\n].*//s; $answer =~ s/[^ -~]/?/g;',
	`  printf "%s %s %.3f %s %s %s %s\\n", q{${REMOTE_SOCKET_MARK}}, $outcome, time - $t0, $ip, $lport, $error, $answer;`,
	'}',
	'sub done {',
	'  my ($k, $outcome, $error, $answer) = @_;',
	'  my $c = delete $live{$k} or return;',
	'  line($c->{t0}, $outcome, $error, $c->{s}, $answer);',
	'  $reading->remove($c->{s}); $connecting->remove($c->{s}); close $c->{s};',
	'}',
	'sub begin {',
	'  my $t0 = time;',
	'  my $s = IO::Socket::IP->new(PeerHost => $host, PeerPort => $port, Type => ($mode eq "udp" ? SOCK_DGRAM : SOCK_STREAM), Blocking => 0);',
	'  if (!$s) { line($t0, "failed", errname(), undef, ""); return }',
	'  $live{fileno $s} = {s => $s, t0 => $t0};',
	'  if ($mode eq "udp") { syswrite($s, $send); $reading->add($s) } else { $connecting->add($s) }',
	'}',
	'my $start = time; my $n = 0; my $tick = $start;',
	'while (1) {',
	'  my $now = time;',
	'  while ($start + $n / $rate <= $now) { begin() if keys %live < 256; $n++ }',
	'  for my $k (keys %live) { done($k, "timeout", "timeout", "") if $now - $live{$k}{t0} >= $timeout }',
	`  if ($now - $tick >= 1) { print q{${REMOTE_SOCKET_TICK}}, "\\n"; $tick = $now }`,
	'  my $wait = $start + $n / $rate - time; $wait = 0 if $wait < 0; $wait = 0.02 if $wait > 0.02;',
	'  my ($r, $w) = IO::Select->select($reading, $connecting, undef, $wait);',
	'  for my $s (@{$w || []}) {',
	'    my $k = fileno $s; next unless $live{$k};',
	'    if ($s->connect) { $connecting->remove($s); syswrite($s, $send) if length $send; $reading->add($s) }',
	'    elsif (!$!{EINPROGRESS} && !$!{EALREADY}) { done($k, "failed", errname(), "") }',
	'  }',
	'  for my $s (@{$r || []}) {',
	'    my $k = fileno $s; next unless $live{$k};',
	'    my $buf = ""; my $got = sysread($s, $buf, 4096);',
	'    if (defined $got) { done($k, "ok", "-", $buf) } elsif (!$!{EAGAIN}) { done($k, "failed", errname(), "") }',
	'  }',
	'}',
	"' -- \"$@\"",
].join('\n');

/** Kinds of DIRECTOR_SNAPSHOT_SCRIPT's arguments, by name (the profile check uses them too). */
export const SNAPSHOT_ARGS = {
	configPath: orEmpty(absolutePath),
	dumpKind: oneOf('json', 'data', 'none'),
	pidFile: absolutePath,
	dumpDir: absolutePath,
	signal: orEmpty(signalNumber),
} as const;

/** The one list the guard reads: script text to its name and argument kinds. */
export const READ_ONLY_SCRIPTS: ReadonlyMap<string, ReadOnlyScript> = new Map<string, ReadOnlyScript>([
	[
		DIRECTOR_SNAPSHOT_SCRIPT,
		{name: 'lvsdeck-probe', args: [SNAPSHOT_ARGS.configPath, SNAPSHOT_ARGS.dumpKind, SNAPSHOT_ARGS.pidFile, SNAPSHOT_ARGS.dumpDir, SNAPSHOT_ARGS.signal]},
	],
	[
		DIRECTOR_EXTRAS_SCRIPT,
		{name: 'lvsdeck-extras', args: [SNAPSHOT_ARGS.configPath, SNAPSHOT_ARGS.dumpKind, SNAPSHOT_ARGS.pidFile, SNAPSHOT_ARGS.dumpDir, SNAPSHOT_ARGS.signal]},
	],
	[CONFIG_READ_SCRIPT, {name: 'lvsdeck-conf', args: [absolutePath], rest: {kind: absolutePattern, min: 1, max: CONFIG_READ_LIMITS.patterns}}],
	[KEEPALIVED_SIGNUM_SCRIPT, {name: 'lvsdeck-signum', args: [], rest: {kind: oneOf('DATA', 'STATS', 'JSON'), min: 1, max: 3}}],
	[KEEPALIVED_DUMP_SCRIPT, {name: 'lvsdeck-probe', args: [oneOf('json', 'data', 'stats'), absolutePath, absolutePath]}],
	[REALSERVER_CHECK_SCRIPT, {name: 'lvsdeck-rs-check', args: []}],
	[REALSERVER_POLL_SCRIPT, {name: 'lvsdeck-rs-poll', args: [], command: true}],
	[REALSERVER_STREAM_SCRIPT, {name: 'lvsdeck-rs-stream', args: [streamPeriod], command: true}],
	[DIRECTOR_STREAM_SCRIPT, {name: 'lvsdeck-dir-stream', args: [streamPeriod, SNAPSHOT_ARGS.pidFile, SNAPSHOT_ARGS.dumpDir]}],
	[HEARTBEAT_STREAM_SCRIPT, {name: 'lvsdeck-heartbeat', args: [streamPeriod]}],
	[REMOTE_WATCH_SCRIPT, {name: 'lvsdeck-watch', args: [httpUrl, requestRate, seconds, watchProcesses]}],
	[REMOTE_SOCKET_WATCH_SCRIPT, {name: 'lvsdeck-sockwatch', args: [oneOf('tcp', 'udp'), ipAddress, portNumber, socketRate, seconds, sendText]}],
]);

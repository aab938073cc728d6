// The read-only guard's verdict table: argv → allowed or refused (with a piece of the reason). The must-pass
// rows are built with lvsdeck's real command builders and the status commands of the shipped profiles,
// so the table fails when a builder drifts from the guard. The refused rows are mutating commands in
// every disguise: abbreviations, --opt=value, combined short flags, attached values, paths, wrappers,
// other URL schemes, hostile script arguments.
import {readdirSync} from 'node:fs';
import path from 'node:path';
import {loadProfile} from '../../../src/profile/load.js';
import {ipvsListCommand, ipvsRateCommand, ipvsStatsCommand} from '../../../src/probes/ipvs.js';
import {ipAddrJsonCommand, ipAddrOnelineCommand, ipMonitorAddressCommand} from '../../../src/probes/vip.js';
import {KEEPALIVED_DUMP_SCRIPT, KEEPALIVED_SIGNUM_SCRIPT, keepalivedDumpCommand, keepalivedSignumCommand, keepalivedVersionCommand} from '../../../src/probes/vrrp.js';
import {DIRECTOR_SNAPSHOT_SCRIPT, directorSnapshotCommand} from '../../../src/probes/director-snapshot.js';
import {REALSERVER_CHECK_SCRIPT, realServerCheckCommand} from '../../../src/probes/realserver.js';
import {CONFIG_READ_SCRIPT, configReadCommand} from '../../../src/probes/installed-config.js';
import {REMOTE_WATCH_SCRIPT, remoteWatchCommand, remoteWatchUrl} from '../../../src/actions/remote-watcher.js';
import {INSTALL_SCRIPT, READ_FILE_SCRIPT, REALSERVER_SETUP_SCRIPT, RESTORE_SCRIPT} from '../../../src/actions/deploy/remote-scripts.js';
import {VALIDATE_SCRIPT} from '../../../src/actions/validate-config.js';

export interface ReadOnlyCase {
	readonly argv: readonly string[];
	readonly allowed: boolean;
	/** For a refusal: a piece of the reason it must give. */
	readonly because?: string;
}

const allow = (...argv: string[]): ReadOnlyCase => ({argv, allowed: true});
const allowArgv = (argv: readonly string[]): ReadOnlyCase => ({argv, allowed: true});
const refuse = (because: string, ...argv: string[]): ReadOnlyCase => ({argv, allowed: false, because});
const refuseArgv = (because: string, argv: readonly string[]): ReadOnlyCase => ({argv, allowed: false, because});

/** Every abbreviation of a long option down to `shortest` characters (curl and getopt accept the unambiguous ones). */
function abbreviations(option: string, shortest: number): string[] {
	const out: string[] = [];
	for (let n = option.length - 1; n >= shortest; n--) out.push(option.slice(0, n));
	return out;
}

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const PROFILES = readdirSync(path.join(ROOT, 'profiles'))
	.filter((f) => f.endsWith('.yaml'))
	.map((f) => loadProfile(path.join(ROOT, 'profiles', f)));
const LAB = PROFILES.find((p) => p.name === 'lab')!;
const ka = LAB.keepalived;
const snapshot = (kind: 'json' | 'data' | 'none', signal?: number, configPath = ka.configPath) =>
	directorSnapshotCommand(configPath, {kind, pidFile: ka.pidFile, dumpDir: ka.dumpDir, ...(signal === undefined ? {} : {signal})});
const SNAP_ARGS = snapshot('json', 36).slice(4);
const withSnapArgs = (...args: string[]) => ['sh', '-c', DIRECTOR_SNAPSHOT_SCRIPT, 'lvsdeck-probe', ...args];
const URL = 'http://192.168.67.100/';
const LISTENER = 'http://192.168.67.1:9/';

/** What lvsdeck itself sends in read-only paths (and a few reads other commands send): all must pass. */
export const LVSDECK_COMMANDS: readonly ReadOnlyCase[] = [
	allow('true'),
	allowArgv(keepalivedVersionCommand()),
	allowArgv(keepalivedSignumCommand()),
	allowArgv(keepalivedSignumCommand(['JSON'])),
	allowArgv(keepalivedSignumCommand(['DATA'])),
	allowArgv(snapshot('json', 36)),
	allowArgv(snapshot('json', 36, '')),
	allowArgv(snapshot('data', 10)),
	allowArgv(snapshot('none')),
	allowArgv(directorSnapshotCommand("/etc/keepalived/keepalived.conf'; reboot")),
	allowArgv(realServerCheckCommand()),
	// the semantic drift check: the main file, then the include patterns it found (globs expanded on the host)
	allowArgv(configReadCommand([ka.configPath])),
	allowArgv(configReadCommand(['/etc/keepalived/conf.d/*.conf', '/etc/keepalived/vips/[0-9]?.list', '/etc/keepalived/a b.conf'])),
	allowArgv(configReadCommand(Array.from({length: 64}, (_, i) => `/etc/keepalived/inc${i}.conf`))),
	allowArgv(ipMonitorAddressCommand()),
	allowArgv(ipAddrJsonCommand()),
	allowArgv(ipAddrOnelineCommand()),
	allowArgv(ipvsListCommand()),
	allowArgv(ipvsStatsCommand()),
	allowArgv(ipvsRateCommand()),
	allowArgv(keepalivedDumpCommand('json')),
	allowArgv(keepalivedDumpCommand('data', '/run/ka/x.pid', '/var/tmp')),
	allowArgv(remoteWatchCommand(remoteWatchUrl('http://192.168.67.100:80/', 4), 120, '1.000', 2)),
	// the drills' VIP tracker, the demo, the VIP bench, the rs-health drill
	allow('ip', '-o', 'addr', 'show'),
	allow('ip', '-o', '-4', 'addr', 'show'),
	allow('ip', '-ts', '-o', 'monitor', 'address'),
	allow('ipvsadm', '-Ln'),
	allow('sysctl', '-n', 'net.ipv4.vs.expire_nodest_conn'),
	// every shipped profile's service.status, which the poller runs on real servers
	...PROFILES.flatMap((p) => p.hosts.flatMap((h) => (h.service ? [allowArgv(h.service.status)] : []))),
];

/** Read-only forms an operator may write as a service.status, and the lab test's `ipvsadm -S -n`. */
const OTHER_READS: readonly ReadOnlyCase[] = [
	allow('ipvsadm', '-S', '-n'),
	allow('ipvsadm', '--save', '--numeric'),
	allow('ipvsadm', '-L', '-n', '--rate'),
	allow('ipvsadm', '-L', '-n', '-t', '192.168.67.100:80'),
	allow('ipvsadm', '-L', '-n', '-u', '[fd00::100]:53'),
	allow('ipvsadm', '-L', '-n', '-f', '7'),
	allow('ipvsadm', '-L', '-n', '-c'),
	allow('ipvsadm', '--version'),
	allow('/usr/sbin/ipvsadm', '-Ln'),
	allow('/sbin/ipvsadm', '-Ln'),
	allow('ip', '-j', '-d', 'link', 'show', 'dev', 'eth0'),
	allow('ip', 'route', 'show'),
	allow('ip', '-s', 'link', 'list'),
	allow('/bin/ip', '-br', 'addr', 'show', 'dev', 'lo'),
	allow('ip', 'monitor'),
	allow('systemctl', 'is-active', '--quiet', 'nginx'),
	allow('systemctl', 'is-active', 'nginx', 'php-fpm@main.service'),
	allow('systemctl', 'status', '--no-pager', 'keepalived'),
	allow('systemctl', 'show', '-p', 'MainPID', '--value', 'keepalived'),
	allow('/usr/bin/systemctl', 'is-failed', 'httpd'),
	allow('curl', '-sf', '-o', '/dev/null', 'http://127.0.0.1/health'),
	allow('curl', '-s', '--max-time', '2', '-H', 'Host:www.example.com', 'http://10.0.0.1/health'),
	allow('curl', '-fsS', '--connect-timeout', '1.5', 'https://127.0.0.1:8443/ready'),
	allow('curl', '-I', '-k', 'https://[fd00::10]:443/'),
	allow('/usr/bin/curl', '-s', '-A', 'lvsdeck/1', URL),
	allow('sysctl', 'net.ipv4.ip_forward'),
	allow('sysctl', '-n', 'net.ipv4.conf.all.arp_ignore', 'net.ipv4.conf.all.arp_announce'),
	allow('sysctl', 'net/ipv4/conf/eth0/rp_filter'),
	allow('pidof', 'nginx'),
	allow('pgrep', '-x', 'haproxy'),
	allow('hostname'),
	allow('hostname', '-f'),
	allow('date', '+%s'),
	allow('date', '-u', '+%Y-%m-%dT%H:%M:%SZ'),
	allow('uname', '-r'),
	allow('id', '-u'),
	allow('uptime'),
	allow('sudo', '-n', '--', 'ipvsadm', '-Ln'),
	allow('sudo', '-n', '--', 'systemctl', 'is-active', 'nginx'),
	allow('/usr/bin/sudo', '-n', '--', '/usr/sbin/ipvsadm', '-S', '-n'),
	allowArgv(['sudo', '-n', '--', ...snapshot('json', 36)]),
	allowArgv(['/bin/sh', ...snapshot('json', 36).slice(1)]),
];

/** curl: uploads, bodies, methods, written files, config files, in every spelling. */
const CURL: readonly ReadOnlyCase[] = [
	...abbreviations('--upload-file', 5).map((o) => refuse(`option ${o} is not allowed for curl`, 'curl', o, '/etc/shadow', LISTENER)),
	refuse('option --upload-file is not allowed for curl', 'curl', '--upload-file', '/etc/shadow', LISTENER),
	refuse('option --upload-file=/etc/shadow is not allowed', 'curl', '--upload-file=/etc/shadow', LISTENER),
	refuse('option -T is not allowed', 'curl', '-T', '/etc/shadow', LISTENER),
	refuse('option -T/etc/shadow is not allowed', 'curl', '-T/etc/shadow', LISTENER),
	refuse('option -sT is not allowed', 'curl', '-sT', '/etc/shadow', LISTENER),
	refuse('option -sST is not allowed', 'curl', '-sST', '/etc/shadow', LISTENER),
	refuse('option -fsST is not allowed', 'curl', '-fsST', '/etc/shadow', LISTENER),
	refuse('option -d is not allowed', 'curl', '-d', '@/etc/shadow', LISTENER),
	refuse('option -d@/etc/shadow is not allowed', 'curl', '-d@/etc/shadow', LISTENER),
	refuse('option -sd is not allowed', 'curl', '-sd', '@/etc/shadow', LISTENER),
	...['--data', '--data-binary', '--data-raw', '--data-ascii', '--data-urlencode', '--json', '--form', '--form-string'].map((o) => refuse(`option ${o} is not allowed`, 'curl', o, '@/etc/shadow', LISTENER)),
	...abbreviations('--data-binary', 6).map((o) => refuse(`option ${o} is not allowed`, 'curl', o, '@/etc/shadow', LISTENER)),
	refuse('option --data-binary=@/etc/shadow is not allowed', 'curl', '--data-binary=@/etc/shadow', LISTENER),
	refuse('option -F is not allowed', 'curl', '-F', 'f=@/etc/shadow', LISTENER),
	refuse('option -Ff=@/etc/shadow is not allowed', 'curl', '-Ff=@/etc/shadow', LISTENER),
	refuse('option -X is not allowed', 'curl', '-X', 'POST', URL),
	refuse('option -XPOST is not allowed', 'curl', '-XPOST', URL),
	refuse('option -sXDELETE is not allowed', 'curl', '-sXDELETE', URL),
	refuse('option --request is not allowed', 'curl', '--request', 'PUT', URL),
	refuse('option --request=PUT is not allowed', 'curl', '--request=PUT', URL),
	refuse('option --req is not allowed', 'curl', '--req', 'PUT', URL),
	refuse('the value of -o /etc/keepalived/keepalived.conf is not one of /dev/null', 'curl', '-o', '/etc/keepalived/keepalived.conf', URL),
	refuse('option -o/tmp/x is not allowed', 'curl', '-o/tmp/x', URL),
	refuse('option -so is not allowed', 'curl', '-so', '/tmp/x', URL),
	refuse('the value of --output /tmp/x is not', 'curl', '--output', '/tmp/x', URL),
	refuse('option --output=/dev/null is not allowed', 'curl', '--output=/dev/null', URL),
	refuse('option --out is not allowed', 'curl', '--out', '/tmp/x', URL),
	refuse('option --outp is not allowed', 'curl', '--outp', '/tmp/x', URL),
	refuse('option -O is not allowed', 'curl', '-O', URL),
	refuse('option -sO is not allowed', 'curl', '-sO', URL),
	refuse('option --remote-name is not allowed', 'curl', '--remote-name', URL),
	refuse('option --remote-name-all is not allowed', 'curl', '--remote-name-all', URL),
	refuse('option --output-dir is not allowed', 'curl', '--output-dir', '/etc', '-O', URL),
	refuse('option --create-dirs is not allowed', 'curl', '--create-dirs', URL),
	refuse('option -D is not allowed', 'curl', '-D', '/etc/x', URL),
	refuse('option --dump-header is not allowed', 'curl', '--dump-header', '/etc/x', URL),
	refuse('option --dump is not allowed', 'curl', '--dump', '/etc/x', URL),
	refuse('option -c is not allowed', 'curl', '-c', '/etc/x', URL),
	refuse('option --cookie-jar is not allowed', 'curl', '--cookie-jar', '/etc/x', URL),
	refuse('option -b is not allowed', 'curl', '-b', '/etc/shadow', LISTENER),
	refuse('option --trace is not allowed', 'curl', '--trace', '/etc/x', URL),
	refuse('option --trace-ascii is not allowed', 'curl', '--trace-ascii', '/etc/x', URL),
	refuse('option --trace-a is not allowed', 'curl', '--trace-a', '/etc/x', URL),
	refuse('option --stderr is not allowed', 'curl', '--stderr', '/etc/x', URL),
	refuse('option --libcurl is not allowed', 'curl', '--libcurl', '/etc/x', URL),
	refuse('option --etag-save is not allowed', 'curl', '--etag-save', '/etc/x', URL),
	refuse('option --hsts is not allowed', 'curl', '--hsts', '/etc/x', URL),
	refuse('option --alt-svc is not allowed', 'curl', '--alt-svc', '/etc/x', URL),
	refuse('option -w is not allowed', 'curl', '-w', '%output{/etc/x}%{http_code}', URL),
	refuse('option --write-out is not allowed', 'curl', '--write-out', '@/etc/shadow', URL),
	refuse('option -K is not allowed', 'curl', '-K', '/tmp/curlrc'),
	refuse('option --config is not allowed', 'curl', '--config', '/tmp/curlrc', URL),
	refuse('option --conf is not allowed', 'curl', '--conf', '/tmp/curlrc', URL),
	refuse('option -L is not allowed', 'curl', '-L', URL),
	refuse('option -x is not allowed', 'curl', '-x', LISTENER, URL),
	refuse('option --proxy is not allowed', 'curl', '--proxy', LISTENER, URL),
	refuse('option --unix-socket is not allowed', 'curl', '--unix-socket', '/run/docker.sock', URL),
	refuse('option --connect-to is not allowed', 'curl', '--connect-to', '::192.168.67.1:9', URL),
	refuse('option -u is not allowed', 'curl', '-u', 'root:secret', LISTENER),
	refuse('option -m5 is not allowed', 'curl', '-m5', URL),
	refuse('option --max-time=5 is not allowed', 'curl', '--max-time=5', URL),
	refuse('the value of -m may not start with "-"', 'curl', '-m', '-T', '/etc/shadow', LISTENER),
	refuse('the value of --max-time abc is not a number of seconds', 'curl', '--max-time', 'abc', URL),
	refuse('the value of -H needs a value', 'curl', URL, '-H'),
	refuse('the value of -H @/etc/shadow is not', 'curl', '-H', '@/etc/shadow', LISTENER),
	refuse('the value of --header @/etc/shadow is not', 'curl', '--header', '@/etc/shadow', LISTENER),
	refuse('-s is given twice', 'curl', '-s', '-s', URL),
	refuse('curl needs an operand', 'curl', '-s'),
	refuse('unexpected word', 'curl', URL, URL, URL, URL, URL),
	// other URL schemes, and URLs whose scheme curl would guess
	...['file:///etc/shadow', 'FILE:///etc/shadow', 'ftp://192.168.67.1:9/x', 'ftps://192.168.67.1/x', 'telnet://192.168.67.1:9', 'gopher://192.168.67.1:9/_x', 'dict://192.168.67.1:9/x', 'smtp://192.168.67.1:9', 'ldap://192.168.67.1:9', 'scp://192.168.67.1/etc/x', 'sftp://192.168.67.1/x', 'tftp://192.168.67.1/x', 'mqtt://192.168.67.1:9/t', 'ws://192.168.67.1:9/', 'HTTP://192.168.67.1:9/', '192.168.67.1:9', 'ftp.example.com', '{file,http}://x/etc/shadow', '[file]:///etc/shadow', 'http:/x', 'http://', 'https:///etc/shadow'].map((u) =>
		refuse('is not an http:// or https:// URL', 'curl', '-s', u),
	),
];

/** ipvsadm: every command that changes the table, alone or hidden among listing flags. */
const IPVSADM: readonly ReadOnlyCase[] = [
	refuse('option -C is not allowed for ipvsadm', 'ipvsadm', '-C'),
	refuse('option --clear is not allowed', 'ipvsadm', '--clear'),
	refuse('option -Z is not allowed', 'ipvsadm', '-Z'),
	refuse('option -Z is not allowed', 'ipvsadm', '-Ln', '-Z'),
	refuse('option --zero is not allowed', 'ipvsadm', '-L', '-n', '--zero'),
	refuse('option --zer is not allowed', 'ipvsadm', '-L', '--zer'),
	refuse('option -LZ is not allowed', 'ipvsadm', '-LZ'),
	refuse('option -LnZ is not allowed', 'ipvsadm', '-LnZ'),
	refuse('option -Sn is not allowed', 'ipvsadm', '-Sn'),
	refuse('option -A is not allowed', 'ipvsadm', '-A', '-t', '192.168.67.100:80', '-s', 'rr'),
	refuse('option -E is not allowed', 'ipvsadm', '-E', '-t', '192.168.67.100:80', '-s', 'wrr'),
	refuse('option -D is not allowed', 'ipvsadm', '-D', '-t', '192.168.67.100:80'),
	refuse('option -a is not allowed', 'ipvsadm', '-a', '-t', '192.168.67.100:80', '-r', '10.0.0.11:80'),
	refuse('option -e is not allowed', 'ipvsadm', '-e', '-t', '192.168.67.100:80', '-r', '10.0.0.11:80', '-w', '0'),
	refuse('option -d is not allowed', 'ipvsadm', '-d', '-t', '192.168.67.100:80', '-r', '10.0.0.11:80'),
	refuse('option -R is not allowed', 'ipvsadm', '-R'),
	refuse('option --restore is not allowed', 'ipvsadm', '--restore'),
	refuse('option --set is not allowed', 'ipvsadm', '--set', '1', '1', '1'),
	refuse('option --start-daemon is not allowed', 'ipvsadm', '--start-daemon', 'master'),
	refuse('option --stop-daemon is not allowed', 'ipvsadm', '--stop-daemon', 'master'),
	refuse('option --list=x is not allowed', 'ipvsadm', '--list=x'),
	refuse('option --lis is not allowed', 'ipvsadm', '--lis'),
	refuse('option -w is not allowed', 'ipvsadm', '-L', '-n', '-w', '0'),
	refuse('option -r is not allowed', 'ipvsadm', '-L', '-t', '192.168.67.100:80', '-r', '10.0.0.11:80'),
	refuse('option --stats is not allowed', 'ipvsadm', '-S', '--stats'),
	refuse('ipvsadm needs one of', 'ipvsadm'),
	refuse('ipvsadm accepts only', 'ipvsadm', 'list'),
	refuse('the value of -t 192.168.67.100 is not an address:port', 'ipvsadm', '-L', '-t', '192.168.67.100'),
	refuse('the value of -f x is not a whole number', 'ipvsadm', '-L', '-f', 'x'),
	refuse('-n is given twice', 'ipvsadm', '-L', '-n', '-n'),
	refuse('unexpected word', 'ipvsadm', '-Ln', 'extra'),
	refuse('unexpected word C for ipvsadm', 'ipvsadm', '--version', 'C'),
	refuse('option -C is not allowed', 'ipvsadm', '--version', '-C'),
];

/** iproute2: changes in every spelling its prefix matching accepts, batch files, other namespaces. */
const IP: readonly ReadOnlyCase[] = [
	refuse('ip addr accepts only show, list, not add', 'ip', 'addr', 'add', '192.168.67.100/24', 'dev', 'eth0'),
	refuse('ip accepts only addr, address, link, route, monitor, not a', 'ip', 'a', 'a', '192.168.67.100/24', 'dev', 'eth0'),
	refuse('accepts only', 'ip', 'addr', 'a', '192.168.67.100/24', 'dev', 'eth0'),
	refuse('accepts only', 'ip', 'ad', 's'),
	refuse('accepts only', 'ip', 'address', 'del', '192.168.67.100/24', 'dev', 'eth0'),
	refuse('accepts only', 'ip', 'addr', 'flush', 'dev', 'eth0'),
	refuse('accepts only', 'ip', 'addr', 'replace', '10.0.0.1/24', 'dev', 'eth0'),
	refuse('accepts only', 'ip', 'addr', 'restore'),
	refuse('ip link accepts only show, list, not set', 'ip', 'link', 'set', 'eth0', 'down'),
	refuse('accepts only', 'ip', 'l', 's', 'eth0', 'down'),
	refuse('accepts only', 'ip', 'link', 'delete', 'eth0'),
	refuse('accepts only', 'ip', 'route', 'add', 'default', 'via', '192.168.67.1'),
	refuse('accepts only', 'ip', 'route', 'flush', 'cache'),
	refuse('accepts only', 'ip', 'r', 'flush', 'all'),
	refuse('accepts only', 'ip', 'neigh', 'flush', 'all'),
	refuse('ip accepts only addr, address, link, route, monitor, not netns', 'ip', 'netns', 'exec', 'lab', 'sh'),
	refuse('accepts only', 'ip', 'netns', 'add', 'x'),
	refuse('option -batch is not allowed for ip', 'ip', '-batch', '/tmp/cmds'),
	refuse('option -b is not allowed for ip', 'ip', '-b', '/tmp/cmds'),
	refuse('option -force is not allowed', 'ip', '-force', '-batch', '/tmp/cmds'),
	refuse('option -n is not allowed', 'ip', '-n', 'other', 'addr', 'add', '10.0.0.1/24', 'dev', 'eth0'),
	refuse('option -netns is not allowed', 'ip', '-netns', 'other', 'link', 'show'),
	refuse('option --json is not allowed', 'ip', '--json', 'addr', 'show'),
	refuse('-j is given twice', 'ip', '-j', '-j', 'addr', 'show'),
	refuse('option -o is not allowed', 'ip', 'addr', 'show', '-o'),
	refuse('operand file is not one of', 'ip', 'monitor', 'file', '/tmp/x'),
	refuse('accepts only', 'ip', 'mon', 'address'),
	refuse('unexpected word', 'ip', 'addr', 'show', 'up'),
	refuse('unexpected word', 'ip', 'addr', 'show', 'dev', 'eth0', 'label', 'x'),
	refuse('the value of dev may not start with "-"', 'ip', 'addr', 'show', 'dev', '-batch'),
	refuse('ip needs one of', 'ip'),
];

/** systemctl and sysctl: every verb or spelling that changes something. */
const SYSTEM: readonly ReadOnlyCase[] = [
	...['stop', 'start', 'restart', 'reload', 'kill', 'mask', 'enable', 'disable', 'daemon-reload', 'isolate', 'set-property', 'edit', 'reset-failed', 'try-restart', 'poweroff'].map((verb) =>
		refuse('systemctl accepts only', 'systemctl', verb, 'keepalived'),
	),
	refuse('option --now is not allowed', 'systemctl', '--now', 'disable', 'keepalived'),
	refuse('option --no-block is not allowed', 'systemctl', '--no-block', 'stop', 'keepalived'),
	refuse('option -H is not allowed', 'systemctl', 'is-active', '-H', 'root@other', 'keepalived'),
	refuse('option --property=MainPID is not allowed', 'systemctl', 'show', '--property=MainPID', 'keepalived'),
	refuse('is not a systemd unit name', 'systemctl', 'status', '/dev/sda'),
	refuse('is not a systemd unit name', 'systemctl', 'is-active', 'keepalived;reboot'),
	refuse('systemctl needs an operand', 'systemctl', 'status'),
	refuse('sysctl needs an operand', 'sysctl', '-n'),
	refuse('option -w is not allowed for sysctl', 'sysctl', '-w', 'net.ipv4.conf.all.arp_ignore=0'),
	refuse('is not a sysctl key', 'sysctl', 'net.ipv4.ip_forward=1'),
	refuse('is not a sysctl key', 'sysctl', '-n', 'kernel.hostname=evil'),
	refuse('option -p is not allowed', 'sysctl', '-p'),
	refuse('option -p/etc/sysctl.conf is not allowed', 'sysctl', '-p/etc/sysctl.conf'),
	refuse('option -ep is not allowed', 'sysctl', '-ep'),
	refuse('option -wn is not allowed', 'sysctl', '-wn', 'a.b=1'),
	refuse('option -f is not allowed', 'sysctl', '-f', '/etc/sysctl.d/99-lvs.conf'),
	refuse('option --system is not allowed', 'sysctl', '--system'),
	refuse('option --sys is not allowed', 'sysctl', '--sys'),
	refuse('option --load=/etc/sysctl.conf is not allowed', 'sysctl', '--load=/etc/sysctl.conf'),
	refuse('option --write is not allowed', 'sysctl', '--write', 'a.b=1'),
	refuse('option -a is not allowed', 'sysctl', '-a'),
	refuse('option -f is not allowed for keepalived', 'keepalived', '-f', '/etc/keepalived/keepalived.conf'),
	refuse('option --signum=STOP is not allowed', 'keepalived', '--signum=STOP'),
	refuse('option -D is not allowed', 'keepalived', '-D'),
	refuse('keepalived needs one of', 'keepalived'),
	refuse('unexpected word newname for hostname', 'hostname', 'newname'),
	refuse('option -F is not allowed', 'hostname', '-F', '/tmp/name'),
	refuse('option --file=/tmp/name is not allowed', 'hostname', '--file=/tmp/name'),
	refuse('option -b is not allowed', 'hostname', '-b', 'newname'),
	refuse('option --boot is not allowed', 'hostname', '--boot'),
	refuse('option -s is not allowed for date', 'date', '-s', '2020-01-01'),
	refuse('option --set=2020-01-01 is not allowed', 'date', '--set=2020-01-01'),
	refuse('option -us is not allowed', 'date', '-us', '2020-01-01'),
	refuse('is not a +FORMAT', 'date', '010112002020'),
	refuse('option -d is not allowed', 'date', '-d', '@0'),
	refuse('unexpected word', 'true', 'x'),
	refuse('option -p is not allowed for uptime', 'uptime', '-p'),
	refuse('option -o is not allowed for pidof', 'pidof', '-o', '1', 'nginx'),
	refuse('option --signal is not allowed for pgrep', 'pgrep', '--signal', '9', 'nginx'),
];

/** Programs that are not on the list, programs outside the system directories, and wrappers. */
const PROGRAMS: readonly ReadOnlyCase[] = [
	refuse('program /tmp/x/ipvsadm is not a bare name or in /usr/sbin', '/tmp/x/ipvsadm', '-Ln'),
	refuse('is not a bare name or in', './ipvsadm', '-Ln'),
	refuse('is not a bare name or in', '../bin/ipvsadm', '-Ln'),
	refuse('is not a bare name or in', '/usr/local/sbin/ipvsadm', '-Ln'),
	refuse('is not a bare name or in', '/usr/sbin/../../tmp/ipvsadm', '-Ln'),
	refuse('is not a bare name or in', '//usr/sbin/ipvsadm', '-Ln'),
	refuse('is not a bare name or in', '/usr/sbin//ipvsadm', '-Ln'),
	refuse('is not a bare name or in', '/home/op/bin/curl', URL),
	refuse('is not a program read-only mode allows', '/usr/sbin/', '-Ln'),
	refuse('is not a program read-only mode allows', 'IPVSADM', '-Ln'),
	refuse('is not a program read-only mode allows', 'ipvsadm2', '-Ln'),
	refuse('is not a program read-only mode allows', 'ipvsadm ', '-Ln'),
	refuse('is not a program read-only mode allows', 'ipvsadm-restore'),
	refuse('is not a program read-only mode allows', 'ipvsadm-save'),
	refuse('the program name is empty', '', '-Ln'),
	refuse('the command is empty'),
	...['rm', 'dd', 'tee', 'cp', 'mv', 'ln', 'touch', 'mkfifo', 'chmod', 'kill', 'pkill', 'killall', 'reboot', 'shutdown', 'halt', 'tc', 'iptables', 'wget', 'nc', 'socat', 'scp', 'rsync', 'cat', 'ls', 'echo', 'printf', 'service', 'keepalived-reload'].map((p) =>
		refuse('is not a program read-only mode allows', p, '/etc/keepalived/keepalived.conf'),
	),
	refuse('env runs other programs', 'env', 'ipvsadm', '-Ln'),
	refuse('env runs other programs', 'env', '-i', 'PATH=/tmp', 'curl', URL),
	refuse('env runs other programs', '/usr/bin/env', 'ipvsadm', '-C'),
	refuse('nice runs other programs', 'nice', 'ipvsadm', '-Ln'),
	refuse('nice runs other programs', 'nice', '-n', '10', 'ipvsadm', '-C'),
	refuse('ionice runs other programs', 'ionice', '-c3', 'ipvsadm', '-Ln'),
	refuse('timeout runs other programs', 'timeout', '5', 'ipvsadm', '-Ln'),
	refuse('busybox runs other programs', 'busybox', 'ip', 'addr', 'add', '10.0.0.1/24', 'dev', 'eth0'),
	refuse('busybox runs other programs', 'busybox', 'sh', '-c', 'ipvsadm -C'),
	refuse('xargs runs other programs', 'xargs', 'rm', '-f'),
	refuse('nohup runs other programs', 'nohup', 'ipvsadm', '-Ln'),
	refuse('stdbuf runs other programs', 'stdbuf', '-o0', 'ipvsadm', '-Ln'),
	refuse('setsid runs other programs', 'setsid', 'ipvsadm', '-C'),
	refuse('chroot runs other programs', 'chroot', '/', 'ipvsadm', '-Ln'),
	refuse('flock runs other programs', 'flock', '/tmp/l', 'ipvsadm', '-Ln'),
	refuse('doas runs other programs', 'doas', 'ipvsadm', '-C'),
	refuse('su runs other programs', 'su', '-c', 'ipvsadm -C'),
	refuse('runuser runs other programs', 'runuser', '-u', 'root', 'ipvsadm', '-Ln'),
	refuse('nsenter runs other programs', 'nsenter', '-t', '1', '-n', 'ip', 'addr', 'show'),
	refuse('unshare runs other programs', 'unshare', '-n', 'ip', 'addr', 'show'),
	refuse('strace runs other programs', 'strace', '-o', '/etc/x', 'ip', 'addr', 'show'),
	refuse('watch runs other programs', 'watch', 'ipvsadm', '-Ln'),
	refuse('time runs other programs', 'time', 'ipvsadm', '-Ln'),
	refuse('command runs other programs', 'command', 'ipvsadm', '-Ln'),
	refuse('find runs other programs', 'find', '/etc/keepalived', '-delete'),
	refuse('bash runs other programs', 'bash', '-c', DIRECTOR_SNAPSHOT_SCRIPT, 'lvsdeck-probe', ...SNAP_ARGS),
	refuse('dash runs other programs', 'dash', '-c', 'ipvsadm -C'),
	refuse('python3 runs other programs', 'python3', '-c', 'import os'),
	refuse('awk runs other programs', 'awk', 'BEGIN{system("ipvsadm -C")}'),
	// sudo only as `sudo -n -- COMMAND`, once, and COMMAND judged like any other
	refuse('sudo is allowed only as "sudo -n -- COMMAND"', 'sudo', 'ipvsadm', '-C'),
	refuse('sudo is allowed only as', 'sudo', '-n', 'ipvsadm', '-Ln'),
	refuse('sudo is allowed only as', 'sudo', '--', 'ipvsadm', '-Ln'),
	refuse('sudo is allowed only as', 'sudo', '-n', '--'),
	refuse('sudo is allowed only as', 'sudo', '-u', 'root', '-n', '--', 'ipvsadm', '-Ln'),
	refuse('sudo is allowed only as', 'sudo', '-E', '-n', '--', 'ipvsadm', '-Ln'),
	refuse('sudo inside sudo is not allowed', 'sudo', '-n', '--', 'sudo', '-n', '--', 'ipvsadm', '-Ln'),
	refuse('option -C is not allowed for ipvsadm', 'sudo', '-n', '--', 'ipvsadm', '-C'),
	refuse('env runs other programs', 'sudo', '-n', '--', 'env', 'ipvsadm', '-Ln'),
	refuse('is not a bare name or in', 'sudo', '-n', '--', '/tmp/x/ipvsadm', '-Ln'),
	refuse('is not a bare name or in', '/tmp/sudo', '-n', '--', 'ipvsadm', '-Ln'),
	refuse('systemctl accepts only is-active, is-enabled, is-failed, status, show, not stop', 'sudo', '-n', '--', 'systemctl', 'stop', 'keepalived'),
];

/** sh -c: only the listed scripts, with their own $0 and arguments of the kinds they declare. */
const SCRIPTS: readonly ReadOnlyCase[] = [
	refuse("the script is not one of lvsdeck's own read-only scripts", 'sh', '-c', 'rm -rf /'),
	refuse("is not one of lvsdeck's own", 'sh', '-c', 'ipvsadm -C'),
	refuse("is not one of lvsdeck's own", 'sh', '-c', `${DIRECTOR_SNAPSHOT_SCRIPT}\nipvsadm -C`, 'lvsdeck-probe', ...SNAP_ARGS),
	refuse("is not one of lvsdeck's own", 'sh', '-c', `${DIRECTOR_SNAPSHOT_SCRIPT} `, 'lvsdeck-probe', ...SNAP_ARGS),
	refuse("is not one of lvsdeck's own", 'sh', '-c', INSTALL_SCRIPT, 'lvsdeck-install', '/etc/keepalived/keepalived.conf', '/etc/keepalived/backup', '1', 'x'),
	refuse("is not one of lvsdeck's own", 'sh', '-c', RESTORE_SCRIPT, 'lvsdeck-restore', '/etc/keepalived/keepalived.conf', '/etc/keepalived/backup/x'),
	refuse("is not one of lvsdeck's own", 'sh', '-c', REALSERVER_SETUP_SCRIPT, 'lvsdeck-setup', 'apply', '/etc/sysctl.d/x.conf'),
	refuse("is not one of lvsdeck's own", 'sh', '-c', READ_FILE_SCRIPT, 'lvsdeck-read', '/etc/shadow'),
	refuse("is not one of lvsdeck's own", 'sh', '-c', VALIDATE_SCRIPT, 'lvsdeck-validate'),
	refuse('sh is allowed only as "sh -c SCRIPT"', 'sh', DIRECTOR_SNAPSHOT_SCRIPT),
	refuse('sh is allowed only as', 'sh', '-c'),
	refuse('sh is allowed only as', 'sh', '-e', '-c', DIRECTOR_SNAPSHOT_SCRIPT, 'lvsdeck-probe', ...SNAP_ARGS),
	refuse('sh is allowed only as', 'sh', '/tmp/x.sh'),
	refuse("the script's name ($0) must be lvsdeck-probe", 'sh', '-c', DIRECTOR_SNAPSHOT_SCRIPT),
	refuse("the script's name ($0) must be lvsdeck-probe", 'sh', '-c', DIRECTOR_SNAPSHOT_SCRIPT, 'x', ...SNAP_ARGS),
	refuse('lvsdeck-probe takes 5 arguments, not 4', ...withSnapArgs(...SNAP_ARGS.slice(0, 4))),
	refuse('lvsdeck-probe takes 5 arguments, not 6', ...withSnapArgs(...SNAP_ARGS, 'extra')),
	refuse('argument 5 of lvsdeck-probe "15;reboot" is not a signal number', ...withSnapArgs(ka.configPath, 'json', ka.pidFile, ka.dumpDir, '15;reboot')),
	refuse('argument 5 of lvsdeck-probe 65 is not a signal number', ...withSnapArgs(ka.configPath, 'json', ka.pidFile, ka.dumpDir, '65')),
	refuse('argument 5 of lvsdeck-probe -9 is not', ...withSnapArgs(ka.configPath, 'json', ka.pidFile, ka.dumpDir, '-9')),
	refuse('argument 2 of lvsdeck-probe stats is not one of json, data, none', ...withSnapArgs(ka.configPath, 'stats', ka.pidFile, ka.dumpDir, '12')),
	refuse('argument 3 of lvsdeck-probe keepalived.pid is not an absolute path', ...withSnapArgs(ka.configPath, 'json', 'keepalived.pid', ka.dumpDir, '36')),
	refuse('argument 4 of lvsdeck-probe /dev/shm is not an absolute path', ...withSnapArgs(ka.configPath, 'json', ka.pidFile, '/dev/shm', '36')),
	refuse('argument 4 of lvsdeck-probe /etc/../tmp is not', ...withSnapArgs(ka.configPath, 'json', ka.pidFile, '/etc/../tmp', '36')),
	refuse('argument 1 of lvsdeck-probe /dev/watchdog is not', ...withSnapArgs('/dev/watchdog', 'json', ka.pidFile, ka.dumpDir, '36')),
	refuse('argument 1 of lvsdeck-probe /proc/sysrq-trigger is not', ...withSnapArgs('/proc/sysrq-trigger', 'json', ka.pidFile, ka.dumpDir, '36')),
	refuse('argument 3 of lvsdeck-probe "/run/k\\u000a.pid" is not', ...withSnapArgs(ka.configPath, 'json', '/run/k\n.pid', ka.dumpDir, '36')),
	refuse('lvsdeck-conf takes 2 to 65 arguments, not 0', 'sh', '-c', CONFIG_READ_SCRIPT, 'lvsdeck-conf'),
	refuse('lvsdeck-conf takes 2 to 65 arguments, not 66', ...configReadCommand(Array.from({length: 65}, (_, i) => `/etc/keepalived/inc${i}.conf`))),
	refuse("the script's name ($0) must be lvsdeck-conf", 'sh', '-c', CONFIG_READ_SCRIPT, 'lvsdeck-probe', '/etc/keepalived/keepalived.conf'),
	refuse('argument 2 of lvsdeck-conf keepalived.conf is not an absolute path or glob pattern', ...configReadCommand(['keepalived.conf'])),
	refuse('argument 3 of lvsdeck-conf /proc/self/environ is not', ...configReadCommand([ka.configPath, '/proc/self/environ'])),
	refuse('argument 2 of lvsdeck-conf "/sys/*" is not', ...configReadCommand(['/sys/*'])),
	refuse('argument 2 of lvsdeck-conf /dev/sda is not', ...configReadCommand(['/dev/sda'])),
	refuse('argument 2 of lvsdeck-conf /etc/keepalived/../shadow is not', ...configReadCommand(['/etc/keepalived/../shadow'])),
	refuse('argument 2 of lvsdeck-conf -r is not', ...configReadCommand(['-r'])),
	refuse('argument 1 of lvsdeck-conf etc is not an absolute path', ...configReadCommand([ka.configPath], 'etc')),
	refuse('argument 2 of lvsdeck-conf "/etc/k\\u000a.conf" is not', ...configReadCommand(['/etc/k\n.conf'])),
	refuse("is not one of lvsdeck's own", 'sh', '-c', `${CONFIG_READ_SCRIPT}\nrm -f "$1"`, 'lvsdeck-conf', ka.configPath),
	refuse('argument 1 of lvsdeck-signum STOP is not one of DATA, STATS, JSON', 'sh', '-c', KEEPALIVED_SIGNUM_SCRIPT, 'lvsdeck-signum', 'STOP'),
	refuse('argument 2 of lvsdeck-signum RELOAD is not', 'sh', '-c', KEEPALIVED_SIGNUM_SCRIPT, 'lvsdeck-signum', 'JSON', 'RELOAD'),
	refuse('lvsdeck-signum takes 1 to 3 arguments, not 0', 'sh', '-c', KEEPALIVED_SIGNUM_SCRIPT, 'lvsdeck-signum'),
	refuse('argument 1 of lvsdeck-probe none is not one of json, data, stats', 'sh', '-c', KEEPALIVED_DUMP_SCRIPT, 'lvsdeck-probe', 'none', '/run/keepalived.pid', '/tmp'),
	refuse('lvsdeck-rs-check takes 0 arguments, not 1', 'sh', '-c', REALSERVER_CHECK_SCRIPT, 'lvsdeck-rs-check', '/etc/shadow'),
	refuse("the script's name ($0) must be lvsdeck-rs-check", 'sh', '-c', REALSERVER_CHECK_SCRIPT),
	refuseArgv('argument 1 of lvsdeck-watch file:///etc/shadow is not an http:// or https:// URL', remoteWatchCommand('file:///etc/shadow', 60, '1', 1)),
	refuseArgv('argument 1 of lvsdeck-watch telnet://192.168.67.1:9 is not', remoteWatchCommand('telnet://192.168.67.1:9', 60, '1', 1)),
	refuseArgv('argument 4 of lvsdeck-watch 1000 is not 1 to 32 processes', remoteWatchCommand(URL, 60, '1', 1000)),
	refuse('argument 2 of lvsdeck-watch 60 is not a rate like 60/m', 'sh', '-c', REMOTE_WATCH_SCRIPT, 'lvsdeck-watch', URL, '60', '1', '1'),
];

export const READ_ONLY_CASES: readonly ReadOnlyCase[] = [...LVSDECK_COMMANDS, ...OTHER_READS, ...CURL, ...IPVSADM, ...IP, ...SYSTEM, ...PROGRAMS, ...SCRIPTS];

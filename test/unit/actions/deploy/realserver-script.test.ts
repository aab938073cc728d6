// The real-server setup script, run here for real against stand-ins for ip, sysctl, modprobe and
// systemctl that keep a fake host's links, addresses, default route and sysctls in files: apply
// records what it changes first and installs the boot script, words, unit and link; a second apply
// and check change nothing; the boot script restores a lost VIP; revert puts back the earlier values
// and the earlier default route and removes what apply installed; replaced files are backed up.
import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {beforeEach, describe, expect, it} from 'vitest';
import {argsPath, bootScript, bootScriptPath, bootUnit, parseSetupChanges, previousPath, realServerSetupScript, REALSERVER_SETUP_SCRIPT, SETUP_PATHS, type SetupPaths} from '../../../../src/actions/deploy/realserver-script.js';
import {oneLineScript} from '../../../../src/transport/sudo.js';

const FAKE_IP = `#!/bin/sh
S=$FAKE_NET; fam=4; d=
while :; do case "$1" in -o) shift ;; -d) d=1; shift ;; -4) fam=4; shift ;; -6) fam=6; shift ;; *) break ;; esac; done
obj=$1; verb=$2; shift 2
case "$obj.$verb" in
link.show) [ -f "$S/link.$2" ] || exit 1
  if [ "$(sed -n 1p "$S/link.$2")" = up ]; then echo "2: $2: <BROADCAST,UP,LOWER_UP> mtu 1500"; else echo "2: $2: <BROADCAST> mtu 1500"; fi
  [ -z "$d" ] || echo "    $(sed -n 2p "$S/link.$2")" ;;
link.add) printf 'down\\n%s\\n' "$3" > "$S/link.$1"; for k in arp_ignore arp_announce rp_filter; do echo 0 > "$S/sysctl/net.ipv4.conf.$1.$k"; done ;;
link.set) sed -i "1c$2" "$S/link.$1" ;;
link.del) rm -f "$S/link.$1" "$S/addr.$1" "$S/sysctl/net.ipv4.conf.$1."* ;;
addr.show) [ -f "$S/link.$2" ] || exit 1; [ ! -f "$S/addr.$2" ] || sed "s|^|1: $2 inet |; s|$| scope global $2|" "$S/addr.$2" ;;
addr.add) echo "$1" >> "$S/addr.$3" ;;
addr.del) grep -vxF "$1" "$S/addr.$3" > "$S/tmp"; mv "$S/tmp" "$S/addr.$3" ;;
route.show) [ ! -f "$S/route$fam" ] || cat "$S/route$fam" ;;
route.replace) case "$*" in *" dev "*) echo "$* " ;; *) echo "$* dev eth0 " ;; esac > "$S/route$fam" ;;
route.del) rm -f "$S/route$fam" ;;
*) echo "fake ip: $obj $verb $*" >&2; exit 2 ;;
esac
exit 0
`;
const FAKE_SYSCTL = `#!/bin/sh
S=$FAKE_NET/sysctl
case "$1" in
-n) [ -f "$S/$2" ] || { echo "sysctl: cannot stat $2" >&2; exit 1; }; cat "$S/$2" ;;
-qw) k=\${2%%=*}; [ -f "$S/$k" ] || exit 1; echo "\${2#*=}" > "$S/$k" ;;
*) exit 2 ;;
esac
`;
const FAKE_MODPROBE = `#!/bin/sh
[ "$1" != ipip ] || [ -f "$FAKE_NET/link.tunl0" ] || { printf 'down\\nipip\\n' > "$FAKE_NET/link.tunl0"; for k in arp_ignore arp_announce rp_filter; do echo 1 > "$FAKE_NET/sysctl/net.ipv4.conf.tunl0.$k"; done; }
`;
const FAKE_SYSTEMCTL = '#!/bin/sh\necho "$*" >> "$FAKE_NET/systemctl.log"\n';

const VIP = '192.168.67.100';
const SYSCTL_TEXT = ['# test', 'net.ipv4.conf.all.arp_ignore = 1', 'net.ipv4.conf.lo.arp_ignore = 1', 'net.ipv4.conf.all.arp_announce = 2', 'net.ipv4.conf.lo.arp_announce = 2', ''].join('\n');

let dir: string;
let net: string;
let paths: SetupPaths;
let conf: string;

function fakeHost(): void {
	dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-rs-script-'));
	net = path.join(dir, 'net');
	mkdirSync(path.join(net, 'sysctl'), {recursive: true});
	mkdirSync(path.join(dir, 'bin'));
	for (const [name, text] of [['ip', FAKE_IP], ['sysctl', FAKE_SYSCTL], ['modprobe', FAKE_MODPROBE], ['systemctl', FAKE_SYSTEMCTL]] as const) writeFileSync(path.join(dir, 'bin', name), text, {mode: 0o755});
	writeFileSync(path.join(net, 'link.lo'), 'up\nloopback\n');
	writeFileSync(path.join(net, 'link.eth0'), 'up\nether\n');
	writeFileSync(path.join(net, 'route4'), 'default via 10.0.0.254 dev eth0 \n');
	// An operator had set arp_announce to 1 on all before lvsdeck came.
	for (const [k, v] of [['all.arp_ignore', '0'], ['lo.arp_ignore', '0'], ['all.arp_announce', '1'], ['lo.arp_announce', '0'], ['eth0.arp_ignore', '0'], ['eth0.arp_announce', '0'], ['all.rp_filter', '1']]) {
		writeFileSync(path.join(net, 'sysctl', `net.ipv4.conf.${k}`), `${v}\n`);
	}
	paths = {home: path.join(dir, 'lib', 'lvsdeck'), unit: path.join(dir, 'systemd', 'lvsdeck-realserver.service'), link: path.join(dir, 'systemd', 'multi-user.target.wants', 'lvsdeck-realserver.service')};
	conf = path.join(dir, 'sysctl.d', '90-lvsdeck-lvs-dr.conf');
}

const env = () => ({...process.env, PATH: `${path.join(dir, 'bin')}:${process.env['PATH']}`, FAKE_NET: net});
function setup(mode: 'apply' | 'check' | 'revert', words: readonly string[], stdin = SYSCTL_TEXT, options: {file?: string; oneLine?: boolean} = {}) {
	const script = realServerSetupScript(paths);
	const r = spawnSync('sh', ['-c', options.oneLine ? oneLineScript(script) : script, 'lvsdeck-setup', mode, options.file ?? conf, ...words], {input: stdin, encoding: 'utf8', env: env()});
	return {...r, changes: parseSetupChanges(r.stdout)};
}
const sysctl = (key: string) => readFileSync(path.join(net, 'sysctl', `net.ipv4.conf.${key}`), 'utf8').trim();
const addrs = (dev: string) => (existsSync(path.join(net, `addr.${dev}`)) ? readFileSync(path.join(net, `addr.${dev}`), 'utf8') : '');
const route = () => (existsSync(path.join(net, 'route4')) ? readFileSync(path.join(net, 'route4'), 'utf8') : '');

beforeEach(fakeHost);

describe('the boot files', () => {
	it('the unit is a oneshot after the network, left active, running the boot script, wanted by multi-user', () => {
		const unit = bootUnit(SETUP_PATHS);
		expect(unit.split('\n')).toEqual(
			expect.arrayContaining(['[Unit]', 'After=network-online.target', 'Wants=network-online.target', '[Service]', 'Type=oneshot', 'RemainAfterExit=yes', 'ExecStart=/bin/sh /usr/local/lib/lvsdeck/realserver-setup', '[Install]', 'WantedBy=multi-user.target']),
		);
	});

	it('the boot script reads every recorded setup from its folder and records nothing', () => {
		const text = bootScript(SETUP_PATHS);
		expect(text.startsWith('#!/bin/sh\n')).toBe(true);
		expect(text).toContain('for a in /usr/local/lib/lvsdeck/*.args; do');
		expect(text).toContain('remember() { :; }');
		expect(text).not.toContain('previous');
	});

	it('the script goes on one line for sudo', () => {
		expect(() => oneLineScript(REALSERVER_SETUP_SCRIPT)).not.toThrow();
	});
});

describe('apply', () => {
	it('records the earlier values of what it changes, installs the boot script, words, unit and link', () => {
		const r = setup('apply', [VIP, 'gw=10.67.1.1']);
		expect(r.status, r.stderr).toBe(0);
		expect(r.changes).toEqual(
			expect.arrayContaining([`vip:${VIP}`, 'route:default-via-10.67.1.1', 'sysctl:all.arp_ignore=1', 'sysctl:all.arp_announce=2', `file:${conf}`, `file:${bootScriptPath(paths)}`, `file:${argsPath(paths, conf)}`, `file:${paths.unit}`, `link:${paths.link}`]),
		);
		expect(addrs('lo')).toContain(`${VIP}/32`);
		expect(route()).toContain('default via 10.67.1.1 ');
		expect(sysctl('all.arp_announce')).toBe('2');
		expect(readFileSync(previousPath(paths, conf), 'utf8').split('\n').filter(Boolean).map((l) => l.trimEnd()).sort()).toEqual(
			['sysctl net.ipv4.conf.all.arp_ignore 0', 'sysctl net.ipv4.conf.lo.arp_ignore 0', 'sysctl net.ipv4.conf.all.arp_announce 1', 'sysctl net.ipv4.conf.lo.arp_announce 0', 'route -4 default via 10.0.0.254 dev eth0'].sort(),
		);
		expect(readFileSync(bootScriptPath(paths), 'utf8')).toBe(bootScript(paths));
		expect(readFileSync(paths.unit, 'utf8')).toBe(bootUnit(paths));
		expect(readlinkSync(paths.link)).toBe(paths.unit);
		expect(readFileSync(argsPath(paths, conf), 'utf8')).toBe(`${conf}\n${VIP}\ngw=10.67.1.1\n`);
		expect(readFileSync(conf, 'utf8')).toBe(SYSCTL_TEXT);
	});

	it('a second apply and a check change nothing; the record keeps the first earlier values', () => {
		setup('apply', [VIP]);
		const record = readFileSync(previousPath(paths, conf), 'utf8');
		expect(setup('apply', [VIP]).changes).toEqual([]);
		expect(setup('check', [VIP]).changes).toEqual([]);
		expect(readFileSync(previousPath(paths, conf), 'utf8')).toBe(record);
	});

	it('check names the boot files apply would install and changes nothing', () => {
		const r = setup('check', [VIP]);
		expect(r.status, r.stderr).toBe(0);
		expect(r.changes).toEqual(expect.arrayContaining([`vip:${VIP}`, `file:${bootScriptPath(paths)}`, `file:${paths.unit}`, `link:${paths.link}`]));
		expect(existsSync(paths.home)).toBe(false);
		expect(addrs('lo')).toBe('');
		expect(sysctl('all.arp_announce')).toBe('1');
	});

	it('a replaced file is copied to backup/ first', () => {
		setup('apply', [VIP]);
		writeFileSync(paths.unit, '# edited by hand\n');
		const r = setup('apply', [VIP]);
		expect(r.changes).toEqual([`file:${paths.unit}`]);
		const backups = readdirSync(path.join(paths.home, 'backup'));
		expect(backups).toHaveLength(1);
		expect(backups[0]).toMatch(/^lvsdeck-realserver\.service\.\d{8}T\d{6}Z$/);
		expect(readFileSync(path.join(paths.home, 'backup', backups[0]!), 'utf8')).toBe('# edited by hand\n');
		expect(readFileSync(paths.unit, 'utf8')).toBe(bootUnit(paths));
	});

	it('works the same put on one line (as sudo runs it)', () => {
		const r = setup('apply', ['dev=lvsvip0', VIP], SYSCTL_TEXT.replaceAll('.lo.', '.lvsvip0.'), {oneLine: true});
		expect(r.status, r.stderr).toBe(0);
		expect(r.changes).toEqual(expect.arrayContaining(['dev:lvsvip0', `vip:${VIP}@lvsvip0`, 'sysctl:lvsvip0.arp_ignore=1']));
		expect(setup('apply', ['dev=lvsvip0', VIP], SYSCTL_TEXT.replaceAll('.lo.', '.lvsvip0.'), {oneLine: true}).changes).toEqual([]);
	});
});

describe('the boot script', () => {
	it('puts back a VIP, device, tunnel and route lost since, with their sysctls', () => {
		const text = SYSCTL_TEXT.replaceAll('.lo.', '.lvsvip0.') + 'net.ipv4.conf.tunl0.rp_filter = 0\n';
		expect(setup('apply', ['dev=lvsvip0', VIP, 'tun=192.168.67.101', 'gw=10.67.1.1'], text).status).toBe(0);
		// "Reboot": the device, the tunnel's address and the route are gone.
		spawnSync('ip', ['link', 'del', 'lvsvip0'], {env: env()});
		spawnSync('ip', ['addr', 'del', '192.168.67.101/32', 'dev', 'tunl0'], {env: env()});
		spawnSync('ip', ['route', 'replace', 'default', 'via', '10.0.0.254'], {env: env()});
		const boot = spawnSync('sh', [bootScriptPath(paths)], {encoding: 'utf8', env: env()});
		expect(boot.status, boot.stderr).toBe(0);
		expect(parseSetupChanges(boot.stdout)).toEqual(expect.arrayContaining(['dev:lvsvip0', `vip:${VIP}@lvsvip0`, 'vip:192.168.67.101@tunl0', 'route:default-via-10.67.1.1', 'sysctl:lvsvip0.arp_ignore=1']));
		expect(addrs('lvsvip0')).toContain(`${VIP}/32`);
		expect(route()).toContain('via 10.67.1.1 ');
		// The boot run records nothing: the earlier route stays the one before lvsdeck.
		expect(readFileSync(previousPath(paths, conf), 'utf8')).toContain('route -4 default via 10.0.0.254 dev eth0');
		expect(parseSetupChanges(spawnSync('sh', [bootScriptPath(paths)], {encoding: 'utf8', env: env()}).stdout)).toEqual([]);
	});
});

describe('revert', () => {
	it('puts back the earlier sysctls and default route, and removes the VIP and every installed file', () => {
		setup('apply', [VIP, 'gw=10.67.1.1']);
		const r = setup('revert', [VIP, 'gw=10.67.1.1'], '');
		expect(r.status, r.stderr).toBe(0);
		expect(r.changes).toEqual(
			expect.arrayContaining([`vip:-${VIP}`, 'route:-default-via-10.67.1.1', 'route:default-via-10.0.0.254', 'sysctl:all.arp_announce=1', 'sysctl:all.arp_ignore=0', `file:-${conf}`, `file:-${bootScriptPath(paths)}`, `file:-${paths.unit}`, `link:-${paths.link}`]),
		);
		expect(sysctl('all.arp_announce')).toBe('1');
		expect(sysctl('all.arp_ignore')).toBe('0');
		expect(route()).toContain('default via 10.0.0.254 dev eth0');
		expect(addrs('lo')).not.toContain(VIP);
		for (const f of [conf, bootScriptPath(paths), argsPath(paths, conf), previousPath(paths, conf), paths.unit, paths.link]) expect(existsSync(f), f).toBe(false);
		expect(setup('revert', [VIP, 'gw=10.67.1.1'], '').changes).toEqual([]);
	});

	it('leaves what was already right before apply as it is', () => {
		writeFileSync(path.join(net, 'sysctl', 'net.ipv4.conf.all.arp_ignore'), '1\n');
		setup('apply', [VIP]);
		expect(setup('revert', [VIP], '').changes).not.toContain('sysctl:all.arp_ignore=0');
		expect(sysctl('all.arp_ignore')).toBe('1');
	});

	it('keeps the boot script, unit and link while another setup is recorded', () => {
		const other = path.join(dir, 'sysctl.d', '91-other.conf');
		setup('apply', [VIP]);
		setup('apply', ['192.168.67.150'], 'net.ipv4.conf.eth0.arp_announce = 2\n', {file: other});
		const r = setup('revert', ['192.168.67.150'], '', {file: other});
		expect(r.changes).toEqual(expect.arrayContaining(['vip:-192.168.67.150', 'sysctl:eth0.arp_announce=0', `file:-${other}`, `file:-${argsPath(paths, other)}`]));
		expect(existsSync(bootScriptPath(paths)) && existsSync(paths.unit) && existsSync(paths.link)).toBe(true);
		expect(addrs('lo')).toContain(`${VIP}/32`);
		expect(sysctl('all.arp_announce')).toBe('2');
	});

	it('without a record (an earlier lvsdeck) sets the file\'s sysctls to the kernel\'s 0', () => {
		mkdirSync(path.dirname(conf), {recursive: true});
		writeFileSync(conf, SYSCTL_TEXT);
		writeFileSync(path.join(net, 'sysctl', 'net.ipv4.conf.all.arp_announce'), '2\n');
		const r = setup('revert', [], '');
		expect(r.changes).toEqual(expect.arrayContaining(['sysctl:all.arp_announce=0', `file:-${conf}`]));
		expect(sysctl('all.arp_announce')).toBe('0');
	});
});

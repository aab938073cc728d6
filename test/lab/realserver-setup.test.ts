// The real-server setup deploy installs, against the DR lab: DR with the VIP on a dummy device named by
// vip_device (deploy creates it, a second deploy changes nothing, undo removes it and the lab's own
// profile puts rs2 back), and the setup script's TUN (tunl0, ipip, rp_filter) and NAT (default route)
// steps: check changes nothing and names what apply then does, apply is idempotent, revert undoes it;
// and the boot-time setup deploy installs (script, words, unit, link): the boot script puts back a VIP
// lost from lo, and revert puts back a sysctl's earlier value rather than the kernel's 0.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {loadProfile} from '../../src/profile/load.js';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {ARP_SYSCTL_FILE, realServerSetup, renderRealServerSysctlConf, setupArgs} from '../../src/render/realserver-setup.js';
import {argsPath, bootScript, bootScriptPath, bootUnit, parseSetupChanges, REALSERVER_SETUP_SCRIPT, SETUP_PATHS} from '../../src/actions/deploy/realserver-script.js';
import {CLI, LAB_PROFILE, ROOT, labProfile} from '../helpers/lab.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-rs-setup-'));
const VIP = profile.virtualServers[0]!.vip;
const DEVICE = 'lvsvip0';
/** The setup runs a few dozen small programs; the lab's emulated CPU is slow when the machine is busy. */
const SETUP_TIMEOUT_MS = 30_000;

const deployCli = (file: string, ...args: string[]) => spawnSync(process.execPath, [CLI, 'deploy', '--profile', file, '--yes', ...args], {encoding: 'utf8', timeout: 120_000});
const setup = (host: string, mode: 'apply' | 'check' | 'revert', args: readonly string[], stdin: string) =>
	pool.exec(host, ['sh', '-c', REALSERVER_SETUP_SCRIPT, 'lvsdeck-setup', mode, ARP_SYSCTL_FILE, ...args], {stdin, timeoutMs: SETUP_TIMEOUT_MS});
const addrs = async (host: string, dev: string) => (await pool.exec(host, ['sh', '-c', 'ip -o addr show dev "$1" 2>/dev/null || echo MISSING', 'x', dev])).stdout;
const sysctl = async (host: string, key: string) => (await pool.exec(host, ['sysctl', '-n', key])).stdout.trim();

/** lab.yaml with rs2's DR VIPs on a dummy device (paths made absolute so the copy can live elsewhere). */
function dummyVariant(): string {
	const text = readFileSync(LAB_PROFILE, 'utf8')
		.replaceAll('../.lab/', `${path.join(ROOT, '.lab')}/`)
		.replace('    address: 192.168.67.20\n    role: realserver\n', `    address: 192.168.67.20\n    role: realserver\n    vip_device: ${DEVICE}\n`);
	const file = path.join(tmp, 'dummy.yaml');
	writeFileSync(file, text);
	return file;
}

afterAll(async () => {
	// Put rs2 back on the lab's own setup whatever a test did.
	await setup('rs2', 'revert', [`dev=${DEVICE}`, VIP], '').catch(() => undefined);
	deployCli(LAB_PROFILE, '--host', 'rs2');
	await pool.close();
});

describe('DR with the VIP on a dummy device (vip_device)', () => {
	const file = dummyVariant();
	const variant = loadProfile(file);

	it('the variant renders the dummy device and its ARP sysctls', () => {
		const s = realServerSetup(variant, 'rs2');
		expect(setupArgs(s)).toEqual([`dev=${DEVICE}`, VIP]);
		expect(renderRealServerSysctlConf(variant.name, s)).toContain(`net.ipv4.conf.${DEVICE}.arp_ignore = 1`);
	});

	it('deploy creates the device with the VIP and installs the file; a second deploy changes nothing', async () => {
		expect(await addrs('rs2', DEVICE)).toContain('MISSING');
		const dry = spawnSync(process.execPath, [CLI, 'deploy', '--profile', file, '--host', 'rs2', '--dry-run'], {encoding: 'utf8', timeout: 60_000});
		expect(dry.status, dry.stderr).toBe(0);
		expect(dry.stdout).toContain(`dev:${DEVICE}`);
		expect(await addrs('rs2', DEVICE)).toContain('MISSING');

		const first = deployCli(file, '--host', 'rs2');
		expect(first.status, first.stdout + first.stderr).toBe(0);
		expect(first.stdout).toMatch(new RegExp(`rs2\\s+deployed\\s+.*vip:${VIP.replaceAll('.', '\\.')}@${DEVICE}`));
		expect(await addrs('rs2', DEVICE)).toContain(` ${VIP}/32 `);
		expect(await sysctl('rs2', `net.ipv4.conf.${DEVICE}.arp_ignore`)).toBe('1');
		expect(await sysctl('rs2', `net.ipv4.conf.${DEVICE}.arp_announce`)).toBe('2');
		expect((await pool.exec('rs2', ['cat', ARP_SYSCTL_FILE])).stdout).toBe(renderRealServerSysctlConf(variant.name, realServerSetup(variant, 'rs2')));

		const second = deployCli(file, '--host', 'rs2');
		expect(second.status, second.stderr).toBe(0);
		expect(second.stdout).toContain('nothing to deploy');
	});

	it('undo removes the VIP, the device, its sysctls and the file, keeps what was there before; the lab profile then restores rs2', async () => {
		const before = await sysctl('rs2', 'net.ipv4.conf.all.arp_ignore');
		const revert = await setup('rs2', 'revert', [`dev=${DEVICE}`, VIP], '');
		expect(revert.code, revert.stderr).toBe(0);
		expect(parseSetupChanges(revert.stdout)).toEqual(expect.arrayContaining([`vip:-${VIP}@${DEVICE}`, `dev:-${DEVICE}`, `file:-${ARP_SYSCTL_FILE}`, `sysctl:${DEVICE}.arp_ignore=0`]));
		expect(await addrs('rs2', DEVICE)).toContain('MISSING');
		expect((await pool.exec('rs2', ['test', '-e', ARP_SYSCTL_FILE])).code).not.toBe(0);
		// The lab's own setup had all.arp_ignore at 1 before the variant: revert leaves it there.
		expect(await sysctl('rs2', 'net.ipv4.conf.all.arp_ignore')).toBe(before);
		const again = await setup('rs2', 'revert', [`dev=${DEVICE}`, VIP], '');
		expect(parseSetupChanges(again.stdout)).toEqual([]);

		const restore = deployCli(LAB_PROFILE, '--host', 'rs2');
		expect(restore.status, restore.stdout + restore.stderr).toBe(0);
		expect(restore.stdout).toMatch(new RegExp(`rs2\\s+deployed\\s+.*file:${ARP_SYSCTL_FILE.replaceAll('.', '\\.')}`));
		expect(await sysctl('rs2', 'net.ipv4.conf.all.arp_ignore')).toBe('1');
		expect(await addrs('rs2', 'lo')).toContain(` ${VIP}/32 `);
		expect(deployCli(LAB_PROFILE, '--host', 'rs2').stdout).toContain('nothing to deploy');
	});
});

describe('TUN and NAT steps of the setup script (on rs1, with a VIP no service uses)', () => {
	const TUN_VIP = '192.168.67.199';
	const GW = '192.168.67.1';
	const args = [`tun=${TUN_VIP}`, `gw=${GW}`];
	// Only the tunnel's rp_filter: the lab's DR ARP settings of rs1 stay as they are.
	const file = 'net.ipv4.conf.tunl0.rp_filter = 0\n';
	const file2 = '/etc/sysctl.d/91-lvsdeck-test.conf';
	const run = (mode: 'apply' | 'check' | 'revert') => pool.exec('rs1', ['sh', '-c', REALSERVER_SETUP_SCRIPT, 'lvsdeck-setup', mode, file2, ...args], {stdin: mode === 'revert' ? '' : file, timeoutMs: SETUP_TIMEOUT_MS});

	afterAll(async () => {
		await run('revert').catch(() => undefined);
	});

	it('check names what apply will do and changes nothing; apply does it; a second apply changes nothing', async () => {
		const routeBefore = (await pool.exec('rs1', ['ip', 'route', 'show', 'default'])).stdout;
		expect(routeBefore).not.toContain(`via ${GW}`);
		const check = await run('check');
		expect(check.code, check.stderr).toBe(0);
		const planned = parseSetupChanges(check.stdout)!;
		expect(planned).toEqual(expect.arrayContaining([`vip:${TUN_VIP}@tunl0`, `route:default-via-${GW}`]));
		expect(await addrs('rs1', 'tunl0')).not.toContain(TUN_VIP);
		expect((await pool.exec('rs1', ['ip', 'route', 'show', 'default'])).stdout).toBe(routeBefore);

		const apply = await run('apply');
		expect(apply.code, apply.stderr).toBe(0);
		expect(parseSetupChanges(apply.stdout)).toEqual(expect.arrayContaining([`vip:${TUN_VIP}@tunl0`, `route:default-via-${GW}`, `file:${file2}`]));
		expect(await addrs('rs1', 'tunl0')).toContain(` ${TUN_VIP}/32 `);
		expect(await addrs('rs1', 'tunl0')).toMatch(/tunl0/);
		expect((await pool.exec('rs1', ['ip', 'link', 'show', 'dev', 'tunl0'])).stdout).toMatch(/[<,]UP[,>]/);
		expect(await sysctl('rs1', 'net.ipv4.conf.tunl0.rp_filter')).toBe('0');
		expect((await pool.exec('rs1', ['ip', 'route', 'show', 'default'])).stdout).toContain(`default via ${GW} `);

		expect(parseSetupChanges((await run('check')).stdout)).toEqual([]);
		expect(parseSetupChanges((await run('apply')).stdout)).toEqual([]);
	});

	it('revert takes the VIP, the route and the file away, and only once', async () => {
		const revert = await run('revert');
		expect(revert.code, revert.stderr).toBe(0);
		expect(parseSetupChanges(revert.stdout)).toEqual(expect.arrayContaining([`vip:-${TUN_VIP}@tunl0`, `route:-default-via-${GW}`, `file:-${file2}`]));
		expect(await addrs('rs1', 'tunl0')).not.toContain(TUN_VIP);
		expect((await pool.exec('rs1', ['ip', 'route', 'show', 'default'])).stdout).not.toContain(`via ${GW}`);
		expect(parseSetupChanges((await run('revert')).stdout)).toEqual([]);
	});
});

describe('the boot-time setup (rs1)', () => {
	const rs1 = profile.hosts.find((h) => h.name === 'rs1')!;
	const boot = bootScriptPath(SETUP_PATHS);

	it('deploy installs the boot script, its words, the unit and its link; a second deploy has nothing to do', async () => {
		await pool.exec('rs1', ['rm', '-f', boot, SETUP_PATHS.unit, SETUP_PATHS.link, argsPath(SETUP_PATHS, ARP_SYSCTL_FILE)]);
		const first = deployCli(LAB_PROFILE, '--host', 'rs1');
		expect(first.status, first.stdout + first.stderr).toBe(0);
		expect(first.stdout).toMatch(/rs1\s+deployed\s/);
		for (const item of [`file:${boot}`, `file:${SETUP_PATHS.unit}`, `link:${SETUP_PATHS.link}`]) expect(first.stdout).toContain(item);
		expect((await pool.exec('rs1', ['cat', boot])).stdout).toBe(bootScript(SETUP_PATHS));
		expect((await pool.exec('rs1', ['cat', SETUP_PATHS.unit])).stdout).toBe(bootUnit(SETUP_PATHS));
		expect((await pool.exec('rs1', ['readlink', SETUP_PATHS.link])).stdout.trim()).toBe(SETUP_PATHS.unit);
		expect((await pool.exec('rs1', ['cat', argsPath(SETUP_PATHS, ARP_SYSCTL_FILE)])).stdout).toBe(`${ARP_SYSCTL_FILE}\n${VIP}\n`);
		expect((await pool.exec('rs1', ['stat', '-c', '%u %a', boot])).stdout.trim()).toBe('0 755');
		expect(deployCli(LAB_PROFILE, '--host', 'rs1').stdout).toContain('nothing to deploy');
	});

	it('the installed boot script puts back the VIP deleted from lo', async () => {
		try {
			await pool.exec('rs1', ['ip', 'addr', 'del', `${VIP}/32`, 'dev', 'lo']);
			expect(await addrs('rs1', 'lo')).not.toContain(` ${VIP}/32 `);
			const run = await pool.exec('rs1', ['sh', boot], {timeoutMs: SETUP_TIMEOUT_MS});
			expect(run.code, run.stderr).toBe(0);
			expect(parseSetupChanges(run.stdout)).toEqual([`vip:${VIP}`]);
			expect(await addrs('rs1', 'lo')).toContain(` ${VIP}/32 `);
		} finally {
			await pool.exec('rs1', ['sh', '-c', 'ip addr add "$1/32" dev lo 2>/dev/null; true', 'lvsdeck-test', VIP]);
		}
	});

	it("revert puts back a sysctl's earlier non-zero value, and keeps the boot files of the setup still recorded", async () => {
		const iface = (await pool.exec('rs1', ['sh', '-c', 'ip -o -4 addr show | awk -v a="$1/" \'index($4, a) == 1 { print $2 }\'', 'lvsdeck-test', rs1.address])).stdout.trim();
		expect(iface).toMatch(/^\w+$/);
		const key = `net.ipv4.conf.${iface}.arp_announce`;
		const file = '/etc/sysctl.d/92-lvsdeck-previous-test.conf';
		const run = (mode: 'apply' | 'revert') => pool.exec('rs1', ['sh', '-c', REALSERVER_SETUP_SCRIPT, 'lvsdeck-setup', mode, file], {stdin: mode === 'revert' ? '' : `${key} = 2\n`, timeoutMs: SETUP_TIMEOUT_MS});
		const original = await sysctl('rs1', key);
		try {
			// Effective arp_announce is max(all, interface) = 2 throughout: the lab's DR setup is unaffected.
			await pool.exec('rs1', ['sysctl', '-qw', `${key}=1`]);
			const apply = await run('apply');
			expect(apply.code, apply.stderr).toBe(0);
			expect(parseSetupChanges(apply.stdout)).toEqual(expect.arrayContaining([`sysctl:${iface}.arp_announce=2`, `file:${file}`]));
			expect(await sysctl('rs1', key)).toBe('2');
			const revert = await run('revert');
			expect(revert.code, revert.stderr).toBe(0);
			expect(parseSetupChanges(revert.stdout)).toEqual(expect.arrayContaining([`sysctl:${iface}.arp_announce=1`, `file:-${file}`]));
			expect(await sysctl('rs1', key)).toBe('1');
			expect((await pool.exec('rs1', ['test', '-f', SETUP_PATHS.unit])).code).toBe(0);
			expect((await pool.exec('rs1', ['test', '-f', boot])).code).toBe(0);
		} finally {
			await run('revert').catch(() => undefined);
			await pool.exec('rs1', ['sysctl', '-qw', `${key}=${original}`]);
		}
	});
});

// `lvsdeck doctor` on the real lab: clean, it passes; each case breaks one thing the tutorials list,
// asserts doctor names it (check id, subject, status), and restores it in `finally`. Doctor runs
// in-process over a read-only transport, as the command does.
import {readFileSync} from 'node:fs';
import {execFileSync} from 'node:child_process';
import {afterAll, describe, expect, it} from 'vitest';
import {ClusterPoller} from '../../src/cluster/poller.js';
import {ClusterStore} from '../../src/cluster/store.js';
import {runDoctor, type DoctorReport} from '../../src/actions/doctor/session.js';
import type {DoctorCheck} from '../../src/actions/doctor/check.js';
import {createClusterTransport} from '../../src/transport/cluster-transport.js';
import {SshPool} from '../../src/transport/ssh-pool.js';
import type {Transport} from '../../src/transport/types.js';
import {CLI, LAB_PROFILE, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile: lab} = labProfile();
const control = new SshPool(lab.hosts);
const CONF = lab.keepalived.configPath;
const PASS = lab.instances[0]!.authentication!.pass;

afterAll(async () => {
	await control.close();
});

async function run(host: string, argv: string[], stdin?: string): Promise<string> {
	const r = await control.exec(host, argv, stdin === undefined ? {} : {stdin});
	if (r.code !== 0) throw new Error(`${host}: ${argv.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
	return r.stdout;
}

/** Doctor over a read-only transport; `wrap` lets a case stand between doctor and the hosts. */
async function doctor(wrap: (t: Transport) => Transport = (t) => t): Promise<DoctorReport> {
	const transport = createClusterTransport(lab, {readOnly: true});
	try {
		const report = await runDoctor(lab, wrap(transport));
		// Whatever broke, no check quotes the VRRP password.
		expect(JSON.stringify(report)).not.toContain(PASS);
		return report;
	} finally {
		await transport.close();
	}
}

const find = (r: DoctorReport, id: string, subject: string): DoctorCheck | undefined => r.checks.find((c) => c.id === id && c.subject === subject);
const notOk = (r: DoctorReport) => r.checks.filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => `${c.status}:${c.id}:${c.subject}`);

/** The lab as it was: no finding, dir1 holding the VIP. */
async function healthy(): Promise<void> {
	const transport = createClusterTransport(lab, {readOnly: true});
	const store = new ClusterStore(lab);
	const poller = new ClusterPoller(lab, transport, store, {events: false});
	try {
		const poll = async () => {
			await poller.pollOnce();
			return store.getState();
		};
		await waitFor(poll, (st) => st.findings.length === 0 && st.vips[0]!.holders.join() === 'dir1', {timeoutMs: 30_000, intervalMs: 500, what: 'the lab healthy with dir1 holding the VIP'});
	} finally {
		await transport.close();
	}
}

/** Writes dir's keepalived.conf (tested by keepalived first) and reloads keepalived. */
async function install(host: string, text: string): Promise<void> {
	await run(host, ['sh', '-c', 'cat > "$1.lvsdeck-test" && keepalived -t -f "$1.lvsdeck-test" && mv "$1.lvsdeck-test" "$1"', 'lvsdeck-test', CONF], text);
	await run(host, [...lab.keepalived.reload]);
}

describe('lvsdeck doctor on the lab', {timeout: 90_000}, () => {
	it('passes on the clean lab: the CLI exits 0 with no warning and prints one JSON record per check', () => {
		// The command itself, as an operator runs it (one doctor run: the lab's user-mode kernel is slow).
		const lines = execFileSync('node', [CLI, 'doctor', '--profile', LAB_PROFILE, '--json'], {encoding: 'utf8'}).trim().split('\n');
		const records = lines.map((l) => JSON.parse(l) as DoctorCheck);
		for (const r of records) expect(Object.keys(r).slice(0, 5)).toEqual(['id', 'status', 'subject', 'evidence', 'fix']);
		expect(records.filter((c) => c.status === 'fail' || c.status === 'warn')).toEqual([]);
		const status = (id: string, subject: string) => records.find((c) => c.id === id && c.subject === subject)?.status;
		console.log(`doctor lab: skipped ${records.filter((c) => c.status === 'skip').map((c) => `${c.id} ${c.subject}: ${c.evidence}`).join(' | ')}`);
		expect(status('vrrp.adverts', 'dir2 VI_1')).toBe('ok');
		expect(status('vrrp.auth', 'dir2 VI_1')).toBe('ok');
		expect(status('vrrp.foreign-router', 'dir1 VI_1')).toBe('ok');
		expect(status('vrrp.firewall', 'dir2')).toBe('ok');
		expect(status('time.clocks', 'directors')).toBe('ok');
		expect(status('keepalived.config-test', 'dir1')).toBe('ok');
		// The lab's Debian 2.2.7 build has LVS, VRRP and VRRP_AUTH; there is no firewalld in the lab.
		expect(records.find((c) => c.id === 'keepalived.build' && c.subject === 'dir1')).toMatchObject({status: 'ok', evidence: expect.stringMatching(/^Config options: LVS VRRP VRRP_AUTH VRRP_VMAC JSON BFD NFTABLES/)});
		expect(records.find((c) => c.id === 'vrrp.firewalld' && c.subject === 'dir1')).toMatchObject({status: 'skip', evidence: expect.stringMatching(/firewalld is not running/)});
		expect(status('lvs.health', 'rs1')).toBe('ok');
		expect(records.find((c) => c.id === 'vrrp.unicast-multicast')?.evidence).toBe('unicast on dir1, dir2');
		expect(records.find((c) => c.id === 'lvs.realserver' && c.subject === 'rs1')?.evidence).toBe('set up for DR');
		expect(lines.join('\n')).not.toContain(PASS);
	});

	it('a wrong auth_pass on dir2: the authentication check fails for dir2', async () => {
		const original = await run('dir2', ['cat', CONF]);
		try {
			await install('dir2', original.replace(`auth_pass ${PASS}`, 'auth_pass wrong2'));
			const report = await doctor();
			// The mismatch shows on whichever member receives adverts in the window: after dir2's reload either
			// dir1 or dir2 may be the one sending (both can be MASTER for a moment), so either side names it.
			const auth = report.checks.find((c) => c.id === 'vrrp.auth' && c.status === 'fail' && /^dir[12] VI_1$/.test(c.subject));
			expect(auth, JSON.stringify(report.checks.filter((c) => c.id.startsWith('vrrp.')))).toMatchObject({
				status: 'fail',
				evidence: expect.stringMatching(/adverts refused for their authentication/),
				fix: expect.stringMatching(/same authentication/),
			});
			expect(report.code).toBe(2);
			expect(JSON.stringify(report)).not.toContain('wrong2');
		} finally {
			await install('dir2', original).catch(() => undefined);
			await healthy();
		}
	});

	it('a firewall rule on dir2 dropping VRRP: the firewall check fails for dir2 and quotes the rule', async (ctx) => {
		// nft where the lab kernel has nf_tables for the ip family, else iptables-legacy (the lab kernel may
		// have only one of them); doctor reads both. Debian's UML 7.2 (the kernel for hosts whose CPU has AMX)
		// has neither: nf_tables without any address family, and no ip_tables module. Then there is no rule
		// to add, and the check is covered only by its unit tests on captured rulesets.
		const added = await run('dir2', [
			'sh',
			'-c',
			"if nft add table ip lvsdeck_doctor 2>/dev/null && nft add chain ip lvsdeck_doctor input '{ type filter hook input priority 0; }' && nft add rule ip lvsdeck_doctor input ip protocol vrrp drop; then echo nft; else nft delete table ip lvsdeck_doctor 2>/dev/null; if iptables-legacy -I INPUT -p vrrp -j DROP 2>/dev/null; then echo iptables; else echo none; fi; fi",
		]);
		ctx.skip(added.trim() === 'none', `the lab kernel (${(await run('dir2', ['uname', '-r'])).trim()}) has no firewall tables for nft or iptables-legacy`);
		try {
			console.log(`doctor lab: the VRRP drop rule was added with ${added.trim()}`);
			const report = await doctor();
			const fw = find(report, 'vrrp.firewall', 'dir2');
			expect(fw?.status).toBe('fail');
			expect(fw?.evidence).toMatch(added.trim() === 'nft' ? /ip protocol vrrp drop/ : /-A INPUT -p (vrrp|112) -j DROP/);
			expect(find(report, 'vrrp.firewall', 'dir1')?.status).toBe('ok');
			// dir2 hears nothing: as BACKUP it fails the adverts check; once it took over, there is no backup to check.
			expect(find(report, 'vrrp.adverts', 'dir2 VI_1')?.status ?? 'absent').not.toBe('ok');
		} finally {
			if (added.trim() === 'nft') await run('dir2', ['nft', 'delete', 'table', 'ip', 'lvsdeck_doctor']);
			else await run('dir2', ['iptables-legacy', '-D', 'INPUT', '-p', 'vrrp', '-j', 'DROP']);
			await healthy();
		}
	});

	it('a second VRRP router on VRID 100 (raw adverts from client1): the foreign-router check fails', async () => {
		const stop = new AbortController();
		// perl (perl-base is on every lab host) sends VRRPv2 adverts, priority 50, 5 a second, to both directors.
		const sender = [
			'use Socket;',
			'socket(my $s, PF_INET, SOCK_RAW, 112) or die "socket: $!";',
			'setsockopt($s, IPPROTO_IP, 2, pack("i", 255));',
			'my $p = pack("CCCCCCn", 0x21, 100, 50, 1, 1, 1, 0) . inet_aton("192.168.67.100") . pack("a8", $ARGV[0]);',
			'my $sum = 0; $sum += $_ for unpack("n*", $p); $sum = ($sum >> 16) + ($sum & 0xffff) while $sum >> 16;',
			'substr($p, 6, 2) = pack("n", ~$sum & 0xffff);',
			'for (1 .. 100) { send($s, $p, 0, sockaddr_in(0, inet_aton($_))) for "192.168.67.110", "192.168.67.120"; select(undef, undef, undef, 0.2) }',
		].join('\n');
		const sending = control.exec('client1', ['perl', '-e', sender, PASS], {timeoutMs: 25_000, signal: stop.signal}).catch(() => undefined);
		try {
			const report = await doctor();
			const foreign = report.checks.filter((c) => c.id === 'vrrp.foreign-router' && c.status === 'fail');
			expect(foreign.map((c) => c.subject)).toContain('dir1 VI_1');
			expect(foreign[0]!.evidence).toMatch(/another router advertises VRID 100/);
			// keepalived's log names the sender: dir1 (MASTER, 100) logs "Received advert from 192.168.67.30 with
			// lower priority 50", dir2 (BACKUP, 80) "received lower priority (50) advert from 192.168.67.30".
			const dir1 = foreign.find((c) => c.subject === 'dir1 VI_1')!;
			expect(dir1.evidence).toMatch(/keepalived logged adverts from 192\.168\.67\.30 \(priority 50\)/);
			expect(dir1.fix).toMatch(/^stop 192\.168\.67\.30 sending on VRID 100/);
			expect(dir1.evidence).not.toMatch(/from 192\.168\.67\.1[12]0\b/);
		} finally {
			stop.abort();
			await sending;
			await healthy();
		}
	});

	it("a real server's TCP service stopped: the health check fails for rs1 with keepalived's own reason from its log", async () => {
		// As the rs-health drill does: stop the unit behind TCP 9000 on rs1; keepalived's TCP_CHECK takes rs1 out.
		const transport = createClusterTransport(lab, {readOnly: true});
		const store = new ClusterStore(lab);
		const poller = new ClusterPoller(lab, transport, store, {events: false});
		try {
			await run('rs1', ['systemctl', 'stop', 'name-tcp-9000']);
			await waitFor(
				async () => {
					await poller.pollOnce();
					return store.getState();
				},
				(st) => st.findings.some((f) => f.kind === 'rs-missing' && f.subject === 'rs1' && f.message.includes(':9000 ') && f.message.endsWith('on dir1')),
				{timeoutMs: 30_000, intervalMs: 500, what: "rs1 out of dir1's TCP 9000 table"},
			);
			const report = await doctor();
			const health = find(report, 'lvs.health', 'rs1');
			console.log(`doctor lab: ${health?.evidence}`);
			expect(health?.status).toBe('fail');
			// keepalived 2.2.7's own lines (check_tcp.c, ipwrapper.c), read from the director's log file.
			expect(health?.evidence).toMatch(/dir[12]'s keepalived log at .*TCP_CHECK on service \[192\.168\.67\.10\]:tcp:9000 failed/);
			expect(health?.evidence).toMatch(/Removing service \[192\.168\.67\.10\]:tcp:9000 from VS \[192\.168\.67\.100\]:tcp:9000/);
			expect(health?.fix).toMatch(/start the service on rs1|keepalived's TCP_CHECK/);
			expect(find(report, 'lvs.health', 'rs2')?.status).toBe('ok');
		} finally {
			await run('rs1', ['systemctl', 'start', 'name-tcp-9000']);
			await transport.close();
			await healthy();
		}
	});

	it('a real server without arp_ignore: the real-server check fails for rs1', async () => {
		const keys = ['net.ipv4.conf.all.arp_ignore', 'net.ipv4.conf.eth0.arp_ignore'];
		const before = (await run('rs1', ['sysctl', '-n', ...keys])).trim().split('\n');
		try {
			await run('rs1', ['sysctl', '-qw', ...keys.map((k) => `${k}=0`)]);
			const report = await doctor();
			const rs = find(report, 'lvs.realserver', 'rs1');
			expect(rs?.status).toBe('fail');
			expect(rs?.evidence).toMatch(/arp_ignore/);
			expect(rs?.fix).toMatch(/arp_ignore=1/);
			expect(find(report, 'lvs.realserver', 'rs2')?.status).toBe('ok');
		} finally {
			await run('rs1', ['sysctl', '-qw', ...keys.map((k, i) => `${k}=${before[i]}`)]);
			await healthy();
		}
	});

	it('a notify script that is not executable: the scripts check fails for dir2 and names it', async () => {
		const script = '/etc/keepalived/lvsdeck-doctor-notify.sh';
		const original = await run('dir2', ['cat', CONF]);
		try {
			await run('dir2', ['sh', '-c', 'printf "#!/bin/sh\\nexit 0\\n" > "$1" && chmod 644 "$1"', 'x', script]);
			// Only the file changes: keepalived is not reloaded, doctor reads what is installed.
			await run('dir2', ['sh', '-c', 'cat > "$1"', 'x', CONF], original.replace('  priority 80\n', `  priority 80\n  notify_master ${script}\n`));
			const report = await doctor();
			const scripts = find(report, 'keepalived.scripts', 'dir2');
			expect(scripts?.status).toBe('fail');
			expect(scripts?.evidence).toBe(`${script} (vrrp_instance VI_1 notify_master) is not executable (mode 644)`);
			expect(find(report, 'keepalived.scripts', 'dir1')?.status).toBe('ok');
		} finally {
			await run('dir2', ['sh', '-c', 'cat > "$1"', 'x', CONF], original);
			await run('dir2', ['rm', '-f', script]);
		}
	});

	it("a director's clock 5 s off (faked in dir2's date answer): the clock check fails and names dir2", async () => {
		// The lab's hosts share one kernel clock, and a time namespace cannot move CLOCK_REALTIME, so the
		// answer of `date +%s.%N` from dir2 is moved by 5 s on its way back; the rest of doctor is real.
		const skewed = (t: Transport): Transport => ({
			exec: async (host, argv, options) => {
				const r = await t.exec(host, argv, options);
				if (host !== 'dir2' || argv.join(' ') !== 'date +%s.%N') return r;
				return {...r, stdout: `${(Number(r.stdout.trim()) + 5).toFixed(9)}\n`};
			},
			status: (h) => t.status(h),
			onStatus: (l) => t.onStatus(l),
			close: () => t.close(),
		});
		const report = await doctor(skewed);
		const clock = report.checks.find((c) => c.id === 'time.clocks');
		expect(clock?.status).toBe('fail');
		expect(clock?.subject).toBe('dir2 dir1');
		// The gap is measured over slow round trips: 5 s within the uncertainty the check states.
		const [, gap, margin] = /^(\d+\.\d{3}) s between dir2 and dir1 \(± (\d+\.\d{3}) s\)/.exec(clock?.evidence ?? '') ?? [];
		expect(Math.abs(Number(gap) - 5), clock?.evidence).toBeLessThanOrEqual(Number(margin) + 0.05);
		expect(clock?.host).toBe('dir2');
	});
});

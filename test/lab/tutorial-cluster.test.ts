// The first meeting of most users: a pair of directors configured by hand the way LVS tutorials teach
// (multicast VRRP with vrrp_mcast_group4, global_defs with mail settings, notify scripts, a vrrp_script
// with track_script, TCP_CHECK, the virtual server in an included conf.d/*.conf), written here with
// plain ssh (keepalived 2.2.7 refuses the tutorials' `vrrp_garp_interval 0`: the smallest values it takes
// stand in). Then `lvsdeck import` writes a profile from the running directors; with it `status` is
// healthy with no drift, `render` equals the installed files in keepalived terms, `deploy --dry-run`
// has nothing to do, and a failover drill passes. The lab's own files are put back at the end.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {compareKeepalivedConf, formatDifference, parseKeepalivedConf} from '../../src/keepalived-conf/index.js';
import {loadProfile} from '../../src/profile/load.js';
import {directors} from '../../src/profile/model.js';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {CLI, LAB_PROFILE, ROOT, labProfile} from '../helpers/lab.js';
import {waitFor} from '../helpers/wait-for.js';

const {profile: lab} = labProfile();
const pool = new SshPool(lab.hosts);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-lab-tutorial-'));
const out = path.join(work, 'imported.yaml');
const DIR = '/etc/keepalived';
const CONF = `${DIR}/keepalived.conf`;
const VIP = lab.instances[0]!.vips[0]!.address;

function tutorialMain(name: string, state: 'MASTER' | 'BACKUP', priority: number): string {
	return `! Configuration File for keepalived
! 主备切换配置 (hand-written, tutorial style)

global_defs {
\tnotification_email {
\t\tops@example.com
\t\tnoc@example.com
\t}
\tnotification_email_from keepalived@${name}.example.com
\tsmtp_server 127.0.0.1
\tsmtp_connect_timeout 30
\trouter_id LVS_${name.toUpperCase()}
\tvrrp_skip_check_adv_addr
\tvrrp_garp_interval 0.001
\tvrrp_gna_interval 0.000001
\tvrrp_mcast_group4 224.0.0.18
\tenable_script_security
\tscript_user root
}

vrrp_script chk_lo      # the check the tutorials use: is the box healthy at all
{
\tscript "/bin/true"
\tinterval 2
\tweight -20
}

vrrp_instance VI_1 {
\tstate ${state}
\tinterface eth0
\tvirtual_router_id 51
\tpriority ${priority}
\tadvert_int 1
\tauthentication {
\t\tauth_type PASS
\t\tauth_pass Tut0rial
\t}
\ttrack_script {
\t\tchk_lo
\t}
\tnotify_master "${DIR}/notify.sh master"
\tnotify_backup "${DIR}/notify.sh backup"
\tnotify_fault "${DIR}/notify.sh fault"
\tvirtual_ipaddress {
\t\t${VIP}/24 dev eth0 label eth0:1
\t}
}

include ${DIR}/conf.d/*.conf
`;
}

const realServers = lab.virtualServers[0]!.realServers.map((rs) => rs.address);
const LVS_CONF = `# LVS-DR web service
virtual_server ${VIP} 80 {
    delay_loop 2
    lb_algo rr
    lb_kind DR
    protocol TCP
${realServers
	.map(
		(address) => `    real_server ${address} 80 {
        weight 1
        TCP_CHECK {
            connect_port 80
            connect_timeout 2
            retry 1
            delay_before_retry 1
        }
    }`,
	)
	.join('\n')}
}
`;
const NOTIFY = '#!/bin/sh\necho "$(date) $1" >> /tmp/keepalived-notify.log\n';

async function run(host: string, script: string, stdin?: string): Promise<string> {
	const r = await pool.exec(host, ['sh', '-c', script], stdin === undefined ? {timeoutMs: 30_000} : {timeoutMs: 30_000, stdin});
	if (r.code !== 0) throw new Error(`${host}: ${script}: ${r.stderr}`);
	return r.stdout;
}

function cli(...args: string[]): {code: number | null; stdout: string; stderr: string} {
	const r = spawnSync(process.execPath, [CLI, ...args], {encoding: 'utf8', timeout: 180_000, cwd: ROOT});
	return {code: r.status, stdout: r.stdout, stderr: r.stderr};
}

/** The VIP is on dir1 and both directors' IPVS tables list both real servers. */
async function clusterReady(): Promise<boolean> {
	const [addr, t1, t2] = await Promise.all([run('dir1', 'ip -o addr show dev eth0'), run('dir1', 'ipvsadm -Ln'), run('dir2', 'ipvsadm -Ln')]);
	return addr.includes(`${VIP}/`) && realServers.every((a) => t1.includes(`${a}:80`) && t2.includes(`${a}:80`));
}

const saved = new Map<string, string>();

beforeAll(async () => {
	for (const d of directors(lab)) saved.set(d.name, await run(d.name, `cat ${CONF}`));
	const members: Array<[string, 'MASTER' | 'BACKUP', number]> = [
		['dir1', 'MASTER', 100],
		['dir2', 'BACKUP', 90],
	];
	for (const [name, state, priority] of members) {
		await run(name, `mkdir -p ${DIR}/conf.d && cat > ${DIR}/notify.sh && chmod 755 ${DIR}/notify.sh`, NOTIFY);
		await run(name, `cat > ${DIR}/conf.d/lvs.conf`, LVS_CONF);
		await run(name, `cat > ${CONF} && keepalived -t -f ${CONF} && systemctl restart keepalived`, tutorialMain(name, state, priority));
	}
	await waitFor(clusterReady, (ok) => ok, {timeoutMs: 60_000, intervalMs: 500, what: 'the hand-configured cluster to hold the VIP on dir1 with both real servers'});
}, 180_000);

afterAll(async () => {
	for (const [name, text] of saved) {
		await run(name, `cat > ${CONF} && rm -rf ${DIR}/conf.d ${DIR}/notify.sh && systemctl restart keepalived`, text).catch(() => undefined);
	}
	await waitFor(clusterReady, (ok) => ok, {timeoutMs: 60_000, intervalMs: 500, what: "the lab's own configuration back"}).catch(() => undefined);
	await pool.close();
	fs.rmSync(work, {recursive: true, force: true});
}, 180_000);

describe('a hand-configured tutorial pair, adopted with lvsdeck import', () => {
	it('imports both directors over SSH into a profile with the tutorial settings', () => {
		const r = cli('import', ...directors(lab).map((d) => `--director=${d.name}=root@${d.address}`), '--ssh-from', LAB_PROFILE, '--out', out);
		expect(r.code, r.stderr).toBe(0);
		const text = fs.readFileSync(out, 'utf8');
		for (const keyword of ['notification_email', 'vrrp_mcast_group4', 'notify_master', 'chk_lo', 'TCP_CHECK', 'smtp_server']) expect(text).toContain(keyword);
		const profile = loadProfile(out);
		expect(profile.instances.map((i) => [i.name, i.vrid, i.members.map((m) => [m.director, m.priority])])).toEqual([
			[
				'VI_1',
				51,
				[
					['dir1', 100],
					['dir2', 90],
				],
			],
		]);
	});

	it('renders, for each director, what it has installed (includes followed), in keepalived terms', async () => {
		for (const d of directors(lab)) {
			const r = cli('render', '--profile', out, '--host', d.name, '--show-secrets');
			expect(r.code, r.stderr).toBe(0);
			const files: Record<string, string> = {[CONF]: await run(d.name, `cat ${CONF}`), [`${DIR}/conf.d/lvs.conf`]: LVS_CONF};
			const installed = parseKeepalivedConf(files[CONF]!, {file: CONF, configId: d.name, files: {readFile: (p) => files[p], listDirectory: (p) => (p === `${DIR}/conf.d` ? ['lvs.conf'] : undefined)}});
			const rendered = parseKeepalivedConf(r.stdout, {file: 'render', configId: d.name});
			if (!installed.ok || !rendered.ok) throw new Error(`${d.name}: does not parse`);
			expect(compareKeepalivedConf(installed.config, rendered.config).map((x) => formatDifference(x))).toEqual([]);
		}
	});

	it('status is healthy with no drift', async () => {
		const r = await waitFor(
			async () => cli('status', '--profile', out, '--json'),
			(s) => s.code === 0,
			{timeoutMs: 60_000, intervalMs: 1000, what: 'status on the imported profile to be healthy'},
		);
		const report = JSON.parse(r.value.stdout) as {findings: Array<{kind: string; message: string}>};
		expect(report.findings.filter((f) => f.kind === 'config-drift')).toEqual([]);
		expect(r.value.stdout).not.toContain('Tut0rial');
	});

	it('deploy --dry-run has nothing to do on the directors', () => {
		const r = cli('deploy', '--profile', out, '--dry-run');
		expect(r.code, r.stderr).toBe(0);
		for (const d of directors(lab)) expect(r.stdout).not.toMatch(new RegExp(`== ${d.name} .*changes`));
		expect(r.stdout).not.toContain('Tut0rial');
	});

	it('a failover drill on the imported profile passes', () => {
		const r = cli('drill', 'failover', '--profile', out, '--json', path.join(work, 'drill.json'));
		expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
		const report = JSON.parse(fs.readFileSync(path.join(work, 'drill.json'), 'utf8')) as {verdict?: string; passed?: boolean};
		expect(JSON.stringify(report)).not.toContain('Tut0rial');
	});
});

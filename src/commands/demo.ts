// `lvsdeck demo`: the main job in one command. Starts the lab if it is not up, then opens the console
// on it inside the lab's station namespace. Without a terminal (CI, pipes) it prints a first look
// instead: hosts, each director's VIPs and IPVS table, and round-robin through the VIP.
import {loadProfile} from '../profile/load.js';
import {directors} from '../profile/model.js';
import {labUp} from '../lab/lab.js';
import {collectLabStatus, formatLabStatus} from '../lab/lab-status.js';
import {planLab} from '../lab/plan.js';
import {isInNetns} from '../transport/netns.js';
import {SshPool} from '../transport/ssh-pool.js';
import {runInStation} from '../station.js';
import {consoleCommand} from './console.js';
import {printErr, printOut} from '../text/sink.js';
import {urlHost} from '../profile/subnet.js';

export async function demoCommand(profileFile: string): Promise<number> {
	const profile = loadProfile(profileFile);
	const plan = planLab(profile);
	if (!isInNetns(plan.netns)) {
		const r = await labUp(plan, profile, (l) => printErr(`lab: ${l}`));
		printErr(r.alreadyUp ? 'lab: already up' : `lab: up in ${(r.bootMs / 1000).toFixed(1)} s`);
	}
	if (process.stdout.isTTY && process.stdin.isTTY) return consoleCommand({profile: profileFile});
	const reexec = await runInStation(plan.netns);
	if (reexec !== undefined) return reexec;

	const out = printOut;
	out(`\n== hosts (${profile.name})`);
	out(formatLabStatus(await collectLabStatus(plan, profile)));
	const pool = new SshPool(profile.hosts);
	try {
		for (const d of directors(profile)) {
			const r = await pool.exec(d.name, ['ipvsadm', '-Ln']);
			const vips = await pool.exec(d.name, ['ip', '-o', 'addr', 'show']);
			const held = profile.instances.flatMap((i) => i.vips).filter((v) => vips.stdout.includes(` ${v.address}/`));
			out(`\n== ${d.name} (${d.address}) holds ${held.length > 0 ? held.map((v) => v.address).join(', ') : 'no VIP'}; ipvsadm -Ln:`);
			out(r.stdout.trimEnd());
		}
	} finally {
		await pool.close();
	}
	for (const vs of profile.virtualServers.filter((v) => v.protocol === 'TCP')) {
		const answers: string[] = [];
		for (let i = 0; i < 6; i++) {
			try {
				const res = await fetch(`http://${urlHost(vs.vip)}:${vs.port}/`, {signal: AbortSignal.timeout(2000)});
				answers.push((await res.text()).trim());
			} catch {
				answers.push('(failed)');
			}
		}
		out(`\n== 6 requests to http://${vs.vip}:${vs.port}/ -> ${answers.join(' ')}`);
	}
	out('\nNext: lvsdeck lab exec -- ssh ...  |  lvsdeck lab status  |  lvsdeck lab down');
	return 0;
}

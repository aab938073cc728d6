// `lvsdeck status` for the lab's hosts against the same reads done by hand: a sequential loop of
// `ssh host CMD` (one OpenSSH connection per command, as an operator's shell loop does). Same run.
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import type {Profile} from '../src/profile/model.js';
import {packageRoot} from '../src/lab/plan.js';
import {ipvsListCommand, ipvsRateCommand, ipvsStatsCommand} from '../src/probes/ipvs.js';
import {ipAddrJsonCommand} from '../src/probes/vip.js';
import {keepalivedDumpCommand} from '../src/probes/vrrp.js';
import {realServerCheckCommand} from '../src/probes/realserver.js';
import {shellJoin} from '../src/transport/quote.js';
import {median} from './parse.js';

function timeIt(fn: () => void): number {
	const t = Date.now();
	fn();
	return Date.now() - t;
}

export async function benchStatusVsSsh(profile: Profile, log: (line: string) => void): Promise<Record<string, unknown>> {
	const cli = path.join(packageRoot(), 'dist', 'cli.js');
	const reads = (h: Profile['hosts'][number]): Array<readonly string[]> =>
		h.role === 'director'
			? [
					ipvsListCommand(),
					ipvsStatsCommand(),
					ipvsRateCommand(),
					ipAddrJsonCommand(),
					['sha256sum', profile.keepalived.configPath],
					profile.keepalived.status,
					keepalivedDumpCommand('json'),
				]
			: [realServerCheckCommand(), ...(h.service ? [h.service.status] : [])];
	const sshLoop = () => {
		for (const h of profile.hosts) {
			for (const argv of reads(h)) {
				const r = spawnSync(
					'ssh',
					['-i', h.ssh.identityFiles[0]!, '-o', `UserKnownHostsFile=${h.ssh.knownHostsFiles[0]}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', `${h.ssh.user}@${h.address}`, shellJoin(argv)],
					{encoding: 'utf8'},
				);
				if (r.status === 255) throw new Error(`ssh to ${h.name} failed: ${r.stderr}`);
			}
		}
	};
	const status = () => {
		const r = spawnSync(process.execPath, [cli, 'status', '--profile', profile.file, '--json'], {encoding: 'utf8'});
		if (r.status === 2) throw new Error(`status failed: ${r.stderr}`);
	};
	const statusMs: number[] = [];
	const sshMs: number[] = [];
	for (let i = 0; i < 3; i++) {
		statusMs.push(timeIt(status));
		sshMs.push(timeIt(sshLoop));
	}
	const commands = profile.hosts.reduce((n, h) => n + reads(h).length, 0);
	const result = {
		hosts: profile.hosts.length,
		commandsPerRound: commands,
		statusMedianMs: median(statusMs),
		sshLoopMedianMs: median(sshMs),
		ratio: +(median(sshMs) / median(statusMs)).toFixed(2),
	};
	log(`status ${result.statusMedianMs} ms vs sequential ssh loop (${commands} commands) ${result.sshLoopMedianMs} ms: ${result.ratio}x faster`);
	return result;
}

// The console watching a lab-shaped cluster without the lab: 2 directors and 2 real servers, each an
// SSH server on its own loopback address (bench/fleet-servers.ts, another process) answering captured
// lab output; a quiet cluster, every poll reading what it read before. The real console in a 120x40
// tmux terminal for 60 s, as consoleWatch runs it on the lab: what the console costs when nothing
// changes, apart from the lab's slow emulated hosts. Targets (issue 16): under 2% of a core, 100 MB.
// Each host answers as a healthy host of the cluster's profile would (bench/fleet-world.ts: dir1 MASTER
// with the VIP, dir2 BACKUP, the whole IPVS table, the rendered config; the real servers' service ports
// answer): the screen shows no findings.
import {rmSync} from 'node:fs';
import path from 'node:path';
import {packageRoot} from '../src/lab/plan.js';
import {clusterAddresses, clusterProfile, fleetKeyDir, labServicePorts} from './fleet.js';
import {flagVariants, watchOnce, type WatchRun} from './console-watch.js';
import {startSimulatedHosts} from './simulated-hosts.js';

export async function benchConsoleWatchSimulated(log: (line: string) => void, seconds = 60, rounds = 2): Promise<Record<string, unknown>> {
	const cli = path.join(packageRoot(), 'dist', 'cli.js');
	const dir = fleetKeyDir('lvsdeck-bench-console-sim-');
	const servers = await startSimulatedHosts(clusterAddresses(1, 2), {profilesDir: dir, services: labServicePorts()});
	const runs: WatchRun[] = [];
	try {
		const file = clusterProfile(1, servers.port, servers.fingerprint, dir, 2);
		// The shebang's flags, alternating with the sets they are compared with (without the old-space cap alone).
		const variants = flagVariants(cli).slice(0, -1);
		for (let round = 0; round < rounds; round++) {
			for (const flags of variants) {
				const r = await watchOnce({file}, cli, flags, seconds);
				runs.push(r);
				log(`console watching a simulated quiet cluster (2 directors, 2 real servers) for ${seconds} s (node ${r.flags}): ${r.cpuPercentOfOneCore}% of one core, peak RSS ${r.peakRssMb} MB (targets < 2%, < 100 MB)`);
			}
		}
	} finally {
		servers.stop();
		rmSync(dir, {recursive: true, force: true});
	}
	return {seconds, pollIntervalMs: 1000, targets: {cpuPercent: 2, peakRssMb: 100}, runs};
}

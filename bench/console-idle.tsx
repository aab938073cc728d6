// The console's steady state without the lab: the lab profile's 5 hosts each polled once a second
// (spread over the second), every poll changing nothing but its poll times (an idle cluster), the
// console at 120x40 with its real clock. Counts frames written and this process's CPU over 20 s. It
// isolates the console's own drawing cost from SSH (the lab's consoleWatch section measures both).
import path from 'node:path';
import {renderScreen} from '../src/ui/render.js';
import {loadProfile} from '../src/profile/load.js';
import {packageRoot} from '../src/lab/plan.js';
import {ClusterStore} from '../src/cluster/store.js';
import {generateIpvsServices} from '../test/helpers/ipvs-synth.js';
import {ConsoleApp} from '../src/ui/console/App.js';
import {ActionLog} from '../src/ui/action-log.js';
import {RateHistory} from '../src/ui/history.js';
import {FrameSink, QuietStdin} from './terminal-stand-ins.js';

export async function benchConsoleIdle(log: (line: string) => void, seconds = 20): Promise<Record<string, unknown>> {
	const profile = loadProfile(path.join(packageRoot(), 'profiles', 'lab.yaml'));
	const store = new ClusterStore(profile);
	const history = new RateHistory();
	const detach = history.attach(store);
	const poll = (name: string) => {
		const t = Date.now();
		store.updateHost(name, (prev) => ({
			...prev,
			reachable: true,
			lastOkAt: t,
			lastPollAt: t,
			...(prev.role === 'director' ? {director: prev.director ?? {ipvs: {services: generateIpvsServices(1, 2, 1), problems: []}, addresses: [], vrrp: [], keepalivedActive: true}} : {}),
		}));
	};
	const names = profile.hosts.map((h) => h.name);
	for (const n of names) poll(n);
	const terminal = new FrameSink(120, 40);
	const app = renderScreen(<ConsoleApp profile={profile} store={store} history={history} log={new ActionLog()} size={{columns: 120, rows: 40}} />, {
		stdout: terminal as unknown as NodeJS.WriteStream,
		stdin: new QuietStdin() as unknown as NodeJS.ReadStream,
		maxFps: 8,
		patchConsole: false,
		exitOnCtrlC: false,
	});
	const timers: NodeJS.Timeout[] = [];
	names.forEach((n, i) => timers.push(setTimeout(() => timers.push(setInterval(() => poll(n), 1000)), (1000 / names.length) * i)));
	try {
		await new Promise((r) => setTimeout(r, 3000)); // every host polled a few times
		const frames0 = terminal.frames;
		const cpu0 = process.cpuUsage();
		const t0 = performance.now();
		await new Promise((r) => setTimeout(r, seconds * 1000));
		const cpu = process.cpuUsage(cpu0);
		const elapsedS = (performance.now() - t0) / 1000;
		const result = {
			seconds,
			terminal: '120x40',
			hosts: names.length,
			framesWrittenPerSecond: +((terminal.frames - frames0) / elapsedS).toFixed(2),
			cpuPercentOfOneCore: +(((cpu.user + cpu.system) / 1e6 / elapsedS) * 100).toFixed(2),
		};
		log(`console, idle cluster of ${result.hosts} hosts polled every second, ${result.terminal}, ${seconds} s: ${result.cpuPercentOfOneCore}% of one core, ${result.framesWrittenPerSecond} frames written a second`);
		return result;
	} finally {
		for (const t of timers) clearInterval(t);
		app.unmount();
		detach();
	}
}

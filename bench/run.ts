// `npm run bench`: speed figures, written to bench-results/results.json (figures in README).
// Runs inside the lab's station namespace (scripts/bench.sh puts it there) for the lab sections.
import {existsSync, mkdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {loadProfile} from '../src/profile/load.js';
import {packageRoot} from '../src/lab/plan.js';
import {isInNetns} from '../src/transport/netns.js';
import {benchParse} from './parse.js';
import {benchStatusVsSsh} from './status-vs-ssh.js';
import {benchWarmPoll, benchWarmPollSimulated} from './warm-poll.js';
import {benchVipDetection} from './vip-detection.js';
import {benchConsoleRender} from './console-render.js';
import {benchConsoleWatch} from './console-watch.js';
import {benchConsoleWatchSimulated} from './console-watch-simulated.js';
import {benchConsoleIdle} from './console-idle.js';
import {benchWatcher} from './watcher.js';
import {benchKeepalivedEvents} from './keepalived-events.js';
import {benchStartup} from './startup.js';
import {benchFleet} from './fleet.js';
import {benchFleetOverview} from './fleet-overview.js';
import {printErr, printJson, printOut, writeJsonFile} from '../src/text/sink.js';

type Section = (log: (line: string) => void) => Promise<Record<string, unknown>>;

async function main(): Promise<void> {
	const only = process.argv.slice(2);
	const profile = loadProfile(path.join(packageRoot(), 'profiles', 'lab.yaml'));
	const inLab = profile.stationNetns !== undefined && isInNetns(profile.stationNetns);
	const sections: Record<string, Section> = {
		startup: (log) => benchStartup(log),
		parse: async (log) => benchParse(log),
		consoleRender: (log) => benchConsoleRender(log),
		consoleIdle: (log) => benchConsoleIdle(log),
		consoleWatchSimulated: (log) => benchConsoleWatchSimulated(log),
		fleet: (log) => benchFleet(log),
		fleetOverview: (log) => benchFleetOverview(log),
		warmPollSimulated: (log) => benchWarmPollSimulated(log),
		...(inLab
			? {
					statusVsSsh: (log) => benchStatusVsSsh(profile, log),
					warmPoll: (log) => benchWarmPoll(profile, log),
					vipDetection: (log) => benchVipDetection(profile, log),
					consoleWatch: (log) => benchConsoleWatch(profile, log),
					watcher: (log) => benchWatcher(profile, log),
					keepalivedEvents: (log) => benchKeepalivedEvents(profile, log),
				}
			: {}),
	};
	const dir = path.join(packageRoot(), 'bench-results');
	const file = path.join(dir, 'results.json');
	const results: Record<string, unknown> = {at: new Date().toISOString(), node: process.version};
	for (const [name, run] of Object.entries(sections)) {
		if (only.length > 0 && !only.includes(name)) continue;
		printErr(`bench: ${name}`);
		results[name] = {at: new Date().toISOString(), ...(await run((line) => printErr(`  ${line}`)))};
	}
	if (!inLab) printErr('bench: not in the lab station namespace; lab sections skipped (use npm run bench)');
	mkdirSync(dir, {recursive: true});
	// A run of some sections keeps the others' last figures (each section records when it ran), read
	// only now so that a run of other sections that ended meanwhile is kept too.
	const kept = only.length > 0 && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
	Object.assign(results, {...kept, ...results});
	writeJsonFile(file, results);
	printJson(results, {pretty: true});
	printOut(`bench: written to ${file}`);
}

await main();

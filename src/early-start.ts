// What a command line lets cli.ts begin before the program's modules load. `status` with one profile
// reads every host at once, so its connections (from the last run's connect hints) and their SSH
// handshakes start first: ssh2 loads right after the hints' TCP connects, before commander, the
// command and the profile's libraries, which load while the hosts answer (issue 16: start to the
// first SSH bytes). Any other command line, or one this reading is unsure of, starts as before. main
// still preconnects as `status` runs: that does nothing once these connections are open, and opens
// them there when this reading passed the command line by.
import {profilesNamed} from './respawn.js';

/** The one profile file of a `status` command line, when its connections can start before the program loads; else undefined. */
export function earlyStatusProfile(args: readonly string[]): string | undefined {
	if (args[0] !== 'status') return undefined;
	// Help prints and exits; a folder of profiles is a fleet, which main reads profile by profile.
	if (args.some((a) => a === '-h' || a === '--help' || a === '--profiles' || a.startsWith('--profiles='))) return undefined;
	const files = profilesNamed(args);
	return files.length === 1 ? files[0] : undefined;
}

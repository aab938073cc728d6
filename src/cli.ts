#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --max-old-space-size=64 --max-semi-space-size=2 --single-threaded
// Entry point. React and Ink pick their production builds from NODE_ENV when first loaded, so it is
// set before anything imports them; then the program runs and its exit code becomes ours.
// The shebang caps V8's heap. Old space: left alone, V8 lets a long-running console grow to ~170 MB
// before collecting; at 64 MB it stays near 127 MB. Young generation: V8 grows each semi-space up to
// 16 MB for a process that allocates steadily (a console's polls and frames); at 2 MB the console stays
// near 106 MB for about the same CPU (README, benchmarks). --single-threaded: no background compiler
// and GC threads, whose allocations kept 3-10 MB resident, at no measured CPU cost (README). What is
// left is mostly loading the libraries: node alone is 41 MB, with ink, react, ssh2, yaml, zod and the
// console's modules 78-81 MB. MALLOC_ARENA_MAX=1: one malloc arena for node's few threads instead of
// one each, which kept about 10 MB more resident in a fleet console (README, fleet). The line stays
// under the 127 bytes of it older kernels read; V8's other settings are in runtime-flags.ts.
import {applyRuntimeFlags} from './runtime-flags.js';

applyRuntimeFlags();
process.env['NODE_ENV'] ??= 'production';
// Ink reads CI at load time and then prints only a final frame. A console on a real terminal must draw
// live frames even inside a CI job (the end-to-end tests run it in tmux there).
if (process.stdout.isTTY && process.stdin.isTTY) {
	delete process.env['CI'];
	delete process.env['CONTINUOUS_INTEGRATION'];
}

// A reader that went away (`lvsdeck status | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
	if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
	throw error;
});

// NO_COLOR and FORCE_COLOR, settled before anything loads chalk (Ink's colours).
const {applyColorEnv} = await import('./text/color-env.js');
applyColorEnv();

// Many hosts need a bigger heap than the shebang's: then the command runs again with one (respawn.ts).
const {respawnForHeap} = await import('./respawn.js');
const respawned = await respawnForHeap();
if (respawned !== undefined) process.exitCode = respawned;
else {
	// `status` on one profile: its connections and handshakes begin now, from the last run's hints.
	const {earlyStatusProfile} = await import('./early-start.js');
	const early = earlyStatusProfile(process.argv.slice(2));
	if (early !== undefined) await (await import('./transport/connect-hints.js')).preconnect(early);
	const {main} = await import('./main.js');
	process.exitCode = await main(process.argv);
}

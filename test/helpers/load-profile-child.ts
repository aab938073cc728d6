// Run as `node --max-old-space-size=64 --import tsx test/helpers/load-profile-child.ts FILE`: loads
// the whole CLI module graph first (what the real CLI holds in its heap when it reads a profile),
// then the profile, and prints one JSON line: {"realServers": N} or {"error": "<ProfileError>"}.
// A V8 abort prints nothing on stdout and ends the process with SIGABRT.
// main.tsx imports each command in its action, so the console's graph (React, Ink) is loaded here.
await import('../../src/main.js');
await import('../../src/commands/console.js');
const {loadProfile, ProfileError} = await import('../../src/profile/load.js');

const file = process.argv[2];
if (file === undefined) throw new Error('usage: load-profile-child.ts FILE');
try {
	const profile = loadProfile(file, {env: {HOME: '/nonexistent-home'}});
	const realServers = profile.virtualServers.reduce((n, vs) => n + vs.realServers.length, 0);
	process.stdout.write(`${JSON.stringify({realServers})}\n`);
} catch (error) {
	if (!(error instanceof ProfileError)) throw error;
	process.stdout.write(`${JSON.stringify({error: error.message})}\n`);
}

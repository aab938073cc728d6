// NO_COLOR (no-color.org) and FORCE_COLOR, for every writer. Plain output colours only where the sink
// does it (deploy's diff), through colourWanted; the Ink screens colour through chalk, which reads FORCE_COLOR when first loaded but does
// not know NO_COLOR. So NO_COLOR becomes FORCE_COLOR=0 before anything loads chalk, unless the user
// also set FORCE_COLOR, which then wins (an explicit "colour here" beats a general "no colour").

/** The environment change that makes chalk honour NO_COLOR (nothing when FORCE_COLOR is set or NO_COLOR is empty). */
export function colorEnvFor(env: Readonly<Record<string, string | undefined>>): {FORCE_COLOR?: string} {
	if ('FORCE_COLOR' in env && env['FORCE_COLOR'] !== undefined) return {};
	const noColor = env['NO_COLOR'];
	return noColor !== undefined && noColor !== '' ? {FORCE_COLOR: '0'} : {};
}

/** Applies colorEnvFor to this process's environment; call before Ink or chalk is imported. */
export function applyColorEnv(env: NodeJS.ProcessEnv = process.env): void {
	Object.assign(env, colorEnvFor(env));
}

/**
 * Whether plain output to a stream colours: FORCE_COLOR decides when set (0 or false: never; anything
 * else: always), then NO_COLOR (not empty: never), then whether the stream is a terminal.
 */
export function colourWanted(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
	const force = env['FORCE_COLOR'];
	if (force !== undefined) return force !== '0' && force !== 'false';
	const noColor = env['NO_COLOR'];
	if (noColor !== undefined && noColor !== '') return false;
	return isTTY;
}

// Jump-host chains. A loop (a -> b -> a) would make every connection wait for itself, so a profile
// with one is refused when it loads, and the SSH pool refuses one too.

/**
 * The first loop among the jump links, as the names along it with the first repeated at the end
 * (`['a', 'b', 'a']`), or undefined when every chain ends. Hosts are tried in the order given.
 */
export function findJumpLoop(names: Iterable<string>, jumpOf: (name: string) => string | undefined): string[] | undefined {
	const done = new Set<string>();
	for (const start of names) {
		const chain: string[] = [];
		const onChain = new Set<string>();
		let at: string | undefined = start;
		while (at !== undefined && !done.has(at)) {
			if (onChain.has(at)) return [...chain.slice(chain.indexOf(at)), at];
			chain.push(at);
			onChain.add(at);
			at = jumpOf(at);
		}
		for (const name of chain) done.add(name);
	}
	return undefined;
}

/** `a -> b -> a` */
export function describeJumpLoop(loop: readonly string[]): string {
	return loop.join(' -> ');
}

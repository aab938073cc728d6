// The operator's station may live in a network namespace (the lab's does). These helpers tell
// whether this process is in it and build the command that runs something inside it.
import {existsSync, statSync} from 'node:fs';

export function netnsPath(name: string): string {
	return `/run/netns/${name}`;
}

export function netnsExists(name: string): boolean {
	return existsSync(netnsPath(name));
}

/** True when this process already runs in the named network namespace. */
export function isInNetns(name: string): boolean {
	try {
		const mine = statSync('/proc/self/ns/net');
		const target = statSync(netnsPath(name));
		return mine.ino === target.ino && mine.dev === target.dev;
	} catch {
		return false;
	}
}

/** argv that runs `argv` inside the namespace (nothing added when already inside). */
export function inNetns(name: string | undefined, argv: readonly string[]): string[] {
	if (name === undefined || isInNetns(name)) return [...argv];
	return ['ip', 'netns', 'exec', name, ...argv];
}

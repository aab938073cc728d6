// Helpers for Ink component tests: wait for a frame to show something instead of sleeping.
import type {ClusterStore} from '../../../src/cluster/store.js';
import type {HostState} from '../../../src/cluster/types.js';
import {stripVTControlCharacters} from 'node:util';
// Frames in these tests are drawn as lvsdeck draws them: with the frame memory render.ts gives Ink.
import '../../../src/ui/render.js';

export const KEYS = {up: '\u001B[A', down: '\u001B[B', enter: '\r', escape: '\u001B', tab: '\t', backspace: '\u007F', ctrlC: '\u0003'} as const;

export function plain(frame: string | undefined): string {
	return stripVTControlCharacters(frame ?? '');
}

/** Poll until `check(frame)` holds (React 19 and Ink flush asynchronously). */
export async function frameUntil(lastFrame: () => string | undefined, check: (frame: string) => boolean, what: string, timeoutMs = 2000): Promise<string> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const frame = plain(lastFrame());
		if (check(frame)) return frame;
		if (Date.now() > end) throw new Error(`frame never showed ${what}; last frame:\n${frame}`);
		await new Promise((r) => setTimeout(r, 10));
	}
}

/** Write keys once Ink's input handler is attached, then wait for the frame to satisfy `check`. */
export async function press(stdin: {write(data: string): void}, lastFrame: () => string | undefined, keys: string, check: (frame: string) => boolean, what: string): Promise<string> {
	// useInput subscribes in an effect: let it attach before the first write.
	await new Promise((r) => setTimeout(r, 20));
	stdin.write(keys);
	return frameUntil(lastFrame, check, what);
}

/** Put captured host states into a store, as the poller would. */
export function load(store: ClusterStore, hosts: Map<string, HostState>): void {
	for (const [name, state] of hosts) store.updateHost(name, () => state);
}

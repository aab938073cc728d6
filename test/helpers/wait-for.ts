// Wait for a condition instead of sleeping: polls `probe` until it returns a value that `ok` accepts.

export interface WaitResult<T> {
	readonly value: T;
	/** Milliseconds from the start of the wait until the condition held. */
	readonly elapsedMs: number;
}

export async function waitFor<T>(
	probe: () => Promise<T>,
	ok: (value: T) => boolean,
	{timeoutMs, intervalMs = 100, what}: {timeoutMs: number; intervalMs?: number; what: string},
): Promise<WaitResult<T>> {
	const started = Date.now();
	let last: T | undefined;
	let lastError: unknown;
	for (;;) {
		try {
			last = await probe();
			// The failure names what the probe saw last, not an error an earlier probe threw.
			lastError = undefined;
			if (ok(last)) return {value: last, elapsedMs: Date.now() - started};
		} catch (error) {
			lastError = error;
		}
		if (Date.now() - started > timeoutMs) {
			const detail = lastError instanceof Error ? `; last error: ${lastError.message}` : `; last value: ${JSON.stringify(last)}`;
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
		}
		await new Promise((r) => setTimeout(r, intervalMs));
	}
}

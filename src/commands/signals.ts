// The one signal path of the commands: a command that must react to Ctrl-C or a kill (stop a watch,
// restore a drill, leave a screen) registers here and releases when it is done, so no handler
// outlives its command and every command reacts the same way.
export const INTERRUPT_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Calls `handler` on each of `signals` until the returned release is called. */
export function onSignals(signals: readonly NodeJS.Signals[], handler: (signal: NodeJS.Signals) => void): () => void {
	const listener = (signal: NodeJS.Signals) => handler(signal);
	for (const s of signals) process.on(s, listener);
	return () => {
		for (const s of signals) process.off(s, listener);
	};
}

/** An AbortSignal that fires on the first of `signals` (Ctrl-C or a kill by default); `onAbort` runs once then. */
export function abortOnSignals(onAbort?: (signal: NodeJS.Signals) => void, signals: readonly NodeJS.Signals[] = INTERRUPT_SIGNALS): {readonly signal: AbortSignal; release(): void} {
	const controller = new AbortController();
	const release = onSignals(signals, (s) => {
		if (controller.signal.aborted) return;
		onAbort?.(s);
		controller.abort();
	});
	return {signal: controller.signal, release};
}

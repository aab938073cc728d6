// The commands' one signal path: handlers run while registered and never after release; the abort
// path aborts once, however many signals arrive.
import {describe, expect, it} from 'vitest';
import {abortOnSignals, onSignals} from '../../../src/commands/signals.js';

describe('onSignals', () => {
	it('calls the handler for each named signal until released, then leaves no listener', () => {
		const before = process.listenerCount('SIGHUP');
		const seen: string[] = [];
		const release = onSignals(['SIGHUP', 'SIGUSR2'], (s) => seen.push(s));
		expect(process.listenerCount('SIGHUP')).toBe(before + 1);
		process.emit('SIGHUP', 'SIGHUP');
		process.emit('SIGUSR2', 'SIGUSR2');
		release();
		expect(process.listenerCount('SIGHUP')).toBe(before);
		expect(process.listenerCount('SIGUSR2')).toBe(0);
		expect(seen).toEqual(['SIGHUP', 'SIGUSR2']);
	});
});

describe('abortOnSignals', () => {
	it('aborts on the first signal and runs onAbort once', () => {
		const calls: string[] = [];
		const interrupt = abortOnSignals((s) => calls.push(s), ['SIGUSR2']);
		expect(interrupt.signal.aborted).toBe(false);
		process.emit('SIGUSR2', 'SIGUSR2');
		process.emit('SIGUSR2', 'SIGUSR2');
		interrupt.release();
		expect(interrupt.signal.aborted).toBe(true);
		expect(calls).toEqual(['SIGUSR2']);
		expect(process.listenerCount('SIGUSR2')).toBe(0);
	});

	it('stays unaborted when released before any signal', () => {
		const interrupt = abortOnSignals(undefined, ['SIGUSR2']);
		interrupt.release();
		expect(interrupt.signal.aborted).toBe(false);
		expect(process.listenerCount('SIGUSR2')).toBe(0);
	});
});

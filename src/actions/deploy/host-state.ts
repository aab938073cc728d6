// Deploy, recovery: what a director holds now. After a step whose result never arrived (the connection
// dropped, the command timed out) deploy reconnects and reads the file's sha256 and keepalived's state,
// then decides from facts, not from guesses about how far the step got.
import type {ExecResult, Transport} from '../../transport/types.js';
import {STATE_SCRIPT} from './remote-scripts.js';

/** The result of one remote step: known to have worked, known to have failed, or not known. */
export type StepResult<T = undefined> =
	| {readonly kind: 'ok'; readonly value: T}
	| {readonly kind: 'failed'; readonly why: string; readonly result?: ExecResult}
	| {readonly kind: 'unknown'; readonly why: string};

export interface HostState {
	/** sha256 of the config file, null when it does not exist. */
	readonly sha256: string | null;
	readonly backupExists: boolean;
	readonly keepalivedActive: boolean | undefined;
}

/** Which config a host holds, compared with the plan. */
export type Holding = 'new' | 'previous' | 'other';

export function holdingOf(sha256: string | null, file: {readonly desiredSha256: string; readonly currentSha256: string | null}): Holding {
	if (sha256 === file.desiredSha256) return 'new';
	if (sha256 === file.currentSha256) return 'previous';
	return 'other';
}

/** An exec that never reports a result (the connection dropped or it timed out) is unknown, never failed. */
export async function runStep(run: () => Promise<ExecResult>): Promise<StepResult<ExecResult>> {
	try {
		const r = await run();
		if (r.code === null) return {kind: 'unknown', why: r.timedOut ? 'timed out' : 'the connection dropped before the result arrived'};
		return r.code === 0 ? {kind: 'ok', value: r} : {kind: 'failed', why: r.stderr.trim() || `exit ${r.code}`, result: r};
	} catch (error) {
		return {kind: 'unknown', why: error instanceof Error ? error.message : String(error)};
	}
}

export function parseHostState(stdout: string): HostState | undefined {
	const field = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(stdout)?.[1];
	const sha = field('sha256');
	if (!/^end$/m.test(stdout) || sha === undefined || !(sha === 'missing' || /^[0-9a-f]{64}$/.test(sha))) return undefined;
	const keepalived = field('keepalived');
	return {sha256: sha === 'missing' ? null : sha, backupExists: field('backup') === 'yes', keepalivedActive: keepalived === undefined ? undefined : keepalived === 'active'};
}

export interface ReadStateOptions {
	readonly path: string;
	/** A backup to look for ("" or undefined: none). */
	readonly backup?: string;
	/** The command that exits 0 when keepalived runs. */
	readonly statusCommand: readonly string[];
	/** Keep trying to reach the host this long. */
	readonly deadlineMs: number;
	readonly onRetry?: (why: string) => void;
}

/**
 * Reconnect and read the host's state, retrying until the deadline (the transport reconnects with its
 * own backoff); undefined when the host could not be reached in that time.
 */
export async function readHostState(transport: Transport, host: string, options: ReadStateOptions): Promise<HostState | undefined> {
	const end = Date.now() + options.deadlineMs;
	let said = '';
	for (;;) {
		const left = end - Date.now();
		const step = await runStep(() => transport.exec(host, ['sh', '-c', STATE_SCRIPT, 'lvsdeck-state', options.path, options.backup ?? '', ...options.statusCommand], {timeoutMs: Math.max(1000, Math.min(10_000, left))}));
		const state = step.kind === 'ok' ? parseHostState(step.value.stdout) : undefined;
		if (state) return state;
		const why = step.kind === 'ok' ? 'unexpected answer' : step.why.replace(/ \(retrying in [\d.]+s\)$/, '');
		if (why !== said) options.onRetry?.(why);
		said = why;
		if (Date.now() + 500 >= end) return undefined;
		await new Promise((r) => setTimeout(r, 500));
	}
}

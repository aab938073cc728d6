// Commands on the operator's own station (execa), inside its network namespace when it has one.
// Reached only through createStationTransport: the host argument is a label for status, never a
// route, so no profile host can land here.
import {execa} from 'execa';
import {inNetns} from './netns.js';
import {LineSplitter} from './line-splitter.js';
import type {ExecOptions, ExecResult, HostStatus, Transport} from './types.js';

/** The label station commands carry in results and status. */
export const STATION = '(station)';

export class LocalTransport implements Transport {
	private readonly since = Date.now();
	constructor(
		private readonly netns?: string,
		private readonly defaultTimeoutMs = 10_000,
	) {}

	async exec(_label: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
		const [cmd, ...args] = inNetns(this.netns, argv);
		const started = Date.now();
		const timeout = options.timeoutMs ?? this.defaultTimeoutMs;
		const child = execa(cmd!, args, {
			reject: false,
			stripFinalNewline: false,
			...(timeout > 0 ? {timeout} : {}),
			...(options.signal ? {cancelSignal: options.signal} : {}),
			...(options.stdin !== undefined ? {input: options.stdin} : {stdin: 'ignore' as const}),
			forceKillAfterDelay: 1000,
		});
		if (options.onStdoutLine) {
			const splitter = new LineSplitter(options.onStdoutLine);
			child.stdout?.on('data', (c: Buffer) => splitter.push(c));
			child.stdout?.on('end', () => splitter.flush());
		}
		const r = await child;
		return {
			code: r.timedOut || r.isCanceled ? null : (r.exitCode ?? null),
			stdout: String(r.stdout ?? ''),
			stderr: String(r.stderr ?? ''),
			timedOut: r.timedOut,
			...(r.isCanceled ? {aborted: true} : {}),
			durationMs: Date.now() - started,
		};
	}

	status(host: string): HostStatus {
		return {host, state: 'ready', since: this.since};
	}

	onStatus(): () => void {
		return () => {};
	}

	async close(): Promise<void> {}
}

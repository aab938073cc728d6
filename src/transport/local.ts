// Commands on the operator's own station (execa), inside its network namespace when it has one.
// Reached only through createStationTransport: the host argument is a label for status, never a
// route, so no profile host can land here.
import {inNetns} from './netns.js';
import {LineSplitter} from './line-splitter.js';
import {OutputCollector, outputLimitError} from './output-limit.js';
import type {ExecOptions, ExecResult, HostStatus, Transport} from './types.js';

/** The label station commands carry in results and status. */
export const STATION = '(station)';

export class LocalTransport implements Transport {
	private readonly since = Date.now();
	constructor(
		private readonly netns?: string,
		private readonly defaultTimeoutMs = 10_000,
	) {}

	async exec(label: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
		const [cmd, ...args] = inNetns(this.netns, argv);
		const started = Date.now();
		const timeout = options.timeoutMs ?? this.defaultTimeoutMs;
		// Loaded on first use: execa is some 300 modules, and most commands never run one on the station.
		const {execa} = await import('execa');
		const child = execa(cmd!, args, {
			reject: false,
			stripFinalNewline: false,
			// Output is collected below, bounded (execa's own buffering is slow near its limit).
			buffer: false,
			...(timeout > 0 ? {timeout} : {}),
			...(options.signal ? {cancelSignal: options.signal} : {}),
			...(options.stdin !== undefined ? {input: options.stdin} : {stdin: 'ignore' as const}),
			forceKillAfterDelay: 1000,
		});
		// A streamed command's stdout goes to the line callback only; the rest is kept up to the limit,
		// and past it the command is killed.
		const out = new OutputCollector(!options.onStdoutLine);
		const errOut = new OutputCollector(true);
		const splitter = options.onStdoutLine ? new LineSplitter(options.onStdoutLine) : undefined;
		// The pipes are closed too: a pipeline's other processes then die of SIGPIPE.
		const overflow = () => {
			child.kill('SIGKILL');
			child.stdout?.destroy();
			child.stderr?.destroy();
		};
		child.stdout?.on('data', (c: Buffer) => {
			if (!out.push(c)) overflow();
			splitter?.push(c);
		});
		child.stdout?.on('end', () => splitter?.flush());
		child.stderr?.on('data', (c: Buffer) => {
			if (!errOut.push(c)) overflow();
		});
		const r = await child;
		if (out.exceeded || errOut.exceeded) throw outputLimitError(label, argv);
		return {
			code: r.timedOut || r.isCanceled ? null : (r.exitCode ?? null),
			stdout: out.text(),
			stderr: errOut.text(),
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


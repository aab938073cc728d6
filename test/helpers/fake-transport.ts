// A transport whose hosts are answered by a function: every host ready, no status changes, nothing to
// close. Tests give the answers (`ok(...)` for a successful command) and read the calls it recorded.
import type {ExecOptions, ExecResult, HostStatus, Transport} from '../../src/transport/types.js';

export type Answer = (host: string, argv: readonly string[], options?: ExecOptions) => ExecResult | Promise<ExecResult>;

/** A command that exited 0 with this output. */
export const ok = (stdout: string, stderr = ''): ExecResult => ({code: 0, stdout, stderr, timedOut: false, durationMs: 1});

export class FakeTransport implements Transport {
	readonly calls: Array<{host: string; argv: readonly string[]}> = [];

	/** Without an answer every command succeeds with no output. */
	constructor(private readonly answer: Answer = () => ok('')) {}

	async exec(host: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
		this.calls.push({host, argv});
		return this.answer(host, argv, options);
	}

	status(host: string): HostStatus {
		return {host, state: 'ready', since: 0};
	}

	onStatus(): () => void {
		return () => {};
	}

	async close(): Promise<void> {}
}

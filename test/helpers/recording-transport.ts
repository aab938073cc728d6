// A transport for the poller's stream tests: records the script name (or program) of every command it
// is sent, and answers through `inner`.
import type {ExecOptions, ExecResult, HostStatus, Transport} from '../../src/transport/types.js';

export class RecordingTransport implements Transport {
	readonly names: string[] = [];
	constructor(private readonly inner: (argv: readonly string[], options?: ExecOptions) => Promise<ExecResult>) {}
	exec(_host: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
		this.names.push(argv[1] === '-c' ? argv[3]! : argv[0]!);
		return this.inner(argv, options);
	}
	count(name: string): number {
		return this.names.filter((n) => n === name).length;
	}
	status(host: string): HostStatus {
		return {host, state: 'ready', since: 0};
	}
	onStatus(): () => void {
		return () => {};
	}
	async close(): Promise<void> {}
}

// Bounds on what a command may send back. A streamed command (ip monitor, the remote watcher) is read
// line by line and its stdout is not kept at all; any other command's stdout and stderr are kept up to
// MAX_OUTPUT_BYTES each, and past that the command is killed and the exec fails with a clear error.
import {TransportError} from './types.js';

export const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

/** A short name for a command in messages: `ipvsadm -Ln --exact`, or `sh -c … lvsdeck-probe` for scripts. */
export function commandLabel(argv: readonly string[]): string {
	const words = argv[0] === 'sudo' ? argv.slice(argv.indexOf('--') + 1) : argv;
	const shown = words[0] === 'sh' && words[1] === '-c' ? ['sh', '-c', '…', ...words.slice(3, 4)] : words;
	const text = shown.join(' ').replace(/\s+/g, ' ');
	return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

export function outputLimitError(host: string, argv: readonly string[], limit = MAX_OUTPUT_BYTES): TransportError {
	const size = limit % (1024 * 1024) === 0 ? `${limit / (1024 * 1024)} MB` : `${limit} bytes`;
	return new TransportError('output-limit', host, `output of \`${commandLabel(argv)}\` on ${host} exceeded ${size}`);
}

/** Collects a stream's chunks up to a limit; with `keep` false it only counts (streamed output). */
export class OutputCollector {
	private readonly chunks: Buffer[] = [];
	private size = 0;
	/** Set once more than the limit arrived; nothing past the limit is kept. */
	exceeded = false;

	constructor(
		private readonly keep: boolean,
		private readonly limit = MAX_OUTPUT_BYTES,
	) {}

	/** Adds a chunk; returns false when the limit has been passed (now or before). */
	push(chunk: Buffer): boolean {
		if (!this.keep) return true;
		if (this.exceeded) return false;
		this.size += chunk.length;
		if (this.size > this.limit) {
			this.exceeded = true;
			return false;
		}
		this.chunks.push(chunk);
		return true;
	}

	text(): string {
		return this.keep ? Buffer.concat(this.chunks).toString('utf8') : '';
	}
}

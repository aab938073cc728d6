// A host's long-lived read (a stream script) run by this machine's own sh, its stdout lines turned into
// reads as the station turns them: for the tests of the stream scripts.
import {spawn} from 'node:child_process';
import {StreamFrameReader, type StreamRead} from '../../src/probes/stream-frames.js';

export interface StreamChild {
	/** Every read so far, in order. */
	readonly reads: StreamRead[];
	/** The changed frames' texts so far. */
	frames(): string[];
	/** Closes the reader's end; resolves with the signal the script ended by. */
	stop(): Promise<string | null>;
}

export function runStream(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): StreamChild {
	const child = spawn(argv[0]!, argv.slice(1), {stdio: ['ignore', 'pipe', 'ignore'], env});
	const exited = new Promise<string | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
	const reader = new StreamFrameReader();
	const reads: StreamRead[] = [];
	let rest = '';
	child.stdout.on('data', (chunk: Buffer) => {
		const lines = (rest + chunk.toString()).split('\n');
		rest = lines.pop()!;
		for (const l of lines) {
			const read = reader.push(l);
			if (read) reads.push(read);
		}
	});
	return {
		reads,
		frames: () => reads.flatMap((r) => (r.kind === 'changed' ? [r.text] : [])),
		stop: () => {
			child.stdout.destroy();
			return exited;
		},
	};
}

// Terminal stand-ins for rendering the console in a bench without a terminal: a screen that counts the
// frames and bytes Ink writes (and says when each frame was written), and a keyboard that never types.
import {EventEmitter} from 'node:events';

/** A terminal of a given size that counts frames and bytes and emits 'frame' with the time of each. */
export class FrameSink extends EventEmitter {
	readonly isTTY = true;
	bytes = 0;
	frames = 0;
	constructor(
		readonly columns: number,
		readonly rows: number,
	) {
		super();
	}
	write(chunk: string): boolean {
		this.bytes += Buffer.byteLength(chunk);
		// Synchronized-output markers and cursor hiding come as short writes of their own.
		if (chunk.length > 32) {
			this.frames++;
			this.emit('frame', performance.now());
		}
		return true;
	}
}

/**
 * One frame's cost: `publish` changes what is drawn (a store update; React renders after this task), and
 * the clock runs from just after it until the sink has the frame: wall time and this process's CPU.
 */
export function timeFrame(sink: FrameSink, publish: () => void): Promise<{wall: number; cpu: number}> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('no frame was written within 5 s')), 5000);
		publish();
		const start = performance.now();
		const cpu = process.cpuUsage();
		sink.once('frame', (at: number) => {
			clearTimeout(timer);
			const used = process.cpuUsage(cpu);
			resolve({wall: at - start, cpu: (used.user + used.system) / 1000});
		});
	});
}

/** A keyboard that never types (the console's input handling needs a raw-mode capable stdin). */
export class QuietStdin extends EventEmitter {
	readonly isTTY = true;
	setRawMode(): this {
		return this;
	}
	setEncoding(): this {
		return this;
	}
	read(): null {
		return null;
	}
	ref(): this {
		return this;
	}
	unref(): this {
		return this;
	}
	resume(): this {
		return this;
	}
	pause(): this {
		return this;
	}
}

// Turns a byte stream into complete lines (for monitors that report one event per line). UTF-8 is
// decoded across chunk boundaries, and a line is cut at MAX_LINE characters so a stream that never
// sends a newline cannot grow memory without bound (the rest of such a line is dropped).
import {StringDecoder} from 'node:string_decoder';

export const MAX_LINE = 64 * 1024;

export class LineSplitter {
	private rest = '';
	/** The current line was cut: drop everything up to its newline. */
	private skipping = false;
	private readonly decoder = new StringDecoder('utf8');

	constructor(
		private readonly onLine: (line: string) => void,
		private readonly maxLine = MAX_LINE,
	) {}

	push(chunk: Buffer | string): void {
		const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
		let start = 0;
		for (;;) {
			const nl = text.indexOf('\n', start);
			if (nl < 0) break;
			this.take(text.slice(start, nl));
			this.end();
			start = nl + 1;
		}
		this.take(text.slice(start));
	}

	flush(): void {
		this.take(this.decoder.end());
		if (this.rest !== '') this.end();
		this.skipping = false;
	}

	private take(piece: string): void {
		if (this.skipping || piece === '') return;
		this.rest += piece;
		if (this.rest.length > this.maxLine) {
			this.rest = this.rest.slice(0, this.maxLine);
			this.skipping = true;
		}
	}

	private end(): void {
		const line = this.rest;
		this.rest = '';
		this.skipping = false;
		this.onLine(line.replace(/\r$/, ''));
	}
}

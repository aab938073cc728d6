// Turns a byte stream into complete lines (for monitors that report one event per line).

export class LineSplitter {
	private rest = '';
	constructor(private readonly onLine: (line: string) => void) {}

	push(chunk: Buffer | string): void {
		const text = this.rest + chunk.toString();
		const lines = text.split('\n');
		this.rest = lines.pop() ?? '';
		for (const line of lines) this.onLine(line.replace(/\r$/, ''));
	}

	flush(): void {
		if (this.rest !== '') this.onLine(this.rest);
		this.rest = '';
	}
}

// Threshold ranges as the Monitoring Plugins development guidelines define them: `10` (alert outside
// 0..10), `10:` (below 10), `~:10` (above 10), `10:20` (outside 10..20), `@10:20` (inside 10..20).
// Pure: a parse that names what is wrong, and a test of a value.

export interface Range {
	readonly start: number;
	readonly end: number;
	/** `@`: alert when the value is inside. */
	readonly inside: boolean;
	/** The range as written, for perf data. */
	readonly text: string;
}

const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;

function num(text: string, what: string, range: string): number {
	if (!NUMBER.test(text)) throw new Error(`threshold ${range}: ${what} "${text}" is not a number`);
	return Number(text);
}

/** Parses a range; throws with the range and what is wrong in it. */
export function parseRange(text: string): Range {
	const inside = text.startsWith('@');
	const body = inside ? text.slice(1) : text;
	if (body === '') throw new Error(`threshold "${text}": empty range`);
	const colon = body.indexOf(':');
	let start = 0;
	let end: number;
	if (colon < 0) end = num(body, 'end', text);
	else {
		const head = body.slice(0, colon);
		const tail = body.slice(colon + 1);
		if (head === '') throw new Error(`threshold ${text}: write "~:" for no lower bound, or a number before ":"`);
		start = head === '~' ? -Infinity : num(head, 'start', text);
		end = tail === '' ? Infinity : num(tail, 'end', text);
	}
	if (start > end) throw new Error(`threshold ${text}: start ${start} is above end ${end}`);
	return {start, end, inside, text};
}

/** Does `value` raise an alert under `range`? */
export function alerts(range: Range, value: number): boolean {
	const within = value >= range.start && value <= range.end;
	return range.inside ? within : !within;
}

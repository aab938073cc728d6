// Errors that carry a location in the profile file.
import type {FieldPath} from './locate.js';

/** Control characters (newlines above all) would break the one-line promise; show them escaped. */
function oneLine(text: string): string {
	// eslint-disable-next-line no-control-regex
	return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
		c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
	);
}

/** One line: `file:line:col: field: reason`. */
export class ProfileError extends Error {
	constructor(
		readonly file: string,
		readonly line: number,
		readonly col: number,
		readonly field: string,
		readonly reason: string,
		readonly more = 0,
	) {
		super(oneLine(`${file}:${line}:${col}: ${field}: ${reason}${more > 0 ? ` (and ${more} more error${more > 1 ? 's' : ''})` : ''}`));
		this.name = 'ProfileError';
	}
}

/** Raised by resolve.ts for problems that need a location (e.g. an ~/.ssh/config alias). */
export class ResolveError extends Error {
	constructor(
		readonly path: FieldPath,
		message: string,
	) {
		super(message);
	}
}

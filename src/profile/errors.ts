// Errors that carry a location in the profile file.
import type {FieldPath} from './locate.js';

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
		super(`${file}:${line}:${col}: ${field}: ${reason}${more > 0 ? ` (and ${more} more error${more > 1 ? 's' : ''})` : ''}`);
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

// Numeric command-line options: whole numbers in a range, or a one-line error naming the option.
import {CliError} from '../cli-error.js';

export function wholeOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
	if (value === undefined) return undefined;
	const n = Number(value);
	if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${name} ${value}: expected a whole number from ${min} to ${max}`, 2);
	return n;
}

/** `--interval MS` for the polling commands (status --watch, console, wall). */
export function parseInterval(value: string | undefined, fallback = 1000): number {
	if (value === undefined) return fallback;
	const ms = Number(value);
	if (!Number.isInteger(ms) || ms < 200 || ms > 60_000) throw new CliError(`--interval ${value}: expected milliseconds from 200 to 60000`, 2);
	return ms;
}

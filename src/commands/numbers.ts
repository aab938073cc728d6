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

const UNIT_MS: Record<string, number> = {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000};

/** `--since 90s|30m|12h|7d|2w`: a duration in ms (at most a year). */
export function parseDuration(name: string, value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	const m = /^(\d{1,6})([smhdw])$/.exec(value);
	const ms = m ? Number(m[1]) * UNIT_MS[m[2]!]! : NaN;
	if (!m || ms <= 0 || ms > 366 * 86_400_000) throw new CliError(`${name} ${value}: expected a duration like 90s, 30m, 12h, 7d or 2w (at most a year)`, 2);
	return ms;
}

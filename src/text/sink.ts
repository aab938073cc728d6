// Every line lvsdeck prints and every report file it writes leaves through these functions, which
// sanitize what they are given: no writer can forget to. (Ink screens draw through their own renderer;
// their text is sanitized where it is cut to width, see ui/format.ts fit.) Only the sink itself adds
// escape sequences: the colours and the screen clear below.
import {writeFileSync} from 'node:fs';
import {sanitizeText, sanitizeValue} from './sanitize.js';
import {redactSecrets} from './redact.js';
import {colourWanted} from './color-env.js';

/** What every text writer applies: secrets masked (a keepalived.conf line or dump that slipped through), then sanitized. */
function safe(text: string): string {
	return sanitizeText(redactSecrets(text));
}

/** Write text to stdout as is, after sanitizing (no newline added). */
export function writeOut(text: string): void {
	process.stdout.write(safe(text));
}

/**
 * Write text to stdout sanitized but with secrets left in: only for output the operator asked to hold
 * secrets (`render --show-secrets`, `import --show-secrets`). Everything else uses writeOut.
 */
export function writeOutWithSecrets(text: string): void {
	process.stdout.write(sanitizeText(text));
}

/** Write text to stderr as is, after sanitizing (no newline added). */
export function writeErr(text: string): void {
	process.stderr.write(safe(text));
}

/** One or more lines to stdout. */
export function printOut(text: string): void {
	writeOut(`${text}\n`);
}

/** One or more lines to stderr. */
export function printErr(text: string): void {
	writeErr(`${text}\n`);
}

function json(value: unknown, pretty: boolean): string {
	return JSON.stringify(sanitizeValue(value), (_key, v: unknown) => (typeof v === 'string' ? redactSecrets(v) : v), pretty ? 2 : undefined);
}

/** A value as JSON on stdout (one line, or indented), every string in it sanitized. */
export function printJson(value: unknown, options: {pretty?: boolean} = {}): void {
	process.stdout.write(`${json(value, options.pretty === true)}\n`);
}

/** A report file (text, XML), sanitized. */
export function writeTextFile(file: string, text: string): void {
	writeFileSync(file, safe(text));
}

/**
 * A file that must hold secrets (a profile written by `import --out`, which deploy needs the password
 * in): sanitized but not masked, created with `mode` so no other user can read it.
 */
export function writeFileWithSecrets(file: string, text: string, mode: number): void {
	writeFileSync(file, sanitizeText(text), {mode});
}

/** A JSON report file, indented, every string in it sanitized. */
export function writeJsonFile(file: string, value: unknown): void {
	writeFileSync(file, `${json(value, true)}\n`);
}

/** Colours the sink may put around a sanitized line. */
export type Colour = 'red' | 'green' | 'cyan';

const SGR: Readonly<Record<Colour, string>> = {red: '31', green: '32', cyan: '36'};

/** Lines to stdout, each sanitized and then coloured (colours only when stdout is a terminal). */
export function printColoured(lines: ReadonlyArray<{readonly text: string; readonly colour?: Colour}>): void {
	const tty = colourWanted(process.env, process.stdout.isTTY === true);
	const out = lines.map(({text, colour}) => {
		const clean = safe(text);
		return tty && colour ? `\u001B[${SGR[colour]}m${clean}\u001B[0m` : clean;
	});
	process.stdout.write(`${out.join('\n')}\n`);
}

/** A plain-text body lvsdeck serves over HTTP (the exporter's error answers): secrets masked, sanitized. */
export function httpBody(text: string): string {
	return safe(text);
}

/** Clear a terminal before a refreshed print (nothing when stdout is not a terminal). */
export function clearScreen(): void {
	if (process.stdout.isTTY === true) process.stdout.write('\u001B[H\u001B[2J');
}

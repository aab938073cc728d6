// Remote text (hostnames, error lines, dumps) is stripped of terminal control sequences before it is
// drawn: a hostile or broken host must not be able to move the cursor, retitle or recolour the terminal.

// CSI, OSC (BEL or ST terminated), DCS/PM/APC/SOS strings, and single-character escapes.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)?|\u001B[PX^_][^\u001B]*(?:\u001B\\)?|\u009B[0-?]*[ -/]*[@-~]|\u001B[@-Z\\-_]|\u001B/g;
// Remaining C0 controls except tab and newline, DEL, and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/** Strip escape sequences and control characters; keeps tabs and newlines. */
export function sanitizeText(text: string): string {
	return text.replace(ESCAPES, '').replace(CONTROLS, '');
}

/** For single-line cells: also turns newlines and tabs into spaces. */
export function sanitizeLine(text: string): string {
	return sanitizeText(text).replace(/[\t\n]+/g, ' ');
}

// Text an operator writes for lvsdeck to send or expect on a socket (`watch --send`, a virtual server's
// station probe): printable ASCII with the escapes \n, \r, \t and \\, so a profile or a command line
// never carries raw control characters. One definition for every layer that reads or decodes it.

/** The longest such text. */
export const MAX_SEND_LENGTH = 256;

/** Why `text` is not such text (undefined: it is). */
export function sendTextProblem(text: string): string | undefined {
	if (text.length > MAX_SEND_LENGTH || !/^[ -~]*$/.test(text)) return `at most ${MAX_SEND_LENGTH} printable ASCII characters (use \\n, \\r, \\t for control characters)`;
	if (/\\(?![nrt\\])/.test(text.replace(/\\\\/g, ''))) return 'the only escapes are \\n, \\r, \\t and \\\\';
	return undefined;
}

/** The characters the text stands for (the remote watcher decodes the same escapes the same way). */
export function decodeSendText(text: string): string {
	return text.replace(/\\([nrt\\])/g, (_, c: string) => ({n: '\n', r: '\r', t: '\t', '\\': '\\'})[c]!);
}

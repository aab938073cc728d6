// POSIX shell quoting. Every argv word that reaches a remote shell goes through here.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quote one word so a POSIX shell reads it back byte for byte. */
export function shellQuote(word: string): string {
	if (word.includes('\0')) throw new Error('a command argument cannot contain a NUL byte');
	if (word !== '' && SAFE.test(word)) return word;
	return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Join argv into one shell command line, each word quoted. */
export function shellJoin(argv: readonly string[]): string {
	if (argv.length === 0) throw new Error('empty command');
	return argv.map(shellQuote).join(' ');
}

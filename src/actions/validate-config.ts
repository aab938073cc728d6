// Validate a keepalived.conf on the target director itself (interfaces and paths must exist there):
// upload to a temporary file, run `keepalived -t -f`, remove the file. Changes nothing else.
// keepalived's diagnostics may quote config lines: callers redact them before showing them.
import type {Transport} from '../transport/types.js';
import {removeOnExit} from './deploy/remote-scripts.js';

/**
 * Constant script; the config arrives on stdin, never interpolated into the command. "$1" the config's
 * name and "$2" a time stamp name the temporary (`/tmp/.NAME.lvsdeck-tmp.STAMP.PID.XXXXXX`, mode 0600)
 * so that one left behind by a killed run is found and removed by the next deploy.
 */
export const VALIDATE_SCRIPT = [
	'umask 077',
	't=$(mktemp "/tmp/.${1:-keepalived.conf}.lvsdeck-tmp.${2:-0}.$$.XXXXXX") || exit 90',
	removeOnExit('t'),
	'cat > "$t"',
	'if [ ! -s "$t" ]; then echo "uploaded config is empty" >&2; exit 91; fi',
	'keepalived -t -f "$t"',
].join('\n');

export interface ValidationResult {
	readonly ok: boolean;
	readonly code: number | null;
	/** keepalived's diagnostics (stderr), as lines. */
	readonly diagnostics: readonly string[];
	readonly reason?: string;
}

/**
 * keepalived 2.2.7 exits 0 for a missing file and some problems only show on stderr, so any non-zero
 * exit, any diagnostic output, or a "missing" message is a failure.
 */
export function judgeValidation(code: number | null, stderr: string, timedOut: boolean): ValidationResult {
	const diagnostics = stderr
		.split('\n')
		.map((l) => l.trimEnd())
		.filter((l) => l.length > 0);
	if (timedOut) return {ok: false, code, diagnostics, reason: 'keepalived -t timed out'};
	if (code !== 0) return {ok: false, code, diagnostics, reason: `keepalived -t exited ${code ?? 'by signal'}`};
	if (diagnostics.some((l) => /missing/i.test(l))) return {ok: false, code, diagnostics, reason: 'keepalived reports missing config files'};
	if (diagnostics.length > 0) return {ok: false, code, diagnostics, reason: 'keepalived -t printed diagnostics'};
	return {ok: true, code, diagnostics};
}

/** The folder VALIDATE_SCRIPT keeps its temporary in (deploy looks there for stale ones). */
export const VALIDATE_TMP_DIR = '/tmp';

export async function validateKeepalivedConfig(transport: Transport, host: string, config: string, temp: {name?: string; stamp?: string} = {}): Promise<ValidationResult> {
	const r = await transport.exec(host, ['sh', '-c', VALIDATE_SCRIPT, 'lvsdeck-validate', temp.name ?? 'keepalived.conf', temp.stamp ?? '0'], {stdin: config, timeoutMs: 15_000});
	return judgeValidation(r.code, r.stderr, r.timedOut);
}

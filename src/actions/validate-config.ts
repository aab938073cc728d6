// Validate a keepalived.conf on the target director itself (interfaces and paths must exist there):
// upload to a temporary file, run `keepalived -t -f`, remove the file. Changes nothing else.
import type {Transport} from '../transport/types.js';

/** Constant script; the config arrives on stdin, never interpolated into the command. */
export const VALIDATE_SCRIPT = [
	't=$(mktemp /tmp/lvsdeck-validate.XXXXXX) || exit 90',
	'cat > "$t"',
	'if [ ! -s "$t" ]; then rm -f "$t"; echo "uploaded config is empty" >&2; exit 91; fi',
	'keepalived -t -f "$t"',
	'rc=$?',
	'rm -f "$t"',
	'exit $rc',
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

export async function validateKeepalivedConfig(transport: Transport, host: string, config: string): Promise<ValidationResult> {
	const r = await transport.exec(host, ['sh', '-c', VALIDATE_SCRIPT, 'lvsdeck-validate'], {stdin: config, timeoutMs: 15_000});
	return judgeValidation(r.code, r.stderr, r.timedOut);
}

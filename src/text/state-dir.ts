// lvsdeck's one state folder and its one writer. Everything lvsdeck keeps between runs lives in a
// subfolder of it: drill journals (`drills/`), the last drill results (`drills/last/`), the VRRP history
// (`history/`), keepalived's capabilities per host (`keepalived-caps/`), where `status` connected last
// per profile (`connect-hints/`).
import {mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** `$LVSDECK_STATE_DIR`, else `$XDG_STATE_HOME/lvsdeck`, else `~/.local/state/lvsdeck`; joined with `sub`. */
export function stateDir(sub: string, env: NodeJS.ProcessEnv = process.env): string {
	const explicit = env['LVSDECK_STATE_DIR'];
	const root = explicit || path.join(env['XDG_STATE_HOME'] || path.join(env['HOME'] || os.homedir(), '.local', 'state'), 'lvsdeck');
	return path.join(root, sub);
}

/**
 * Writes one state file whole: a temporary file (this process's own) renamed into place, so a reader
 * never sees half of it, readable by the owner only. The JSON is kept exact, not sanitized like the
 * sink's report files: lvsdeck reads it back (a journal's restore commands must survive byte for byte)
 * and never shows it as it is; what it shows from it goes through the sink.
 */
export function writeStateFile(file: string, value: unknown): void {
	mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
	const temp = `${file}.${process.pid}.tmp`;
	try {
		writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, {mode: 0o600});
		renameSync(temp, file);
	} catch (error) {
		rmSync(temp, {force: true});
		throw error;
	}
}

// keepalived state dumps of older versions, read where they are (shared/keepalived-dumps beside the
// checkout, or beside a folder above it), never copied into the project. Missing: the test fails.
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** `shared/keepalived-dumps` beside the checkout (CI: <clone>/../shared), found by walking up from the repo root. */
export function sharedDumpsDir(): string {
	let dir = ROOT;
	for (;;) {
		const candidate = path.join(path.dirname(dir), 'shared', 'keepalived-dumps');
		if (fs.existsSync(path.join(candidate, 'README.md'))) return candidate;
		const parent = path.dirname(dir);
		if (parent === dir) throw new Error(`no shared/keepalived-dumps beside ${ROOT} or any folder above it`);
		dir = parent;
	}
}

/** One dump file of one version (`v1.3.5`, ...); undefined when that version has no such file. */
export function sharedDump(version: string, file: 'keepalived.data' | 'keepalived.stats'): string | undefined {
	const p = path.join(sharedDumpsDir(), version, file);
	return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined;
}

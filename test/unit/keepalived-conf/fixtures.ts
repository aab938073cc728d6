// Test helpers: the project's own keepalived.conf corpus, the shared corpus of other people's files,
// and a location-free view of parse results for comparisons.
import fs from 'node:fs';
import path from 'node:path';
import {filesFromMap, type ConfigFileReader} from '../../../src/keepalived-conf/index.js';

export const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
export const OWN_CORPUS = path.join(ROOT, 'test', 'fixtures', 'keepalived-conf');

/** `shared/keepalived-corpus` beside the checkout (CI: <clone>/../shared), found by walking up from the repo root. */
export function sharedCorpusDir(): string {
	let dir = ROOT;
	for (;;) {
		const candidate = path.join(path.dirname(dir), 'shared', 'keepalived-corpus');
		if (fs.existsSync(path.join(candidate, 'README.md'))) return candidate;
		const parent = path.dirname(dir);
		if (parent === dir) throw new Error(`no shared/keepalived-corpus beside ${ROOT} or any folder above it`);
		dir = parent;
	}
}

function readTree(dir: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const e of fs.readdirSync(dir, {withFileTypes: true})) {
		const p = path.join(dir, e.name);
		if (e.isDirectory()) Object.assign(out, readTree(p));
		else out[p] = fs.readFileSync(p, 'utf8');
	}
	return out;
}

export const ownFiles: ConfigFileReader = filesFromMap(readTree(OWN_CORPUS));

/** The balanced configs of the own corpus (top-level NN-*.conf), as absolute paths. */
export function ownConfigs(): string[] {
	return fs
		.readdirSync(OWN_CORPUS)
		.filter((f) => /^\d\d-.*\.conf$/.test(f))
		.map((f) => path.join(OWN_CORPUS, f));
}

export function ownBroken(): string[] {
	return fs.readdirSync(path.join(OWN_CORPUS, 'broken')).map((f) => path.join(OWN_CORPUS, 'broken', f));
}

export interface SharedFile {
	readonly name: string;
	readonly path: string;
	readonly text: string;
}

export function sharedConfigs(): SharedFile[] {
	const dir = sharedCorpusDir();
	const out: SharedFile[] = [];
	for (const sub of ['doc-samples', 'wild']) {
		for (const f of fs.readdirSync(path.join(dir, sub)).sort()) {
			if (f.endsWith('.tsv') || f.endsWith('.md')) continue;
			const p = path.join(dir, sub, f);
			out.push({name: `${sub}/${f}`, path: p, text: fs.readFileSync(p, 'utf8')});
		}
	}
	return out;
}

/** The shared corpus files keepalived itself cannot read (its README names them). */
export const SHARED_UNBALANCED: Readonly<Record<string, {line: number}>> = {
	'wild/17-old-note.conf': {line: 54},
	'wild/21-openresty-demo.conf': {line: 36},
};

/** Drop source locations and original line text, recursively: what remains is the meaning. */
export function withoutLocations<T>(value: T): T {
	if (Array.isArray(value)) return value.map((v) => withoutLocations(v)) as T;
	if (value && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(value)) if (k !== 'loc' && k !== 'text') out[k] = withoutLocations(v);
		return out as T;
	}
	return value;
}

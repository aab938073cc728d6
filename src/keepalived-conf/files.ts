// The injectable file access for `include`, and glob(3) matching over it (GLOB_BRACE, GLOB_MARK
// semantics as keepalived uses them: directories and missing paths are skipped).
import path from 'node:path/posix';

export interface ConfigFileReader {
	/** The file's text, or undefined when it does not exist, is a directory or cannot be read. */
	readFile(filePath: string): string | undefined;
	/** Entry names of a directory, or undefined when it is not a readable directory. */
	listDirectory(dirPath: string): readonly string[] | undefined;
}

/** A reader over an in-memory map of absolute (or relative) paths to file contents. */
export function filesFromMap(files: Readonly<Record<string, string>>): ConfigFileReader {
	const normalized = new Map(Object.entries(files).map(([p, text]) => [path.normalize(p), text]));
	return {
		readFile: (p) => normalized.get(path.normalize(p)),
		listDirectory: (dir) => {
			const d = path.normalize(dir);
			const prefix = d === '/' ? '/' : d === '.' ? '' : `${d}/`;
			const names = new Set<string>();
			for (const p of normalized.keys()) {
				if (!p.startsWith(prefix) || (prefix === '' && path.isAbsolute(p))) continue;
				const rel = p.slice(prefix.length);
				if (rel !== '') names.add(rel.split('/')[0] as string);
			}
			return names.size > 0 ? [...names] : undefined;
		},
	};
}

/** `{a,b}` alternatives, nested, in order (as GLOB_BRACE expands them). */
export function expandBraces(pattern: string): string[] {
	let depth = 0;
	let open = -1;
	for (let i = 0; i < pattern.length; i++) {
		const c = pattern[i];
		if (c === '\\') {
			i++;
			continue;
		}
		if (c === '{') {
			if (depth === 0) open = i;
			depth++;
		} else if (c === '}' && depth > 0) {
			depth--;
			if (depth === 0) {
				const alternatives = splitAlternatives(pattern.slice(open + 1, i));
				const before = pattern.slice(0, open);
				const after = pattern.slice(i + 1);
				return alternatives.flatMap((alt) => expandBraces(before + alt + after));
			}
		}
	}
	return [pattern];
}

function splitAlternatives(body: string): string[] {
	const parts: string[] = [];
	let depth = 0;
	let start = 0;
	for (let i = 0; i < body.length; i++) {
		const c = body[i];
		if (c === '\\') i++;
		else if (c === '{') depth++;
		else if (c === '}') depth--;
		else if (c === ',' && depth === 0) {
			parts.push(body.slice(start, i));
			start = i + 1;
		}
	}
	parts.push(body.slice(start));
	return parts;
}

function hasWildcard(segment: string): boolean {
	return /[*?[]/.test(segment);
}

function segmentRegex(segment: string): RegExp {
	let re = '';
	for (let i = 0; i < segment.length; i++) {
		const c = segment[i] as string;
		if (c === '\\' && i + 1 < segment.length) re += escapeRegex(segment[++i] as string);
		else if (c === '*') re += '[^/]*';
		else if (c === '?') re += '[^/]';
		else if (c === '[') {
			const close = segment.indexOf(']', i + 2);
			if (close < 0) re += '\\[';
			else {
				let cls = segment.slice(i + 1, close);
				const negate = cls.startsWith('!') || cls.startsWith('^');
				if (negate) cls = cls.slice(1);
				re += `[${negate ? '^' : ''}${cls.replace(/[\\\]^]/g, '\\$&')}]`;
				i = close;
			}
		} else re += escapeRegex(c);
	}
	return new RegExp(`^${re}$`, 's');
}

function escapeRegex(c: string): string {
	return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Files matching one brace-free pattern, sorted by byte order within each wildcard directory. */
function globOne(pattern: string, files: ConfigFileReader): string[] {
	const absolute = pattern.startsWith('/');
	const segments = pattern.split('/').filter((s, i) => s !== '' || i === 0);
	let candidates = [absolute ? '/' : ''];
	for (const segment of segments) {
		if (segment === '') continue;
		const next: string[] = [];
		for (const base of candidates) {
			if (!hasWildcard(segment)) {
				next.push(joinSegment(base, segment.replace(/\\(.)/g, '$1')));
				continue;
			}
			const entries = files.listDirectory(base === '' ? '.' : base);
			if (!entries) continue;
			const re = segmentRegex(segment);
			const matched = entries.filter((e) => re.test(e) && (segment.startsWith('.') || !e.startsWith('.'))).sort(byteOrder);
			for (const e of matched) next.push(joinSegment(base, e));
		}
		candidates = next;
	}
	return candidates.filter((p) => p !== '' && p !== '/');
}

function joinSegment(base: string, segment: string): string {
	if (base === '') return segment;
	return base.endsWith('/') ? base + segment : `${base}/${segment}`;
}

function byteOrder(a: string, b: string): number {
	const ba = Buffer.from(a);
	const bb = Buffer.from(b);
	return Buffer.compare(ba, bb);
}

export interface GlobResult {
	/** Readable files, in keepalived's order. */
	readonly files: string[];
	/** Paths that matched but are not readable regular files (directories, unreadable). */
	readonly skipped: string[];
	/** Literal paths (no wildcard) that do not exist. */
	readonly missing: string[];
}

/** Resolve an include pattern as keepalived does: relative to the including file's directory. */
export function globInclude(pattern: string, includingFile: string, files: ConfigFileReader): GlobResult {
	const resolved = path.isAbsolute(pattern) ? pattern : path.join(path.dirname(includingFile), pattern);
	const out: string[] = [];
	const skipped: string[] = [];
	const missing: string[] = [];
	for (const alternative of expandBraces(resolved)) {
		for (const p of globOne(alternative, files)) {
			if (files.readFile(p) !== undefined) out.push(p);
			else if (hasWildcard(alternative) || files.listDirectory(p) !== undefined) skipped.push(p);
			else missing.push(p);
		}
	}
	return {files: out, skipped, missing};
}

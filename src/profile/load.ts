// Reads a YAML profile, validates it and resolves it into the typed model. Every failure is a
// ProfileError whose message is one line: `file:line:col: field: reason`.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type YAMLError} from 'yaml';
import type {z} from 'zod';
import {profileSchema} from './schema.js';
import {crossCheck} from './cross-check.js';
import {formatPath, locate, type FieldPath, type Position} from './locate.js';
import {resolveProfile, type ResolveOptions} from './resolve.js';
import type {Profile} from './model.js';
import {ProfileError, ResolveError} from './errors.js';

export {ProfileError} from './errors.js';

type Issue = z.core.$ZodIssue;

/** "a list", "a mapping", ... as an operator reads YAML, from zod's type names. */
function typeName(t: string): string {
	switch (t) {
		case 'array':
			return 'a list';
		case 'object':
		case 'record':
		case 'map':
			return 'a mapping';
		case 'boolean':
			return 'true or false';
		case 'null':
			return 'empty';
		case 'integer':
		case 'int':
			return 'a whole number';
		default:
			return `a ${t}`;
	}
}

/** `rr, wrr` for plain words, JSON strings otherwise. */
function listValues(values: ReadonlyArray<unknown>): string {
	return values.map((v) => (typeof v === 'string' && /^[A-Za-z0-9_.-]+$/.test(v) ? v : JSON.stringify(v))).join(', ');
}

/** zod's own default messages start like this; anything else is a message written in schema.ts. */
const defaultMessage = /^(Invalid|Too (big|small)|Unrecognized|Expected)/;

function describeZodIssue(issue: Issue): string {
	switch (issue.code) {
		case 'invalid_type': {
			const got = /received (\w+)/.exec(issue.message)?.[1];
			if (got === 'undefined') return 'is required';
			if (got === 'null') return `is empty (must be ${typeName(issue.expected)})`;
			return `must be ${typeName(issue.expected)}${got ? `, not ${typeName(got)}` : ''}`;
		}
		case 'invalid_value':
			return issue.values.length === 1 ? `must be ${listValues(issue.values)}` : `must be one of ${listValues(issue.values)}`;
		case 'too_small':
			if (!defaultMessage.test(issue.message)) return issue.message;
			if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} item${Number(issue.minimum) === 1 ? '' : 's'}`;
			if (issue.origin === 'string') return 'must not be empty';
			return `must be at least ${String(issue.minimum)}`;
		case 'too_big':
			if (!defaultMessage.test(issue.message)) return issue.message;
			if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters`;
			if (issue.origin === 'array') return `must have at most ${String(issue.maximum)} items`;
			return `must be at most ${String(issue.maximum)}`;
		case 'invalid_union': {
			const options = (issue as {options?: unknown[]}).options;
			if (options) return `must be one of ${listValues(options)}`;
			return defaultMessage.test(issue.message) ? 'is not one of the accepted forms' : issue.message;
		}
		case 'invalid_key': {
			const inner = issue.issues[0];
			return inner ? describeZodIssue(inner) : 'is not a valid name';
		}
		case 'not_multiple_of':
			return `must be a multiple of ${String(issue.divisor)}`;
		default:
			return issue.message.replace(/^Invalid input: /, '');
	}
}

// ---------------------------------------------------------------------------------------------
// "Did you mean" for unknown keys: the keys the schema accepts at a path.

interface LooseDef {
	readonly type: string;
	readonly shape?: Record<string, z.core.$ZodType>;
	readonly innerType?: z.core.$ZodType;
	readonly in?: z.core.$ZodType;
	readonly options?: readonly z.core.$ZodType[];
	readonly valueType?: z.core.$ZodType;
	readonly element?: z.core.$ZodType;
}

function defOf(schema: z.core.$ZodType): LooseDef {
	return schema._zod.def as unknown as LooseDef;
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType[] {
	const def = defOf(schema);
	if (def.innerType) return unwrap(def.innerType);
	if (def.type === 'pipe' && def.in) return unwrap(def.in);
	if (def.type === 'union' && def.options) return def.options.flatMap(unwrap);
	return [schema];
}

function keysAt(fieldPath: FieldPath): string[] {
	let current = unwrap(profileSchema);
	for (const part of fieldPath) {
		const next: z.core.$ZodType[] = [];
		for (const s of current) {
			const def = defOf(s);
			if (def.type === 'object' && def.shape && typeof part === 'string' && def.shape[part]) next.push(...unwrap(def.shape[part]));
			else if (def.type === 'record' && def.valueType) next.push(...unwrap(def.valueType));
			else if (def.type === 'array' && def.element && typeof part === 'number') next.push(...unwrap(def.element));
		}
		current = next;
	}
	return [...new Set(current.flatMap((s) => Object.keys(defOf(s).shape ?? {})))];
}

function editDistance(a: string, b: string): number {
	const row = Array.from({length: b.length + 1}, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		let diag = row[0]!;
		row[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const above = row[j]!;
			row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
			diag = above;
		}
	}
	return row[b.length]!;
}

/** The accepted key an unknown key was most likely meant to be, if any is close enough. */
function suggestKey(key: string, known: readonly string[]): string | undefined {
	let best: string | undefined;
	let bestDistance = Infinity;
	const lower = key.toLowerCase().replace(/-/g, '_');
	for (const candidate of known) {
		const d = lower === candidate ? 0 : editDistance(lower, candidate);
		if (d < bestDistance) {
			best = candidate;
			bestDistance = d;
		}
	}
	const allowed = key.length <= 4 ? 1 : key.length <= 8 ? 2 : 3;
	return best !== undefined && bestDistance <= allowed ? best : undefined;
}

// ---------------------------------------------------------------------------------------------

interface Located {
	readonly path: FieldPath;
	readonly reason: string;
	readonly atKey: boolean;
}

function sameParent(a: FieldPath, b: FieldPath): boolean {
	return a.length === b.length && a.every((p, i) => i === a.length - 1 || p === b[i]);
}

/** Zod issues as located findings: unions opened up, unknown keys one per key with a suggestion. */
function zodFindings(issues: readonly Issue[]): Located[] {
	const out: Located[] = [];
	const visit = (issue: Issue, prefix: FieldPath): void => {
		const at = [...prefix, ...(issue.path as FieldPath)];
		if (issue.code === 'invalid_union' && issue.errors.length > 0) {
			// Open a union when exactly one alternative got past the type check: its problem is the real one.
			const deep = issue.errors.filter((errs) => errs.some((e) => e.path.length > 0 || (e.code !== 'invalid_type' && e.code !== 'invalid_value')));
			if (deep.length === 1) {
				for (const e of deep[0]!) visit(e, at);
				return;
			}
		}
		if (issue.code === 'unrecognized_keys') {
			const known = keysAt(at);
			for (const key of issue.keys) {
				const suggestion = suggestKey(key, known);
				out.push({
					path: [...at, key],
					reason: `unknown key${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
					atKey: true,
				});
			}
			return;
		}
		out.push({path: at, reason: describeZodIssue(issue), atKey: issue.code === 'invalid_key'});
	};
	for (const issue of issues) visit(issue, []);
	// A misspelt key also makes the real key "required"; the unknown key is the one finding to show.
	return out.filter(
		(f) =>
			f.reason !== 'is required' ||
			!out.some((u) => u.atKey && u.reason.includes(`did you mean ${String(f.path[f.path.length - 1])}?`) && sameParent(u.path, f.path)),
	);
}

function fail(file: string, doc: Document, counter: LineCounter, findings: readonly Located[]): never {
	const placed = findings.map((f, i) => ({f, i, pos: locate(doc, counter, f.path, f.atKey)}));
	// Report in file order: the first problem an operator meets reading down the file.
	placed.sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col || a.i - b.i);
	const first = placed[0]!;
	throw new ProfileError(file, first.pos.line, first.pos.col, formatPath(first.f.path), first.f.reason, placed.length - 1);
}

// ---------------------------------------------------------------------------------------------
// YAML syntax problems.

/** The path of the map key that starts at `offset`, and where the same key appeared first. */
function duplicateKeyAt(doc: Document, offset: number): {path: FieldPath; firstOffset: number} | undefined {
	const walk = (node: unknown, at: FieldPath): {path: FieldPath; firstOffset: number} | undefined => {
		if (isMap(node)) {
			for (const pair of node.items) {
				if (!isPair(pair)) continue;
				const key: unknown = pair.key;
				if (isScalar(key) && key.range?.[0] === offset) {
					const name = String(key.value);
					const earlier = node.items.find((p) => isScalar(p.key) && String(p.key.value) === name);
					const earlierKey = earlier?.key;
					return {path: [...at, name], firstOffset: isScalar(earlierKey) ? (earlierKey.range?.[0] ?? offset) : offset};
				}
				const found = walk(pair.value, [...at, isScalar(key) ? String(key.value) : '?']);
				if (found) return found;
			}
		} else if (isSeq(node)) {
			for (const [i, item] of node.items.entries()) {
				const found = walk(item, [...at, i]);
				if (found) return found;
			}
		}
		return undefined;
	};
	return walk(doc.contents, []);
}

function yamlFailure(file: string, doc: Document, counter: LineCounter, error: YAMLError): never {
	const offset = error.pos[0];
	const pos: Position = counter.linePos(offset);
	if (error.code === 'DUPLICATE_KEY') {
		const dup = duplicateKeyAt(doc, offset);
		if (dup) {
			throw new ProfileError(file, pos.line, pos.col, formatPath(dup.path), `duplicate key (first on line ${counter.linePos(dup.firstOffset).line})`);
		}
	}
	let reason = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
	if (error.code === 'MULTIPLE_DOCS') reason = 'a profile is one YAML document (remove the second "---")';
	throw new ProfileError(file, pos.line, pos.col, '(yaml)', reason);
}

/** Parse and validate profile text; `file` is used in messages and to resolve relative paths. */
export function parseProfile(text: string, file: string, options: ResolveOptions = {}): Profile {
	const counter = new LineCounter();
	const doc = parseDocument(text, {lineCounter: counter, prettyErrors: false, uniqueKeys: true});
	const yamlError = doc.errors[0];
	if (yamlError) yamlFailure(file, doc, counter, yamlError);
	let raw: unknown;
	try {
		raw = doc.toJS({maxAliasCount: 100});
	} catch (error) {
		// Unresolved aliases and alias bombs surface only when the document is turned into data.
		const message = error instanceof Error ? error.message.split('\n')[0]! : 'cannot be read';
		const alias = /Unresolved alias[^:]*: (.+)$/.exec(message)?.[1];
		let offset = 0;
		if (alias !== undefined) {
			visit(doc, {
				Alias(_, node) {
					if (node.source !== alias) return undefined;
					offset = node.range?.[0] ?? 0;
					return visit.BREAK;
				},
			});
		}
		const pos = counter.linePos(offset);
		throw new ProfileError(file, pos.line, pos.col, '(yaml)', alias !== undefined ? `alias *${alias} has no anchor &${alias} before it` : message);
	}
	if (raw === null || raw === undefined) {
		throw new ProfileError(file, 1, 1, '(top level)', 'the profile is empty');
	}
	if (typeof raw !== 'object' || Array.isArray(raw)) {
		const start = counter.linePos(doc.contents?.range?.[0] ?? 0);
		throw new ProfileError(file, start.line, start.col, '(top level)', `a profile must be a mapping of settings, not ${Array.isArray(raw) ? 'a list' : 'a single value'}`);
	}
	const parsed = profileSchema.safeParse(raw);
	if (!parsed.success) fail(file, doc, counter, zodFindings(parsed.error.issues));
	const cross = crossCheck(parsed.data);
	if (cross.length > 0) {
		fail(
			file,
			doc,
			counter,
			cross.map((c) => ({path: c.path, reason: c.message, atKey: c.atKey ?? false})),
		);
	}
	try {
		return resolveProfile(parsed.data, path.resolve(file), options);
	} catch (error) {
		if (error instanceof ResolveError) {
			const pos = locate(doc, counter, error.path);
			throw new ProfileError(file, pos.line, pos.col, formatPath(error.path), error.message);
		}
		throw error;
	}
}

export function loadProfile(file: string, options: ResolveOptions = {}): Profile {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new ProfileError(file, 1, 1, '(file)', code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? 'error'})`);
	}
	return parseProfile(text, file, options);
}

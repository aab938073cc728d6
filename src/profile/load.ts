// Reads a YAML profile, validates it and resolves it into the typed model. Every failure is a
// ProfileError whose message is one line: `file:line:col: field: reason`.
import {closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats} from 'node:fs';
import path from 'node:path';
import {isCollection, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Scalar, type YAMLError} from 'yaml';
import type {z} from 'zod';
import {profileSchema} from './schema.js';
import {crossCheck} from './cross-check.js';
import {formatPath, locate, type FieldPath, type Position} from './locate.js';
import {resolveProfile, type ResolveOptions} from './resolve.js';
import type {Profile} from './model.js';
import {ProfileError, ResolveError} from './errors.js';
import {yamlBudgetProblem} from './budget.js';
import {checkConfExtras, locateInText} from './conf-extras.js';

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
			if (issue.expected === 'int' && got === 'number') return 'must be a whole number';
			if (got === 'NaN') return `must be ${typeName(issue.expected)}, not .nan`;
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

interface Finding extends Located {
	/** For unknown keys: the key and the accepted key it probably means. */
	readonly unknownKey?: string;
	suggestion?: string;
}

function parentOf(p: FieldPath): string {
	return JSON.stringify(p.slice(0, -1));
}

/** Whether the input has a value at `fieldPath` (a key that is absent is "required", not "invalid"). */
function present(raw: unknown, fieldPath: FieldPath): boolean {
	let node: unknown = raw;
	for (const part of fieldPath) {
		if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return false;
		node = (node as Record<string | number, unknown>)[part];
	}
	return node !== undefined;
}

/** Zod issues as located findings: unions opened up, unknown keys one per key with a suggestion. */
function zodFindings(issues: readonly Issue[], raw: unknown): Located[] {
	const out: Finding[] = [];
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
				out.push({path: [...at, key], reason: 'unknown key', atKey: true, unknownKey: key, ...(suggestion ? {suggestion} : {})});
			}
			return;
		}
		let reason = describeZodIssue(issue);
		if (!present(raw, at) && reason.startsWith('must be one of ')) reason = `is required (${reason.slice('must be '.length)})`;
		out.push({path: at, reason, atKey: issue.code === 'invalid_key'});
	};
	for (const issue of issues) visit(issue, []);

	// A misspelt key also makes the real key "required". When one unknown key sits where exactly one
	// required key is missing, that is the key it was meant to be, however far apart the spellings.
	const required = (f: Finding) => f.reason.startsWith('is required') && f.unknownKey === undefined;
	for (const u of out) {
		if (u.unknownKey === undefined || u.suggestion !== undefined) continue;
		const parent = parentOf(u.path);
		const unknownSiblings = out.filter((f) => f.unknownKey !== undefined && parentOf(f.path) === parent);
		const missing = out.filter((f) => required(f) && parentOf(f.path) === parent);
		if (unknownSiblings.length === 1 && missing.length === 1) u.suggestion = String(missing[0]!.path[missing[0]!.path.length - 1]);
	}
	const meant = new Set(out.filter((f) => f.suggestion !== undefined).map((f) => `${parentOf(f.path)}/${f.suggestion!}`));
	return out
		.filter((f) => !(required(f) && meant.has(`${parentOf(f.path)}/${String(f.path[f.path.length - 1])}`)))
		.map((f) => (f.unknownKey !== undefined && f.suggestion !== undefined ? {...f, reason: `unknown key (did you mean ${f.suggestion}?)`} : f));
}

/**
 * Problems located in the file, at most this many: locating one walks the mappings on its path,
 * so a profile with tens of thousands of wrong entries would take minutes to report.
 */
const MAX_LOCATED = 100;

/** `unlocated`: further problems counted in "(and N more errors)" but not located. */
function fail(file: string, doc: Document, counter: LineCounter, findings: readonly Located[], unlocated = 0): never {
	const placed = findings.slice(0, MAX_LOCATED).map((f, i) => ({f, i, pos: locate(doc, counter, f.path, f.atKey)}));
	// Report in file order: the first problem an operator meets reading down the file.
	placed.sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col || a.i - b.i);
	const first = placed[0]!;
	throw new ProfileError(file, first.pos.line, first.pos.col, formatPath(first.f.path), first.f.reason, findings.length - 1 + unlocated);
}

// ---------------------------------------------------------------------------------------------
// YAML syntax problems.

/** The path of the first node (map keys included) that `match` accepts, walking in document order. */
function findPath(doc: Document, match: (node: unknown) => boolean): FieldPath | undefined {
	const walk = (node: unknown, at: FieldPath): FieldPath | undefined => {
		if (isMap(node)) {
			for (const pair of node.items) {
				const name = isScalar(pair.key) ? String(pair.key.value) : '?';
				if (match(pair.key)) return [...at, name];
				const found = walk(pair.value, [...at, name]);
				if (found) return found;
			}
		} else if (isSeq(node)) {
			for (const [i, item] of node.items.entries()) {
				const found = walk(item, [...at, i]);
				if (found) return found;
			}
		}
		return match(node) ? at : undefined;
	};
	return walk(doc.contents, []);
}

function rangeOf(node: unknown): readonly [number, number, number] | undefined {
	return (node as {range?: [number, number, number]} | null)?.range ?? undefined;
}

/**
 * The first key (in file order) that repeats a key of the same mapping, and the one it repeats.
 * Done here with a set per mapping: yaml's own check (uniqueKeys) compares every pair of keys,
 * which takes minutes on a mapping with tens of thousands of keys. Keys compare as the strings
 * they become in the parsed data (1 and "1" are the same key there).
 */
function firstDuplicateKey(doc: Document): {readonly key: Scalar; readonly first: Scalar} | undefined {
	let found: {key: Scalar; first: Scalar} | undefined;
	visit(doc, {
		Map(_, map) {
			const seen = new Map<string, Scalar>();
			for (const pair of map.items) {
				if (!isScalar(pair.key)) continue;
				const name = String(pair.key.value);
				const first = seen.get(name);
				if (first === undefined) seen.set(name, pair.key);
				else if (!found || (rangeOf(pair.key)?.[0] ?? 0) < (rangeOf(found.key)?.[0] ?? 0)) found = {key: pair.key, first};
			}
			return undefined;
		},
	});
	return found;
}

function duplicateKeyFailure(file: string, doc: Document, counter: LineCounter, duplicate: {readonly key: Scalar; readonly first: Scalar}): never {
	const pos = counter.linePos(rangeOf(duplicate.key)?.[0] ?? 0);
	const keyPath = findPath(doc, (n) => n === duplicate.key) ?? [];
	const firstStart = rangeOf(duplicate.first)?.[0];
	const firstLine = firstStart === undefined ? undefined : counter.linePos(firstStart).line;
	throw new ProfileError(file, pos.line, pos.col, formatPath(keyPath), `duplicate key${firstLine ? ` (first on line ${firstLine})` : ''}`);
}

function yamlFailure(file: string, doc: Document, counter: LineCounter, error: YAMLError): never {
	const offset = error.pos[0];
	const pos: Position = counter.linePos(offset);
	// An unclosed { or [ is noticed only where the next block starts: point at the bracket instead.
	const flow = /^Flow (map|sequence) in block collection/.exec(error.message)?.[1];
	if (error.code === 'BAD_INDENT' && flow) {
		let open: {node: unknown; start: number} | undefined;
		const wanted = (n: unknown): boolean => (flow === 'map' ? isMap(n) && n.flow === true : isSeq(n) && n.flow === true);
		findPath(doc, (n) => {
			const r = rangeOf(n);
			if (wanted(n) && r && r[1] === offset && (!open || r[0] > open.start)) open = {node: n, start: r[0]};
			return false;
		});
		if (open) {
			const target = open.node;
			const at = findPath(doc, (n) => n === target) ?? [];
			const start = counter.linePos(open.start);
			const [l, r] = flow === 'map' ? ['{', '}'] : ['[', ']'];
			throw new ProfileError(file, start.line, start.col, at.length > 0 ? formatPath(at) : '(yaml)', `"${l}" is never closed with "${r}"`);
		}
	}
	let reason = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
	if (error.code === 'MULTIPLE_DOCS') reason = 'a profile is one YAML document (remove the second "---")';
	throw new ProfileError(file, pos.line, pos.col, '(yaml)', reason);
}

/**
 * Keys that name JavaScript object internals. As data they are dropped or, worse, change what other
 * names look up, so a profile may not use them anywhere (not even where any name is allowed).
 */
const OBJECT_INTERNAL_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function refuseObjectInternalKeys(file: string, doc: Document, counter: LineCounter): void {
	let bad: {key: unknown; name: string} | undefined;
	visit(doc, {
		Pair(_, pair) {
			if (!isScalar(pair.key) || !OBJECT_INTERNAL_KEYS.has(String(pair.key.value))) return undefined;
			bad = {key: pair.key, name: String(pair.key.value)};
			return visit.BREAK;
		},
	});
	if (!bad) return;
	const target = bad.key;
	const at = findPath(doc, (n) => n === target) ?? [];
	const pos = counter.linePos(rangeOf(target)?.[0] ?? 0);
	throw new ProfileError(file, pos.line, pos.col, formatPath(at), `"${bad.name}" cannot be used as a key (it names JavaScript object internals)`);
}

function lineAndColumn(text: string, offset: number): Position {
	const before = text.slice(0, offset);
	const lineStart = before.lastIndexOf('\n') + 1;
	return {line: before.split('\n').length, col: offset - lineStart + 1};
}

/** The YAML document of a profile, or the first problem in it (size, syntax, duplicate or unusable keys). */
function profileDocument(text: string, file: string, counter: LineCounter): Document.Parsed {
	const overBudget = yamlBudgetProblem(text);
	if (overBudget) {
		const pos = lineAndColumn(text, overBudget.offset);
		throw new ProfileError(file, pos.line, pos.col, '(file)', overBudget.reason);
	}
	// logLevel 'error': yaml would otherwise print warnings to the operator's terminal by itself.
	const doc = parseDocument(text, {lineCounter: counter, prettyErrors: false, uniqueKeys: false, logLevel: 'error'});
	const yamlError = doc.errors[0];
	const duplicate = firstDuplicateKey(doc);
	if (duplicate && (!yamlError || (rangeOf(duplicate.key)?.[0] ?? 0) < yamlError.pos[0])) duplicateKeyFailure(file, doc, counter, duplicate);
	if (yamlError) yamlFailure(file, doc, counter, yamlError);
	refuseComplexKeys(file, doc, counter);
	refuseObjectInternalKeys(file, doc, counter);
	return doc;
}

/** `? [a, b]` style keys: legal YAML, but no profile key is a list or a mapping. */
function refuseComplexKeys(file: string, doc: Document.Parsed, counter: LineCounter): void {
	let complexKey: unknown;
	visit(doc, {
		Pair(_, pair) {
			if (!isCollection(pair.key)) return undefined;
			complexKey = pair.key;
			return visit.BREAK;
		},
	});
	if (complexKey === undefined) return;
	const at = findPath(doc, (n) => n === complexKey) ?? [];
	const pos = counter.linePos(rangeOf(complexKey)?.[0] ?? 0);
	throw new ProfileError(file, pos.line, pos.col, formatPath(at.slice(0, -1)), 'a key must be a plain name, not a list or mapping');
}

/** The document as data: a mapping, or an error at the alias, the empty file or the top-level value. */
function profileData(file: string, doc: Document.Parsed, counter: LineCounter): object {
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
	return raw;
}

/** Parse and validate profile text; `file` is used in messages and to resolve relative paths. */
/**
 * Where a field is in the profile's text, for messages about a profile that loaded (a read-only check,
 * a drill plan): the YAML document is parsed again on the first question instead of being kept from
 * loading, since a console or a fleet holds every profile for its whole run and asks rarely if ever.
 */
function positionsOf(text: string, file: string): (at: FieldPath) => Position {
	let parsed: {readonly doc: Document.Parsed; readonly counter: LineCounter} | undefined;
	return (at) => {
		if (!parsed) {
			const counter = new LineCounter();
			parsed = {doc: profileDocument(text, file, counter), counter};
		}
		return locate(parsed.doc, parsed.counter, at);
	};
}

export function parseProfile(text: string, file: string, options: ResolveOptions = {}): Profile {
	const counter = new LineCounter();
	const doc = profileDocument(text, file, counter);
	const raw = profileData(file, doc, counter);
	const parsed = profileSchema.safeParse(raw);
	if (!parsed.success) {
		const issues = parsed.error.issues;
		fail(file, doc, counter, zodFindings(issues.slice(0, MAX_LOCATED), raw), Math.max(0, issues.length - MAX_LOCATED));
	}
	const cross = crossCheck(parsed.data);
	if (cross.length > 0) {
		fail(
			file,
			doc,
			counter,
			cross.map((c) => ({path: c.path, reason: c.message, atKey: c.atKey ?? false})),
		);
	}
	const textIssue = checkConfExtras(parsed.data)[0];
	if (textIssue) {
		const pos = locateInText(doc, counter, text, textIssue.path, textIssue.inner);
		throw new ProfileError(file, pos.line, pos.col, formatPath(textIssue.path), textIssue.message);
	}
	try {
		const profile = resolveProfile(parsed.data, path.resolve(file), options);
		return {...profile, source: {file, position: positionsOf(text, file)}};
	} catch (error) {
		if (error instanceof ResolveError) {
			const pos = locate(doc, counter, error.path);
			throw new ProfileError(file, pos.line, pos.col, formatPath(error.path), error.message);
		}
		throw error;
	}
}

/** The largest profile file accepted: far above any real cluster, far below the CLI's heap. */
export const MAX_PROFILE_BYTES = 1024 * 1024;

function fileKind(st: Stats): string {
	if (st.isDirectory()) return 'a directory';
	if (st.isFIFO()) return 'a FIFO (named pipe)';
	if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
	if (st.isSocket()) return 'a socket';
	return 'not a regular file';
}

function tooBig(file: string, bytes: string): ProfileError {
	return new ProfileError(file, 1, 1, '(file)', `is ${bytes} bytes; a profile may be at most ${MAX_PROFILE_BYTES} bytes (1 MB)`);
}

/**
 * The file's text, read only when it is a regular file of at most 1 MB: checked before opening (a
 * FIFO would block the open), opened non-blocking and checked again (it may have been swapped), and
 * read no further than one byte past the limit (it may be growing).
 */
export function readProfileFile(file: string): string {
	const failure = (error: unknown) => {
		const code = (error as NodeJS.ErrnoException).code;
		return new ProfileError(file, 1, 1, '(file)', code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? 'error'})`);
	};
	const check = (st: Stats) => {
		if (!st.isFile()) return new ProfileError(file, 1, 1, '(file)', `is ${fileKind(st)}; a profile must be a regular file`);
		if (st.size > MAX_PROFILE_BYTES) return tooBig(file, String(st.size));
		return undefined;
	};
	let fd: number;
	try {
		const refused = check(statSync(file));
		if (refused) throw refused;
		fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
	} catch (error) {
		throw error instanceof ProfileError ? error : failure(error);
	}
	try {
		const refused = check(fstatSync(fd));
		if (refused) throw refused;
		const buffer = Buffer.alloc(MAX_PROFILE_BYTES + 1);
		let length = 0;
		for (;;) {
			const n = readSync(fd, buffer, length, buffer.length - length, null);
			if (n === 0) break;
			length += n;
			if (length > MAX_PROFILE_BYTES) throw tooBig(file, `more than ${MAX_PROFILE_BYTES}`);
		}
		return buffer.toString('utf8', 0, length);
	} catch (error) {
		throw error instanceof ProfileError ? error : failure(error);
	} finally {
		closeSync(fd);
	}
}

export function loadProfile(file: string, options: ResolveOptions = {}): Profile {
	return parseProfile(readProfileFile(file), file, options);
}

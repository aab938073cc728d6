// Reads a YAML profile, validates it and resolves it into the typed model. Every failure is a
// ProfileError whose message is one line: `file:line:col: field: reason`.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {LineCounter, parseDocument, type Document} from 'yaml';
import type {z} from 'zod';
import {profileSchema} from './schema.js';
import {crossCheck} from './cross-check.js';
import {formatPath, locate, type FieldPath} from './locate.js';
import {resolveProfile, type ResolveOptions} from './resolve.js';
import type {Profile} from './model.js';
import {ProfileError, ResolveError} from './errors.js';

export {ProfileError} from './errors.js';

function describeZodIssue(issue: z.core.$ZodIssue): string {
	switch (issue.code) {
		case 'invalid_type': {
			const got = /received (\w+)/.exec(issue.message)?.[1];
			if (got === 'undefined') return 'is required';
			return `must be ${issue.expected === 'record' || issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}${got ? `, not ${got}` : ''}`;
		}
		case 'unrecognized_keys':
			return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
		case 'invalid_value':
			return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
		case 'too_small':
			if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} item${Number(issue.minimum) === 1 ? '' : 's'}`;
			if (issue.origin === 'string') return 'must not be empty';
			return `must be at least ${String(issue.minimum)}`;
		case 'too_big':
			if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters`;
			return `must be at most ${String(issue.maximum)}`;
		case 'invalid_union':
			return 'is not one of the accepted forms';
		default: {
			const msg = issue.message.replace(/^Invalid input: /, '');
			return msg;
		}
	}
}

interface Located {
	readonly path: FieldPath;
	readonly reason: string;
	readonly atKey: boolean;
}

function fail(file: string, doc: Document, counter: LineCounter, issues: Located[]): never {
	const first = issues[0]!;
	const pos = locate(doc, counter, first.path, first.atKey);
	throw new ProfileError(file, pos.line, pos.col, formatPath(first.path), first.reason, issues.length - 1);
}

/** Parse and validate profile text; `file` is used in messages and to resolve relative paths. */
export function parseProfile(text: string, file: string, options: ResolveOptions = {}): Profile {
	const counter = new LineCounter();
	const doc = parseDocument(text, {lineCounter: counter, prettyErrors: false, uniqueKeys: true});
	const yamlError = doc.errors[0];
	if (yamlError) {
		const pos = yamlError.linePos?.[0] ?? {line: 1, col: 1};
		const reason = yamlError.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
		throw new ProfileError(file, pos.line, pos.col, '(yaml)', reason);
	}
	const raw: unknown = doc.toJS();
	if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
		throw new ProfileError(file, 1, 1, '(top level)', 'a profile must be a YAML mapping');
	}
	const parsed = profileSchema.safeParse(raw);
	if (!parsed.success) {
		const issues = parsed.error.issues.map((issue): Located => {
			if (issue.code === 'unrecognized_keys') {
				return {path: [...issue.path, issue.keys[0]!] as FieldPath, reason: describeZodIssue(issue), atKey: true};
			}
			return {path: issue.path as FieldPath, reason: describeZodIssue(issue), atKey: false};
		});
		fail(file, doc, counter, issues);
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

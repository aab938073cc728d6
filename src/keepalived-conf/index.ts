// Public API of the keepalived.conf parser, model, serializer and comparison.
import {checkKeywords} from './check.js';
import {configFields, type KeepalivedConfig} from './model.js';
import {readLogicalLines, type IncludeRecord, type ReadOptions} from './reader.js';
import {diffBody, readBody, writeBody, type Difference} from './schema.js';
import {serializeNodes, type SerializeOptions} from './serialize.js';
import {buildTree} from './tree.js';
import type {ConfigError, Diagnostic, SyntaxNode} from './types.js';

export type {ConfigFileReader} from './files.js';
export {filesFromMap} from './files.js';
export type {IncludeRecord, ReadOptions} from './reader.js';
export type {Difference, Script} from './schema.js';
export type {SerializeOptions} from './serialize.js';
export {REDACTED, SECRET_KEYWORDS, UnrepresentableWordError, serializeNodes} from './serialize.js';
export * from './types.js';
export * from './model.js';
export {checkKeywords} from './check.js';
export {canonicalNode} from './schema.js';

export interface ParseOptions extends ReadOptions {
	/** Name of the main file, for locations and for resolving relative includes. Default `keepalived.conf`. */
	readonly file?: string;
}

interface ParsedTree {
	readonly tree: SyntaxNode[];
	readonly diagnostics: Diagnostic[];
	readonly includes: IncludeRecord[];
	/** Every file read, the main one first. */
	readonly files: string[];
	readonly definitions: ReadonlyArray<{readonly name: string; readonly value: string}>;
}

export type TreeParseResult = ({readonly ok: true} & ParsedTree) | {readonly ok: false; readonly error: ConfigError; readonly diagnostics: Diagnostic[]};
export type ParseResult = ({readonly ok: true; readonly config: KeepalivedConfig} & ParsedTree) | {readonly ok: false; readonly error: ConfigError; readonly diagnostics: Diagnostic[]};

function internalError(file: string, e: unknown): {ok: false; error: ConfigError; diagnostics: Diagnostic[]} {
	const message = e instanceof Error ? e.message : String(e);
	return {ok: false, error: {code: 'internal-error', message: `parser failure: ${message}`, loc: {file, line: 1, col: 1}}, diagnostics: []};
}

/** Text to syntax tree (includes followed, conditionals evaluated, unless told otherwise). Never throws. */
export function parseKeepalivedTree(text: string, options: ParseOptions = {}): TreeParseResult {
	const file = options.file ?? 'keepalived.conf';
	try {
		const read = readLogicalLines(text, file, options);
		const tree = buildTree(read.lines);
		if (!tree.ok) return {ok: false, error: tree.error, diagnostics: read.diagnostics};
		const diagnostics = [...read.diagnostics, ...checkKeywords(tree.nodes)];
		return {ok: true, tree: tree.nodes, diagnostics, includes: read.includes, files: read.files, definitions: read.definitions};
	} catch (e) {
		return internalError(file, e);
	}
}

/** The typed model of a syntax tree; value problems are added to `diagnostics`. */
export function buildModel(tree: readonly SyntaxNode[], diagnostics: Diagnostic[] = []): KeepalivedConfig {
	return readBody(configFields, tree, {diagnostics}) as KeepalivedConfig;
}

/** Text to model, with every warning keepalived 2.2.7 would give (file:line and fix). Never throws. */
export function parseKeepalivedConf(text: string, options: ParseOptions = {}): ParseResult {
	const parsed = parseKeepalivedTree(text, options);
	if (!parsed.ok) return parsed;
	try {
		const diagnostics = [...parsed.diagnostics];
		const config = buildModel(parsed.tree, diagnostics);
		return {...parsed, config, diagnostics: sortDiagnostics(diagnostics)};
	} catch (e) {
		return internalError(options.file ?? 'keepalived.conf', e);
	}
}

/** Read the main file through the reader (as keepalived -f would), then parse. */
export function parseKeepalivedConfFile(file: string, options: Omit<ParseOptions, 'file'> & {files: NonNullable<ReadOptions['files']>}): ParseResult {
	const text = options.files.readFile(file);
	if (text === undefined) return {ok: false, error: {code: 'missing-file', message: `cannot read ${file}`, loc: {file, line: 0, col: 0}}, diagnostics: []};
	return parseKeepalivedConf(text, {...options, file});
}

function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
	const files: string[] = [];
	for (const d of list) if (d.loc && !files.includes(d.loc.file)) files.push(d.loc.file);
	return list
		.map((d, i) => ({d, i}))
		.sort((x, y) => {
			const fx = x.d.loc ? files.indexOf(x.d.loc.file) : -1;
			const fy = y.d.loc ? files.indexOf(y.d.loc.file) : -1;
			return fx - fy || (x.d.loc?.line ?? 0) - (y.d.loc?.line ?? 0) || (x.d.loc?.col ?? 0) - (y.d.loc?.col ?? 0) || x.i - y.i;
		})
		.map((x) => x.d);
}

/** An empty config, to build one from scratch (render). */
export function emptyConfig(): KeepalivedConfig {
	return buildModel([]);
}

/** The model as syntax nodes: per block, ignored lines, then unmodelled ones verbatim, then modelled keywords in a fixed order. */
export function modelToTree(config: KeepalivedConfig): SyntaxNode[] {
	return writeBody(configFields, config);
}

/** keepalived.conf text for the model, one keyword per line. Throws UnrepresentableWordError for a word with a double quote. */
export function serializeKeepalivedConf(config: KeepalivedConfig, options: SerializeOptions = {}): string {
	return serializeNodes(modelToTree(config), options);
}

/** What differs between two configs in keepalived terms; layout, comments and order within blocks never count. */
export function compareKeepalivedConf(a: KeepalivedConfig, b: KeepalivedConfig): Difference[] {
	const out: Difference[] = [];
	diffBody(configFields, a, b, '', out);
	return out;
}

export interface DifferenceLabels {
	readonly a: string;
	readonly b: string;
}

/** `vrrp_instance VI_1 priority: installed 90, profile 100`, `vrrp_instance VI_1 notify_master only installed`, `... auth_pass: differs`. */
export function formatDifference(d: Difference, labels: DifferenceLabels = {a: 'installed', b: 'profile'}): string {
	const subject = d.path === '' ? d.keyword : `${d.path} ${d.keyword}`;
	if (d.kind === 'changed') return d.secret ? `${subject}: differs` : `${subject}: ${labels.a} ${d.a ?? ''}, ${labels.b} ${d.b ?? ''}`;
	return `${subject} only ${d.kind === 'only-a' ? labels.a : labels.b}`;
}
export {adaptToVersion, compareKeepalivedVersions, keywordSince, KEYWORD_SINCE, BLOCK_KEYWORDS, type KeywordVersionWarning} from './keyword-versions.js';

// The machinery behind the typed model: each modelled keyword is a Field that reads its syntax
// nodes into a value, writes the value back as nodes, and compares two values in keepalived terms.
// Nodes a field cannot use (invalid, or overridden by a later one) are kept as `ignored`; keywords
// no field claims are kept as `extra`; both verbatim and in source order, so nothing is lost.
import {splitQuotedEscaped, splitWords} from './lexer.js';
import {SECRET_KEYWORDS, quoteWord} from './serialize.js';
import type {Diagnostic, Loc, SyntaxNode} from './types.js';

export interface ReadContext {
	readonly diagnostics: Diagnostic[];
}

/** One difference between two configs, in keepalived terms. Secret values are never carried. */
export interface Difference {
	/** The enclosing blocks, e.g. `virtual_server 192.168.67.100 80 real_server 192.168.67.10 80`; '' at top level. */
	readonly path: string;
	/** The keyword (with its identifying words for blocks and list entries). */
	readonly keyword: string;
	readonly kind: 'changed' | 'only-a' | 'only-b';
	readonly a?: string;
	readonly b?: string;
	readonly secret?: boolean;
}

export interface Field<V> {
	/** The first is the one written; the others are accepted aliases. */
	readonly keywords: readonly string[];
	read(nodes: readonly SyntaxNode[], ctx: ReadContext): {value: V; ignored: SyntaxNode[]};
	write(value: V): SyntaxNode[];
	diff(a: V, b: V, path: string, out: Difference[]): void;
}

/** What every modelled block carries besides its fields. */
export interface BlockBase {
	readonly loc?: Loc;
	/** Nodes of modelled keywords that keepalived would not use (invalid value, overridden by a later line). */
	readonly ignored: readonly SyntaxNode[];
	/** Keywords the model does not interpret (known or unknown to keepalived), verbatim. */
	readonly extra: readonly SyntaxNode[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FieldMap = Record<string, Field<any>>;
export type FieldValues<F extends FieldMap> = {-readonly [K in keyof F]: F[K] extends Field<infer V> ? V : never};

export interface HeaderCodec<H extends object> {
	parse(args: readonly string[]): H | {error: string};
	format(header: H): string[];
}

export interface BlockSpec<F extends FieldMap, H extends object> {
	readonly keyword: string;
	readonly header: HeaderCodec<H>;
	readonly fields: F;
}

export type BlockModel<S> = S extends BlockSpec<infer F, infer H> ? H & FieldValues<F> & BlockBase : never;

function join(path: string, part: string): string {
	return path === '' ? part : `${path} ${part}`;
}

function warn(ctx: ReadContext, node: SyntaxNode, code: string, message: string, fix?: string): void {
	ctx.diagnostics.push({severity: 'warning', code, message, keyword: node.keyword, ...(node.loc ? {loc: node.loc} : {}), ...(fix ? {fix} : {})});
}

// ---- value codecs ---------------------------------------------------------------------------

export interface ValueCodec<T> {
	parse(args: readonly string[]): T | {error: string; fix?: string};
	format(value: T): string[];
}

function isError(v: unknown): v is {error: string; fix?: string} {
	return typeof v === 'object' && v !== null && 'error' in v && Object.keys(v).every((k) => k === 'error' || k === 'fix');
}

export const word: ValueCodec<string> = {
	parse: (args) => (args.length === 1 ? (args[0] as string) : {error: args.length === 0 ? 'needs a value' : 'takes one word'}),
	format: (v) => [v],
};

/** Zero or more words (`vrrp_iptables [CHAIN]`, `use_vmac [NAME]`). */
export const optionalWords: ValueCodec<string[]> = {
	parse: (args) => [...args],
	format: (v) => [...v],
};

export const words: ValueCodec<string[]> = {
	parse: (args) => (args.length > 0 ? [...args] : {error: 'needs a value'}),
	format: (v) => [...v],
};

/** A keyword that is set by being there (`nopreempt`). */
export const presence: ValueCodec<true> = {
	parse: (args) => (args.length === 0 ? true : {error: 'takes no words'}),
	format: () => [],
};

const TRUE = ['on', 'true', 'yes'];
const FALSE = ['off', 'false', 'no'];
/** A keyword alone means on; `on|off|true|false|yes|no` may follow. */
export const optionalBool: ValueCodec<boolean> = {
	parse: (args) => {
		if (args.length === 0) return true;
		const v = args[0] as string;
		if (args.length === 1 && TRUE.includes(v)) return true;
		if (args.length === 1 && FALSE.includes(v)) return false;
		return {error: `'${args.join(' ')}' is not on/off`};
	},
	format: (v) => (v ? [] : ['off']),
};

export function integer(min: number, max: number): ValueCodec<number> {
	return {
		parse: (args) => {
			const v = args[0];
			if (args.length !== 1 || v === undefined || !/^[+-]?\d+$/.test(v)) return {error: 'needs a whole number'};
			const n = Number(v);
			if (n >= min && n <= max) return n;
			return {error: `${n} is outside ${min}..${max}`, ...(n < min ? {fix: 'delete the line'} : {})};
		},
		format: (v) => [String(v)],
	};
}

/** Decimal seconds (keepalived's timers accept fractions down to microseconds). */
export function decimal(min: number, max: number): ValueCodec<number> {
	return {
		parse: (args) => {
			const v = args[0];
			if (args.length !== 1 || v === undefined || !/^\d+(\.\d+)?$|^\.\d+$/.test(v)) return {error: 'needs a number'};
			const n = Number(v);
			return n < min || n > max ? {error: `${v} is outside ${min}..${max}`, ...(n < min ? {fix: 'delete the line'} : {})} : n;
		},
		format: (v) => [String(v)],
	};
}

/** One of a fixed set of words, compared exactly as keepalived does (case matters unless told). */
export function oneOf<T extends string>(values: readonly T[], options: {caseInsensitive?: boolean} = {}): ValueCodec<T> {
	return {
		parse: (args) => {
			const v = args[0];
			if (args.length !== 1 || v === undefined) return {error: `needs one of ${values.join('|')}`};
			const found = values.find((x) => (options.caseInsensitive ? x.toUpperCase() === v.toUpperCase() : x === v));
			if (found) return options.caseInsensitive ? (v as T) : found;
			const near = values.find((x) => x.toUpperCase() === v.toUpperCase());
			return {error: `'${v}' is not one of ${values.join('|')}`, ...(near ? {fix: near} : {})};
		},
		format: (v) => [v],
	};
}

function show(codec: ValueCodec<unknown>, value: unknown): string {
	const f = codec.format(value as never);
	return f.length === 0 ? 'on' : f.join(' ');
}

// ---- fields ---------------------------------------------------------------------------------

/** A keyword with one value; the last valid line wins, as each keepalived handler overwrites. */
export function scalar<T>(keywords: readonly string[], codec: ValueCodec<T>, options: {secret?: boolean; normalize?: (v: T) => string} = {}): Field<T | undefined> {
	const canonical = keywords[0] as string;
	const keyOf = (v: T): string => (options.normalize ? options.normalize(v) : show(codec as ValueCodec<unknown>, v));
	return {
		keywords,
		read(nodes, ctx) {
			let value: T | undefined;
			let used: SyntaxNode | undefined;
			const ignored: SyntaxNode[] = [];
			for (const node of nodes) {
				if (node.children !== undefined) {
					warn(ctx, node, 'unexpected-block', `${node.keyword} takes no block`);
					ignored.push(node);
					continue;
				}
				const parsed = codec.parse(node.args);
				if (isError(parsed)) {
					const secret = options.secret || SECRET_KEYWORDS.has(node.keyword);
					warn(ctx, node, 'invalid-value', `${node.keyword}: ${secret ? 'invalid value' : parsed.error}; keepalived ignores it`, parsed.fix ? `${parsed.fix === 'delete the line' ? parsed.fix : `${node.keyword} ${parsed.fix}`}` : undefined);
					ignored.push(node);
					continue;
				}
				if (used) {
					ignored.push(used);
					warn(ctx, used, 'overridden', `${used.keyword} is given again${node.loc ? ` at line ${node.loc.line}` : ''}: keepalived uses the later one`, 'delete one of them');
				}
				used = node;
				value = parsed;
			}
			return {value, ignored};
		},
		write: (value) => (value === undefined ? [] : [{keyword: canonical, args: codec.format(value)}]),
		diff(a, b, path, out) {
			if (a === undefined && b === undefined) return;
			if (a === undefined || b === undefined) {
				out.push({path, keyword: canonical, kind: a === undefined ? 'only-b' : 'only-a'});
				return;
			}
			if (keyOf(a) === keyOf(b)) return;
			if (options.secret) out.push({path, keyword: canonical, kind: 'changed', secret: true});
			else out.push({path, keyword: canonical, kind: 'changed', a: show(codec as ValueCodec<unknown>, a), b: show(codec as ValueCodec<unknown>, b)});
		},
	};
}

/** Several presence keywords collected as a set of words (IPVS scheduler flags). */
export function keywordSet(keywords: readonly string[]): Field<string[] | undefined> {
	return {
		keywords,
		read(nodes, ctx) {
			const value: string[] = [];
			const ignored: SyntaxNode[] = [];
			for (const node of nodes) {
				if (node.args.length > 0 || node.children !== undefined) {
					warn(ctx, node, 'invalid-value', `${node.keyword} takes no words`);
					ignored.push(node);
				} else if (value.includes(node.keyword)) ignored.push(node);
				else value.push(node.keyword);
			}
			return {value: value.length > 0 ? value : undefined, ignored};
		},
		write: (value) => (value ?? []).map((k) => ({keyword: k, args: []})),
		diff(a, b, path, out) {
			for (const k of a ?? []) if (!(b ?? []).includes(k)) out.push({path, keyword: k, kind: 'only-a'});
			for (const k of b ?? []) if (!(a ?? []).includes(k)) out.push({path, keyword: k, kind: 'only-b'});
		},
	};
}

/** A script with its user: `notify_master "/path/x.sh arg" [user [group]]`, read as keepalived re-reads script lines. */
export interface Script {
	readonly command: string;
	readonly user?: string;
	readonly group?: string;
}

const SIMPLE_SCRIPT_WORD = /^[^\s"'\\#!{}$]+$/;

export function scriptWord(s: string): string {
	return SIMPLE_SCRIPT_WORD.test(s) ? s : `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export const scriptCodec = {
	fromNode(node: SyntaxNode): Script | {error: string} {
		const qe = splitQuotedEscaped(node.text ?? [node.keyword, ...node.args.map((a) => quoteWord(a))].join(' '));
		if (!qe || qe.length < 2) return {error: 'needs a script'};
		if (qe.length > 4) return {error: 'too many words: quote the script and its arguments together'};
		const [, command, user, group] = qe as [string, string, string?, string?];
		return {command, ...(user !== undefined ? {user} : {}), ...(group !== undefined ? {group} : {})};
	},
	toNode(keyword: string, s: Script): SyntaxNode {
		const text = [keyword, scriptWord(s.command), ...(s.user !== undefined ? [scriptWord(s.user)] : []), ...(s.group !== undefined ? [scriptWord(s.group)] : [])].join(' ');
		return {keyword, args: splitWords(text).words.slice(1), text};
	},
	show: (s: Script): string => [JSON.stringify(s.command), ...(s.user ? [s.user] : []), ...(s.group ? [s.group] : [])].join(' '),
};

export function script(keywords: readonly string[]): Field<Script | undefined> {
	const canonical = keywords[0] as string;
	return {
		keywords,
		read(nodes, ctx) {
			let value: Script | undefined;
			let used: SyntaxNode | undefined;
			const ignored: SyntaxNode[] = [];
			for (const node of nodes) {
				const parsed = node.children === undefined ? scriptCodec.fromNode(node) : {error: 'takes no block'};
				if ('error' in parsed) {
					warn(ctx, node, 'invalid-value', `${node.keyword}: ${parsed.error}`);
					ignored.push(node);
					continue;
				}
				if (used) ignored.push(used);
				used = node;
				value = parsed;
			}
			return {value, ignored};
		},
		write: (value) => (value === undefined ? [] : [scriptCodec.toNode(canonical, value)]),
		diff(a, b, path, out) {
			if (a === undefined && b === undefined) return;
			if (a === undefined || b === undefined) out.push({path, keyword: canonical, kind: a === undefined ? 'only-b' : 'only-a'});
			else if (scriptCodec.show(a) !== scriptCodec.show(b)) out.push({path, keyword: canonical, kind: 'changed', a: scriptCodec.show(a), b: scriptCodec.show(b)});
		},
	};
}

/** How to read the lines of a value block (addresses, names) and compare them as a set. */
export interface EntryCodec<T> {
	parse(words: readonly string[]): T;
	format(entry: T): string[];
	/** Identity for comparison (normalized: keepalived-equal entries have equal keys). */
	key(entry: T): string;
}

/** A block of value lines (`virtual_ipaddress { ... }`); repeated blocks add up, as in keepalived. Order does not count. */
export function values<T>(keyword: string, codec: EntryCodec<T>): Field<T[] | undefined> {
	return {
		keywords: [keyword],
		read(nodes, ctx) {
			let value: T[] | undefined;
			const ignored: SyntaxNode[] = [];
			for (const node of nodes) {
				if (node.children === undefined || node.args.length > 0) {
					warn(ctx, node, 'invalid-value', node.children === undefined ? `${keyword} needs a { } block` : `${keyword} takes no words before its block`);
					ignored.push(node);
					continue;
				}
				// An entry with a block of its own: the whole block is kept as it stands, as ignored (kept in
				// place: hoisting the one entry out of the block would move it to another block on writing).
				const nested = node.children.find((child) => child.children !== undefined);
				if (nested) {
					warn(ctx, nested, 'unexpected-block', `a ${keyword} entry takes no block`);
					ignored.push(node);
					continue;
				}
				value ??= [];
				for (const child of node.children) value.push(codec.parse([child.keyword, ...child.args]));
			}
			return {value, ignored};
		},
		write: (value) => {
			if (value === undefined) return [];
			return [{keyword, args: [], children: value.map((e) => {
				const [k, ...rest] = codec.format(e) as [string, ...string[]];
				return {keyword: k, args: rest};
			})}];
		},
		diff(a, b, path, out) {
			if (a === undefined && b === undefined) return;
			const ka = new Map((a ?? []).map((e) => [codec.key(e), e]));
			const kb = new Map((b ?? []).map((e) => [codec.key(e), e]));
			for (const [k, e] of ka) if (!kb.has(k)) out.push({path, keyword: `${keyword} ${codec.format(e).join(' ')}`, kind: 'only-a'});
			for (const [k, e] of kb) if (!ka.has(k)) out.push({path, keyword: `${keyword} ${codec.format(e).join(' ')}`, kind: 'only-b'});
			if ((a === undefined) !== (b === undefined) && ka.size === 0 && kb.size === 0) out.push({path, keyword, kind: a === undefined ? 'only-b' : 'only-a'});
		},
	};
}

// ---- blocks ---------------------------------------------------------------------------------

export const noHeader: HeaderCodec<Record<never, never>> = {
	parse: (args) => (args.length === 0 ? {} : {error: `takes no words before its block (${args.length} given)`}),
	format: () => [],
};

export const nameHeader: HeaderCodec<{name: string}> = {
	parse: (args) => (args.length === 1 ? {name: args[0] as string} : {error: args.length === 0 ? 'needs a name' : 'takes one name'}),
	format: (h) => [h.name],
};

const owners = new WeakMap<FieldMap, Map<string, string>>();

/** keyword -> field name, computed once per block spec (a config may hold thousands of blocks). */
function ownerOf(fields: FieldMap): Map<string, string> {
	let owner = owners.get(fields);
	if (!owner) {
		owner = new Map();
		for (const [name, field] of Object.entries(fields)) for (const k of field.keywords) owner.set(k, name);
		owners.set(fields, owner);
	}
	return owner;
}

export function readBody<F extends FieldMap>(fields: F, children: readonly SyntaxNode[], ctx: ReadContext): FieldValues<F> & {ignored: SyntaxNode[]; extra: SyntaxNode[]} {
	const owner = ownerOf(fields);
	const groups = new Map<string, SyntaxNode[]>();
	const extra: SyntaxNode[] = [];
	for (const child of children) {
		const name = owner.get(child.keyword);
		if (name === undefined) extra.push(child);
		else {
			const group = groups.get(name);
			if (group) group.push(child);
			else groups.set(name, [child]);
		}
	}
	const result: Record<string, unknown> = {};
	const ignoredSet = new Set<SyntaxNode>();
	for (const [name, field] of Object.entries(fields)) {
		const {value, ignored} = field.read(groups.get(name) ?? [], ctx);
		result[name] = value;
		for (const n of ignored) ignoredSet.add(n);
	}
	result.ignored = ignoredSet.size === 0 ? [] : [...ignoredSet].sort((x, y) => order(x, y));
	result.extra = extra;
	return result as FieldValues<F> & {ignored: SyntaxNode[]; extra: SyntaxNode[]};
}

function order(a: SyntaxNode, b: SyntaxNode): number {
	if (!a.loc || !b.loc) return 0;
	if (a.loc.file !== b.loc.file) return 0;
	return a.loc.line - b.loc.line || a.loc.col - b.loc.col;
}

/**
 * Ignored lines first (so the modelled value stays the one keepalived uses), then the unmodelled
 * ones (they may define what modelled blocks refer to: track_file, bfd_instance, SSL), then the
 * modelled keywords in the spec's order.
 */
export function writeBody<F extends FieldMap>(fields: F, model: FieldValues<F> & Partial<BlockBase>): SyntaxNode[] {
	const out: SyntaxNode[] = [...(model.ignored ?? []), ...(model.extra ?? [])];
	for (const [name, field] of Object.entries(fields)) out.push(...field.write((model as Record<string, unknown>)[name]));
	return out;
}

export function diffBody<F extends FieldMap>(fields: F, a: FieldValues<F> & Partial<BlockBase>, b: FieldValues<F> & Partial<BlockBase>, path: string, out: Difference[]): void {
	for (const [name, field] of Object.entries(fields)) field.diff((a as Record<string, unknown>)[name], (b as Record<string, unknown>)[name], path, out);
	diffExtra(a.extra ?? [], b.extra ?? [], path, out);
}

/** Canonical text of a node for comparison: words, then children sorted (order within a block never counts). */
export function canonicalNode(node: SyntaxNode, redact = true): string {
	const secret = redact && SECRET_KEYWORDS.has(node.keyword);
	const head = [node.keyword, ...(secret ? ['<secret>'] : node.args)].join(' ');
	if (node.children === undefined) return head;
	return `${head} { ${node.children.map((c) => canonicalNode(c, redact)).sort().join('; ')} }`;
}

function diffExtra(a: readonly SyntaxNode[], b: readonly SyntaxNode[], path: string, out: Difference[]): void {
	const count = new Map<string, {n: number; node: SyntaxNode}>();
	for (const n of a) {
		const k = canonicalNode(n, false);
		count.set(k, {n: (count.get(k)?.n ?? 0) + 1, node: n});
	}
	const onlyB: SyntaxNode[] = [];
	for (const n of b) {
		const k = canonicalNode(n, false);
		const c = count.get(k);
		if (c && c.n > 0) c.n--;
		else onlyB.push(n);
	}
	const onlyA = [...count.values()].flatMap((c) => Array.from({length: c.n}, () => c.node));
	for (const n of onlyA) out.push({path, keyword: canonicalNode(n), kind: 'only-a', ...(SECRET_KEYWORDS.has(n.keyword) ? {secret: true} : {})});
	for (const n of onlyB) out.push({path, keyword: canonicalNode(n), kind: 'only-b', ...(SECRET_KEYWORDS.has(n.keyword) ? {secret: true} : {})});
}

export function readBlockNode<F extends FieldMap, H extends object>(spec: BlockSpec<F, H>, node: SyntaxNode, ctx: ReadContext): (H & FieldValues<F> & BlockBase) | undefined {
	const header = spec.header.parse(node.args);
	if ('error' in header && typeof header.error === 'string' && Object.keys(header).length === 1) {
		warn(ctx, node, 'invalid-header', `${spec.keyword}: ${header.error}`);
		return undefined;
	}
	if (node.children === undefined) {
		warn(ctx, node, 'missing-block', `${spec.keyword} needs a { } block`);
		return undefined;
	}
	// Built in place rather than spread: a config may hold thousands of blocks.
	const model = {...header} as Record<string, unknown>;
	Object.assign(model, readBody(spec.fields, node.children, ctx));
	if (node.loc) model.loc = node.loc;
	return model as H & FieldValues<F> & BlockBase;
}

export function writeBlockNode<F extends FieldMap, H extends object>(spec: BlockSpec<F, H>, model: H & FieldValues<F> & Partial<BlockBase>): SyntaxNode {
	return {keyword: spec.keyword, args: spec.header.format(model), children: writeBody(spec.fields, model)};
}

function blockLabel<F extends FieldMap, H extends object>(spec: BlockSpec<F, H>, model: H): string {
	return [spec.keyword, ...spec.header.format(model)].join(' ');
}

/** A block that appears once (repeats merge, as keepalived applies each line in turn): `global_defs`, `authentication`. */
export function block<F extends FieldMap>(spec: BlockSpec<F, Record<never, never>>): Field<(FieldValues<F> & BlockBase) | undefined> {
	return {
		keywords: [spec.keyword],
		read(nodes, ctx) {
			const usable = nodes.filter((n) => n.children !== undefined && n.args.length === 0);
			const ignored = nodes.filter((n) => !usable.includes(n));
			for (const n of ignored) warn(ctx, n, 'invalid-header', n.children === undefined ? `${spec.keyword} needs a { } block` : `${spec.keyword} takes no words before its block`);
			if (usable.length === 0) return {value: undefined, ignored};
			const children = usable.flatMap((n) => n.children ?? []);
			const first = usable[0] as SyntaxNode;
			const value = readBlockNode(spec, {...first, children}, ctx);
			return {value, ignored};
		},
		write: (value) => (value === undefined ? [] : [writeBlockNode(spec, value)]),
		diff(a, b, path, out) {
			if (a === undefined && b === undefined) return;
			if (a === undefined || b === undefined) {
				out.push({path, keyword: spec.keyword, kind: a === undefined ? 'only-b' : 'only-a'});
				return;
			}
			diffBody(spec.fields, a, b, join(path, spec.keyword), out);
		},
	};
}

/** Repeated blocks told apart by their header (`vrrp_instance NAME`, `real_server IP PORT`). Order does not count. */
export function blocks<F extends FieldMap, H extends object>(spec: BlockSpec<F, H>, options: {key?: (m: H & FieldValues<F>) => string} = {}): Field<Array<H & FieldValues<F> & BlockBase>> {
	const keyOf = (m: H & FieldValues<F>): string => options.key?.(m) ?? spec.header.format(m).join(' ');
	return {
		keywords: [spec.keyword],
		read(nodes, ctx) {
			const value: Array<H & FieldValues<F> & BlockBase> = [];
			const ignored: SyntaxNode[] = [];
			for (const node of nodes) {
				const m = readBlockNode(spec, node, ctx);
				if (m) value.push(m);
				else ignored.push(node);
			}
			return {value, ignored};
		},
		write: (value) => value.map((m) => writeBlockNode(spec, m)),
		diff(a, b, path, out) {
			diffKeyed(a, b, keyOf, (m) => blockLabel(spec, m), path, out, (x, y, p) => diffBody(spec.fields, x, y, p, out));
		},
	};
}

/** Pair up items by key (the n-th duplicate with the n-th), report the unpaired, diff the pairs. */
export function diffKeyed<T>(a: readonly T[], b: readonly T[], keyOf: (x: T) => string, label: (x: T) => string, path: string, out: Difference[], diffPair: (x: T, y: T, path: string) => void): void {
	const index = (list: readonly T[]): Map<string, T> => {
		const seen = new Map<string, number>();
		const m = new Map<string, T>();
		for (const x of list) {
			const k = keyOf(x);
			const n = (seen.get(k) ?? 0) + 1;
			seen.set(k, n);
			m.set(n === 1 ? k : `${k}#${n}`, x);
		}
		return m;
	};
	const ia = index(a);
	const ib = index(b);
	for (const [k, x] of ia) {
		const y = ib.get(k);
		if (y === undefined) out.push({path, keyword: label(x), kind: 'only-a'});
		else diffPair(x, y, join(path, label(x)));
	}
	for (const [k, y] of ib) if (!ia.has(k)) out.push({path, keyword: label(y), kind: 'only-b'});
}

/** Blocks of several kinds kept in one ordered list with a `type` (the checkers of a real_server). */
export function typedBlocks<S extends Record<string, BlockSpec<FieldMap, Record<never, never>>>>(specs: S): Field<Array<TypedBlockModel<S>>> {
	const keywords = Object.keys(specs);
	const specOf = (type: string): BlockSpec<FieldMap, Record<never, never>> => specs[type] as BlockSpec<FieldMap, Record<never, never>>;
	return {
		keywords,
		read(nodes, ctx) {
			const value: Array<TypedBlockModel<S>> = [];
			const ignored: SyntaxNode[] = [];
			for (const node of nodes) {
				const m = readBlockNode(specOf(node.keyword), node, ctx);
				if (m) value.push({type: node.keyword, ...m} as TypedBlockModel<S>);
				else ignored.push(node);
			}
			return {value, ignored};
		},
		write: (value) => value.map((m) => writeBlockNode(specOf(String(m.type)), m as never)),
		diff(a, b, path, out) {
			diffKeyed(a, b, (m) => String(m.type), (m) => String(m.type), path, out, (x, y, p) => diffBody(specOf(String(x.type)).fields, x as never, y as never, p, out));
		},
	};
}

export type TypedBlockModel<S extends Record<string, BlockSpec<FieldMap, Record<never, never>>>> = {
	[K in keyof S]: {type: K} & BlockModel<S[K]>;
}[keyof S];

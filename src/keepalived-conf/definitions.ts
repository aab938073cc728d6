// `$NAME=value` definitions and their use (`$NAME`, `${NAME}`, `${NAME params}`), including
// multi-line definitions and keepalived's standard ones (_PWD, _INSTANCE, _RANDOM, _HASH, _BANG),
// following keepalived 2.2.7's check_definition / find_definition / replace_param.

/** keepalived's line buffer (MAXBUF 1024): a substitution may not make a line longer. */
export const MAX_LINE = 1023;

export interface Definition {
	readonly name: string;
	/** Multi-line values keep their lines separated by '\n'. */
	value: string;
	multiline: boolean;
	/** Standard definitions compute their value (and may take numeric parameters). */
	compute?: (params: number[]) => string;
	maxParams: number;
}

export interface DefinitionEnv {
	readonly configId: string | undefined;
	/** Directory of the file being read, for `$_PWD`. */
	readonly cwd: () => string;
	/** For `${_RANDOM min max}`; injectable so tests are repeatable. */
	readonly random: () => number;
}

export class Definitions {
	private readonly defs = new Map<string, Definition>();

	constructor(env: DefinitionEnv) {
		this.defs.set('_PWD', {name: '_PWD', value: '', multiline: false, maxParams: 0, compute: () => env.cwd()});
		this.defs.set('_INSTANCE', {name: '_INSTANCE', value: '', multiline: false, maxParams: 0, compute: () => env.configId ?? ''});
		this.defs.set('_RANDOM', {
			name: '_RANDOM',
			value: '',
			multiline: false,
			maxParams: 2,
			compute: (p) => {
				const min = p[0] ?? 0;
				const max = p.length >= 2 ? (p[1] as number) : 32767;
				return String(Math.floor(env.random() * (max - min + 1)) + min);
			},
		});
		this.defs.set('_HASH', {name: '_HASH', value: '#', multiline: false, maxParams: 0});
		this.defs.set('_BANG', {name: '_BANG', value: '!', multiline: false, maxParams: 0});
	}

	/** User definitions in the order they were made (standard ones excluded). */
	list(): Definition[] {
		return [...this.defs.values()].filter((d) => !d.name.startsWith('_') || !d.compute);
	}

	set(name: string, value: string, multiline = false): Definition {
		const def: Definition = {name, value, multiline, maxParams: 0};
		this.defs.set(name, def);
		return def;
	}

	/**
	 * A definition line `$NAME=value` (no blank before `=`). Returns the definition it made, or
	 * undefined when the line is not one.
	 */
	define(line: string): Definition | undefined {
		const m = /^\$([A-Za-z_][A-Za-z0-9_]*)=[ \t]*(.*)$/s.exec(line);
		if (!m) return undefined;
		let value = m[2] as string;
		let multiline = false;
		if (value.endsWith('\\')) {
			multiline = true;
			value = value.slice(0, -1).replace(/[ \t]+$/, '');
			value = value === '' ? '' : `${value}\n`;
		}
		return this.set(m[1] as string, value, multiline);
	}

	/** Continuation line of a multi-line definition: false when it ends the definition. */
	continueMultiline(def: Definition, line: string): boolean {
		if (line.endsWith('\\')) {
			const segment = line.slice(0, -1).replace(/[ \t]+$/, '');
			if (segment !== '') def.value += `${segment}\n`;
			return true;
		}
		if (line !== '') def.value += line;
		if (def.value === '') def.multiline = false;
		return false;
	}

	/** An empty line ends a multi-line definition. */
	endMultiline(def: Definition): void {
		if (def.value === '') def.multiline = false;
	}

	/**
	 * Replace every use of a definition in `line`, rescanning replaced text. Returns undefined when
	 * nothing was replaced; `more` holds the further lines of a multi-line definition used at the end.
	 */
	substitute(line: string): {text: string; more: string[]; overflow: boolean} | undefined {
		let buf = line;
		let pos = buf.indexOf('$');
		let found = false;
		let more: string[] = [];
		let overflow = false;
		while (pos >= 0 && pos + 1 < buf.length) {
			const use = this.find(buf, pos);
			if (!use) {
				pos = buf.indexOf('$', pos + 1);
				continue;
			}
			found = true;
			const {def, end, params} = use;
			let value = def.compute ? def.compute(params) : def.value;
			if (def.multiline) {
				const lines = value.split('\n');
				value = lines[0] as string;
				more = [...lines.slice(1), ...more];
				if (more.length > 0 && more[more.length - 1] === '') more.pop();
			}
			const next = buf.slice(0, pos) + value + buf.slice(end);
			if (next.length > MAX_LINE) {
				overflow = true;
				break;
			}
			buf = next;
			if (/^[ \t]*~/.test(def.value)) break;
			pos = buf.indexOf('$', pos);
		}
		return found ? {text: buf, more, overflow} : undefined;
	}

	private find(buf: string, dollar: number): {def: Definition; end: number; params: number[]} | undefined {
		let i = dollar + 1;
		const braces = buf[i] === '{';
		if (braces) i++;
		const nameMatch = /^[A-Za-z_][A-Za-z0-9_]*/.exec(buf.slice(i));
		if (!nameMatch) return undefined;
		const name = nameMatch[0];
		let end = i + name.length;
		let params: number[] = [];
		if (braces) {
			const tail = /^([ 0-9]*)\}/.exec(buf.slice(end));
			if (!tail) return undefined;
			const raw = tail[1] as string;
			if (raw.trim() !== '') {
				if (/ $/.test(raw)) return undefined;
				params = raw.trim().split(/ +/).map(Number);
			}
			end += tail[0].length;
		} else if (end < buf.length && !' \t,)'.includes(buf[end] as string)) {
			return undefined;
		}
		const def = this.defs.get(name);
		if (!def) return undefined;
		if (def.multiline && end !== buf.length) return undefined;
		if (params.length > 0 && def.maxParams === 0) return undefined;
		return {def, end, params};
	}
}

/** One expansion of a `~SEQ` or `~LST` line: definitions to set, then the text to read. */
export interface Repetition {
	readonly bindings: ReadonlyArray<readonly [string, string]>;
	readonly text: string;
}

/** `~SEQ(var, [start,] [step,] end) text` and `~SEQx(...)`: undefined when malformed. */
export function expandSeq(line: string, defs: Definitions): Repetition[] | undefined {
	const m = /^~SEQ(x?)[ \t]*\([ \t]*([^ \t,)]+)[ \t]*,[ \t]*([^)]*)\)[ \t]*(.*)$/s.exec(line);
	if (!m) return undefined;
	const hex = m[1] === 'x';
	const variable = m[2] as string;
	const paramText = defs.substitute(m[3] as string)?.text ?? (m[3] as string);
	const nums = paramText.split(',').map((p) => parseCInteger(p.trim()));
	if (nums.some((n) => n === undefined) || nums.length < 1 || nums.length > 3) return undefined;
	const [a, b, c] = nums as number[];
	let start: number;
	let step: number;
	let end: number;
	if (nums.length === 1) {
		end = a as number;
		step = end < 1 ? -1 : 1;
		start = end < 0 ? -1 : 1;
	} else if (nums.length === 2) {
		start = a as number;
		end = b as number;
		step = start <= end ? 1 : -1;
	} else {
		start = a as number;
		step = b as number;
		end = c as number;
		if (step === 0 || (start < end && step < 0) || (start > end && step > 0)) return undefined;
	}
	if (hex && (start < 0 || end < 0)) return undefined;
	const out: Repetition[] = [];
	for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
		out.push({bindings: [[variable, hex ? v.toString(16) : String(v)]], text: m[4] as string});
		if (out.length > 100_000) return undefined;
	}
	if (out.length === 0) out.push({bindings: [[variable, hex ? start.toString(16) : String(start)]], text: m[4] as string});
	return out;
}

function parseCInteger(text: string): number | undefined {
	const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
	if (!m) return undefined;
	const body = m[2] as string;
	const value = /^0[xX]/.test(body) ? parseInt(body, 16) : body.length > 1 && body.startsWith('0') ? parseInt(body, 8) : parseInt(body, 10);
	return m[1] === '-' ? -value : value;
}

/** `~LST(var, v1, v2)` or `~LST({a, b}, {1, 2}, {3, 4}) text`: undefined when malformed. */
export function expandLst(line: string): Repetition[] | undefined {
	const m = /^~LST[ \t]*\((.*)$/s.exec(line);
	if (!m) return undefined;
	const body = m[1] as string;
	const close = findListClose(body);
	if (close < 0) return undefined;
	const groups = splitTopLevel(body.slice(0, close));
	if (groups.length < 2) return undefined;
	const vars = unbrace(groups[0] as string);
	if (vars.length === 0 || vars.some((v) => v === '')) return undefined;
	const text = body.slice(close + 1).replace(/^[ \t]*/, '');
	const out: Repetition[] = [];
	for (const group of groups.slice(1)) {
		const values = unbrace(group);
		if (values.length > vars.length) return undefined;
		out.push({bindings: vars.map((v, i) => [v, values[i] ?? ''] as const), text});
	}
	return out;
}

function findListClose(body: string): number {
	let depth = 0;
	for (let i = 0; i < body.length; i++) {
		if (body[i] === '{') depth++;
		else if (body[i] === '}') depth--;
		else if (body[i] === ')' && depth === 0) return i;
	}
	return -1;
}

function splitTopLevel(text: string): string[] {
	const parts: string[] = [];
	let depth = 0;
	let start = 0;
	for (let i = 0; i < text.length; i++) {
		if (text[i] === '{') depth++;
		else if (text[i] === '}') depth--;
		else if (text[i] === ',' && depth === 0) {
			parts.push(text.slice(start, i).trim());
			start = i + 1;
		}
	}
	parts.push(text.slice(start).trim());
	return parts;
}

function unbrace(group: string): string[] {
	const inner = group.startsWith('{') && group.endsWith('}') ? group.slice(1, -1) : group;
	return inner.split(',').map((v) => v.trim());
}

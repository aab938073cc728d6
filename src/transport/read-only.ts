// Read-only mode, enforced where commands are sent: every argv is checked against an exact allow-list
// (read-only-programs.ts for programs, read-only-scripts.ts for lvsdeck's own scripts), whoever asks for
// it. Anything not listed is refused with the reason.
import {READ_ONLY_PROGRAMS, SYSTEM_DIRS, WRAPPERS, type ProgramSpec, type Shape} from './read-only-programs.js';
import {READ_ONLY_SCRIPTS} from './read-only-scripts.js';
import type {ValueKind} from './argv-kinds.js';
import {TransportError, type ExecOptions, type ExecResult, type HostStatus, type Transport} from './types.js';

export type ReadOnlyVerdict = {readonly allowed: true} | {readonly allowed: false; readonly reason: string};

const ALLOWED: ReadOnlyVerdict = {allowed: true};
const refuse = (reason: string): ReadOnlyVerdict => ({allowed: false, reason});

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** A word as a refusal shows it: one line, shortened, in quotes when it is not a plain word. */
export function showWord(word: string): string {
	const short = word.length > 40 ? `${word.slice(0, 40)}…` : word;
	if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(short)) return short;
	return `"${short.replace(/["\\]/g, '\\$&').replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** The command as a refusal shows it: the first words, the script of `sh -c` as <script>. */
export function showArgv(argv: readonly string[]): string {
	const words = argv.slice(0, 6).map((w, i) => (i > 0 && argv[i - 1] === '-c' && w.includes('\n') ? '<script>' : showWord(w)));
	return `${words.join(' ')}${argv.length > 6 ? ' ...' : ''}`;
}

/** The program's name when it is a bare name or sits in a standard system directory; else why not. */
function programName(word: string): {name: string} | {reason: string} {
	const slash = word.lastIndexOf('/');
	if (slash < 0) return word === '' ? {reason: 'the program name is empty'} : {name: word};
	const dir = word.slice(0, slash);
	if (!SYSTEM_DIRS.includes(dir)) return {reason: `program ${showWord(word)} is not a bare name or in ${SYSTEM_DIRS.join(', ')}`};
	return {name: word.slice(slash + 1)};
}

function checkValue(what: string, word: string | undefined, kind: ValueKind): string | undefined {
	if (word === undefined) return `${what} needs a value (${kind.description})`;
	if (word.startsWith('-')) return `${what} may not start with "-" (expected ${kind.description})`;
	if (!kind.accepts(word)) return `${what} ${showWord(word)} is not ${kind.description}`;
	return undefined;
}

/** The words after the lead, against the shape's flags, options and operands. */
function checkRest(program: string, shape: Shape, args: readonly string[]): string | undefined {
	const seen = new Set<string>();
	let operands = 0;
	for (let i = 0; i < args.length; i++) {
		const word = args[i]!;
		const valueKind = shape.options?.get(word);
		if (shape.flags?.includes(word) || valueKind) {
			if (seen.has(word)) return `${word} is given twice`;
			seen.add(word);
			if (valueKind) {
				const problem = checkValue(`the value of ${word}`, args[i + 1], valueKind);
				if (problem) return problem;
				i++;
			}
			continue;
		}
		if (word.startsWith('-')) return `option ${showWord(word)} is not allowed for ${program}`;
		const allowed = shape.operands;
		if (!allowed || operands >= allowed.max) return `unexpected word ${showWord(word)} for ${program}`;
		const problem = checkValue('operand', word, allowed.kind);
		if (problem) return problem;
		operands++;
	}
	const min = shape.operands?.min ?? 0;
	if (operands < min) return `${program} needs ${min === 1 ? 'an operand' : `${min} operands`} (${shape.operands!.kind.description})`;
	return undefined;
}

/** How many of the shape's leading words `args` starts with. */
function leadDepth(shape: Shape, args: readonly string[]): number {
	let depth = 0;
	while (depth < shape.lead.length && args[depth] !== undefined && shape.lead[depth]!.includes(args[depth]!)) depth++;
	return depth;
}

/** Why no shape's lead matches: the first word where they all part ways, and what was expected there. */
function leadMismatch(program: string, spec: ProgramSpec, args: readonly string[]): string {
	const depth = Math.max(...spec.shapes.map((s) => leadDepth(s, args)));
	const expected = [...new Set(spec.shapes.filter((s) => leadDepth(s, args) === depth && s.lead.length > depth).flatMap((s) => s.lead[depth]!))].join(', ');
	const word = args[depth];
	const head = [program, ...args.slice(0, depth)].join(' ');
	if (word === undefined) return `${head} needs one of: ${expected}`;
	if (word.startsWith('-')) return `option ${showWord(word)} is not allowed for ${program}${depth === 0 ? ` (it accepts ${expected})` : ''}`;
	return `${head} accepts only ${expected}, not ${showWord(word)}`;
}

function checkProgram(program: string, spec: ProgramSpec, args: readonly string[]): string | undefined {
	let start = 0;
	const leading = new Set<string>();
	while (start < args.length && spec.leadingFlags?.includes(args[start]!)) {
		if (leading.has(args[start]!)) return `${args[start]!} is given twice`;
		leading.add(args[start]!);
		start++;
	}
	const rest = args.slice(start);
	// A shape is chosen by its leading words alone; the longest complete lead wins.
	const shape = spec.shapes.filter((s) => leadDepth(s, rest) === s.lead.length).sort((a, b) => b.lead.length - a.lead.length)[0];
	if (!shape) return leadMismatch(program, spec, rest);
	return checkRest(program, shape, rest.slice(shape.lead.length));
}

/** `sh -c SCRIPT NAME ARGS...` with SCRIPT one of lvsdeck's constant read-only scripts. */
function checkScript(args: readonly string[], underSudo: boolean): string | undefined {
	if (args[0] !== '-c' || args[1] === undefined) return 'sh is allowed only as "sh -c SCRIPT" with one of lvsdeck\'s own read-only scripts';
	const script = READ_ONLY_SCRIPTS.get(args[1]);
	if (!script) return "the script is not one of lvsdeck's own read-only scripts";
	if (args[2] !== script.name) return `the script's name ($0) must be ${script.name}`;
	const values = args.slice(3);
	if (script.command) {
		const command = values.slice(script.args.length);
		if (command.length === 0) return `${script.name} needs a command after its arguments`;
		const problem = judge(command, underSudo);
		if (problem !== undefined) return `the command ${script.name} runs: ${problem}`;
	}
	const extra = script.command ? 0 : values.length - script.args.length;
	const rest = script.rest ?? {min: 0, max: 0};
	if (extra < rest.min || extra > rest.max) {
		const wanted = script.args.length + rest.min === script.args.length + rest.max ? `${script.args.length + rest.min}` : `${script.args.length + rest.min} to ${script.args.length + rest.max}`;
		return `${script.name} takes ${wanted} argument${wanted === '1' ? '' : 's'}, not ${values.length}`;
	}
	for (const [i, value] of (script.command ? values.slice(0, script.args.length) : values).entries()) {
		const kind = script.args[i] ?? script.rest!.kind;
		// Empty is a value, and "-x" is data to a script that quotes it; only the declared kind decides.
		if (!kind.accepts(value)) return `argument ${i + 1} of ${script.name} ${showWord(value)} is not ${kind.description}`;
	}
	return undefined;
}

function judge(argv: readonly string[], underSudo: boolean): string | undefined {
	if (!argv.every((w) => typeof w === 'string')) return 'the command holds a word that is not text';
	const [first, ...args] = argv;
	if (first === undefined) return 'the command is empty';
	const program = programName(first);
	if ('reason' in program) return program.reason;
	const {name} = program;
	if (name === 'sudo') {
		if (underSudo) return 'sudo inside sudo is not allowed';
		if (args[0] !== '-n' || args[1] !== '--' || args.length < 3) return 'sudo is allowed only as "sudo -n -- COMMAND"';
		return judge(args.slice(2), true);
	}
	if (name === 'sh') return checkScript(args, underSudo);
	if (WRAPPERS.has(name)) return `${name} runs other programs; the only wrapper read-only mode allows is "sudo -n -- COMMAND"`;
	const spec = READ_ONLY_PROGRAMS.get(name);
	if (!spec) return `${showWord(name)} is not a program read-only mode allows`;
	return checkProgram(name, spec, args);
}

/** Whether `argv` is one of the exact shapes read-only mode allows, and if not, why. */
export function readOnlyVerdict(argv: readonly string[]): ReadOnlyVerdict {
	const reason = judge(argv, false);
	return reason === undefined ? ALLOWED : refuse(reason);
}

/** True when `argv` is allowed in read-only mode (it cannot change the host it runs on). */
export function isReadOnlyCommand(argv: readonly string[]): boolean {
	return readOnlyVerdict(argv).allowed;
}

/** `read-only mode: refused "curl --upload-file ..." on rs1: option --upload-file is not allowed for curl`. */
export function refusalMessage(host: string, argv: readonly string[], reason: string): string {
	return `read-only mode: refused "${showArgv(argv)}" on ${showWord(host)}: ${reason}`;
}

/** Wraps a transport so that only read-only commands ever reach it. */
export class ReadOnlyTransport implements Transport {
	constructor(private readonly inner: Transport) {}

	async exec(host: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
		const verdict = readOnlyVerdict(argv);
		if (!verdict.allowed) throw new TransportError('read-only', host, refusalMessage(host, argv, verdict.reason));
		return this.inner.exec(host, argv, options);
	}

	status(host: string): HostStatus {
		return this.inner.status(host);
	}

	onStatus(listener: (s: HostStatus) => void): () => void {
		return this.inner.onStatus(listener);
	}

	hostKey(host: string): string | undefined {
		return this.inner.hostKey?.(host);
	}

	close(): Promise<void> {
		return this.inner.close();
	}
}

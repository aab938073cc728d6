// Shared shapes of the keepalived.conf reader: locations, syntax nodes, diagnostics.

/** Where a node or a problem comes from. line and col are 1-based; col counts UTF-16 code units. */
export interface Loc {
	readonly file: string;
	readonly line: number;
	readonly col: number;
}

/** `@id` / `@^id` at the start of a line: the line applies only when keepalived's config id is (or, negated, is not) `id`. */
export interface Condition {
	readonly id: string;
	readonly negate: boolean;
}

/**
 * One logical line of keepalived.conf: a keyword, its words (as keepalived's own word splitter
 * returns them, quotes removed), and the block that follows it, if any.
 */
export interface SyntaxNode {
	readonly keyword: string;
	readonly args: readonly string[];
	/** Present when a `{ ... }` block followed the line (possibly empty). */
	readonly children?: readonly SyntaxNode[];
	readonly loc?: Loc;
	/** The logical line as keepalived saw it (comments removed, definitions substituted). */
	readonly text?: string;
	readonly condition?: Condition;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
	readonly severity: Severity;
	/** Stable machine-readable code, e.g. `unknown-keyword`, `deprecated-keyword`, `invalid-value`. */
	readonly code: string;
	/** One line; never contains a secret value. */
	readonly message: string;
	readonly loc?: Loc;
	/** The keyword the diagnostic is about, when it is about one. */
	readonly keyword?: string;
	/** What to write instead, when there is a known fix. */
	readonly fix?: string;
}

/** A problem that stops parsing (unbalanced braces, unreadable main file). */
export interface ConfigError {
	readonly code: string;
	readonly message: string;
	readonly loc: Loc;
}

export function formatLoc(loc: Loc | undefined): string {
	return loc ? `${loc.file}:${loc.line}:${loc.col}` : '<generated>';
}

export function formatDiagnostic(d: Diagnostic | ConfigError): string {
	const fix = 'fix' in d && d.fix ? ` (fix: ${d.fix})` : '';
	return `${formatLoc(d.loc)}: ${d.message}${fix}`;
}

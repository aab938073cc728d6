// A fixed-height table: a header line and at most `height - 1` rows, scrolled so the cursor row is
// visible. Never draws more lines than it is given (the whole frame must stay shorter than the terminal).
import {Box, Text} from 'ink';
import {fit} from '../format.js';
import type {Column, Row, TableModel, Tone} from '../presenters/types.js';

export const TONE_COLOR: Record<Tone, string | undefined> = {
	ok: 'green',
	warn: 'yellow',
	bad: 'red',
	dim: 'gray',
	head: 'cyan',
	normal: undefined,
};

/** Column widths for a total width: fixed columns as given, flexible ones share the rest. */
export function layoutColumns(columns: readonly Column[], width: number): number[] {
	const gaps = Math.max(0, columns.length - 1);
	const fixed = columns.reduce((n, c) => n + c.width, 0);
	const flexible = columns.filter((c) => c.width === 0).length;
	const rest = Math.max(0, width - fixed - gaps);
	return columns.map((c) => (c.width === 0 ? Math.max(4, Math.floor(rest / Math.max(1, flexible))) : c.width));
}

export function formatCells(cells: readonly string[], columns: readonly Column[], widths: readonly number[], total: number): string {
	const line = columns.map((c, i) => fit(cells[i] ?? '', widths[i]!, c.align)).join(' ');
	return fit(line, total);
}

/** First row index to draw so that `cursor` is inside a window of `visible` rows. */
export function scrollOffset(cursor: number, visible: number, total: number): number {
	if (total <= visible) return 0;
	return Math.max(0, Math.min(total - visible, cursor - Math.floor(visible / 2)));
}

/** The first character outside printable ASCII (a sparkline bar, the "…" of a cut cell). */
const NOT_PLAIN = /[^\x20-\x7e]/;

/**
 * A row's text as Ink's Text nodes. Ink measures every Text on every frame with string-width, which is
 * fast for printable ASCII only and segments anything else into graphemes character by character; a
 * row whose only non-ASCII part is its sparkline at the end is therefore drawn as two Texts side by
 * side, the plain part and the rest, which put the same characters in the same places.
 */
function RowText({text, ...style}: {text: string; inverse: boolean; bold: boolean; color: string | undefined}) {
	const at = text.search(NOT_PLAIN);
	if (at <= 0) {
		return (
			<Text wrap="truncate" {...style}>
				{text}
			</Text>
		);
	}
	return (
		<Box>
			<Text wrap="truncate" {...style}>
				{text.slice(0, at)}
			</Text>
			<Text wrap="truncate" {...style}>
				{text.slice(at)}
			</Text>
		</Box>
	);
}

export interface TableProps {
	readonly model: TableModel;
	readonly rows: readonly Row[];
	readonly width: number;
	/** Lines available, header included. */
	readonly height: number;
	/** Selected row, or undefined for a table without a cursor. */
	readonly cursor?: number;
}

export function Table({model, rows, width, height, cursor}: TableProps) {
	if (height <= 0) return null;
	const widths = layoutColumns(model.columns, width);
	const visible = Math.max(0, height - 1);
	const offset = scrollOffset(cursor ?? 0, visible, rows.length);
	const shown = rows.slice(offset, offset + visible);
	const more = rows.length - offset - shown.length;
	return (
		<>
			<Text bold wrap="truncate">
				{formatCells(
					model.columns.map((c) => c.title),
					model.columns,
					widths,
					width,
				)}
			</Text>
			{shown.map((row, i, all) => {
				// Keys must be unique even if remote output repeats a service or real server.
				const dup = all.slice(0, i).filter((r) => r.key === row.key).length;
				const index = offset + i;
				const selected = cursor !== undefined && index === cursor;
				const last = i === shown.length - 1 && more > 0;
				const full = last ? fit(`… ${more + 1} more rows (scroll with ↓/j)`, width) : formatCells(row.cells, model.columns, widths, width);
				// Only the highlighted row needs its padding; Ink measures every character it is given.
				const text = selected ? full : full.trimEnd();
				return <RowText key={dup === 0 ? row.key : `${row.key}#${dup}`} text={text} inverse={selected} bold={row.tone === 'head'} color={TONE_COLOR[row.tone ?? 'normal']} />;
			})}
		</>
	);
}

// What presenters hand to views: columns and rows of plain (already sanitized) strings.

export type Tone = 'ok' | 'warn' | 'bad' | 'dim' | 'head' | 'normal';

export interface Column {
	readonly title: string;
	/** Fixed width, or 0 for "take the remaining space". */
	readonly width: number;
	readonly align?: 'left' | 'right';
}

export interface Row {
	/** Stable key across refreshes (e.g. director|service|real server). */
	readonly key: string;
	readonly cells: readonly string[];
	readonly tone?: Tone;
	/** Lines shown by Enter (detail pane); built only when asked for. */
	readonly detail?: () => readonly string[];
	/** Extra text the filter matches (e.g. the host name behind an address). */
	readonly search?: string;
}

/**
 * A row whose cells are formatted only when first read: a view draws only the rows on screen (a
 * filter reads them all), and a table of 1,000 real servers was formatted whole for every frame.
 */
export function lazyCells(row: Omit<Row, 'cells'>, cells: () => readonly string[]): Row {
	let formatted: readonly string[] | undefined;
	return {
		...row,
		get cells() {
			return (formatted ??= cells());
		},
	};
}

export interface TableModel {
	readonly columns: readonly Column[];
	readonly rows: readonly Row[];
}

/** Case-insensitive filter over every cell; section headers stay when one of their rows matches. */
export function filterRows(rows: readonly Row[], filter: string): Row[] {
	const f = filter.trim().toLowerCase();
	if (f === '') return [...rows];
	const out: Row[] = [];
	let pendingHead: Row | undefined;
	for (const row of rows) {
		if (row.tone === 'head') {
			pendingHead = row;
			continue;
		}
		if (row.cells.some((c) => c.toLowerCase().includes(f)) || (row.search ?? '').toLowerCase().includes(f)) {
			if (pendingHead) {
				out.push(pendingHead);
				pendingHead = undefined;
			}
			out.push(row);
		}
	}
	return out;
}

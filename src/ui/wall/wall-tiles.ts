// The wall over several clusters: each cluster as a compact panel (its alarm, each VIP's holder, each
// service's healthy real servers), panels laid out in a grid that fits the terminal, in pages when
// they do not all fit (the wall then rotates between the pages). Pure: models and sizes in, layout out.
import type {Tone} from '../presenters/types.js';
import {sanitizeLine} from '../../text/sanitize.js';
import type {WallModel} from './wall-model.js';

export interface PanelLine {
	readonly text: string;
	readonly tone: Tone;
	/** The panel's title line (the cluster and its alarm). */
	readonly title?: boolean;
}

/** A cluster's panel, title first; every line is already sanitized. */
export function wallPanel(name: string, model: WallModel): PanelLine[] {
	return [
		{text: `${sanitizeLine(name)} · ${model.alarm.text}`, tone: model.alarm.tone, title: true},
		...model.vips.map((v) => ({text: `${v.vip} (${v.instance}) on ${v.holder}`, tone: v.tone})),
		...model.services.map((s) => ({text: `${s.label}  ${s.healthy}/${s.total} healthy`, tone: s.tone})),
		...(model.staleHosts.length > 0 ? [{text: `stale: ${model.staleHosts.join(', ')}`, tone: 'bad' as const}] : []),
	];
}

/** Panels narrower than this are not worth a column: fewer columns instead. */
export const PANEL_MIN_WIDTH = 40;
/** Columns between panels side by side. */
export const PANEL_GAP = 2;

export interface TileLayout {
	/** Panels side by side. */
	readonly columns: number;
	/** Each panel's width. */
	readonly panelWidth: number;
	/** At most this many lines of a panel are drawn (a panel taller than the screen is cut). */
	readonly panelHeight: number;
	/** Pages of grid rows of panel indices; more than one page: the wall rotates. */
	readonly pages: ReadonlyArray<ReadonlyArray<readonly number[]>>;
}

/**
 * Grid rows of `columns` panels (in the given order), a blank line between rows, packed into pages of
 * `height` lines. A row taller than a page gets a page of its own and its panels are cut to fit.
 */
export function tileLayout(heights: readonly number[], width: number, height: number): TileLayout {
	const columns = Math.max(1, Math.min(heights.length, Math.floor((width + PANEL_GAP) / (PANEL_MIN_WIDTH + PANEL_GAP))));
	const panelWidth = Math.max(1, Math.floor((width - PANEL_GAP * (columns - 1)) / columns));
	const usable = Math.max(1, height);
	const rows: number[][] = [];
	for (let i = 0; i < heights.length; i += columns) rows.push(heights.slice(i, i + columns).map((_, j) => i + j));
	const pages: number[][][] = [];
	let used = 0;
	for (const row of rows) {
		const rowHeight = Math.min(usable, Math.max(...row.map((i) => heights[i]!)));
		const page = pages.at(-1);
		// The blank line above a row that is not the first of its page.
		if (page && used + 1 + rowHeight <= usable) {
			page.push(row);
			used += 1 + rowHeight;
		} else {
			pages.push([row]);
			used = rowHeight;
		}
	}
	return {columns, panelWidth, panelHeight: usable, pages};
}

// The table draws a row whose only non-ASCII part is at its end (a sparkline) as two Ink Texts side by
// side (string-width is fast only for plain ASCII); the frame must be exactly what one Text per row drew.
import {describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {Text} from 'ink';
import chalk from 'chalk';
import {formatCells, layoutColumns, Table, TONE_COLOR} from '../../../src/ui/console/Table.js';
import type {Row, TableModel} from '../../../src/ui/presenters/types.js';
// Drawn as lvsdeck draws: with the frame memory render.ts gives Ink.
import '../../../src/ui/render.js';

const model: TableModel = {
	columns: [
		{title: 'NAME', width: 12},
		{title: 'N', width: 4, align: 'right'},
		{title: 'HISTORY', width: 0},
	],
	rows: [
		{key: 'h', cells: ['dir1', '', ''], tone: 'head'},
		{key: 'a', cells: ['  -> a', '12', '   ▁▂▃▄▅▆▇█']},
		{key: 'b', cells: ['  -> a-very-long-name', '3', '▁'], tone: 'warn'},
		{key: 'c', cells: ['  -> plain', '4', ''], tone: 'dim'},
		{key: 'd', cells: ['█ first', '5', '▂▂']},
	] satisfies Row[],
};

/** What the table drew before: one Text per row, with the same styles. */
function OneTextPerRow({width, cursor}: {width: number; cursor: number}) {
	const widths = layoutColumns(model.columns, width);
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
			{model.rows.map((row, i) => {
				const full = formatCells(row.cells, model.columns, widths, width);
				return (
					<Text key={row.key} wrap="truncate" inverse={i === cursor} bold={row.tone === 'head'} color={TONE_COLOR[row.tone ?? 'normal']}>
						{i === cursor ? full : full.trimEnd()}
					</Text>
				);
			})}
		</>
	);
}

describe('Table rows with non-ASCII text', () => {
	it('draw the same frame, colours and inverse included, as one Text per row', () => {
		const level = chalk.level;
		chalk.level = 3;
		try {
			for (const cursor of [1, 2, 4]) {
				const split = render(<Table model={model} rows={model.rows} width={40} height={10} cursor={cursor} />);
				const reference = render(<OneTextPerRow width={40} cursor={cursor} />);
				const frame = split.lastFrame() ?? '';
				expect(frame).toContain('▁▂▃▄▅▆▇█');
				expect(frame).toContain('\u001B[7m');
				expect(frame).toBe(reference.lastFrame());
				split.unmount();
				reference.unmount();
			}
		} finally {
			chalk.level = level;
		}
	});
});

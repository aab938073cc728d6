// Lines made of tone runs (see presenters/watch.ts), each cut to the screen's width; runs are
// sanitized here too, since not every run passes through fit.
import {Text} from 'ink';
import type {WatchLine} from './presenters/watch.js';
import {TONE_COLOR} from './console/Table.js';
import {sanitizeLine} from '../text/sanitize.js';

export function ToneLines({lines, prefix = 'l'}: {lines: readonly WatchLine[]; prefix?: string}) {
	return (
		<>
			{lines.map((runs, i) => (
				<Text key={`${prefix}${i}`} wrap="truncate">
					{runs.map((r, j) => (
						<Text key={j} color={TONE_COLOR[r.tone]} bold={r.tone === 'head'}>
							{sanitizeLine(r.text)}
						</Text>
					))}
				</Text>
			))}
		</>
	);
}

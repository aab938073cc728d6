// `lvsdeck watch` at a terminal: the watcher's tally redrawn twice a second; q, Esc or Ctrl-C stop it.
import {useEffect, useState} from 'react';
import {Box, Text, useApp, useInput} from 'ink';
import type {WatchTally} from '../../actions/watch-tally.js';
import {watchLines, type WatchHeader} from '../presenters/watch.js';
import {ToneLines} from '../ToneLines.js';
import {useTerminalSize, type TerminalSize} from '../console/hooks.js';
import {fit} from '../format.js';

export interface WatchScreenProps {
	readonly tally: WatchTally;
	readonly weights: Readonly<Record<string, number>>;
	readonly header: WatchHeader;
	readonly size?: TerminalSize;
	/** Tests: a fixed clock. */
	readonly now?: () => number;
	/** Why the traffic stopped on its own, if it did. */
	readonly error?: () => string | undefined;
}

export function WatchScreen({tally, weights, header, size: fixed, now = Date.now, error}: WatchScreenProps) {
	const {exit} = useApp();
	const size = useTerminalSize(fixed);
	const [at, setAt] = useState(now());
	useEffect(() => {
		const timer = setInterval(() => setAt(now()), 500);
		return () => clearInterval(timer);
	}, [now]);
	useInput((input, key) => {
		if (input === 'q' || key.escape || (key.ctrl && input === 'c')) exit();
	});
	const width = Math.max(40, size.columns);
	const lines = watchLines(tally.snapshot(at), weights, header, width, Math.max(1, size.rows - 12));
	const failure = error?.();
	return (
		<Box flexDirection="column" width={width}>
			<Text bold>lvsdeck watch</Text>
			<ToneLines lines={lines} />
			{failure ? (
				<Text color="red" wrap="truncate">
					{fit(failure, width)}
				</Text>
			) : null}
			<Text color="gray">q stops</Text>
		</Box>
	);
}

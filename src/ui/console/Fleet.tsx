// The console over several clusters: a fleet overview (one line per cluster), and Enter opens the
// selected cluster's own console (the single-cluster console, unchanged); Esc there, with nothing open
// to close, comes back. Each cluster keeps its own store, poller, log and flows while another is shown.
import {useMemo, useState} from 'react';
import {Box, Text, useApp, useInput} from 'ink';
import type {Profile} from '../../profile/model.js';
import type {ClusterStore} from '../../cluster/store.js';
import type {DoctorSessions} from '../../actions/doctor/session.js';
import type {ActionLog} from '../action-log.js';
import type {RateHistory} from '../history.js';
import {fit} from '../format.js';
import {headerClock} from '../presenters/presenters.js';
import {sanitizeLine} from '../../text/sanitize.js';
import {fleetHeadline, fleetTable} from '../presenters/fleet.js';
import {Table, TONE_COLOR} from './Table.js';
import {ConsoleApp, MIN_COLUMNS, MIN_ROWS, TooSmall} from './App.js';
import type {ConsoleActions} from './actions.js';
import type {FlowStore} from './flow.js';
import {useClusterStates, useNow, useTerminalSize, type TerminalSize} from './hooks.js';

/** What the single-cluster console needs for one cluster. */
export interface FleetCluster {
	readonly profile: Profile;
	readonly store: ClusterStore;
	readonly history: RateHistory;
	readonly log: ActionLog;
	/** Absent when read-only. */
	readonly actions?: ConsoleActions;
	readonly flow?: FlowStore;
	readonly doctor?: DoctorSessions;
}

export interface FleetAppProps {
	readonly clusters: readonly FleetCluster[];
	/** Tests: a fixed terminal size and clock. */
	readonly size?: TerminalSize;
	readonly now?: number;
	readonly refreshThrottleMs?: number;
}

export function FleetApp({clusters, size, now, refreshThrottleMs}: FleetAppProps) {
	const [open, setOpen] = useState<number | undefined>(undefined);
	const [cursor, setCursor] = useState(0);
	const cluster = open === undefined ? undefined : clusters[open];
	if (cluster) {
		return (
			<ConsoleApp
				// A new console state per cluster: its view, cursor and filter belong to that cluster.
				key={open}
				profile={cluster.profile}
				store={cluster.store}
				history={cluster.history}
				log={cluster.log}
				{...(cluster.actions ? {actions: cluster.actions} : {})}
				{...(cluster.flow ? {flow: cluster.flow} : {})}
				{...(cluster.doctor ? {doctor: cluster.doctor} : {})}
				{...(size ? {size} : {})}
				{...(now !== undefined ? {now} : {})}
				{...(refreshThrottleMs !== undefined ? {refreshThrottleMs} : {})}
				onBack={() => setOpen(undefined)}
			/>
		);
	}
	return <FleetOverview clusters={clusters} cursor={cursor} onMove={setCursor} onOpen={setOpen} {...{size, now, refreshThrottleMs}} />;
}

interface FleetOverviewProps extends FleetAppProps {
	readonly cursor: number;
	readonly onMove: (index: number) => void;
	readonly onOpen: (index: number) => void;
}

/** Header, the fleet's headline, one row per cluster, footer; the frame is always shorter than the terminal. */
function FleetOverview({clusters, cursor, onMove, onOpen, size: fixedSize, now: fixedNow, refreshThrottleMs}: FleetOverviewProps) {
	const {exit} = useApp();
	const size = useTerminalSize(fixedSize);
	const now = useNow(1000, fixedNow, 60_000);
	const stores = useMemo(() => clusters.map((c) => c.store), [clusters]);
	const states = useClusterStates(stores, refreshThrottleMs);
	const members = useMemo(() => clusters.map((c, i) => ({name: c.profile.name, state: states[i]!})), [clusters, states]);
	const model = useMemo(() => fleetTable(members), [members]);
	const headline = useMemo(() => fleetHeadline(members), [members]);
	const tooSmall = size.columns < MIN_COLUMNS || size.rows < MIN_ROWS;
	// Title, headline, a blank line and the footer; one more line stays free below the frame.
	const tableHeight = size.rows - 5;
	const last = clusters.length - 1;
	const selected = Math.min(cursor, last);

	useInput((input, key) => {
		if (input === 'q' || (key.ctrl && input === 'c')) return exit();
		if (tooSmall) return;
		if (key.downArrow || input === 'j') onMove(Math.min(last, selected + 1));
		else if (key.upArrow || input === 'k') onMove(Math.max(0, selected - 1));
		else if (key.pageDown) onMove(Math.min(last, selected + Math.max(1, tableHeight - 2)));
		else if (key.pageUp) onMove(Math.max(0, selected - Math.max(1, tableHeight - 2)));
		else if (input === 'g') onMove(0);
		else if (input === 'G') onMove(last);
		else if (key.return) onOpen(selected);
	});

	if (tooSmall) {
		return <TooSmall size={size} />;
	}
	const width = size.columns;
	const readOnly = clusters.every((c) => c.actions === undefined);
	return (
		<Box flexDirection="column" width={width}>
			<Text bold wrap="truncate">
				{fit(`lvsdeck · fleet · ${headerClock(now)}${readOnly ? ' · read-only' : ''}`, width)}
			</Text>
			<Text wrap="truncate" color={TONE_COLOR[headline.tone]} bold={headline.tone === 'bad'} inverse={headline.tone === 'bad'}>
				{fit(headline.text, width)}
			</Text>
			<Text> </Text>
			<Table model={model} rows={model.rows} width={width} height={tableHeight} cursor={selected} />
			<Text wrap="truncate" color="gray">
				{fit(`↑↓ select a cluster  Enter open ${sanitizeLine(clusters[selected]?.profile.name ?? '')} (Esc there comes back)  q quit`, width)}
			</Text>
		</Box>
	);
}

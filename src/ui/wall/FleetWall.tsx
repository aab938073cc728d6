// The read-only wall over several clusters: a compact panel per cluster, tiled to fit the terminal, or
// pages of panels shown in turn every `rotateMs` when they do not all fit. No action keys: q quits.
import {useEffect, useMemo, useState} from 'react';
import {Box, Text, useApp, useInput} from 'ink';
import type {Profile} from '../../profile/model.js';
import type {ClusterStore} from '../../cluster/store.js';
import {clockTime, fit} from '../format.js';
import {TONE_COLOR} from '../console/Table.js';
import {useClusterStates, useNow, useTerminalSize, type TerminalSize} from '../console/hooks.js';
import {wallModel} from './wall-model.js';
import {PANEL_GAP, tileLayout, wallPanel, type PanelLine} from './wall-tiles.js';

export interface FleetWallCluster {
	readonly profile: Profile;
	readonly store: ClusterStore;
}

export interface FleetWallProps {
	readonly clusters: readonly FleetWallCluster[];
	/** How long each page shows when the panels need several (ms). */
	readonly rotateMs: number;
	readonly size?: TerminalSize;
	readonly now?: number;
}

function Panel({lines, width, height}: {lines: readonly PanelLine[]; width: number; height: number}) {
	return (
		<Box flexDirection="column" width={width}>
			{lines.slice(0, height).map((l, i) => (
				<Text key={i} wrap="truncate" bold={l.title === true} inverse={l.title === true && (l.tone === 'bad' || l.tone === 'warn')} color={TONE_COLOR[l.tone]}>
					{fit(l.text, width)}
				</Text>
			))}
		</Box>
	);
}

/** The page shown: moves on every `rotateMs` while there is more than one. */
function usePage(pages: number, rotateMs: number): number {
	const [page, setPage] = useState(0);
	useEffect(() => {
		if (pages <= 1) return;
		const timer = setInterval(() => setPage((p) => p + 1), rotateMs);
		return () => clearInterval(timer);
	}, [pages, rotateMs]);
	return pages <= 1 ? 0 : page % pages;
}

export function FleetWall({clusters, rotateMs, size: fixedSize, now: fixedNow}: FleetWallProps) {
	const {exit} = useApp();
	const size = useTerminalSize(fixedSize);
	const now = useNow(1000, fixedNow);
	const stores = useMemo(() => clusters.map((c) => c.store), [clusters]);
	const states = useClusterStates(stores);
	useInput((input, key) => {
		if (input === 'q' || (key.ctrl && input === 'c')) exit();
	});
	const panels = clusters.map((c, i) => wallPanel(c.profile.name, wallModel(states[i]!, c.profile)));
	const width = Math.max(20, size.columns);
	// The title line, and one line left free below the frame.
	const layout = tileLayout(
		panels.map((p) => p.length),
		width,
		size.rows - 2,
	);
	const page = usePage(layout.pages.length, rotateMs);
	const shown = layout.pages[page] ?? [];
	const paging = layout.pages.length > 1 ? ` · page ${page + 1}/${layout.pages.length}, every ${rotateMs / 1000} s` : '';
	return (
		<Box flexDirection="column" width={width}>
			<Text bold wrap="truncate">
				{fit(`lvsdeck wall · ${clusters.length} clusters · ${clockTime(now)} · read-only${paging}`, width)}
			</Text>
			{shown.map((row, r) => (
				<Box key={row.join(',')} flexDirection="row" marginTop={r > 0 ? 1 : 0}>
					{row.map((i, c) => (
						<Box key={i} marginLeft={c > 0 ? PANEL_GAP : 0}>
							<Panel lines={panels[i]!} width={layout.panelWidth} height={layout.panelHeight} />
						</Box>
					))}
				</Box>
			))}
		</Box>
	);
}

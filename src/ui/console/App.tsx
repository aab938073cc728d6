// The live console: header (cluster, clock, host health), alarm banner, view tabs, one view, footer.
// It only renders the store and dispatches actions; the frame is always shorter than the terminal.
import {useEffect, useMemo, useReducer, useState, useSyncExternalStore} from 'react';
import {Box, Text, useApp, useInput, type Key} from 'ink';
import type {Profile} from '../../profile/model.js';
import type {ClusterStore} from '../../cluster/store.js';
import type {ClusterState} from '../../cluster/types.js';
import type {ActionLog} from '../action-log.js';
import type {RateHistory} from '../history.js';
import {fit} from '../format.js';
import {sanitizeLine} from '../../text/sanitize.js';
import {banner, consoleClockText, headerClock, hostChips, hostTable, ipvsTable, logTable, realServerTable, vipTable, vrrpTable} from '../presenters/presenters.js';
import {filterRows, type Row, type TableModel} from '../presenters/types.js';
import {keepalivedLogTable, logViewDirector, vrrpTimelines} from '../presenters/keepalived.js';
import {Table, TONE_COLOR} from './Table.js';
import {HelpScreen} from './HelpScreen.js';
import {ToneLines} from '../ToneLines.js';
import {ACTION_KEYS, type ConsoleActions} from './actions.js';
import {consoleReducer, initialConsoleState, VIEWS, VIEW_TITLES, type ConsoleUiState, type ViewName} from './console-state.js';
import {interpretInput, type KeyEffect} from './keys.js';
import type {FlowState, FlowStore} from './flow.js';
import {useActionLog, useClusterClock, useTerminalSize, type TerminalSize} from './hooks.js';
import type {DoctorSessions} from '../../actions/doctor/session.js';
import {offersDoctor} from '../presenters/doctor.js';
import {DoctorBody, doctorKey, doctorPrompt, useDoctor} from './DoctorView.js';

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

export interface ConsoleAppProps {
	readonly profile: Profile;
	readonly store: ClusterStore;
	readonly history: RateHistory;
	readonly log: ActionLog;
	/** Absent in read-only mode: action keys then only say that the console is read-only. */
	readonly actions?: ConsoleActions;
	/** Tests: a fixed terminal size and clock. */
	readonly size?: TerminalSize;
	readonly now?: number;
	/** The view shown first (default overview). */
	readonly initialView?: ViewName;
	/** At most one re-render per this many ms from store updates (default 500; 0 renders every update). */
	readonly refreshThrottleMs?: number;
	/** Guided flows (deploy, drills); absent in read-only mode. */
	readonly flow?: FlowStore;
	/** The doctor session (read-only, so also in a read-only console); D runs it. */
	readonly doctor?: DoctorSessions;
	/** In the fleet console: Esc with nothing open to close goes back to the fleet overview. */
	readonly onBack?: () => void;
}

/** Header + banner + tabs + footer take this many lines; one more line stays free below the frame. */
const CHROME_LINES = 4;

/** The table of one view (only the visible view is built: the others may hold thousands of rows). */
function viewModel(view: ViewName, state: ClusterState, profile: Profile, history: RateHistory, now: number, entries: ReturnType<typeof useActionLog>): TableModel {
	switch (view) {
		case 'overview':
			return vipTable(state, profile);
		case 'ipvs':
			return ipvsTable(state, history, now);
		case 'vrrp':
			return vrrpTable(state, profile, now);
		case 'realservers':
			return realServerTable(state, profile);
		case 'log':
			return logTable(state, entries);
	}
}

/** A guided flow owns the keyboard until it is closed: abort, scroll, answer, close. */
function flowKey(flow: FlowStore, flowState: FlowState, input: string, key: Key, page: number, setFlowScroll: (f: (n: number) => number) => void, exit: () => void): void {
	if (flowState.phase === 'working' && flowState.abortable && (input === 'a' || key.escape || (key.ctrl && input === 'c'))) return flow.abort();
	if (key.ctrl && input === 'c' && flowState.phase !== 'working') return exit();
	// In a finished flow the scroll counts back from the end.
	const back = flowState.phase === 'done' ? -1 : 1;
	const scroll = (by: number) => setFlowScroll((n) => Math.max(0, n + by * back));
	if (key.upArrow || input === 'k') return scroll(-1);
	if (key.downArrow || input === 'j') return scroll(1);
	if (key.pageDown) return scroll(page);
	if (key.pageUp) return scroll(-page);
	if (flowState.phase === 'confirm') {
		const yes = flowState.confirmKey ?? 'y';
		if (input === yes || input === yes.toUpperCase()) flow.answer(true);
		else if (input === 'n' || input === 'N' || key.escape) flow.answer(false);
	} else if (flowState.phase === 'done' && (key.escape || key.return || input === 'q')) {
		flow.close();
		setFlowScroll(() => 0);
	}
}

/** The colour of a flow line: diff lines, failures, a pass. */
function flowLineColor(line: string): string | undefined {
	if (line.startsWith('+') && !line.startsWith('+++')) return 'green';
	if (line.startsWith('-') && !line.startsWith('---')) return 'red';
	if (/ fail: | FAILED|rolled-back|refused|: FAIL$|reason: |drill error/.test(line)) return 'red';
	return /: PASS$/.test(line) ? 'green' : undefined;
}

/** A guided flow: its title, its live block, and the part of its lines that fits. */
function FlowBody({flowState, width, bodyHeight, flowScroll}: {flowState: FlowState; width: number; bodyHeight: number; flowScroll: number}) {
	const liveLines = flowState.live?.(width).slice(0, Math.max(0, Math.floor(bodyHeight / 2))) ?? [];
	const visible = Math.max(1, bodyHeight - 1 - liveLines.length);
	// Follow the end of a running flow; otherwise let the operator scroll (the diff can be long).
	const maxStart = Math.max(0, flowState.lines.length - visible);
	// Follow a running flow; review a plan from its top; a finished flow opens on its end (the report).
	const start = flowState.phase === 'working' ? maxStart : flowState.phase === 'done' ? Math.max(0, maxStart - flowScroll) : Math.min(flowScroll, maxStart);
	return (
		<>
			<Text bold color="cyan" wrap="truncate">
				{fit(`${flowState.title} — ${flowState.phase === 'confirm' ? 'review the plan' : flowState.phase === 'working' ? 'in progress' : 'finished'}${flowState.lines.length > visible ? ` (lines ${start + 1}-${Math.min(flowState.lines.length, start + visible)} of ${flowState.lines.length})` : ''}`, width)}
			</Text>
			<ToneLines lines={liveLines} prefix="live" />
			{flowState.lines.slice(start, start + visible).map((line, i) => (
				<Text key={`f${start + i}`} wrap="truncate" color={flowLineColor(line)}>
					{fit(line, width)}
				</Text>
			))}
		</>
	);
}

interface ViewBodyProps {
	readonly ui: ConsoleUiState;
	readonly model: TableModel;
	readonly rows: readonly Row[];
	readonly hosts: TableModel;
	readonly findings: ClusterState['findings'];
	readonly selected: Row | undefined;
	readonly cursor: number;
	readonly width: number;
	readonly bodyHeight: number;
	/** The VRRP view's timeline lines. */
	readonly timeline: ReturnType<typeof vrrpTimelines>;
}

/** The overview: VIPs first, then hosts, then as many findings as fit. */
function OverviewBody({ui, model, rows, hosts, findings, cursor, width, height}: Omit<ViewBodyProps, 'selected' | 'bodyHeight'> & {height: number}) {
	const vipHeight = Math.min(rows.length + 1, Math.max(2, Math.floor(height / 2)));
	const rest = height - vipHeight - 1;
	const hostHeight = Math.min(hosts.rows.length + 1, Math.max(0, rest));
	const findingLines = findings.slice(0, Math.max(0, rest - hostHeight - 1));
	return (
		<>
			<Table model={model} rows={rows} width={width} height={vipHeight} cursor={cursor} />
			<Text> </Text>
			<Table model={hosts} rows={filterRows(hosts.rows, ui.filter)} width={width} height={hostHeight} />
			{findingLines.length > 0 ? <Text bold>{fit('FINDINGS', width)}</Text> : null}
			{findingLines.map((f, i) => (
				<Text key={i} wrap="truncate" color={f.severity === 'critical' ? 'red' : f.severity === 'warning' ? 'yellow' : undefined}>
					{fit(`${f.severity.toUpperCase().padEnd(8)} ${sanitizeLine(f.message)}`, width)}
				</Text>
			))}
		</>
	);
}

/** The VRRP table, then the timeline of each instance in what height is left (at least a third). */
function VrrpBody({model, rows, cursor, width, height, timeline}: Pick<ViewBodyProps, 'model' | 'rows' | 'cursor' | 'width' | 'timeline'> & {height: number}) {
	const tableHeight = Math.min(rows.length + 1, Math.max(2, height - Math.max(1, Math.floor(height / 3)) - 1));
	const lines = timeline.slice(0, Math.max(0, height - tableHeight - 1));
	return (
		<>
			<Table model={model} rows={rows} width={width} height={tableHeight} cursor={cursor} />
			{lines.length > 0 ? <Text> </Text> : null}
			<ToneLines lines={lines.map((l) => l.map((r) => ({...r, text: r.text.slice(0, width)})))} prefix="t" />
		</>
	);
}

/** The current view (overview or one table), with the selected row's details under it when open. */
function ViewBody(props: ViewBodyProps) {
	const {ui, model, rows, selected, cursor, width, bodyHeight} = props;
	const detailLines = ui.detail && selected?.detail ? selected.detail().slice(0, Math.max(0, Math.floor(bodyHeight / 2) - 1)) : [];
	const detailHeight = detailLines.length > 0 ? detailLines.length + 1 : 0;
	const view =
		ui.view === 'overview' && ui.keepalivedLog === undefined ? (
			<OverviewBody {...props} height={bodyHeight - detailHeight} />
		) : ui.view === 'vrrp' && ui.keepalivedLog === undefined ? (
			<VrrpBody {...props} height={bodyHeight - detailHeight} />
		) : (
			<Table model={model} rows={rows} width={width} height={bodyHeight - detailHeight} cursor={cursor} />
		);
	if (detailLines.length === 0) return view;
	return (
		<>
			{view}
			<Text color="cyan" wrap="truncate">
				{fit('─ details (Enter/Esc to close) ', width).replace(/ +$/, (m) => '─'.repeat(m.length))}
			</Text>
			{detailLines.map((line, i) => (
				<Text key={`d${i}`} wrap="truncate">
					{fit(sanitizeLine(line), width)}
				</Text>
			))}
		</>
	);
}

/** The footer: the flow's prompt, the filter being typed, a flash message, or the keys. */
function footerText(flowState: FlowState | undefined, ui: ConsoleUiState, readOnly: boolean, fleet: boolean): string {
	if (flowState) return flowState.prompt;
	if (ui.editingFilter) return `filter: ${ui.filter}█  (Enter keep, Esc clear)`;
	if (ui.flash) return ui.flash;
	return `${ui.filter ? `[filter: ${ui.filter}] ` : ''}${fleet ? 'Esc fleet  ' : ''}1-5 views  ↑↓ move  / filter  Enter details  l keepalived log  ? help  ${readOnly ? '' : 'd f h c r x w actions  '}q quit`;
}

/** Show `view`, filtered to `host` when given (the doctor's link to where a check's subject shows). */
function openView(dispatch: (a: Parameters<typeof consoleReducer>[1]) => void, view: ViewName, host?: string): void {
	dispatch({type: 'select-view', view});
	dispatch({type: 'end-filter', keep: false});
	if (host) {
		dispatch({type: 'filter-input', text: host});
		dispatch({type: 'end-filter', keep: true});
	}
}

/** The header line (cluster, clock, host chips), the alarm banner and the view tabs. */
function ConsoleHeader({title, chips, alarm, ui, width}: {title: string; chips: ReturnType<typeof hostChips>; alarm: ReturnType<typeof banner>; ui: ConsoleUiState; width: number}) {
	return (
		<>
			<Text wrap="truncate">
				<Text bold>{title}</Text>
				{chips.map((c, i) => (
					<Text key={c.name} color={TONE_COLOR[c.tone]}>
						{`${i > 0 ? '  ' : ''}● ${sanitizeLine(c.text)}`}
					</Text>
				))}
			</Text>
			<Text wrap="truncate" color={TONE_COLOR[alarm.tone]} bold={alarm.tone === 'bad'} inverse={alarm.tone === 'bad'}>
				{fit(alarm.text, width)}
			</Text>
			<Text wrap="truncate">
				{VIEWS.map((v, i) => (
					<Text key={v} inverse={v === ui.view && !ui.help} bold={v === ui.view}>
						{` ${i + 1} ${VIEW_TITLES[v]} `}
					</Text>
				))}
				<Text inverse={ui.help}> ? Help </Text>
			</Text>
		</>
	);
}

/** What the keys asked for: quit, the doctor, or an action (refused in the log when read-only). */
function runEffects(
	effects: readonly KeyEffect[],
	ctx: {exit: () => void; dispatch: (a: Parameters<typeof consoleReducer>[1]) => void; log: ActionLog; actions?: ConsoleActions; doctor?: () => void; back?: () => void; selectedKey?: string},
): void {
	for (const effect of effects) {
		if (effect.type === 'exit') return ctx.exit();
		if (effect.type === 'back') {
			// A single-cluster console has nowhere to go back to: Esc stays what it was.
			if (ctx.back) return ctx.back();
			continue;
		}
		if (effect.type === 'doctor') {
			if (ctx.doctor) ctx.doctor();
			else ctx.dispatch({type: 'flash', text: 'doctor is not available here'});
			continue;
		}
		const action = ACTION_KEYS.find((a) => a.kind === effect.kind)!;
		if (!ctx.actions) {
			ctx.log.append('warn', `${action.title}: refused, this console is read-only`);
			ctx.dispatch({type: 'flash', text: 'read-only console: actions are disabled'});
		} else {
			ctx.actions.run(effect.kind, ctx.selectedKey !== undefined ? {selectedKey: ctx.selectedKey} : {});
		}
	}
}

/** The alarm banner, offering D (doctor) when a finding is critical. */
function alarmOf(state: ClusterState, doctor: boolean): ReturnType<typeof banner> {
	const alarm = banner(state);
	return doctor && offersDoctor(state.findings) ? {...alarm, text: `${alarm.text}  · D doctor`} : alarm;
}

/** What the console and the fleet overview draw instead of a frame that cannot fit. */
export function TooSmall({size}: {size: TerminalSize}) {
	return (
		<Box width={Math.max(10, size.columns)}>
			<Text wrap="wrap" color="yellow">
				{`Terminal too small: ${size.columns}x${size.rows}. lvsdeck needs at least ${MIN_COLUMNS}x${MIN_ROWS}. (q quits)`}
			</Text>
		</Box>
	);
}

export function ConsoleApp({profile, store, history, log, actions, size: fixedSize, now: fixedNow, initialView, refreshThrottleMs, flow, doctor, onBack}: ConsoleAppProps) {
	const {exit} = useApp();
	const size = useTerminalSize(fixedSize);
	const [ui, dispatch] = useReducer(consoleReducer, initialView ? {...initialConsoleState, view: initialView} : initialConsoleState);
	// Only the VRRP view (its details) shows keepalived's advert counters, which move with every dump.
	const {state, now} = useClusterClock(store, refreshThrottleMs, 1000, fixedNow, consoleClockText, {vrrpCounters: ui.view === 'vrrp' && ui.keepalivedLog === undefined});
	const entries = useActionLog(log);
	const flowState = useSyncExternalStore(
		(l) => flow?.subscribe(l) ?? (() => {}),
		() => flow?.get(),
	);
	const [flowScroll, setFlowScroll] = useState(0);
	// Each phase opens at its natural place (see below), whatever was scrolled before.
	const flowPhase = flowState?.phase;
	useEffect(() => setFlowScroll(0), [flowPhase]);
	const doc = useDoctor(doctor);

	const logDirector = ui.keepalivedLog !== undefined ? logViewDirector(profile, ui.keepalivedLog) : undefined;
	// The keepalived log view (key l) covers the current view while it is open; a filter searches all its lines.
	const model = useMemo(() => (logDirector !== undefined ? keepalivedLogTable(state, logDirector, {all: ui.filter !== ''}) : viewModel(ui.view, state, profile, history, now, entries)), [logDirector, ui.filter, ui.view, state, profile, history, now, entries]);
	const hosts = useMemo(() => hostTable(state, now), [state, now]);

	const rows: Row[] = useMemo(() => filterRows(model.rows, ui.filter), [model, ui.filter]);
	const cursor = Math.min(ui.cursor[ui.view], Math.max(0, rows.length - 1));
	const selected = rows[cursor];

	const tooSmall = size.columns < MIN_COLUMNS || size.rows < MIN_ROWS;
	const bodyHeight = size.rows - 1 - CHROME_LINES;
	const page = Math.max(1, bodyHeight - 2);

	useInput((input, key) => {
		if (flow && flowState) return flowKey(flow, flowState, input, key, page, setFlowScroll, exit);
		if (doc.panel) return doctorKey(doc.panel, doc.setPanel, input, key, (view, host) => openView(dispatch, view, host));
		const result = interpretInput(ui, input, key, {rows: rows.length, page, tooSmall});
		for (const action of result.actions) dispatch(action);
		runEffects(result.effects, {exit, dispatch, log, ...(actions ? {actions} : {}), ...(doctor ? {doctor: doc.start} : {}), ...(onBack ? {back: onBack} : {}), ...(selected ? {selectedKey: selected.key} : {})});
	});

	if (tooSmall) {
		return <TooSmall size={size} />;
	}

	const width = size.columns;
	const title = `lvsdeck · ${sanitizeLine(profile.name)} · ${headerClock(now)}${actions ? '' : ' · read-only'} · `;
	const body = flowState ? (
		<FlowBody flowState={flowState} width={width} bodyHeight={bodyHeight} flowScroll={flowScroll} />
	) : doc.panel ? (
		<DoctorBody panel={doc.panel} width={width} height={bodyHeight} />
	) : ui.help ? (
		<HelpScreen width={width} height={bodyHeight} />
	) : (
		<ViewBody {...{ui, model, rows, hosts, selected, cursor, width, bodyHeight}} findings={state.findings} timeline={ui.view === 'vrrp' ? vrrpTimelines(state, profile, now, {width}) : []} />
	);
	return (
		<Box flexDirection="column" width={width}>
			<ConsoleHeader title={title} chips={hostChips(state, now)} alarm={alarmOf(state, doctor !== undefined)} ui={ui} width={width} />
			{/* No fixed height: Ink builds a character grid as large as the frame on every render, and the
			    views already clip themselves to bodyHeight lines. */}
			<Box flexDirection="column">{body}</Box>
			<Text wrap="truncate" color="gray">
				{fit(doc.panel && !flowState ? doctorPrompt(doc.panel) : footerText(flowState, ui, !actions, onBack !== undefined), width)}
			</Text>
		</Box>
	);
}

// The console's doctor view: D (offered on the alarm line when a finding is critical) runs the doctor
// session and shows the checks that need the operator; ↑↓ pick one, Enter opens the view where its
// subject shows, filtered to its host; Esc closes. The session is read-only, so a read-only console
// has it too.
import {useCallback, useRef, useState} from 'react';
import {Text, type Key} from 'ink';
import type {DoctorSessions} from '../../actions/doctor/session.js';
import {attentionChecks, consoleViewOf, doctorLines, type DoctorLine} from '../presenters/doctor.js';
import {fit} from '../format.js';
import {TONE_COLOR} from './Table.js';
import type {ViewName} from './console-state.js';

export type DoctorPanel =
	| {readonly phase: 'running'}
	| {readonly phase: 'done'; readonly lines: readonly DoctorLine[]; readonly targets: ReadonlyArray<{view: ViewName; host?: string}>; readonly selected: number}
	| {readonly phase: 'error'; readonly message: string};

export function useDoctor(doctor: DoctorSessions | undefined) {
	const [panel, setPanel] = useState<DoctorPanel | undefined>();
	const running = useRef(false);
	const start = useCallback(() => {
		if (!doctor || running.current) return;
		running.current = true;
		setPanel({phase: 'running'});
		doctor()
			.then(({report}) => {
				const targets = attentionChecks(report).map((c) => ({view: consoleViewOf(c), ...(c.host ? {host: c.host} : {})}));
				setPanel((p) => (p ? {phase: 'done', lines: doctorLines(report), targets, selected: 0} : p));
			})
			.catch((error: unknown) => setPanel((p) => (p ? {phase: 'error', message: error instanceof Error ? error.message : String(error)} : p)))
			.finally(() => (running.current = false));
	}, [doctor]);
	return {panel, setPanel, start};
}

/** Keys while the doctor view is open. `open` shows a view filtered to a host. */
export function doctorKey(panel: DoctorPanel, setPanel: (p: DoctorPanel | undefined) => void, input: string, key: Partial<Key>, open: (view: ViewName, host?: string) => void): void {
	if (key.escape || input === 'q') return setPanel(undefined);
	if (panel.phase !== 'done') return;
	const move = key.downArrow || input === 'j' ? 1 : key.upArrow || input === 'k' ? -1 : 0;
	if (move !== 0) return setPanel({...panel, selected: Math.max(0, Math.min(panel.targets.length - 1, panel.selected + move))});
	const target = panel.targets[panel.selected];
	if (key.return && target) {
		setPanel(undefined);
		open(target.view, target.host);
	}
}

export function doctorPrompt(panel: DoctorPanel): string {
	if (panel.phase === 'running') return 'doctor: reading every host (a few seconds)…  Esc close';
	if (panel.phase === 'error') return 'Esc close';
	return panel.targets.length > 0 ? '↑↓ pick a check  Enter open its view on its host  Esc close' : 'Esc close';
}

export function DoctorBody({panel, width, height}: {panel: DoctorPanel; width: number; height: number}) {
	const title = <Text bold color="cyan">{fit(`Doctor — ${panel.phase === 'running' ? 'running' : panel.phase === 'error' ? 'failed' : 'finished'}`, width)}</Text>;
	if (panel.phase !== 'done') {
		return (
			<>
				{title}
				<Text wrap="truncate" color={panel.phase === 'error' ? 'red' : undefined}>
					{fit(panel.phase === 'error' ? `doctor failed: ${panel.message}` : 'reading keepalived counters, firewalls, clocks, sysctls…', width)}
				</Text>
			</>
		);
	}
	const first = panel.lines.findIndex((l) => l.check === panel.selected);
	const visible = Math.max(1, height - 1);
	const start = Math.max(0, Math.min(first - 1, panel.lines.length - visible));
	return (
		<>
			{title}
			{panel.lines.slice(start, start + visible).map((l, i) => (
				<Text key={start + i} wrap="truncate" inverse={l.check !== undefined && l.check === panel.selected} color={l.tone ? TONE_COLOR[l.tone] : undefined}>
					{fit(`${l.check === undefined ? '  ' : l.check === panel.selected ? '› ' : '  '}${l.text}`, width)}
				</Text>
			))}
		</>
	);
}

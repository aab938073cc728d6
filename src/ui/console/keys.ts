// Key handling as a pure function: (UI state, one key) → reducer actions and side effects. Bursts of
// characters (fast typing, paste) arrive from Ink as one string and are fed here one key at a time,
// each against the state the previous key left, so "/rs1⏎" filters instead of firing action keys.
import type {Key} from 'ink';
import {ACTION_KEYS, type ActionKind} from './actions.js';
import {consoleReducer, VIEWS, type ConsoleAction, type ConsoleUiState} from './console-state.js';

/** `back`: Esc with nothing left to close (the fleet console goes back to its overview). */
export type KeyEffect = {readonly type: 'exit'} | {readonly type: 'doctor'} | {readonly type: 'back'} | {readonly type: 'action'; readonly kind: ActionKind};

/** Nothing Esc would close: no help, keepalived log, details or kept filter. */
function nothingToClose(state: ConsoleUiState): boolean {
	return !state.help && state.keepalivedLog === undefined && !state.detail && state.filter === '';
}

export interface KeyContext {
	/** Rows in the current view after filtering. */
	readonly rows: number;
	/** Rows per page for PgUp/PgDn. */
	readonly page: number;
	readonly tooSmall: boolean;
}

export interface KeyResult {
	readonly actions: ConsoleAction[];
	readonly effects: KeyEffect[];
	readonly state: ConsoleUiState;
}

type KeyFlags = Partial<Pick<Key, 'upArrow' | 'downArrow' | 'pageUp' | 'pageDown' | 'return' | 'escape' | 'ctrl' | 'shift' | 'tab' | 'backspace' | 'delete' | 'meta'>>;

function one(state: ConsoleUiState, input: string, key: KeyFlags, ctx: KeyContext): {actions: ConsoleAction[]; effects: KeyEffect[]} {
	if (key.ctrl && input === 'c') return {actions: [], effects: [{type: 'exit'}]};
	if (state.editingFilter) {
		if (key.return) return {actions: [{type: 'end-filter', keep: true}], effects: []};
		if (key.escape) return {actions: [{type: 'end-filter', keep: false}], effects: []};
		if (key.backspace || key.delete) return {actions: [{type: 'filter-backspace'}], effects: []};
		const text = input.replace(/[^\x20-\x7e]/g, '');
		return {actions: text && !key.ctrl && !key.meta ? [{type: 'filter-input', text}] : [], effects: []};
	}
	if (input === 'q') return {actions: [], effects: [{type: 'exit'}]};
	if (input === '?') return {actions: [{type: 'toggle-help'}], effects: []};
	if (key.escape) return {actions: [{type: 'escape'}], effects: nothingToClose(state) ? [{type: 'back'}] : []};
	if (ctx.tooSmall) return {actions: [], effects: []};
	const n = Number(input);
	if (input.length === 1 && Number.isInteger(n) && n >= 1 && n <= VIEWS.length) return {actions: [{type: 'select-view', view: VIEWS[n - 1]!}], effects: []};
	if (key.tab) return {actions: [{type: key.shift ? 'previous-view' : 'next-view'}], effects: []};
	if (key.downArrow || input === 'j') return {actions: [{type: 'move', by: 1, rows: ctx.rows}], effects: []};
	if (key.upArrow || input === 'k') return {actions: [{type: 'move', by: -1, rows: ctx.rows}], effects: []};
	if (key.pageDown) return {actions: [{type: 'move', by: ctx.page, rows: ctx.rows}], effects: []};
	if (key.pageUp) return {actions: [{type: 'move', by: -ctx.page, rows: ctx.rows}], effects: []};
	if (input === 'g') return {actions: [{type: 'move-to', index: 0, rows: ctx.rows}], effects: []};
	if (input === 'G') return {actions: [{type: 'move-to', index: ctx.rows - 1, rows: ctx.rows}], effects: []};
	if (input === '/') return {actions: [{type: 'start-filter'}], effects: []};
	if (key.return) return {actions: [{type: 'toggle-detail'}], effects: []};
	if (input === 'D') return {actions: [], effects: [{type: 'doctor'}]};
	if (input === 'l') return {actions: [{type: 'keepalived-log'}], effects: []};
	const action = ACTION_KEYS.find((a) => a.key === input);
	if (action) return {actions: [], effects: [{type: 'action', kind: action.kind}]};
	return {actions: [], effects: []};
}

/** Interpret what Ink delivered (one key, or a burst of plain characters). */
export function interpretInput(state: ConsoleUiState, input: string, key: KeyFlags, ctx: KeyContext): KeyResult {
	// Ink reports a burst of printable characters (and \r) as one string with no key flags set.
	const burst = input.length > 1 && !key.ctrl && !key.meta && !key.escape;
	const keys: Array<[string, KeyFlags]> = burst ? [...input].map((ch) => (ch === '\r' || ch === '\n' ? ['', {return: true}] : ch === '\u007f' ? ['', {backspace: true}] : [ch, {}])) : [[input, key]];
	const actions: ConsoleAction[] = [];
	const effects: KeyEffect[] = [];
	let current = state;
	for (const [ch, flags] of keys) {
		const r = one(current, ch, flags, ctx);
		for (const a of r.actions) current = consoleReducer(current, a);
		actions.push(...r.actions);
		effects.push(...r.effects);
		if (r.effects.some((e) => e.type === 'exit')) break;
	}
	return {actions, effects, state: current};
}

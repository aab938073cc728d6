// The console's own UI state (which view, cursor, filter, overlays) as a pure reducer.

export const VIEWS = ['overview', 'ipvs', 'vrrp', 'realservers', 'log'] as const;
export type ViewName = (typeof VIEWS)[number];

export const VIEW_TITLES: Record<ViewName, string> = {
	overview: 'Overview',
	ipvs: 'IPVS',
	vrrp: 'VRRP',
	realservers: 'Real servers',
	log: 'Findings & log',
};

export interface ConsoleUiState {
	readonly view: ViewName;
	/** Cursor row per view (index into the filtered rows). */
	readonly cursor: Readonly<Record<ViewName, number>>;
	readonly filter: string;
	readonly editingFilter: boolean;
	readonly help: boolean;
	readonly detail: boolean;
	/** A one-line message in the footer (e.g. an action that is not available yet). */
	readonly flash?: string;
	/** The keepalived log view (key `l`) is open on this director (an index into the profile's directors). */
	readonly keepalivedLog?: number;
}

export type ConsoleAction =
	| {type: 'select-view'; view: ViewName}
	| {type: 'next-view'}
	| {type: 'previous-view'}
	| {type: 'move'; by: number; rows: number}
	| {type: 'move-to'; index: number; rows: number}
	| {type: 'start-filter'}
	| {type: 'filter-input'; text: string}
	| {type: 'filter-backspace'}
	| {type: 'end-filter'; keep: boolean}
	| {type: 'toggle-help'}
	| {type: 'toggle-detail'}
	| {type: 'escape'}
	| {type: 'flash'; text: string | undefined}
	/** `l`: open the keepalived log view, or show the next director's. */
	| {type: 'keepalived-log'};

export const initialConsoleState: ConsoleUiState = {
	view: 'overview',
	cursor: {overview: 0, ipvs: 0, vrrp: 0, realservers: 0, log: 0},
	filter: '',
	editingFilter: false,
	help: false,
	detail: false,
};

const clamp = (n: number, rows: number) => Math.max(0, Math.min(rows - 1, n));

export function consoleReducer(state: ConsoleUiState, action: ConsoleAction): ConsoleUiState {
	switch (action.type) {
		case 'select-view':
			return (({keepalivedLog: _k, ...rest}) => ({...rest, view: action.view, detail: false, help: false}))(state);
		case 'next-view':
		case 'previous-view': {
			const i = VIEWS.indexOf(state.view);
			const next = VIEWS[(i + (action.type === 'next-view' ? 1 : VIEWS.length - 1)) % VIEWS.length]!;
			return {...state, view: next, detail: false};
		}
		case 'move':
			return {...state, cursor: {...state.cursor, [state.view]: clamp(state.cursor[state.view] + action.by, action.rows)}};
		case 'move-to':
			return {...state, cursor: {...state.cursor, [state.view]: clamp(action.index, action.rows)}};
		case 'start-filter':
			return {...state, editingFilter: true, detail: false};
		case 'filter-input':
			return {...state, filter: state.filter + action.text, cursor: {...state.cursor, [state.view]: 0}};
		case 'filter-backspace':
			return {...state, filter: [...state.filter].slice(0, -1).join('')};
		case 'end-filter':
			return {...state, editingFilter: false, filter: action.keep ? state.filter : ''};
		case 'toggle-help':
			return {...state, help: !state.help};
		case 'toggle-detail':
			return {...state, detail: !state.detail};
		case 'keepalived-log':
			return {...state, keepalivedLog: state.keepalivedLog === undefined ? 0 : state.keepalivedLog + 1, help: false, detail: false};
		case 'escape':
			if (state.help) return {...state, help: false};
			if (state.keepalivedLog !== undefined) return (({keepalivedLog: _k, ...rest}) => rest)(state);
			if (state.detail) return {...state, detail: false};
			if (state.filter !== '') return {...state, filter: ''};
			return {...state, flash: undefined};
		case 'flash':
			return action.text === undefined ? (({flash: _f, ...rest}) => rest)(state) : {...state, flash: action.text};
	}
}

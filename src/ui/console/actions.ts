// Console action keys. Deploy opens its guided flow; the drills, drain and round-robin watcher arrive
// with the drills work, and until then their keys say so in the action log instead of doing nothing.

export type ActionKind = 'deploy' | 'failover-drill' | 'hard-failover-drill' | 'rs-health-drill' | 'drain' | 'round-robin-watch';

export interface ActionKey {
	readonly key: string;
	readonly kind: ActionKind;
	readonly title: string;
	/** Where the flow comes from while it is not built yet. */
	readonly pending?: string;
}

export const ACTION_KEYS: readonly ActionKey[] = [
	{key: 'd', kind: 'deploy', title: 'deploy configs (render, diff, validate, install, verify)'},
	{key: 'f', kind: 'failover-drill', title: 'failover drill (graceful stop of keepalived on the master)', pending: 'the drills work'},
	{key: 'h', kind: 'hard-failover-drill', title: 'hard-failure drill (freeze the master)', pending: 'the drills work'},
	{key: 'r', kind: 'rs-health-drill', title: 'real-server health drill', pending: 'the drills work'},
	{key: 'x', kind: 'drain', title: 'drain a real server (weight 0, then restore)', pending: 'the drills work'},
	{key: 'w', kind: 'round-robin-watch', title: 'round-robin watcher against a VIP', pending: 'the drills work'},
];

/** What the console calls when an action key is pressed. Read-only consoles get none. */
export interface ConsoleActions {
	run(kind: ActionKind, context: {selectedKey?: string}): void;
}

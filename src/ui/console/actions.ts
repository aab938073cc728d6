// Console action keys: each opens its guided flow (deploy, the drills, the round-robin watcher).

export type ActionKind = 'deploy' | 'failover-drill' | 'hard-failover-drill' | 'cut-vrrp-drill' | 'rs-health-drill' | 'drain' | 'round-robin-watch';

export interface ActionKey {
	readonly key: string;
	readonly kind: ActionKind;
	readonly title: string;
}

export const ACTION_KEYS: readonly ActionKey[] = [
	{key: 'd', kind: 'deploy', title: 'deploy configs (render, diff, validate, install, verify)'},
	{key: 'f', kind: 'failover-drill', title: 'failover drill (graceful stop of keepalived on the master)'},
	{key: 'h', kind: 'hard-failover-drill', title: 'hard-failure drill (freeze the master)'},
	{key: 'c', kind: 'cut-vrrp-drill', title: 'hard-failure drill: cut VRRP between the directors (split brain)'},
	{key: 'r', kind: 'rs-health-drill', title: 'real-server health drill (stop its service, then start it)'},
	{key: 'x', kind: 'drain', title: 'drain drill: weight 0 for a real server, then restore'},
	{key: 'w', kind: 'round-robin-watch', title: 'round-robin watcher against the selected service or VIP, in its mode (http, tcp, udp)'},
];

/** What the console calls when an action key is pressed. Read-only consoles get none. */
export interface ConsoleActions {
	run(kind: ActionKind, context: {selectedKey?: string}): void;
}

// One finished watcher request, as every traffic source records it and the statistics core (WatchTally)
// counts it.
export type Outcome = 'ok' | 'failed' | 'timeout';

export interface RequestRecord {
	readonly start: number;
	readonly end: number;
	readonly outcome: Outcome;
	readonly backend?: string;
	readonly error?: string;
	/** Client source port (IPVS keys its connection entries on it). */
	readonly localPort?: number;
	/** Client source address, when known (with the port, it finds the request in IPVS's table). */
	readonly clientAddress?: string;
}

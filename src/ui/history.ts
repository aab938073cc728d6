// A small per-real-server history of connection rates for sparklines. Kept outside React: it
// subscribes to the store and records one sample per fresh director poll.
import type {ClusterStore} from '../cluster/store.js';
import type {ClusterState} from '../cluster/types.js';
import {serviceKey, realServerKey} from '../probes/ipvs.js';

export const HISTORY_LENGTH = 30;

/** `dir1|TCP 192.168.67.100:80|192.168.67.10:80` */
export function historyKey(director: string, service: string, realServer: string): string {
	return `${director}|${service}|${realServer}`;
}

export class RateHistory {
	private readonly samples = new Map<string, number[]>();
	private readonly seen = new Map<string, number>();

	/** Record the current rates of every director whose data is newer than last time. */
	record(state: ClusterState): void {
		for (const host of state.hosts) {
			if (!host.director || host.lastOkAt === undefined || this.seen.get(host.name) === host.lastOkAt) continue;
			this.seen.set(host.name, host.lastOkAt);
			for (const s of host.director.ipvs.services) {
				for (const rs of s.realServers) {
					const key = historyKey(host.name, serviceKey(s), realServerKey(rs));
					const list = this.samples.get(key) ?? [];
					list.push(rs.rate?.cps ?? 0);
					if (list.length > HISTORY_LENGTH) list.shift();
					this.samples.set(key, list);
				}
			}
		}
	}

	get(key: string): readonly number[] {
		return this.samples.get(key) ?? [];
	}

	attach(store: ClusterStore): () => void {
		this.record(store.getState());
		return store.subscribe((s) => this.record(s));
	}
}

// The one statistics core of watcher traffic, for live views, the watch command, and (through
// summarize in watcher.ts) drills and their JSON: constant memory however long it runs (counts, a 1 ms
// latency histogram, a ring of time buckets), fed one finished request at a time.
import type {RequestRecord} from './request-record.js';

export interface BucketCounts {
	readonly ok: number;
	readonly bad: number;
}

export interface TallySnapshot {
	readonly startedAt: number;
	readonly elapsedMs: number;
	readonly total: number;
	readonly ok: number;
	readonly failed: number;
	readonly timeouts: number;
	readonly perBackend: ReadonlyMap<string, number>;
	readonly latencyP50Ms: number | null;
	readonly latencyP99Ms: number | null;
	/** Longest stretch between two successes with failures in it, and the one still open (0 if none). */
	readonly longestGapMs: number;
	readonly openGapMs: number;
	/** Requests finished per second over the last few seconds. */
	readonly recentRps: number;
	readonly bucketMs: number;
	/** Oldest first; the last one is the current bucket. */
	readonly buckets: readonly BucketCounts[];
	readonly lastError: string | undefined;
}

const MAX_LATENCY_MS = 60_000;

export class WatchTally {
	private total = 0;
	private ok = 0;
	private failed = 0;
	private timeouts = 0;
	private readonly perBackend = new Map<string, number>();
	private readonly latency = new Uint32Array(MAX_LATENCY_MS + 1);
	/** Start times of recent successes, sorted (they arrive nearly in order, so inserts are cheap). */
	private readonly okStarts: number[] = [];
	/** A failure after the latest success: the gap is open from this success (or the start). */
	private openSince: number | undefined;
	private longestGapMs = 0;
	private readonly okRing: Uint32Array;
	private readonly badRing: Uint32Array;
	private newestBucket = 0;
	private readonly recent: number[] = [];
	private lastError: string | undefined;

	constructor(
		readonly startedAt: number,
		readonly bucketMs = 1000,
		private readonly keepBuckets = 240,
	) {
		this.okRing = new Uint32Array(keepBuckets);
		this.badRing = new Uint32Array(keepBuckets);
	}

	/** A tally fed every request the watcher finishes from now on. */
	static of(watcher: {onRecord(listener: (r: RequestRecord) => void): unknown}, bucketMs?: number): WatchTally {
		const tally = new WatchTally(Date.now(), bucketMs);
		watcher.onRecord((r) => tally.add(r));
		return tally;
	}

	add(r: RequestRecord): void {
		this.total++;
		this.recent.push(r.end);
		if (this.recent.length > 4096) this.recent.splice(0, 2048);
		const bucket = Math.max(0, Math.floor((r.start - this.startedAt) / this.bucketMs));
		this.advance(bucket);
		const inRing = bucket > this.newestBucket - this.keepBuckets;
		if (r.outcome === 'ok') {
			this.ok++;
			this.latency[Math.min(MAX_LATENCY_MS, Math.max(0, r.end - r.start))]!++;
			if (r.backend !== undefined) this.perBackend.set(r.backend, (this.perBackend.get(r.backend) ?? 0) + 1);
			if (inRing) this.okRing[bucket % this.keepBuckets]!++;
			const latest = this.okStarts.at(-1);
			if (this.openSince !== undefined && (latest === undefined || r.start > latest)) {
				this.longestGapMs = Math.max(this.longestGapMs, r.start - this.openSince);
				this.openSince = undefined;
			}
			this.insertOk(r.start);
		} else {
			if (r.outcome === 'timeout') this.timeouts++;
			else this.failed++;
			this.lastError = r.error;
			if (inRing) this.badRing[bucket % this.keepBuckets]!++;
			// A gap runs from the success before the failure to the one after it (by start time).
			const i = this.firstOkAfter(r.start);
			const before = i > 0 ? this.okStarts[i - 1]! : this.startedAt;
			if (i < this.okStarts.length) this.longestGapMs = Math.max(this.longestGapMs, this.okStarts[i]! - before);
			else this.openSince = Math.min(this.openSince ?? before, before);
		}
	}

	private firstOkAfter(start: number): number {
		let lo = 0;
		let hi = this.okStarts.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (this.okStarts[mid]! <= start) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}

	private insertOk(start: number): void {
		this.okStarts.splice(this.firstOkAfter(start), 0, start);
		// Failures arrive at most a timeout late: a minute of successes is plenty to place them.
		if (this.okStarts.length > 8192 && this.okStarts[0]! < start - 60_000) this.okStarts.splice(0, 4096);
	}

	/** Move the ring forward to `bucket`, clearing the buckets it passes. */
	private advance(bucket: number): void {
		if (bucket <= this.newestBucket) return;
		for (let b = Math.max(this.newestBucket + 1, bucket - this.keepBuckets + 1); b <= bucket; b++) {
			this.okRing[b % this.keepBuckets] = 0;
			this.badRing[b % this.keepBuckets] = 0;
		}
		this.newestBucket = bucket;
	}

	private percentile(p: number): number | null {
		if (this.ok === 0) return null;
		const want = Math.min(this.ok, Math.floor((p / 100) * this.ok) + 1);
		let seen = 0;
		for (let ms = 0; ms <= MAX_LATENCY_MS; ms++) {
			seen += this.latency[ms]!;
			if (seen >= want) return ms;
		}
		return MAX_LATENCY_MS;
	}

	snapshot(now: number): TallySnapshot {
		this.advance(Math.floor((now - this.startedAt) / this.bucketMs));
		const count = Math.min(this.keepBuckets, this.newestBucket + 1);
		const buckets: BucketCounts[] = [];
		for (let b = this.newestBucket - count + 1; b <= this.newestBucket; b++) buckets.push({ok: this.okRing[b % this.keepBuckets]!, bad: this.badRing[b % this.keepBuckets]!});
		const windowMs = Math.min(5000, Math.max(1, now - this.startedAt));
		const recentRps = (this.recent.filter((t) => t > now - windowMs).length * 1000) / windowMs;
		const openGapMs = this.openSince !== undefined ? now - this.openSince : 0;
		return {
			startedAt: this.startedAt,
			elapsedMs: now - this.startedAt,
			total: this.total,
			ok: this.ok,
			failed: this.failed,
			timeouts: this.timeouts,
			perBackend: new Map(this.perBackend),
			latencyP50Ms: this.percentile(50),
			latencyP99Ms: this.percentile(99),
			longestGapMs: Math.max(this.longestGapMs, openGapMs),
			openGapMs,
			recentRps: +recentRps.toFixed(1),
			bucketMs: this.bucketMs,
			buckets,
			lastError: this.lastError,
		};
	}
}

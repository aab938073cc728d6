// Directors' clocks more than 1 s apart: drill timings and merged logs depend on them agreeing. Each
// clock is read with `date +%s.%N` and compared with this machine's clock at the middle of the round
// trip, so the round trip bounds the error of each offset. Pure.
import {check, type DoctorCheck} from '../check.js';
import type {ClockRead} from '../reads.js';

export const CLOCK_LIMIT_MS = 1000;

/** The director's clock minus ours, in ms, and half the round trip (the uncertainty); or why not. */
export function clockOffset(c: ClockRead): {offsetMs: number; errorMs: number} | {error: string} {
	if (!c.read.ok) return {error: c.read.error};
	const text = c.read.stdout.trim();
	if (c.read.code !== 0 || !/^\d{9,11}\.\d{1,9}$/.test(text)) return {error: `date gave ${c.read.code === 0 ? 'no epoch time' : `exit ${c.read.code ?? 'signal'}`}`};
	const remoteMs = Number(text) * 1000;
	return {offsetMs: remoteMs - (c.sentAt + c.receivedAt) / 2, errorMs: (c.receivedAt - c.sentAt) / 2};
}

/** One check over all directors: the widest gap between two of them. */
export function clockCheck(reads: ReadonlyArray<{director: string; clock: ClockRead}>): DoctorCheck {
	const offsets = reads.map((r) => ({director: r.director, o: clockOffset(r.clock)}));
	const known = offsets.flatMap((x) => ('offsetMs' in x.o ? [{director: x.director, ...x.o}] : []));
	const unread = offsets.filter((x) => 'error' in x.o).map((x) => x.director);
	if (known.length < 2) return check('time.clocks', 'skip', 'directors', `fewer than two clocks read${unread.length ? ` (not read: ${unread.join(', ')})` : ''}`);
	const sorted = [...known].sort((a, b) => a.offsetMs - b.offsetMs);
	const low = sorted[0]!;
	const high = sorted.at(-1)!;
	const gap = high.offsetMs - low.offsetMs;
	const margin = high.errorMs + low.errorMs;
	const list = known.map((k) => `${k.director} ${k.offsetMs >= 0 ? '+' : ''}${(k.offsetMs / 1000).toFixed(3)} s`).join(', ');
	const evidence = `${(gap / 1000).toFixed(3)} s between ${high.director} and ${low.director} (± ${(margin / 1000).toFixed(3)} s); against this machine: ${list}`;
	// Only a gap that stays over the limit with the read's own uncertainty taken off is a failure.
	if (gap - margin > CLOCK_LIMIT_MS) return check('time.clocks', 'fail', `${high.director} ${low.director}`, evidence, `synchronise the directors' clocks (chrony or systemd-timesyncd against the same NTP servers)`, {host: high.director});
	return check('time.clocks', 'ok', 'directors', evidence);
}

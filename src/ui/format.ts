// Fixed-width humanizers so table columns do not jump as numbers change.
import {sanitizeLine} from '../text/sanitize.js';

/** 1234 → "1.2K", 5_300_000 → "5.3M" (at most 5 characters). */
export function humanCount(n: number | undefined | null): string {
	if (n === undefined || n === null || !Number.isFinite(n)) return '-';
	const abs = Math.abs(n);
	if (abs < 1000) return String(Math.round(n));
	const units = ['K', 'M', 'G', 'T', 'P'];
	let v = n;
	let i = -1;
	while (Math.abs(v) >= 1000 && i < units.length - 1) {
		v /= 1000;
		i++;
	}
	return `${Math.abs(v) < 10 ? v.toFixed(1) : Math.round(v)}${units[i]}`;
}

/** Bytes per second as "12K/s" style. */
export function humanRate(bytesPerSec: number | undefined | null): string {
	if (bytesPerSec === undefined || bytesPerSec === null) return '-';
	return `${humanCount(bytesPerSec)}B/s`;
}

/** Milliseconds as a short age: "now", "4s", "3m", "2h", "5d". */
export function humanAge(ms: number | undefined | null): string {
	if (ms === undefined || ms === null || ms < 0) return '-';
	if (ms < 1500) return 'now';
	const s = Math.round(ms / 1000);
	if (s < 60) return `${s}s`;
	if (s < 3600) return `${Math.round(s / 60)}m`;
	if (s < 86_400) return `${Math.round(s / 3600)}h`;
	return `${Math.round(s / 86_400)}d`;
}

const BARS = '▁▂▃▄▅▆▇█';

/** A sparkline of the last `width` values, scaled to their own maximum. */
export function sparkline(values: readonly number[], width: number): string {
	const last = values.slice(-width);
	const max = Math.max(0, ...last);
	const line = last.map((v) => (max === 0 ? BARS[0] : BARS[Math.min(BARS.length - 1, Math.round((v / max) * (BARS.length - 1)))])).join('');
	return line.padStart(width, ' ');
}

/**
 * Pad or cut a cell to exactly `width` characters. Every line the screens draw passes here, so it is
 * also where their text is sanitized (and measured after, so widths count what is shown).
 */
export function fit(raw: string, width: number, align: 'left' | 'right' = 'left'): string {
	if (width <= 0) return '';
	const text = sanitizeLine(raw);
	const chars = [...text];
	if (chars.length > width) return width === 1 ? '…' : `${chars.slice(0, width - 1).join('')}…`;
	return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

export function clockTime(epochMs: number): string {
	const d = new Date(epochMs);
	return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

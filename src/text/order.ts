// Ordering text by code units, not by locale: names, keys and states sort the same on every machine,
// and the comparison loads none of ICU's collation data (localeCompare does, a few MB of the
// process's memory for a console that only ever sorts ASCII names).

/** Sort comparator: `a` before `b` by UTF-16 code units (as `<` compares strings). */
export function byCodeUnits(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

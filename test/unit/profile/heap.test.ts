// Profiles within the CLI's heap: the CLI runs with --max-old-space-size=64 (cli.ts), and a profile
// whose parse would not fit must be a one-line error, never a V8 abort. Each case runs in a child
// node with that cap, with the CLI's whole module graph loaded before the profile (what the real
// CLI holds when it reads one).
import {execFile} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {estimateParseHeap, PARSE_BUDGET_BYTES} from '../../../src/profile/budget.js';
import {bigProfileText} from '../../helpers/big-profile.js';

const root = path.resolve(import.meta.dirname, '../../..');
const child = path.join(root, 'test/helpers/load-profile-child.ts');
let dir: string;

beforeAll(() => {
	dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-heap-'));
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

interface ChildResult {
	readonly code: number | null;
	readonly signal: NodeJS.Signals | null;
	readonly stdout: string;
	readonly stderr: string;
}

/** Load `text` as a profile in a child node with the CLI's heap cap. */
function loadInCliHeap(name: string, text: string): Promise<ChildResult> {
	const file = path.join(dir, `${name}.yaml`);
	writeFileSync(file, text);
	return new Promise((resolve) => {
		execFile(
			process.execPath,
			['--max-old-space-size=64', '--import', 'tsx', child, file],
			{cwd: root, maxBuffer: 16 * 1024 * 1024},
			(error, stdout, stderr) => {
				const e = error as (Error & {code?: number; signal?: NodeJS.Signals}) | null;
				resolve({code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr});
			},
		);
	});
}

/** The largest n for which `make(n)` is still within the parse budget (n doubles, then bisects). */
function largestWithinBudget(make: (n: number) => string): number {
	const fits = (n: number) => estimateParseHeap(make(n)).problem === undefined;
	let lo = 1;
	let hi = 2;
	while (fits(hi)) [lo, hi] = [hi, hi * 2];
	while (hi - lo > 1) {
		const mid = Math.floor((lo + hi) / 2);
		if (fits(mid)) lo = mid;
		else hi = mid;
	}
	return lo;
}

const noAbort = (r: ChildResult) => {
	expect(r.signal, r.stderr.slice(0, 500)).toBeNull();
	expect(r.stderr).not.toMatch(/FATAL ERROR|heap out of memory/);
	expect(r.code, r.stderr.slice(0, 500)).toBe(0);
};

describe('profiles and the CLI heap (child node, --max-old-space-size=64)', () => {
	it(
		'2,000 real servers (20 services of 100, on 500 hosts) load; 2,000 each on its own host are refused in one line; a list of scalars at the budget does not abort',
		async () => {
			const shared = bigProfileText({realServers: 2000, hosts: 500, virtualServers: 20});
			const ownHosts = bigProfileText({realServers: 2000, hosts: 2000, virtualServers: 20});
			// The densest shape per byte that was measured: a long flow list of numbers, as long as the budget allows.
			const list = (n: number) => `name: x\njunk: [${Array(n).fill('1').join(',')}]\n`;
			const atBudget = list(largestWithinBudget(list));
			expect(estimateParseHeap(atBudget).bytes).toBeLessThanOrEqual(PARSE_BUDGET_BYTES);

			const [a, b, c] = await Promise.all([loadInCliHeap('shared', shared), loadInCliHeap('own-hosts', ownHosts), loadInCliHeap('list', atBudget)]);

			noAbort(a);
			expect(JSON.parse(a.stdout)).toEqual({realServers: 2000});

			noAbort(b);
			const refused = (JSON.parse(b.stdout) as {error: string}).error;
			expect(refused).toMatch(/^.+own-hosts\.yaml:\d+:\d+: \(file\): the profile is too large to load within the CLI's 64 MB heap/);
			expect(refused).not.toContain('\n');

			noAbort(c);
			// It is parsed, within the heap, and then fails validation (it is no profile).
			const invalid = (JSON.parse(c.stdout) as {error: string}).error;
			expect(invalid).toMatch(/list\.yaml:1:1: hosts: is required \(and \d+ more errors?\)$/);
		},
		180_000,
	);
});

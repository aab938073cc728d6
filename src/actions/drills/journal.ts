// What a drill changed, written down before it changes it, so that a drill interrupted in any way
// (Ctrl-C, a dropped connection, a killed process) can be put right: by the drill itself, or later by
// `lvsdeck drill --recover`.
import {readFileSync, readdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {stateDir, writeStateFile} from '../../text/state-dir.js';
import type {Transport} from '../../transport/types.js';

export interface RestoreStep {
	readonly host: string;
	readonly argv: readonly string[];
	readonly description: string;
}

export interface Journal {
	readonly id: string;
	readonly drill: string;
	readonly profileFile: string;
	readonly startedAt: string;
	readonly pid: number;
	readonly restore: readonly RestoreStep[];
}

export function journalDir(): string {
	return stateDir('drills');
}

function fileOf(id: string): string {
	return path.join(journalDir(), `${id}.json`);
}

export function writeJournal(journal: Journal): void {
	writeStateFile(fileOf(journal.id), journal);
}

export function removeJournal(id: string): void {
	rmSync(fileOf(id), {force: true});
}

/** Journals left behind by drills whose process is gone (for --recover). */
export function openJournals(profileFile?: string): Journal[] {
	let names: string[];
	try {
		names = readdirSync(journalDir()).filter((n) => n.endsWith('.json'));
	} catch {
		return [];
	}
	const journals: Journal[] = [];
	for (const name of names) {
		try {
			const j = JSON.parse(readFileSync(path.join(journalDir(), name), 'utf8')) as Journal;
			if (profileFile === undefined || path.resolve(j.profileFile) === path.resolve(profileFile)) journals.push(j);
		} catch {
			// an unreadable journal is reported by --recover through its absence from the list
		}
	}
	return journals;
}

/** Run restore steps until each succeeds (reconnecting as needed) or the deadline passes. */
export async function runRestore(transport: Transport, steps: readonly RestoreStep[], deadlineMs = 60_000, log: (l: string) => void = () => {}): Promise<boolean> {
	const end = Date.now() + deadlineMs;
	let all = true;
	for (const step of steps) {
		let done = false;
		let said = '';
		// One line per distinct problem, not one per retry.
		const say = (line: string) => {
			if (line !== said) log(line);
			said = line;
		};
		while (!done && Date.now() < end) {
			try {
				const r = await transport.exec(step.host, step.argv, {timeoutMs: 15_000});
				done = r.code === 0;
				if (!done) say(`restore ${step.host}: ${step.description} exited ${r.code}: ${r.stderr.trim()}`);
			} catch (error) {
				const message = (error instanceof Error ? error.message : String(error)).replace(/ \(retrying in [\d.]+s\)$/, '');
				say(`restore ${step.host}: ${message}; retrying`);
			}
			if (!done) await new Promise((r) => setTimeout(r, 1000));
		}
		if (done) log(`restored ${step.host}: ${step.description}`);
		all &&= done;
	}
	return all;
}

/** Run a drill's restore steps (see runRestore) and drop its journal once they all succeeded. */
export async function restoreAndClose(transport: Transport, steps: readonly RestoreStep[], journalId: string, log: (l: string) => void): Promise<boolean> {
	const restored = await runRestore(transport, steps, 60_000, log);
	if (restored) removeJournal(journalId);
	return restored;
}

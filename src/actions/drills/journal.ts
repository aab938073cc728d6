// What a drill changed, written down before it changes it, so that a drill interrupted in any way
// (Ctrl-C, a dropped connection, a killed process) can be put right: by the drill itself, or later by
// `lvsdeck drill --recover`.
import {mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
	return process.env['LVSDECK_STATE_DIR'] ?? path.join(os.homedir(), '.local', 'state', 'lvsdeck', 'drills');
}

function fileOf(id: string): string {
	return path.join(journalDir(), `${id}.json`);
}

export function writeJournal(journal: Journal): void {
	mkdirSync(journalDir(), {recursive: true, mode: 0o700});
	const file = fileOf(journal.id);
	writeFileSync(`${file}.tmp`, `${JSON.stringify(journal, null, 2)}\n`, {mode: 0o600});
	// Rename so a reader never sees half a journal.
	writeFileSync(file, readFileSync(`${file}.tmp`));
	rmSync(`${file}.tmp`, {force: true});
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

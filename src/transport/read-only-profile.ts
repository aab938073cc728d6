// Checked when a profile is used in read-only mode (status, the wall, console --read-only): a command or
// path from the profile that the read-only guard would refuse is an error at start, with its place in
// the file, instead of a failure on every poll.
import {ProfileError} from '../profile/errors.js';
import {formatPath, type FieldPath} from '../profile/locate.js';
import type {Profile} from '../profile/model.js';
import {logFilePath, type ValueKind} from './argv-kinds.js';
import {readOnlyVerdict, showArgv, showWord, ReadOnlyTransport} from './read-only.js';
import {SNAPSHOT_ARGS} from './read-only-scripts.js';
import type {Transport} from './types.js';

interface Problem {
	readonly path: FieldPath;
	readonly reason: string;
}

/** Every host's service.status: the poller runs it on real servers to tell whether the service is up. */
function statusCommandProblems(profile: Profile): Problem[] {
	const problems: Problem[] = [];
	for (const host of profile.hosts) {
		if (!host.service) continue;
		const verdict = readOnlyVerdict(host.service.status);
		if (!verdict.allowed) {
			problems.push({path: ['hosts', host.name, 'service', 'status'], reason: `read-only mode would refuse "${showArgv(host.service.status)}": ${verdict.reason}`});
		}
	}
	return problems;
}

/** The keepalived paths the director probe passes to its script, against the kinds that script declares. */
function directorPathProblems(profile: Profile): Problem[] {
	if (!profile.hosts.some((h) => h.role === 'director')) return [];
	const {configPath, pidFile, dumpDir} = profile.keepalived;
	const checks: ReadonlyArray<readonly [string, string, ValueKind]> = [
		['config_path', configPath, SNAPSHOT_ARGS.configPath],
		['pid_file', pidFile, SNAPSHOT_ARGS.pidFile],
		['dump_dir', dumpDir, SNAPSHOT_ARGS.dumpDir],
	];
	const problems: Problem[] = checks
		.filter(([, value, kind]) => !kind.accepts(value))
		.map(([key, value, kind]) => ({path: ['keepalived', key], reason: `read-only mode would refuse ${showWord(value)} for the director probe: it is not ${kind.description}`}));
	const log = profile.keepalived.log;
	if (log?.kind === 'file' && !logFilePath.accepts(log.path)) {
		problems.push({path: ['keepalived', 'log'], reason: `read-only mode would refuse to read ${showWord(log.path)}: it is not ${logFilePath.description}`});
	}
	return problems;
}

/** What in the profile read-only mode would refuse, as one-line errors in file order. */
export function readOnlyProfileErrors(profile: Profile): ProfileError[] {
	const file = profile.source?.file ?? profile.file;
	const placed = [...statusCommandProblems(profile), ...directorPathProblems(profile)].map((p) => ({p, pos: profile.source?.position(p.path) ?? {line: 1, col: 1}}));
	placed.sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
	return placed.map(({p, pos}) => new ProfileError(file, pos.line, pos.col, formatPath(p.path), p.reason));
}

/** Throws the first problem (`file:line:col: field: reason (and N more errors)`) when there is one. */
export function assertReadOnlyProfile(profile: Profile): void {
	const errors = readOnlyProfileErrors(profile);
	const first = errors[0];
	if (first) throw new ProfileError(first.file, first.line, first.col, first.field, first.reason, errors.length - 1);
}

/** A read-only transport for this profile: the profile is checked first, so nothing runs when it fails. */
export function readOnlyTransportFor(profile: Profile, inner: Transport): Transport {
	assertReadOnlyProfile(profile);
	return new ReadOnlyTransport(inner);
}

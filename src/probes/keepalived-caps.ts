// What a director's keepalived can do, from `keepalived --version` and `keepalived --signum`: its
// version, whether it has `--signum` and a JSON dump, which dump to ask for with which signal, and
// where that version keeps its pid files. Pure; the poller runs the commands. Version facts are from
// keepalived's ChangeLog and source (see docs in the functions).
import {parseKeepalivedVersion, parseSignum} from './vrrp.js';
import {compareKeepalivedVersions} from '../keepalived-conf/keyword-versions.js';

export {compareKeepalivedVersions} from '../keepalived-conf/keyword-versions.js';

/** `--signum` appeared in 1.3.8 (ChangeLog 1.3.8: "Add --signum command line option to report signal numbers"). */
export const SIGNUM_SINCE = '1.3.8';
/** PID files moved from /var/run to /run in 2.0.17 (ChangeLog 2.0.17, issue #1277; a build can choose otherwise). */
export const RUN_DIR_SINCE = '2.0.17';
/**
 * SIGUSR1, keepalived's DATA signal on every version (vrrp_daemon.c installs the dump on SIGUSR1 since
 * 1.2.17), as numbered on Linux x86 and arm. Used only where `--signum` is missing; the snapshot script
 * sends it only when the host's own `kill -l` names it USR1, so another architecture gets no dump
 * rather than a wrong signal.
 */
export const SIGUSR1_LINUX = 10;

export type DumpChoice =
	| {readonly kind: 'json' | 'data'; readonly signal: number; readonly signalFrom: 'signum' | 'sigusr1'}
	| {readonly kind: 'none'; readonly why: string};

export interface KeepalivedCapabilities {
	/** Like '2.2.7'; null when `keepalived --version` said nothing readable. */
	readonly version: string | null;
	readonly features: {
		/** `keepalived --signum` exists (null: not known). */
		readonly signum: boolean | null;
		/** The build writes a JSON dump (`--enable-json` and `--signum=JSON` answers). */
		readonly jsonDump: boolean;
		/** The text dump (keepalived.data on SIGUSR1) exists in every version lvsdeck reads. */
		readonly textDump: boolean;
	};
	readonly dump: DumpChoice;
	/** Where this version keeps its pid files by default (used unless the profile sets pid_file). */
	readonly pidFile: string;
	readonly vrrpPidFile: string;
}

/** The first version a check needs is at least `since`; unknown versions are taken as current. */
function atLeast(version: string | null, since: string): boolean {
	return version === null || compareKeepalivedVersions(version, since) >= 0;
}

/** `--version` (stdout and stderr joined): the version and whether the build lists JSON. */
export function readVersionOutput(text: string): {version: string | null; json: boolean} {
	const v = parseKeepalivedVersion(text);
	return {version: v.version ?? null, json: v.json};
}

/**
 * Which name to ask `keepalived --signum` for first (each name is one run of the binary, costly on a
 * small director): JSON where the build lists it, else DATA; none when the version predates the option.
 * When JSON gets no number, ask DATA next (signumFallback).
 */
export function signumQuestions(versionText: string): Array<'DATA' | 'JSON'> {
	const {version, json} = readVersionOutput(versionText);
	if (!atLeast(version, SIGNUM_SINCE)) return [];
	return json ? ['JSON'] : ['DATA'];
}

/** After asking for JSON: ask DATA too when JSON gave no number (a build listing JSON that cannot dump it). */
export function signumFallback(asked: ReadonlyArray<'DATA' | 'JSON'>, signumText: string): Array<'DATA'> {
	return asked.includes('JSON') && !asked.includes('DATA') && parseSignum(signumText).json === undefined ? ['DATA'] : [];
}

/** Default pid files of a version (keepalived's configure picks /run from 2.0.17 when the build host has it). */
export function defaultPidFiles(version: string | null): {pidFile: string; vrrpPidFile: string} {
	const dir = atLeast(version, RUN_DIR_SINCE) ? '/run' : '/var/run';
	return {pidFile: `${dir}/keepalived.pid`, vrrpPidFile: `${dir}/vrrp.pid`};
}

/**
 * Capabilities from the output of `keepalived --version` and of KEEPALIVED_SIGNUM_SCRIPT for
 * signumQuestions (undefined when not asked). JSON when the build lists it and `--signum=JSON` gives a
 * number; otherwise the text dump with `--signum=DATA`, or SIGUSR1 where `--signum` does not exist.
 */
export function detectCapabilities(versionText: string, signumText: string | undefined): KeepalivedCapabilities {
	const {version, json} = readVersionOutput(versionText);
	const numbers = signumText === undefined ? {} : parseSignum(signumText);
	const signumKnownMissing = !atLeast(version, SIGNUM_SINCE) || (signumText !== undefined && /unrecognized option|invalid option/i.test(signumText));
	const answered = numbers.data !== undefined || numbers.json !== undefined;
	const signum = signumKnownMissing ? false : answered ? true : version === null ? null : true;
	const jsonDump = json && numbers.json !== undefined;
	let dump: DumpChoice;
	if (jsonDump) dump = {kind: 'json', signal: numbers.json!, signalFrom: 'signum'};
	else if (numbers.data !== undefined) dump = {kind: 'data', signal: numbers.data, signalFrom: 'signum'};
	else if (signumKnownMissing) dump = {kind: 'data', signal: SIGUSR1_LINUX, signalFrom: 'sigusr1'};
	else dump = {kind: 'none', why: version === null ? 'keepalived --version gave no version (is keepalived installed?)' : 'keepalived --signum=DATA gave no signal number'};
	return {version, features: {signum, jsonDump, textDump: true}, dump, ...defaultPidFiles(version)};
}

/** `2.2.7 (signum, JSON dump)`-style summary for the console and the text status. */
export function describeCapabilities(c: KeepalivedCapabilities): string {
	const features = [c.features.signum === false ? 'no --signum' : c.features.signum ? '--signum' : undefined, c.features.jsonDump ? 'JSON dump' : 'text dump'].filter(Boolean);
	return `${c.version ?? 'version unknown'} (${features.join(', ')})`;
}

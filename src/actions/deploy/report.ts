// Deploy's events and report: what happened per host, and what each host holds at the end.
import path from 'node:path';

export type DeployStep = 'removals' | 'cleanup' | 'setup' | 'validate' | 'backup-install' | 'reload' | 'verify' | 'rollback' | 'recover';

export interface DeployEvent {
	readonly host: string;
	readonly step: DeployStep;
	readonly status: 'start' | 'ok' | 'fail' | 'skip';
	readonly message: string;
}

/** `unknown`: a step's result never arrived and the host could not be reached again to find out. */
export type HostOutcome = 'unchanged' | 'deployed' | 'refused' | 'rolled-back' | 'failed' | 'unknown' | 'not-run';

/** What a director's config file is at the end: the planned new one, the one it had, another, or not known. */
export interface HostHolds {
	readonly path: string;
	readonly config: 'new' | 'previous' | 'other' | 'unknown';
	/** sha256 of the file on the host (null: there is none); absent when unknown. */
	readonly sha256?: string | null;
	readonly newSha256: string;
	/** What the plan found (null: no file). */
	readonly previousSha256: string | null;
	/** keepalived as last seen: reloaded by this deploy, running, not running, or not known. */
	readonly keepalived?: 'reloaded' | 'active' | 'inactive' | 'unknown';
}

export interface HostReport {
	readonly host: string;
	readonly outcome: HostOutcome;
	/** One line that always says what the host holds now (directors). */
	readonly message: string;
	readonly backup?: string;
	readonly changes?: readonly string[];
	readonly holds?: HostHolds;
	/** The new diff (passwords masked) when the installed file changed since the plan. */
	readonly diff?: string;
	/** Temporaries of interrupted runs found on the host and removed. */
	readonly removedTemporaries?: readonly string[];
}

export interface DeployReport {
	readonly ok: boolean;
	readonly hosts: readonly HostReport[];
}

const short = (sha: string) => `${sha.slice(0, 12)}…`;

/** The part of a host's line that says what it holds. */
export function describeHolds(h: HostHolds): string {
	const name = path.posix.basename(h.path);
	if (h.config === 'unknown') {
		return `state unknown: ${h.path} is old ${h.previousSha256 === null ? '(no file)' : `sha256 ${h.previousSha256}`} or new sha256 ${h.newSha256}, host unreachable`;
	}
	if (h.sha256 === null) return h.config === 'previous' ? `has no ${name}, as before` : `has no ${name}`;
	const sha = h.sha256 === undefined ? '' : ` (sha256 ${short(h.sha256)})`;
	if (h.config === 'new') return `holds the new ${name}${sha}`;
	if (h.config === 'previous') return `holds the previous ${name}${sha}`;
	return `holds a ${name} that is neither the previous nor the new one${sha}`;
}

/** Exit code of a deploy: 0 done, 1 rolled back after a failed verification, 2 anything else (state unknown included). */
export function deployExitCode(report: DeployReport): number {
	if (report.ok) return 0;
	if (report.hosts.some((h) => h.outcome === 'unknown')) return 2;
	return report.hosts.some((h) => h.outcome === 'rolled-back') ? 1 : 2;
}

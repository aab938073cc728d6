// One doctor check's result, the same record for the text report, --json and the console: what was
// checked, how it went, what was seen, and the one-line fix. Pure.

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** The console view where a check's subject shows (the console opens it from the doctor view). */
export type DoctorView = 'vrrp' | 'ipvs' | 'realservers' | 'findings';

export interface DoctorCheck {
	/** Stable name of the check family: `vrrp.adverts`, `lvs.ip-forward`, ... */
	readonly id: string;
	readonly status: CheckStatus;
	/** What the check is about: `dir2 VI_1`, `rs1`, `192.168.67.100:80 rs2`. */
	readonly subject: string;
	/** What was seen, in one line (never a secret: the checks only quote counters, modes and names). */
	readonly evidence: string;
	/** The one-line fix; empty when the check passed or was skipped. */
	readonly fix: string;
	/** The host the check is about, when it is one host. */
	readonly host?: string;
	readonly view?: DoctorView;
}

export function check(id: string, status: CheckStatus, subject: string, evidence: string, fix = '', where: {host?: string; view?: DoctorView} = {}): DoctorCheck {
	return {id, status, subject, evidence, fix: status === 'ok' || status === 'skip' ? '' : fix, ...where};
}

/** Exit code: 0 all fine (ok or skipped), 1 warnings, 2 failures. */
export function doctorExitCode(checks: readonly DoctorCheck[]): number {
	if (checks.some((c) => c.status === 'fail')) return 2;
	if (checks.some((c) => c.status === 'warn')) return 1;
	return 0;
}

const ORDER: Record<CheckStatus, number> = {fail: 0, warn: 1, ok: 2, skip: 3};

/** Failures first, then warnings, then the rest; the order within a status is the checks' own. */
export function byStatus(checks: readonly DoctorCheck[]): DoctorCheck[] {
	return checks.map((c, i) => ({c, i})).sort((a, b) => ORDER[a.c.status] - ORDER[b.c.status] || a.i - b.i).map(({c}) => c);
}

export interface DoctorReport {
	readonly checks: readonly DoctorCheck[];
	/** 0 all fine, 1 warnings, 2 failures. */
	readonly code: number;
	/** The time between the two reads of keepalived's counters. */
	readonly windowMs: number;
}

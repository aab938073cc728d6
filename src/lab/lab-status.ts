// `lab status`: each lab host with sshd, keepalived and web server up or down, checked for real
// (SSH with strict host keys, the service stand-in, an HTTP request from the station).
import type {Profile} from '../profile/model.js';
import {SshPool} from '../transport/ssh-pool.js';
import type {Transport} from '../transport/types.js';
import type {LabPlan} from './plan.js';

export type Up = 'up' | 'down' | 'n/a';

export interface LabHostStatus {
	readonly name: string;
	readonly address: string;
	readonly role: string;
	readonly sshd: Up;
	readonly keepalived: Up;
	readonly web: Up;
	/** What went wrong, when something is down. */
	readonly note?: string;
}

async function httpAnswers(address: string, port: number, expect: string): Promise<boolean> {
	try {
		const host = address.includes(':') ? `[${address}]` : address;
		const res = await fetch(`http://${host}:${port}/`, {signal: AbortSignal.timeout(2000)});
		const body = await res.text();
		return res.ok && body.trim() === expect;
	} catch {
		return false;
	}
}

async function isActive(transport: Transport, host: string, argv: readonly string[]): Promise<Up> {
	const r = await transport.exec(host, argv, {timeoutMs: 4000});
	return r.code === 0 ? 'up' : 'down';
}

/** Must run inside the lab's station namespace. `profiles`: the plan's, one per cluster. */
export async function collectLabStatus(plan: LabPlan, profiles: Profile | readonly Profile[]): Promise<LabHostStatus[]> {
	const list: readonly Profile[] = Array.isArray(profiles) ? profiles : [profiles as Profile];
	// host names are unique across a lab's profiles (planLabs checks), so one pool serves them all
	const pool = new SshPool(list.flatMap((p) => p.hosts));
	try {
		return await Promise.all(
			plan.hosts.map(async (h): Promise<LabHostStatus> => {
				const profile = list.find((p) => p.name === h.cluster)!;
				const host = profile.hosts.find((x) => x.name === h.name)!;
				let sshd: Up = 'down';
				let note: string | undefined;
				let keepalived: Up = h.role === 'director' ? 'down' : 'n/a';
				let web: Up = h.webService ? 'down' : 'n/a';
				try {
					const r = await pool.exec(h.name, ['hostname'], {timeoutMs: 8000});
					if (r.code === 0 && r.stdout.trim() === h.name) sshd = 'up';
					else note = `ssh answered as "${r.stdout.trim()}"`;
					if (h.role === 'director') keepalived = await isActive(pool, h.name, profile.keepalived.status);
					if (host.service) {
						const active = await isActive(pool, h.name, host.service.status);
						const answers = await httpAnswers(h.address, h.webPort ?? 80, h.name);
						web = active === 'up' && answers ? 'up' : 'down';
						if (active === 'up' && !answers) note = `${host.service.name} runs but http://${h.address}/ does not answer "${h.name}"`;
					}
				} catch (error) {
					note = error instanceof Error ? error.message : String(error);
				}
				return {name: h.name, address: h.address, role: h.role, sshd, keepalived, web, ...(note ? {note} : {})};
			}),
		);
	} finally {
		await pool.close();
	}
}

export function formatLabStatus(rows: readonly LabHostStatus[]): string {
	const header = ['HOST', 'ADDRESS', 'ROLE', 'SSHD', 'KEEPALIVED', 'WEB'];
	const table = rows.map((r) => [r.name, r.address, r.role, r.sshd, r.keepalived, r.web]);
	const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
	const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
	const notes = rows.filter((r) => r.note).map((r) => `  ${r.name}: ${r.note}`);
	return [fmt(header), ...table.map(fmt), ...notes].join('\n');
}

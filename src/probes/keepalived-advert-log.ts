// The routers keepalived heard, from the lines where its VRRP process names an advert's sender
// (vrrp/vrrp.c and vrrp_scheduler.c, 2.x): lower or higher priority adverts, a unicast sender that is
// not a peer, an advert for a VRID no instance has. doctor compares the senders with the members'
// addresses to name another router on the VRID. 1.x logged no sender address. Pure.
import {parseKeepalivedLogLine} from './keepalived-log.js';

export interface AdvertSender {
	/** The sender's address, as keepalived wrote it. */
	readonly from: string;
	/** The instance that received it (absent for an unknown VRID). */
	readonly instance?: string;
	/** The VRID, where the line names it (unknown VRID lines). */
	readonly vrid?: number;
	/** The advert's priority, where the line names it. */
	readonly priority?: number;
	readonly at?: number;
	readonly stamp?: string;
	readonly message: string;
}

const ADDR = String.raw`(?<from>[0-9A-Fa-f.:]{2,45})`;

/** Each with named groups: from, and inst, prio, vrid where the line has them. */
const SENDER_LINES: readonly RegExp[] = [
	new RegExp(String.raw`^\((?<inst>[^()\s]{1,64})\) Received advert from ${ADDR} with lower priority (?<prio>\d{1,3}), ours \d+`),
	new RegExp(String.raw`^\((?<inst>[^()\s]{1,64})\) received lower priority \((?<prio>\d{1,3})\) advert from ${ADDR} - discarding`),
	new RegExp(String.raw`^\((?<inst>[^()\s]{1,64})\) Master received advert from ${ADDR} with (?:higher|same) priority (?<prio>\d{1,3})`),
	new RegExp(String.raw`^\((?<inst>[^()\s]{1,64})\) unicast source address ${ADDR} not a unicast peer`),
	new RegExp(String.raw`^Unknown VRID\((?<vrid>\d{1,3})\) received on interface\([^)]*\) from ${ADDR}\. ignoring`),
];

/** The sender one message names, or undefined. */
export function advertSenderIn(message: string): Omit<AdvertSender, 'at' | 'stamp'> | undefined {
	for (const re of SENDER_LINES) {
		const g = re.exec(message)?.groups;
		if (!g) continue;
		return {
			from: g['from']!,
			...(g['inst'] !== undefined ? {instance: g['inst']} : {}),
			...(g['vrid'] !== undefined ? {vrid: Number(g['vrid'])} : {}),
			...(g['prio'] !== undefined ? {priority: Number(g['prio'])} : {}),
			message,
		};
	}
	return undefined;
}

/** Every sender line of a log read, in order. */
export function parseAdvertSenders(text: string, now: number): AdvertSender[] {
	const out: AdvertSender[] = [];
	for (const line of text.split('\n')) {
		const parsed = parseKeepalivedLogLine(line, now);
		const s = parsed ? advertSenderIn(parsed.message) : undefined;
		if (s) out.push({...s, ...(parsed!.at !== undefined ? {at: parsed!.at} : {}), ...(parsed!.stamp !== undefined ? {stamp: parsed!.stamp} : {})});
	}
	return out;
}

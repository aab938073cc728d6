// keepalived's notify FIFO (vrrp_notify_fifo, notify_fifo): one line per event, in a format fixed in
// keepalived's code (vrrp_notify.c `"%s \"%s\" %s %d\n"`, ipwrapper.c for LVS). The lines carry no time:
// the reader stamps each with its arrival. Reading a FIFO consumes its lines, so lvsdeck reads one only
// where it is the FIFO's sole reader (the profile's keepalived.notify_fifo), never a notify_fifo_script's.

export type FifoVrrpState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';

export type FifoLine =
	/** An instance or sync group entered a state (priority 0 for groups). */
	| {readonly kind: 'state'; readonly scope: 'INSTANCE' | 'GROUP'; readonly name: string; readonly state: FifoVrrpState; readonly priority: number}
	/** A master saw an advert with lower priority (split brain healing); or a priority changed. */
	| {readonly kind: 'lower-priority' | 'priority'; readonly scope: 'INSTANCE' | 'GROUP'; readonly name: string; readonly priority: number; readonly role?: 'MASTER' | 'BACKUP'}
	/** A virtual or real server went up or down (lvs_notify_fifo). */
	| {readonly kind: 'checker'; readonly scope: 'VS' | 'RS'; readonly subject: string; readonly up: boolean};

const VRRP_LINE = /^(INSTANCE|GROUP) "([^"]{1,64})" ([A-Z_]+) (\d{1,3})$/;
const LVS_LINE = /^(VS|RS) (.+) (UP|DOWN)$/;
const STATES: readonly string[] = ['MASTER', 'BACKUP', 'FAULT', 'STOP', 'DELETED'];

/** One FIFO line; undefined for anything else. */
export function parseNotifyFifoLine(line: string): FifoLine | undefined {
	const text = line.replace(/\r?$/, '').trim();
	const vrrp = VRRP_LINE.exec(text);
	if (vrrp) {
		const [, scope, name, what, prio] = vrrp as unknown as [string, 'INSTANCE' | 'GROUP', string, string, string];
		const priority = Number(prio);
		if (STATES.includes(what)) return {kind: 'state', scope, name, state: what as FifoVrrpState, priority};
		if (what === 'MASTER_RX_LOWER_PRI') return {kind: 'lower-priority', scope, name, priority};
		if (what === 'MASTER_PRIORITY' || what === 'BACKUP_PRIORITY') return {kind: 'priority', scope, name, priority, role: what === 'MASTER_PRIORITY' ? 'MASTER' : 'BACKUP'};
		return undefined;
	}
	const lvs = LVS_LINE.exec(text);
	if (lvs) return {kind: 'checker', scope: lvs[1] as 'VS' | 'RS', subject: lvs[2]!, up: lvs[3] === 'UP'};
	return undefined;
}

// `?`: every key and a glossary of the columns, clipped to the space it is given.
import {Text} from 'ink';
import {fit} from '../format.js';
import {ACTION_KEYS} from './actions.js';

export const HELP_LINES: readonly string[] = [
	'KEYS',
	'  1-5 / Tab / Shift-Tab   views: Overview, IPVS, VRRP, Real servers, Findings & log',
	'  ↑ ↓ / j k               move the cursor;  PgUp PgDn, g G: page, top, bottom',
	'  /                       filter rows (type, Enter to keep, Esc to clear)',
	'  Enter                   details of the selected row;  Esc closes',
	"  l                       keepalived's log of a director (again: the next one; / filters all lines; Esc closes)",
	'  ?                       this help;  q or Ctrl-C quits',
	...ACTION_KEYS.map((a) => `  ${a.key.padEnd(24)}${a.title}`),
	'  D                       doctor: the usual causes checked on every host (read-only; offered on a critical alarm)',
	'',
	'COLUMNS',
	'  HOLDER      director whose interfaces carry the VIP now (NONE: nobody; a+b: split brain)',
	'  STATE PRIO  VRRP state and priority from keepalived; EFF: effective priority (after track scripts)',
	'  SCHED/FWD   IPVS scheduler of a service; forwarding of a real server: Route=DR, Masq=NAT, Tunnel',
	'  W           IPVS weight (0: drained, gets no new connections)',
	'  ACTIVE      established connections;  INACT: other connection entries (FIN_WAIT, TIME_WAIT…)',
	'  CONNS       connections scheduled since the service was created;  CPS: connections per second',
	'  IN          bytes per second toward the real server;  CPS HISTORY: CPS over the last 30 polls',
	'  MASTER ROUTER  the address a BACKUP hears adverts from;  CHANGED: time since the last transition',
	'  PREEMPT     preempt, nopreempt or delay N s (from the profile);  KEEPALIVED: the version found on it',
	'  RS SETUP    what the forwarding mode needs: DR "VIP on lo" (or its vip_device), TUN "tunl0", NAT "route via GW"',
	'  ARP I/A     net.ipv4.conf.all arp_ignore / arp_announce (DR needs 1 / 2)',
	'  PORT        the service port accepts a TCP connection from this station',
	'  IN DIRn     whether (and with which weight) the real server is in that director\'s IPVS table',
	'  LAST OK     age of the last good data: <5s, <15s, <1m while the host answers; exact once stale (grey)',
];

export function HelpScreen({width, height}: {width: number; height: number}) {
	const lines = HELP_LINES.slice(0, Math.max(0, height));
	return (
		<>
			{lines.map((line, i) => (
				<Text key={i} wrap="truncate" bold={line === 'KEYS' || line === 'COLUMNS'} color={line === 'KEYS' || line === 'COLUMNS' ? 'cyan' : undefined}>
					{fit(line, width)}
				</Text>
			))}
		</>
	);
}

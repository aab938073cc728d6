// The shapes of the tokens the parsers accept from a host. Host output is untrusted: a field that is
// not of its shape is reported as a problem and dropped or replaced, never passed on (a scheduler is a
// word, an address is an address). Problems quote refused tokens with unsafe characters escaped.
import {isIP} from 'node:net';
import {escapeUnsafe} from '../text/sanitize.js';

/** An IP address as ipvsadm and ip print it: no zone index (`fe80::1%eth0` would let any text in). */
export function isPlainAddress(s: unknown): s is string {
	return typeof s === 'string' && s.length <= 45 && /^[0-9A-Fa-f:.]+$/.test(s) && isIP(s) !== 0;
}

/** An IPVS scheduler name (IP_VS_SCHEDNAME_MAXLEN is 16): rr, wrr, lc, wlc, sh, mh, ... */
export function isSchedulerName(s: unknown): s is string {
	return typeof s === 'string' && /^[A-Za-z0-9_]{1,16}$/.test(s);
}

/** A forwarding method as ipvsadm prints it: Route, Masq, Tunnel, Local. */
export function isForwardName(s: unknown): s is string {
	return typeof s === 'string' && /^[A-Za-z]{1,16}$/.test(s);
}

/** A flag word after the scheduler (`ops`, `pe sip`, `(sh-fallback,sh-port)`, a netmask). */
export function isFlagToken(s: unknown): s is string {
	return typeof s === 'string' && /^[A-Za-z0-9_.:/,()-]{1,64}$/.test(s);
}

/** An interface name or label (eth0, bond0.100, eth0:vip); IFNAMSIZ is 16, alternative names longer. */
export function isInterfaceName(s: unknown): s is string {
	return typeof s === 'string' && /^[A-Za-z0-9_.:@+-]{1,32}$/.test(s);
}

/** A VRRP instance name as keepalived's config allows it in practice. */
export function isInstanceName(s: unknown): s is string {
	return typeof s === 'string' && /^[A-Za-z0-9_.:@+/-]{1,128}$/.test(s);
}

/** A plain lower-case word (ip's address scope: global, host, link, or a number). */
export function isScopeWord(s: unknown): s is string {
	return typeof s === 'string' && /^[a-z0-9]{1,16}$/.test(s);
}

/** A version number as keepalived prints it (2.2.7, 2.3.1-rc1). */
export function isVersion(s: unknown): s is string {
	return typeof s === 'string' && /^[0-9][0-9A-Za-z.+_-]{0,31}$/.test(s);
}

/** A refused token for a problem message: quoted, unsafe characters escaped, cut to `max` characters. */
export function quoteToken(s: unknown, max = 80): string {
	const text = typeof s === 'string' ? s : (JSON.stringify(s) ?? String(s));
	// Cut the raw text first (a huge token is not escaped whole), then what is shown.
	const shown = escapeUnsafe(JSON.stringify(text.slice(0, max)));
	return shown.length > max + 2 || text.length > max ? `${shown.slice(0, max)}..."` : shown;
}

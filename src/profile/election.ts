// Who wins a VRRP election among an instance's directors: the highest priority, and between equal
// priorities the higher primary IP address (RFC 3768 6.4.3 / RFC 5798 6.4.3; keepalived compares
// the advert's source address, which is each director's profile address: unicast_src_ip).
import {isIP} from 'node:net';

/** IPv6 groups of one side of "::", an embedded IPv4 tail (::ffff:1.2.3.4) as two groups. */
function ipv6Groups(part: string): string[] {
	if (part === '') return [];
	return part.split(':').flatMap((g) => {
		if (!g.includes('.')) return [g];
		const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
		return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
	});
}

/** An address as bytes, for comparing like keepalived does (IPv4 4 bytes, IPv6 16). */
function addressBytes(address: string): number[] {
	if (isIP(address) === 4) return address.split('.').map(Number);
	const bare = address.split('%')[0]!;
	const [head = '', tail] = bare.split('::');
	const left = ipv6Groups(head);
	const right = tail === undefined ? [] : ipv6Groups(tail);
	const zeros = Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0');
	return [...left, ...zeros, ...right].flatMap((g) => {
		const v = parseInt(g, 16);
		return [v >> 8, v & 0xff];
	});
}

/** Negative when a < b, positive when a > b; IPv4 sorts below IPv6. */
export function compareAddresses(a: string, b: string): number {
	const x = addressBytes(a);
	const y = addressBytes(b);
	if (x.length !== y.length) return x.length - y.length;
	for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
	return 0;
}

interface Contender {
	readonly director: string;
	readonly priority: number;
}

/** Sort comparator: the election winner first (highest priority, then highest address). */
export function byElection(addressOf: (director: string) => string): (a: Contender, b: Contender) => number {
	return (a, b) => b.priority - a.priority || compareAddresses(addressOf(b.director), addressOf(a.director));
}

/**
 * When the first two contenders (already in election order) tie on priority, the sentence that says
 * who wins and why: `equal priority 100: dir2 wins by higher address 192.168.67.120`.
 */
export function tieBreakNote(ordered: readonly Contender[], addressOf: (director: string) => string): string | undefined {
	const [winner, runnerUp] = ordered;
	if (!winner || !runnerUp || winner.priority !== runnerUp.priority) return undefined;
	return `equal priority ${winner.priority}: ${winner.director} wins by higher address ${addressOf(winner.director)}`;
}

// Whether an address lies in a subnet (IPv4 or IPv6). Pure; false for anything unreadable.
import {isIP} from 'node:net';

function v6Groups(part: string): number[] | undefined {
	if (part === '') return [];
	const groups: number[] = [];
	for (const g of part.split(':')) {
		if (g.includes('.')) {
			const b = v4Bytes(g);
			if (!b) return undefined;
			groups.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
		} else if (/^[0-9a-fA-F]{1,4}$/.test(g)) groups.push(parseInt(g, 16));
		else return undefined;
	}
	return groups;
}

function v4Bytes(a: string): number[] | undefined {
	return isIP(a) === 4 ? a.split('.').map(Number) : undefined;
}

/** An address as bytes (4 for IPv4, 16 for IPv6), or undefined. */
export function addressBytes(address: string): number[] | undefined {
	const a = address.split('%')[0]!.split('/')[0]!;
	if (isIP(a) === 4) return v4Bytes(a);
	if (isIP(a) !== 6) return undefined;
	const [head = '', tail] = a.split('::');
	const left = v6Groups(head);
	const right = tail === undefined ? [] : v6Groups(tail);
	if (!left || !right) return undefined;
	const groups = [...left, ...Array<number>(Math.max(0, 8 - left.length - right.length)).fill(0), ...right];
	return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** Is `address` in `network`/`prefix`? Both of one family. */
export function inSubnet(address: string, network: string, prefix: number): boolean {
	const a = addressBytes(address);
	const n = addressBytes(network);
	if (!a || !n || a.length !== n.length || !Number.isInteger(prefix) || prefix < 0 || prefix > a.length * 8) return false;
	for (let bit = 0; bit < prefix; bit++) {
		const mask = 0x80 >> bit % 8;
		if ((a[bit >> 3]! & mask) !== (n[bit >> 3]! & mask)) return false;
	}
	return true;
}

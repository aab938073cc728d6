// Address arithmetic for IPv4 and IPv6 (as bigints): which network an address is in, and the
// gateway a NAT real server routes through.
import {isIP} from 'node:net';
import type {Profile} from './model.js';

function ipv6Groups(address: string): number[] {
	const [head = '', tail] = address.split('::');
	const parse = (part: string) => (part === '' ? [] : part.split(':')).flatMap((g) => (g.includes('.') ? v4InV6(g) : [parseInt(g, 16)]));
	const left = parse(head);
	const right = tail === undefined ? [] : parse(tail);
	const fill = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
	return [...left, ...fill, ...right];
}

function v4InV6(dotted: string): number[] {
	const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number);
	return [(a << 8) | b, (c << 8) | d];
}

/** The address as a number and its width in bits; undefined when it is not an IP address. */
export function addressBits(address: string): {value: bigint; width: 32 | 128} | undefined {
	const family = isIP(address);
	if (family === 4) return {value: address.split('.').reduce((n, octet) => (n << 8n) | BigInt(Number(octet)), 0n), width: 32};
	if (family === 6) return {value: ipv6Groups(address).reduce((n, g) => (n << 16n) | BigInt(g), 0n), width: 128};
	return undefined;
}

/** Whether `address` is inside `network`/`prefix` (both of one family). */
export function inSubnet(address: string, network: string, prefix: number): boolean {
	const a = addressBits(address);
	const n = addressBits(network);
	if (!a || !n || a.width !== n.width || prefix < 0 || prefix > a.width) return false;
	const shift = BigInt(a.width - prefix);
	return a.value >> shift === n.value >> shift;
}

/** The network an address/prefix is in, written as `network/prefix` (IPv4 dotted, IPv6 uncompressed hex groups). */
export function networkOf(address: string, prefix: number): string {
	const bits = addressBits(address);
	if (!bits) throw new Error(`${address} is not an IP address`);
	const shift = BigInt(bits.width - prefix);
	const value = (bits.value >> shift) << shift;
	if (bits.width === 32) return `${[24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.')}/${prefix}`;
	const groups = Array.from({length: 8}, (_, i) => ((value >> BigInt((7 - i) * 16)) & 0xffffn).toString(16));
	return `${groups.join(':')}/${prefix}`;
}

/**
 * The gateway of a NAT real server: the VRRP address (of any instance) whose network holds the real
 * server's address. The directors' master holds it and forwards the replies back through IPVS.
 */
export function natGatewayOf(profile: Profile, host: string): string | undefined {
	const address = profile.hosts.find((h) => h.name === host)?.address;
	if (address === undefined) return undefined;
	const isNat = profile.virtualServers.some((vs) => vs.forwarding === 'NAT' && vs.realServers.some((rs) => rs.host === host));
	if (!isNat) return undefined;
	const vips = profile.instances.flatMap((inst) => inst.vips);
	return vips.find((vip) => vip.address !== address && inSubnet(address, vip.address, vip.prefix))?.address;
}

/** An address as a URL's host: IPv6 in brackets (`http://[fd67::100]:80/`). */
export function urlHost(address: string): string {
	return isIP(address) === 6 ? `[${address}]` : address;
}

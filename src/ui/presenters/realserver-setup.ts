// What the real-server view says about a real server's setup, by the forwarding mode of the services
// it serves: DR `VIP on lo` (or on its vip_device), TUN `tunl0` (up, with the VIPs, rp_filter letting
// decapsulated packets in), NAT `route via GATEWAY`. A check that fails says so in capitals. Pure.
import type {RealServerData} from '../../cluster/types.js';

type Mode = 'DR' | 'NAT' | 'TUN';

/** The modes the host serves; data from before modes were known: DR when it expects VIPs. */
function modesOf(rs: RealServerData): readonly Mode[] {
	return rs.modes ?? (rs.vipsOnLo.length + rs.missingVips.length > 0 ? ['DR'] : []);
}

function drCell(rs: RealServerData): string {
	const device = rs.vipDevice ?? 'lo';
	return rs.missingVips.length === 0 ? `VIP on ${device}` : `NO VIP on ${device}`;
}

function tunCell(rs: RealServerData): string {
	const t = rs.tun;
	if (!t) return 'tunl0 ?';
	const devices = t.devices.join('+') || 'tunl0';
	if (t.down.length > 0) return `${t.down.join('+')} DOWN`;
	if (t.missingVips.length > 0) return `NO VIP on ${devices}`;
	if (!t.rpFilterOk) return `${devices} RP_FILTER`;
	return devices;
}

function natCell(rs: RealServerData): string {
	const n = rs.nat;
	if (!n) return 'route ?';
	const wanted = n.gateways.length > 0 ? n.gateways.join('|') : 'gateway';
	return n.ok ? `route via ${n.defaultVia.find((v) => n.gateways.length === 0 || n.gateways.includes(v)) ?? wanted}` : `NO route via ${wanted}`;
}

const CELL: Record<Mode, (rs: RealServerData) => string> = {DR: drCell, TUN: tunCell, NAT: natCell};

/** The RS SETUP cell: one check per mode, `, ` between; `?` without data, `-` when no mode needs one. */
export function realServerSetupCell(rs: RealServerData | undefined): string {
	if (!rs) return '?';
	return modesOf(rs).map((m) => CELL[m](rs)).join(', ') || '-';
}

/** The detail lines of the same checks. */
export function realServerSetupDetail(rs: RealServerData | undefined): string[] {
	if (!rs) return ['setup: no data yet'];
	return modesOf(rs).map((m) => {
		if (m === 'DR') return `DR: VIPs on ${rs.vipDevice ?? 'lo'}: ${rs.vipsOnLo.join(', ') || 'none'}${rs.missingVips.length > 0 ? `; missing ${rs.missingVips.join(', ')}` : ''}`;
		if (m === 'TUN') {
			const t = rs.tun;
			return t ? `TUN: ${t.devices.join('+')}${t.down.length > 0 ? ` (${t.down.join('+')} down)` : ''}: VIPs ${t.vipsOnTunnel.join(', ') || 'none'}${t.missingVips.length > 0 ? `; missing ${t.missingVips.join(', ')}` : ''}; rp_filter all/tunl0 ${t.rpFilter.all ?? '?'}/${t.rpFilter.tunnel ?? '?'}` : 'TUN: not checked';
		}
		const n = rs.nat;
		return n ? `NAT: default route via ${n.defaultVia.join(', ') || 'nothing'}; wanted ${n.gateways.join(' or ') || "an address in the real address's subnet"}` : 'NAT: not checked';
	});
}

// Generates valid profiles with many real servers, for the profile-size limits.

export interface BigProfileShape {
	/** Real-server entries in all, spread evenly over the virtual services. */
	readonly realServers: number;
	/** Real-server hosts they run on (each with its own service block); at most realServers. */
	readonly hosts: number;
	/** Virtual services on ports 80, 81, ... of one VIP; at most hosts. */
	readonly virtualServers: number;
}

/** The n-th real-server host's address: 10.1.0.1, 10.1.0.2, ... (distinct for n < 62,500). */
function hostAddress(i: number): string {
	return `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

/**
 * A valid profile in the style the shipped profiles use (flow maps per host and real server), with
 * a weight and a TCP check on every real server. Virtual service v takes its real servers from
 * consecutive hosts, so a host serves several services when there are fewer hosts than entries.
 */
export function bigProfileText({realServers, hosts, virtualServers}: BigProfileShape): string {
	const lines = ['name: big', 'hosts:', '  dir1: {address: 10.0.0.11, role: director}', '  dir2: {address: 10.0.0.12, role: director}'];
	for (let i = 0; i < hosts; i++) {
		lines.push(
			`  rs${i}: {address: ${hostAddress(i)}, role: realserver, service: {name: httpd, start: systemctl start httpd, stop: systemctl stop httpd, status: systemctl is-active httpd}}`,
		);
	}
	lines.push(
		'vrrp_instances:',
		'  - name: VI_1',
		'    vrid: 51',
		'    interface: eth0',
		'    directors:',
		'      dir1: {state: MASTER, priority: 150}',
		'      dir2: {state: BACKUP, priority: 100}',
		'    vips:',
		'      - {address: 10.0.0.100/24}',
		'virtual_servers:',
	);
	const perService = Math.ceil(realServers / virtualServers);
	let placed = 0;
	for (let v = 0; v < virtualServers; v++) {
		const port = 80 + v;
		lines.push(`  - {vip: 10.0.0.100, port: ${port}, scheduler: wrr, forwarding: DR, real_servers: [`);
		const count = Math.min(perService, realServers - placed);
		for (let r = 0; r < count; r++) {
			const host = (v * perService + r) % hosts;
			lines.push(`      {host: rs${host}, port: ${port}, weight: ${(r % 5) + 1}, check: {type: TCP_CHECK}},`);
		}
		placed += count;
		lines.push('    ]}');
	}
	return `${lines.join('\n')}\n`;
}

/** How many real-server entries a profile holds (what the tests assert after loading). */
export function realServerCount(profile: {readonly virtualServers: ReadonlyArray<{readonly realServers: readonly unknown[]}>}): number {
	return profile.virtualServers.reduce((n, vs) => n + vs.realServers.length, 0);
}

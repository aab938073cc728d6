// Renders keepalived.conf for one director from the profile. One keyword per line, always:
// keepalived's parser is line oriented and silently misreads nested blocks written on one line.
import type {HealthCheck, Profile, RealServer, VirtualServer, VrrpInstance} from '../profile/model.js';
import {hostByName} from '../profile/model.js';

class Writer {
	private readonly lines: string[] = [];
	private depth = 0;
	line(text: string): this {
		this.lines.push(`${'  '.repeat(this.depth)}${text}`);
		return this;
	}
	open(header: string): this {
		this.line(`${header} {`);
		this.depth++;
		return this;
	}
	close(): this {
		this.depth--;
		this.line('}');
		return this;
	}
	blank(): this {
		this.lines.push('');
		return this;
	}
	toString(): string {
		return `${this.lines.join('\n')}\n`;
	}
}

function renderInstance(w: Writer, profile: Profile, inst: VrrpInstance, director: string): void {
	const me = inst.members.find((m) => m.director === director);
	if (!me) return;
	const self = hostByName(profile, director);
	w.open(`vrrp_instance ${inst.name}`);
	w.line(`state ${me.state}`);
	w.line(`interface ${inst.interface}`);
	w.line(`virtual_router_id ${inst.vrid}`);
	w.line(`priority ${me.priority}`);
	w.line(`advert_int ${inst.advertInt}`);
	if (inst.version) w.line(`version ${inst.version}`);
	if (inst.preempt.mode === 'nopreempt') w.line('nopreempt');
	if (inst.preempt.mode === 'delay') w.line(`preempt_delay ${inst.preempt.delaySec}`);
	if (inst.authentication) {
		w.open('authentication');
		w.line(`auth_type ${inst.authentication.type}`);
		w.line(`auth_pass ${inst.authentication.pass}`);
		w.close();
	}
	if (inst.unicast) {
		w.line(`unicast_src_ip ${self.address}`);
		const peers = inst.members.filter((m) => m.director !== director);
		if (peers.length > 0) {
			w.open('unicast_peer');
			for (const peer of peers) w.line(hostByName(profile, peer.director).address);
			w.close();
		}
	} else if (inst.multicastGroup) {
		w.line(`mcast_dst_ip ${inst.multicastGroup}`);
	}
	w.open('virtual_ipaddress');
	for (const vip of inst.vips) {
		let text = `${vip.address}/${vip.prefix}`;
		if (vip.dev) text += ` dev ${vip.dev}`;
		if (vip.label) text += ` label ${vip.label}`;
		w.line(text);
	}
	w.close();
	if (inst.trackScripts.length > 0) {
		w.open('track_script');
		for (const name of inst.trackScripts) w.line(name);
		w.close();
	}
	w.close();
}

function renderCheck(w: Writer, check: HealthCheck): void {
	switch (check.type) {
		case 'HTTP_GET':
			w.open('HTTP_GET');
			w.open('url');
			w.line(`path ${check.path}`);
			w.line(`status_code ${check.status}`);
			w.close();
			w.line(`connect_timeout ${check.connectTimeout}`);
			w.line(`retry ${check.retry}`);
			w.line(`delay_before_retry ${check.delayBeforeRetry}`);
			w.close();
			return;
		case 'TCP_CHECK':
			w.open('TCP_CHECK');
			if (check.connectPort) w.line(`connect_port ${check.connectPort}`);
			w.line(`connect_timeout ${check.connectTimeout}`);
			w.line(`retry ${check.retry}`);
			w.line(`delay_before_retry ${check.delayBeforeRetry}`);
			w.close();
			return;
		case 'none':
			return;
	}
}

function renderRealServer(w: Writer, rs: RealServer): void {
	w.open(`real_server ${rs.address} ${rs.port}`);
	w.line(`weight ${rs.weight}`);
	renderCheck(w, rs.check);
	w.close();
}

function renderVirtualServer(w: Writer, vs: VirtualServer): void {
	w.open(`virtual_server ${vs.vip} ${vs.port}`);
	w.line(`delay_loop ${vs.delayLoop}`);
	w.line(`lb_algo ${vs.scheduler}`);
	w.line(`lb_kind ${vs.forwarding}`);
	if (vs.persistenceTimeout) w.line(`persistence_timeout ${vs.persistenceTimeout}`);
	w.line(`protocol ${vs.protocol}`);
	for (const rs of vs.realServers) renderRealServer(w, rs);
	w.close();
}

/** The whole keepalived.conf for `director`. Deterministic: same profile, same bytes. */
export function renderKeepalivedConf(profile: Profile, director: string): string {
	const w = new Writer();
	w.line(`# Rendered by lvsdeck from profile "${profile.name}" for ${director}. Edits here are overwritten by deploy.`);
	const scriptsUsed = new Set(profile.instances.filter((i) => i.members.some((m) => m.director === director)).flatMap((i) => i.trackScripts));
	const scripts = profile.trackScripts.filter((t) => scriptsUsed.has(t.name));
	w.open('global_defs');
	w.line(`router_id ${director}`);
	if (scripts.length > 0) {
		// Without these keepalived reports "SECURITY VIOLATION - scripts are being executed but
		// script_security not enabled" (keepalived -t exits 6) and warns that the default script
		// user keepalived_script does not exist. Scripts must then be owned by root and not be
		// writable by anyone else.
		w.line('enable_script_security');
		w.line('script_user root');
	}
	w.close();
	for (const script of scripts) {
		w.blank();
		w.open(`vrrp_script ${script.name}`);
		w.line(`script "${script.script.join(' ')}"`);
		w.line(`interval ${script.interval}`);
		if (script.weight !== 0) w.line(`weight ${script.weight}`);
		if (script.fall) w.line(`fall ${script.fall}`);
		if (script.rise) w.line(`rise ${script.rise}`);
		w.close();
	}
	for (const inst of profile.instances) {
		if (!inst.members.some((m) => m.director === director)) continue;
		w.blank();
		renderInstance(w, profile, inst, director);
	}
	const myVips = new Set(
		profile.instances.filter((i) => i.members.some((m) => m.director === director)).flatMap((i) => i.vips.map((v) => v.address)),
	);
	for (const vs of profile.virtualServers.filter((v) => myVips.has(v.vip))) {
		w.blank();
		renderVirtualServer(w, vs);
	}
	return w.toString();
}

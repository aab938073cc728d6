// IP protocol 112 (VRRP) dropped by the director's own firewall: rules in `nft list ruleset` (which
// also holds firewalld's and iptables-nft's rules) and in `iptables-save` (iptables-legacy). Pure.
import {check, type DoctorCheck} from '../check.js';
import type {Read} from '../reads.js';

/** A rule line that matches VRRP: by name or number, alone or in a set. */
const NFT_VRRP = /\b(?:ip protocol|meta l4proto|ip6 nexthdr)\s+(?:\{[^}]*\b(?:vrrp|112)\b[^}]*\}|(?:vrrp|112)\b)/;
const NFT_DROPS = /\b(?:drop|reject)\b/;
const IPT_VRRP = /(?:^|\s)-p\s+(?:vrrp|112)(?:\s|$)/;
const IPT_DROPS = /\s-j\s+(?:DROP|REJECT)\b/;

export interface FirewallFinding {
	/** Rules that drop VRRP, as printed (trimmed). */
	readonly drops: string[];
	/** Input chains whose policy is drop with no rule that names VRRP. */
	readonly dropPolicies: string[];
}

/** nft's ruleset: rules dropping VRRP, and input hooks that drop by policy without a VRRP rule. */
export function nftVrrpDrops(ruleset: string): FirewallFinding {
	const drops: string[] = [];
	const dropPolicies: string[] = [];
	let table = '';
	let chain: {name: string; inputDrop: boolean; namesVrrp: boolean} | undefined;
	const closeChain = () => {
		if (chain?.inputDrop && !chain.namesVrrp) dropPolicies.push(`${table} chain ${chain.name}`);
		chain = undefined;
	};
	for (const raw of ruleset.split('\n')) {
		const line = raw.trim();
		const t = /^table\s+(\S+\s+\S+)\s*\{/.exec(line);
		if (t) table = `table ${t[1]}`;
		const c = /^chain\s+(\S+)\s*\{/.exec(line);
		if (c) {
			closeChain();
			chain = {name: c[1]!, inputDrop: false, namesVrrp: false};
			continue;
		}
		if (!chain) continue;
		if (line === '}') {
			closeChain();
			continue;
		}
		if (/\bhook\s+input\b/.test(line) && /\bpolicy\s+drop\b/.test(line)) chain.inputDrop = true;
		if (NFT_VRRP.test(line)) {
			chain.namesVrrp = true;
			if (NFT_DROPS.test(line)) drops.push(line);
		}
	}
	closeChain();
	return {drops, dropPolicies};
}

/** iptables-save: `-A` rules dropping VRRP, and built-in INPUT policies of DROP without a VRRP rule. */
export function iptablesVrrpDrops(save: string): FirewallFinding {
	const lines = save.split('\n').map((l) => l.trim());
	const drops = lines.filter((l) => l.startsWith('-A ') && IPT_VRRP.test(l) && IPT_DROPS.test(l));
	const namesVrrp = lines.some((l) => l.startsWith('-A INPUT ') && IPT_VRRP.test(l));
	const dropPolicies = lines.some((l) => /^:INPUT DROP\b/.test(l)) && !namesVrrp ? ['INPUT policy DROP'] : [];
	return {drops, dropPolicies};
}

/** The tool is not there (or cannot be run): a reason to skip, not a failure. */
function unusable(tool: string, r: Read): string | undefined {
	if (!r.ok) return r.error;
	if (r.code === 127 || /not found|No such file/i.test(r.stderr)) return `${tool} is not installed`;
	if (r.code !== 0) return `${tool} failed (exit ${r.code ?? 'signal'}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''})`;
	return undefined;
}

/** One check per director: VRRP dropped (fail), dropped by policy only (warn), or let through. */
export function firewallCheck(director: string, nft: Read, iptables: Read, iptablesLegacy: Read = {ok: false, error: 'not read'}): DoctorCheck {
	const where = {host: director, view: 'vrrp' as const};
	const sources = [
		{tool: 'nft', read: nft, parse: nftVrrpDrops},
		{tool: 'iptables-save', read: iptables, parse: iptablesVrrpDrops},
		{tool: 'iptables-legacy-save', read: iptablesLegacy, parse: iptablesVrrpDrops},
	].map((s) => ({...s, why: unusable(s.tool, s.read)}));
	const usable = sources.filter((s) => s.why === undefined && s.read.ok);
	if (usable.length === 0) return check('vrrp.firewall', 'skip', director, `no firewall rules read (${sources.map((s) => s.why).join('; ')})`, '', where);
	const found = usable.map((s) => s.parse((s.read as {stdout: string}).stdout));
	const drops = found.flatMap((f) => f.drops);
	const policies = found.flatMap((f) => f.dropPolicies);
	const read = usable.map((s) => s.tool).join(', ');
	if (drops.length > 0) {
		return check('vrrp.firewall', 'fail', director, `the firewall drops VRRP (IP protocol 112): ${drops.slice(0, 3).join(' | ')}`, 'remove the rule, or accept IP protocol 112 from the other directors before it', where);
	}
	if (policies.length > 0) {
		return check('vrrp.firewall', 'warn', director, `${policies.join(', ')} drops by policy and no rule names VRRP`, 'accept IP protocol 112 from the other directors in the input chain', where);
	}
	return check('vrrp.firewall', 'ok', director, `no ${read} rule drops VRRP`, '', where);
}

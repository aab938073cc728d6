// Which keepalived.conf keywords each keepalived version accepts, where versions in the field differ
// (1.3.5 on CentOS 7 to 2.3.x). Facts come from keepalived's sources at each release tag: the
// keywords every parser installs (install_keyword*) per tag, and the ChangeLog. A keyword an older
// keepalived does not know is logged as unknown and its line ignored; `nb_get_retry` is a config error
// (`keepalived -t` fails) from 2.0.15. Pure: no I/O.
import type {SyntaxNode} from './types.js';

/** '2.2.7' < '2.2.10'; missing parts count as 0, anything after the digits (a distro suffix) is ignored. */
export function compareKeepalivedVersions(a: string, b: string): number {
	const parts = (v: string) => (/^\d+(?:\.\d+)*/.exec(v)?.[0] ?? '0').split('.').map(Number);
	const pa = parts(a);
	const pb = parts(b);
	for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
		const d = (pa[i] ?? 0) - (pb[i] ?? 0);
		if (d !== 0) return Math.sign(d);
	}
	return 0;
}

/** The keepalived releases whose keywords this table was built from (release tags v1.3.5 ... v2.3.4). */
export const KEEPALIVED_VERSIONS_KNOWN = {oldest: '1.3.5', newest: '2.3.4'} as const;

const before = (version: string, since: string): boolean => compareKeepalivedVersions(version, since) < 0;

/**
 * Keywords no keepalived before `since` knows in any block: the first release tag whose parsers
 * install the name (a scan of install_keyword over tags v1.3.5 ... v2.3.4; none of 1.3.5's
 * keywords was removed up to 2.3.4). Names older versions already use elsewhere are in BLOCK_KEYWORDS.
 */
export const KEYWORD_SINCE: Readonly<Record<string, string>> = {
	// 1.3.6: notify FIFOs; sorry_server_lvs_method.
	notify_fifo: '1.3.6', notify_fifo_script: '1.3.6', vrrp_notify_fifo: '1.3.6', vrrp_notify_fifo_script: '1.3.6',
	lvs_notify_fifo: '1.3.6', lvs_notify_fifo_script: '1.3.6', sorry_server_lvs_method: '1.3.6',
	bind_if: '1.3.7', dbus_service_name: '1.3.7', old_unicast_checksum: '1.3.7',
	enable_sni: '1.4.3',
	BFD_CHECK: '2.0.0', bfd_instance: '2.0.0', track_bfd: '2.0.0', track_file: '2.0.0', vrrp_track_file: '2.0.0', track_src_ip: '2.0.0',
	dynamic_interfaces: '2.0.0', no_email_faults: '2.0.0', smtp_alert_vrrp: '2.0.0', smtp_alert_checker: '2.0.0', child_wait_time: '2.0.0',
	sync_group_tracking_weight: '2.0.0', rs_init_notifies: '2.0.0', no_checker_emails: '2.0.0', enable_snmp_vrrp: '2.0.0',
	vrrp_rt_priority: '2.0.0', checker_rt_priority: '2.0.0', bfd_rt_priority: '2.0.0', bfd_priority: '2.0.0', bfd_no_swap: '2.0.0',
	track_group: '2.0.3', kernel_rx_buf_size: '2.0.3', vrrp_rx_bufs_policy: '2.0.3', vrrp_rx_bufs_multiplier: '2.0.3',
	notify_master_rx_lower_pri: '2.0.6',
	regex: '2.0.7', regex_no_match: '2.0.7', regex_options: '2.0.7', regex_min_offset: '2.0.7', regex_max_offset: '2.0.7', regex_stack: '2.0.7',
	umask: '2.0.9',
	track_process: '2.0.11', vrrp_track_process: '2.0.11', nftables: '2.0.11', nftables_priority: '2.0.11', nftables_ifindex: '2.0.11',
	nftables_counters: '2.0.11', log_all_failures: '2.0.11', checker_log_all_failures: '2.0.11',
	vrrp_min_garp: '2.0.12', linkbeat_interfaces: '2.0.13', vrrp_startup_delay: '2.0.14',
	lvs_flush_onstop: '2.0.15', random_seed: '2.0.15',
	process_names: '2.0.16', process_name: '2.0.16', vrrp_process_name: '2.0.16', lvs_process_name: '2.0.16', bfd_process_name: '2.0.16',
	vrrp_notify_priority_changes: '2.0.16', notify_priority_changes: '2.0.16', quorum_max: '2.0.16', log_unknown_vrids: '2.0.16',
	fast_recovery: '2.0.17', http_protocol: '2.0.17', use_ipvlan: '2.0.17', vrrp_cpu_affinity: '2.0.17', checker_cpu_affinity: '2.0.17', bfd_cpu_affinity: '2.0.17',
	'mh-port': '2.0.20', 'mh-fallback': '2.0.20',
	UDP_CHECK: '2.1.0', PING_CHECK: '2.1.0', FILE_CHECK: '2.1.0', max_auto_priority: '2.1.0', min_auto_priority_delay: '2.1.0',
	startup_script: '2.1.0', startup_script_timeout: '2.1.0', shutdown_script: '2.1.0', shutdown_script_timeout: '2.1.0',
	unicast_ttl: '2.1.0', check_unicast_src: '2.1.0', notify_deleted: '2.1.0', net_namespace_ipvs: '2.1.0', require_reply: '2.1.0',
	checker_process_name: '2.2.0', disable_local_igmp: '2.2.0', lvs_flush_on_stop: '2.2.0', use_vmac_addr: '2.2.0', vmac_garp_intvl: '2.2.0',
	vrrp_vmac_garp_intvl: '2.2.0', tmp_config_directory: '2.2.0', reload_check_config: '2.2.0', include_check: '2.2.0',
	nftables_ipvs: '2.2.2', nftables_ipvs_priority: '2.2.2', nftables_ipvs_start_fwmark: '2.2.2',
	data_use_instance: '2.2.3', config_save_dir: '2.2.3', vrrp_down_timer_adverts: '2.2.3', down_timer_adverts: '2.2.3',
	vrrp_garp_extra_if: '2.2.3', garp_extra_if: '2.2.3', interface_up_down_delays: '2.2.3', snmp_name: '2.2.3',
	mcast_dst_ip: '2.2.5', fifo_write_vrrp_states_on_reload: '2.2.5', unicast_fault_no_peer: '2.2.5', vrf: '2.2.5',
	json_version: '2.2.8', no_virtual_ipaddress: '2.2.8', timer_expired_backup: '2.2.8', tls_compliant: '2.2.8', v3_checksum_as_v2: '2.2.8',
	use_symlink_paths: '2.3.0', dbus_no_interface_name: '2.3.0',
	state_dump_file: '2.3.3', stats_dump_file: '2.3.3', json_dump_file: '2.3.3', vrrp_owner_ignore_adverts: '2.3.3', owner_ignore_adverts: '2.3.3',
};

/** A keyword older versions know in some blocks but not in these (the block is the line's parent keyword). */
export interface BlockKeyword {
	readonly keyword: string;
	readonly blocks: readonly string[];
	readonly since: string;
	/** Where it is written instead before `since`, if anywhere. */
	readonly instead?: string;
	readonly source: string;
}

const CHECKERS_1_3_5_HTTP = ['HTTP_GET', 'SSL_GET'];

export const BLOCK_KEYWORDS: readonly BlockKeyword[] = [
	// 1.3.5's HTTP_GET/SSL_GET take nb_get_retry only; 1.3.7 installs retry, delay_loop for every checker
	// (check_api.c install_checker_common_keywords).
	{keyword: 'retry', blocks: CHECKERS_1_3_5_HTTP, since: '1.3.7', instead: 'nb_get_retry', source: 'check_http.c 1.3.5; check_api.c 1.3.7'},
	{keyword: 'retry', blocks: ['MISC_CHECK'], since: '1.3.7', source: 'check_misc.c 1.3.5; check_api.c 1.3.7'},
	{keyword: 'delay_before_retry', blocks: ['MISC_CHECK'], since: '1.3.7', source: 'check_misc.c 1.3.5; check_api.c 1.3.7'},
	{keyword: 'delay_loop', blocks: ['HTTP_GET', 'SSL_GET', 'TCP_CHECK', 'MISC_CHECK', 'SMTP_CHECK', 'DNS_CHECK', 'real_server'], since: '1.3.7', source: 'check_api.c / check_parser.c 1.3.7'},
	// 1.3.5's DNS_CHECK reads retry, type and name only (check_dns.c).
	...['delay_before_retry', 'warmup', 'connect_ip', 'connect_port', 'connect_timeout', 'bindto', 'bind_port'].map((keyword) => ({
		keyword,
		blocks: ['DNS_CHECK'],
		since: '1.3.7',
		source: 'check_dns.c 1.3.5; check_api.c 1.3.7',
	})),
	// Checker defaults on a virtual_server or real_server (check_parser.c).
	{keyword: 'retry', blocks: ['virtual_server', 'real_server'], since: '1.3.7', source: 'check_parser.c 1.3.7'},
	{keyword: 'delay_before_retry', blocks: ['virtual_server', 'real_server'], since: '1.3.7', source: 'check_parser.c 1.3.7'},
	{keyword: 'warmup', blocks: ['virtual_server', 'real_server'], since: '1.3.7', source: 'check_parser.c 1.3.7'},
	{keyword: 'connect_timeout', blocks: ['virtual_server', 'real_server'], since: '2.0.13', source: 'check_parser.c 2.0.13'},
	// lvs_method per real server (ChangeLog 1.3.6 "Add lvs_method per real server").
	{keyword: 'lvs_method', blocks: ['real_server'], since: '1.3.6', source: 'check_parser.c 1.3.6'},
];

/**
 * Keywords a version still reads but fails `keepalived -t` on: written as `instead` for it.
 * nb_get_retry: "nb_get_retry is deprecated - please use 'retry'" is a config error from 2.0.15.
 */
const REPLACED: ReadonlyArray<{keyword: string; blocks: readonly string[]; from: string; instead: string}> = [
	{keyword: 'nb_get_retry', blocks: CHECKERS_1_3_5_HTTP, from: '1.3.7', instead: 'retry'},
];

export interface KeywordVersionWarning {
	/** Like `virtual_server 10.0.0.1 80 > real_server 10.0.0.11 80 > MISC_CHECK`. */
	readonly path: string;
	readonly keyword: string;
	readonly since: string;
	readonly message: string;
}

function blockLabel(n: SyntaxNode): string {
	return [n.keyword, ...n.args].join(' ');
}

/** The first version that knows `keyword` inside a block whose keyword is `parent` (undefined: every version in the field). */
export function keywordSince(keyword: string, parent: string | undefined): {since: string; instead?: string} | undefined {
	const inBlock = parent === undefined ? undefined : BLOCK_KEYWORDS.find((b) => b.keyword === keyword && b.blocks.includes(parent));
	if (inBlock) return {since: inBlock.since, ...(inBlock.instead ? {instead: inBlock.instead} : {})};
	const since = Object.hasOwn(KEYWORD_SINCE, keyword) ? KEYWORD_SINCE[keyword] : undefined;
	return since === undefined ? undefined : {since};
}

/**
 * Nodes written for keepalived `version`: a keyword it knows under another name is renamed (`retry`
 * in HTTP_GET is `nb_get_retry` before 1.3.7, and the other way from 1.3.7); every other keyword it
 * does not know is kept (the operator wrote it) and named in a warning: that keepalived ignores the line.
 */
export function adaptToVersion(nodes: readonly SyntaxNode[], version: string): {nodes: SyntaxNode[]; warnings: KeywordVersionWarning[]} {
	const warnings: KeywordVersionWarning[] = [];
	const walk = (list: readonly SyntaxNode[], parents: readonly SyntaxNode[]): SyntaxNode[] =>
		list.map((n) => {
			const parent = parents.at(-1)?.keyword;
			const replaced = REPLACED.find((r) => r.keyword === n.keyword && parent !== undefined && r.blocks.includes(parent) && !before(version, r.from));
			const known = keywordSince(n.keyword, parent);
			let out: SyntaxNode = n;
			if (replaced) out = renamed(n, replaced.instead);
			else if (known && before(version, known.since)) {
				if (known.instead) out = renamed(n, known.instead);
				else {
					const path = parents.map(blockLabel).join(' > ');
					warnings.push({
						path,
						keyword: n.keyword,
						since: known.since,
						message: `${path === '' ? '' : `${path}: `}${n.keyword} needs keepalived ${known.since} or later; keepalived ${version} ignores the line`,
					});
				}
			}
			return out.children ? {...out, children: walk(out.children, [...parents, out])} : out;
		});
	return {nodes: walk(nodes, []), warnings};
}

/** The same line under another keyword (its original text no longer applies). */
function renamed(n: SyntaxNode, keyword: string): SyntaxNode {
	const {text: _text, ...rest} = n;
	return {...rest, keyword};
}

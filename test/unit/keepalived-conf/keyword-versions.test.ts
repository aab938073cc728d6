import {describe, expect, it} from 'vitest';
import {adaptToVersion, compareKeepalivedVersions, keywordSince} from '../../../src/keepalived-conf/keyword-versions.js';
import {parseKeepalivedTree, serializeNodes} from '../../../src/keepalived-conf/index.js';

function nodes(text: string) {
	const r = parseKeepalivedTree(text, {file: 'test.conf'});
	if (!r.ok) throw new Error(r.error.message);
	return r.tree;
}

const HTTP = `virtual_server 10.0.0.100 80 {
  lb_algo wlc
  lb_kind DR
  real_server 10.0.0.11 80 {
    weight 1
    HTTP_GET {
      url {
        path /health
      }
      connect_timeout 3
      retry 3
      delay_before_retry 2
    }
  }
}
`;

describe('compareKeepalivedVersions', () => {
	it('orders by numbers, not text, and ignores a suffix', () => {
		expect(compareKeepalivedVersions('2.2.10', '2.2.7')).toBe(1);
		expect(compareKeepalivedVersions('1.3.5', '1.3.8')).toBe(-1);
		expect(compareKeepalivedVersions('2.0', '2.0.0')).toBe(0);
		expect(compareKeepalivedVersions('2.1.5-rhel8', '2.1.5')).toBe(0);
	});
});

describe('keywordSince', () => {
	it('knows block-specific keywords from the sources', () => {
		expect(keywordSince('retry', 'HTTP_GET')).toEqual({since: '1.3.7', instead: 'nb_get_retry'});
		expect(keywordSince('retry', 'TCP_CHECK')).toBeUndefined();
		expect(keywordSince('lvs_method', 'real_server')).toEqual({since: '1.3.6'});
		expect(keywordSince('lvs_method', 'virtual_server')).toBeUndefined();
		expect(keywordSince('connect_timeout', 'virtual_server')).toEqual({since: '2.0.13'});
		expect(keywordSince('mcast_dst_ip', 'vrrp_instance')).toEqual({since: '2.2.5'});
	});

	it('every field version knows lb_algo/lb_kind and lvs_sched/lvs_method on a virtual_server', () => {
		for (const k of ['lb_algo', 'lb_kind', 'lvs_sched', 'lvs_method']) expect(keywordSince(k, 'virtual_server')).toBeUndefined();
	});
});

describe('adaptToVersion', () => {
	it('writes HTTP_GET retry as nb_get_retry for 1.3.5 (1.3.5 knows no retry there), with no warning', () => {
		const r = adaptToVersion(nodes(HTTP), '1.3.5');
		expect(r.warnings).toEqual([]);
		const text = serializeNodes(r.nodes);
		expect(text).toContain('nb_get_retry 3');
		expect(text).not.toMatch(/^\s*retry 3$/m);
		expect(text).toContain('delay_before_retry 2');
	});

	it('leaves retry alone from 1.3.7 and turns an nb_get_retry into retry (a config error from 2.0.15)', () => {
		expect(serializeNodes(adaptToVersion(nodes(HTTP), '2.2.7').nodes)).toBe(serializeNodes(nodes(HTTP)));
		const old = adaptToVersion(nodes(HTTP.replace('retry 3\n      delay', 'nb_get_retry 3\n      delay')), '2.1.5');
		expect(serializeNodes(old.nodes)).toContain('      retry 3\n');
		expect(old.warnings).toEqual([]);
	});

	it('keeps TCP_CHECK retry for 1.3.5 (it has always had it)', () => {
		const text = 'virtual_server 10.0.0.100 80 {\n  real_server 10.0.0.11 80 {\n    TCP_CHECK {\n      retry 2\n    }\n  }\n}\n';
		const r = adaptToVersion(nodes(text), '1.3.5');
		expect(r.warnings).toEqual([]);
		expect(serializeNodes(r.nodes)).toContain('retry 2');
	});

	it('warns, with the block path, when a keyword needs a newer keepalived than the target', () => {
		const text = 'vrrp_instance VI_1 {\n  mcast_dst_ip 224.0.0.19\n}\nvirtual_server 10.0.0.100 80 {\n  real_server 10.0.0.11 80 {\n    lvs_method NAT\n    PING_CHECK {\n    }\n  }\n}\n';
		const r = adaptToVersion(nodes(text), '2.1.5');
		expect(r.warnings.map((w) => [w.path, w.keyword, w.since])).toEqual([['vrrp_instance VI_1', 'mcast_dst_ip', '2.2.5']]);
		const centos = adaptToVersion(nodes(text), '1.3.5');
		expect(centos.warnings.map((w) => [w.keyword, w.since])).toEqual([
			['mcast_dst_ip', '2.2.5'],
			['lvs_method', '1.3.6'],
			['PING_CHECK', '2.1.0'],
		]);
		expect(centos.warnings[1]!.message).toBe('virtual_server 10.0.0.100 80 > real_server 10.0.0.11 80: lvs_method needs keepalived 1.3.6 or later; keepalived 1.3.5 ignores the line');
		expect(adaptToVersion(nodes(text), '2.2.7').warnings).toEqual([]);
	});
});

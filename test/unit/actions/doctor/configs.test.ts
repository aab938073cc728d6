// Checks over the installed configs: unicast against multicast, VRID clashes, and the scripts a config
// runs (with the keyword path keepalived would name).
import {describe, expect, it} from 'vitest';
import {transportChecks, vridChecks} from '../../../../src/actions/doctor/checks/vrrp-config.js';
import {scriptsCheck, scriptUses} from '../../../../src/actions/doctor/checks/scripts.js';
import {parseKeepalivedConf, type KeepalivedConfig} from '../../../../src/keepalived-conf/index.js';

function conf(text: string): KeepalivedConfig {
	const r = parseKeepalivedConf(text);
	if (!r.ok) throw new Error(r.error.message);
	return r.config;
}

const instance = (name: string, vrid: number, extra = '') => `vrrp_instance ${name} {\n  state BACKUP\n  interface eth0\n  virtual_router_id ${vrid}\n  priority 80\n${extra}  virtual_ipaddress {\n    192.168.67.100/24\n  }\n}\n`;
const unicast = '  unicast_peer {\n    192.168.67.110\n  }\n';

describe('installed VRRP configs', () => {
	it('fails an instance that is unicast on one director and multicast on another', () => {
		const [c] = transportChecks([
			{director: 'dir1', config: conf(instance('VI_1', 100, unicast))},
			{director: 'dir2', config: conf(instance('VI_1', 100))},
		]);
		expect(c).toMatchObject({id: 'vrrp.unicast-multicast', status: 'fail', subject: 'VI_1', evidence: 'unicast on dir1, multicast on dir2', host: 'dir2'});
		expect(transportChecks([{director: 'dir1', config: conf(instance('VI_1', 100, unicast))}, {director: 'dir2', config: conf(instance('VI_1', 100, unicast))}])[0]?.status).toBe('ok');
	});

	it('fails two instances sharing a VRID on one interface', () => {
		const checks = vridChecks([{director: 'dir1', config: conf(instance('VI_1', 100) + instance('VI_2', 100))}]);
		expect(checks).toEqual([expect.objectContaining({status: 'fail', subject: 'VRID 100 on eth0', evidence: 'instances VI_1, VI_2 share VRID 100 on eth0 (on dir1)'})]);
		expect(vridChecks([{director: 'dir1', config: conf(instance('VI_1', 100) + instance('VI_2', 101))}])[0]?.status).toBe('ok');
	});
});

describe('scripts', () => {
	const text = `global_defs {\n  enable_script_security\n}\nvrrp_script chk {\n  script "/usr/local/bin/chk.sh --fast"\n}\n${instance('VI_1', 100, '  notify_master /etc/keepalived/notify.sh\n')}`;
	it('finds every script line with the keyword path', () => {
		expect(scriptUses(conf(text))).toEqual([
			{where: 'vrrp_script chk script', path: '/usr/local/bin/chk.sh'},
			{where: 'vrrp_instance VI_1 notify_master', path: '/etc/keepalived/notify.sh'},
		]);
	});
	it('fails a script owned by a user under enable_script_security, passes root-owned ones', () => {
		const stat = (owner: number) => ({ok: true as const, code: 0, stdout: `755 0 root regular file /usr/local/bin/chk.sh\n755 ${owner} op regular file /etc/keepalived/notify.sh\n`, stderr: ''});
		expect(scriptsCheck('dir1', conf(text), stat(0))).toMatchObject({status: 'ok', evidence: '2 scripts runnable under enable_script_security'});
		const bad = scriptsCheck('dir1', conf(text), stat(1000));
		expect(bad).toMatchObject({status: 'fail', fix: 'chown root:root /etc/keepalived/notify.sh && chmod 755 /etc/keepalived/notify.sh'});
		expect(bad.evidence).toBe('/etc/keepalived/notify.sh (vrrp_instance VI_1 notify_master) is owned by uid 1000, not root, under enable_script_security');
	});
});

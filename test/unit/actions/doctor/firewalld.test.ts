// firewalld's check on firewall-cmd's output as its command.py prints it (print_zone_policy_info: the
// zone line with `(default, active)`, two-space `key: values` lines, rich rules on tab-indented lines;
// the block below is firewalld's own test expectation, src/tests/cli/firewall-cmd.at, with its
// whitespace restored) and `--direct --get-all-rules` lines (`ipv table chain priority args`). The lab
// runs no firewalld, so these are not lab captures.
import {describe, expect, it} from 'vitest';
import {firewalldCheck, parseFirewalldZones, zoneAllowsVrrp, zoneOf} from '../../../../src/actions/doctor/checks/firewalld.js';
import {readFirewalld, type Read} from '../../../../src/actions/doctor/reads.js';

const ok = (stdout: string, code = 0, stderr = ''): Read => ({ok: true, code, stdout, stderr});

const PUBLIC = [
	'public (default, active)',
	'  target: default',
	'  ingress-priority: 0',
	'  egress-priority: 0',
	'  icmp-block-inversion: no',
	'  interfaces: eth0',
	'  sources: ',
	'  services: dhcpv6-client ssh',
	'  ports: ',
	'  protocols: ',
	'  forward: yes',
	'  masquerade: no',
	'  forward-ports: ',
	'  source-ports: ',
	'  icmp-blocks: ',
	'  rich rules: ',
	'\trule priority="-32768" family="ipv4" source address="10.0.0.0/8" log',
	'\trule priority="-10" port port="1111" protocol="tcp" drop',
	'',
].join('\n');
const TRUSTED = ['trusted', '  target: ACCEPT', '  icmp-block-inversion: no', '  interfaces: ', '  sources: ', '  services: ', '  ports: ', '  protocols: ', '  rich rules: ', ''].join('\n');
const ZONES = `${TRUSTED}\n${PUBLIC}`;
const lab = [{instance: 'VI_1', iface: 'eth0', unicast: true}];
const running = (zones: string, direct = '') => ({state: ok('active\n'), zones: ok(zones), direct: ok(direct)});

describe('parseFirewalldZones', () => {
	it('reads each zone: default and active marks, target, interfaces, services, protocols, rich rules', () => {
		const zones = parseFirewalldZones(ZONES);
		expect(zones.map((z) => [z.name, z.isDefault, z.active, z.target])).toEqual([
			['trusted', false, false, 'ACCEPT'],
			['public', true, true, 'default'],
		]);
		expect(zones[1]).toMatchObject({interfaces: ['eth0'], services: ['dhcpv6-client', 'ssh'], protocols: [], richRules: ['rule priority="-32768" family="ipv4" source address="10.0.0.0/8" log', 'rule priority="-10" port port="1111" protocol="tcp" drop']});
		expect(zoneOf(zones, 'eth0')?.name).toBe('public');
		// An interface no zone lists is in the default zone.
		expect(zoneOf(zones, 'eth1')?.name).toBe('public');
	});
});

describe('zoneAllowsVrrp', () => {
	const pub = parseFirewalldZones(PUBLIC)[0]!;
	it('protocol vrrp or 112, a rich rule accepting it, or target ACCEPT', () => {
		expect(zoneAllowsVrrp(pub, true)).toBeUndefined();
		expect(zoneAllowsVrrp({...pub, protocols: ['vrrp']}, true)).toBe('zone public lists protocol vrrp');
		expect(zoneAllowsVrrp({...pub, protocols: ['112']}, true)).toBe('zone public lists protocol 112');
		expect(zoneAllowsVrrp({...pub, richRules: ['rule protocol value="vrrp" accept']}, true)).toBe('zone public: rule protocol value="vrrp" accept');
		expect(zoneAllowsVrrp({...pub, richRules: ['rule protocol value="vrrp" drop']}, true)).toBeUndefined();
		expect(zoneAllowsVrrp({...pub, target: 'ACCEPT'}, true)).toMatch(/target ACCEPT/);
	});
	it("the vrrp service covers multicast only (its destination is 224.0.0.18), not a unicast instance", () => {
		const withService = {...pub, services: ['ssh', 'vrrp']};
		expect(zoneAllowsVrrp(withService, false)).toBe('zone public has the vrrp service');
		expect(zoneAllowsVrrp(withService, true)).toBeUndefined();
	});
});

describe('firewalldCheck', () => {
	it('skips when firewalld is not running (systemctl is-active says inactive, exit 3) or the read failed', () => {
		expect(firewalldCheck('dir1', {state: ok('inactive\n', 3)}, lab)).toMatchObject({status: 'skip', evidence: 'firewalld is not running (systemctl is-active: inactive)'});
		expect(firewalldCheck('dir1', {state: {ok: false, error: 'dir1 is unreachable'}}, lab).status).toBe('skip');
	});
	it("fails when the VRRP interface's zone does not let VRRP in, naming the zone and the fix", () => {
		const c = firewalldCheck('dir1', running(ZONES), lab);
		expect(c).toMatchObject({
			status: 'fail',
			evidence: 'firewalld runs and VI_1 on eth0: zone public (target default) does not let VRRP in',
			fix: 'firewall-cmd --permanent --zone=public --add-protocol=vrrp && firewall-cmd --reload',
			host: 'dir1',
		});
		const service = firewalldCheck('dir1', running(ZONES.replace('services: dhcpv6-client ssh', 'services: dhcpv6-client ssh vrrp')), lab);
		expect(service.evidence).toMatch(/its vrrp service covers multicast 224\.0\.0\.18 only, the instance is unicast/);
	});
	it('passes with protocol vrrp in the zone, or a direct rule accepting it', () => {
		expect(firewalldCheck('dir1', running(ZONES.replace('  protocols: \n  forward', '  protocols: vrrp\n  forward')), lab)).toMatchObject({status: 'ok', evidence: 'firewalld runs and lets VRRP in (VI_1 on eth0: zone public lists protocol vrrp)'});
		expect(firewalldCheck('dir1', running(ZONES, 'ipv4 filter INPUT 0 -p vrrp -j ACCEPT\n'), lab).status).toBe('ok');
		expect(firewalldCheck('dir1', running(ZONES, 'ipv4 filter INPUT 0 -p vrrp -j DROP\n'), lab).status).toBe('fail');
	});
	it('warns, without a verdict, when no zone lists the interface and none is marked default', () => {
		const c = firewalldCheck('dir1', running(ZONES.replace('public (default, active)', 'public (active)').replace('interfaces: eth0', 'interfaces: eth1')), lab);
		expect(c).toMatchObject({status: 'warn', evidence: 'firewalld runs; no zone lists VI_1 on eth0 and none is marked default, so its rules for VRRP are unknown'});
	});
	it('skips when firewalld runs but its zones could not be read (sudo refused)', () => {
		const c = firewalldCheck('dir1', {state: ok('active\n'), zones: ok('', 1, 'sudo: a password is required')}, lab);
		expect(c).toMatchObject({status: 'skip', evidence: 'firewalld runs but its zones were not read (exit 1: sudo: a password is required)'});
	});
});

describe('readFirewalld', () => {
	it("asks firewall-cmd only when systemctl says firewalld is active (firewall-cmd waits 10 s for a stopped daemon)", async () => {
		const asked: string[] = [];
		const runner = (state: string, code: number) => async (_host: string, argv: readonly string[]): Promise<Read> => {
			asked.push(argv.join(' '));
			return argv[0] === 'systemctl' ? ok(`${state}\n`, code) : ok('');
		};
		expect(await readFirewalld(runner('inactive', 3), 'dir1')).toEqual({state: ok('inactive\n', 3)});
		expect(asked).toEqual(['systemctl is-active firewalld']);
		asked.length = 0;
		const active = await readFirewalld(runner('active', 0), 'dir1');
		expect(Object.keys(active)).toEqual(['state', 'zones', 'direct']);
		expect(asked).toEqual(['systemctl is-active firewalld', 'firewall-cmd --list-all-zones', 'firewall-cmd --direct --get-all-rules']);
	});
});

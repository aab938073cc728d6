// The read commands doctor adds to the read-only allow-list: the exact forms pass, hostile variants of
// each (writes, other files, other formats, daemons) are refused with the reason.
import {describe, expect, it} from 'vitest';
import {commands} from '../../../src/actions/doctor/reads.js';
import {readOnlyVerdict} from '../../../src/transport/read-only.js';
import {KEEPALIVED_DUMP_SCRIPT} from '../../../src/transport/read-only-scripts.js';

const reason = (argv: readonly string[]) => {
	const v = readOnlyVerdict(argv);
	return v.allowed ? 'allowed' : v.reason;
};

describe("doctor's commands under the read-only guard", () => {
	it('allows every command doctor sends', () => {
		for (const argv of [
			commands.clock,
			commands.sysctl,
			commands.nft,
			commands.iptables,
			commands.version,
			commands.configTest('/etc/keepalived/keepalived.conf'),
			commands.stats('/run/keepalived.pid', '/tmp'),
			commands.stat(['/etc/keepalived/notify.sh', '/usr/local/bin/check with space.sh']),
			commands.firewalldState,
			commands.firewalldZones,
			commands.firewalldDirect,
			commands.log({keepalived: {log: {kind: 'file', path: '/run/keepalived.log'}}} as never),
			commands.log({keepalived: {}} as never),
			['sudo', '-n', '--', 'nft', 'list', 'ruleset'],
			['sudo', '-n', '--', 'firewall-cmd', '--list-all-zones'],
		]) {
			expect(reason(argv)).toBe('allowed');
		}
	});

	it.each([
		[['nft', 'flush', 'ruleset'], 'nft accepts only list, not flush'],
		[['nft', 'list', 'tables'], 'nft list accepts only ruleset, not tables'],
		[['nft', '-f', '/tmp/rules'], 'option -f is not allowed for nft'],
		[['nft', 'list', 'ruleset', ';', 'flush', 'ruleset'], 'unexpected word ";" for nft'],
		[['nft', 'add', 'rule', 'inet', 'f', 'input', 'drop'], 'nft accepts only list, not add'],
		[['iptables-save', '-f', '/etc/passwd'], 'option -f is not allowed for iptables-save'],
		[['iptables-restore'], 'iptables-restore is not a program read-only mode allows'],
		[['iptables', '-F'], 'iptables is not a program read-only mode allows'],
		[['keepalived', '-f', '/etc/keepalived/keepalived.conf'], 'option -f is not allowed for keepalived'],
		[['keepalived', '-t', '-f', '/dev/stdin'], 'the value of -f /dev/stdin is not an absolute path'],
		[['keepalived', '-t', '-f', '/etc/keepalived/keepalived.conf', '-D'], 'option -D is not allowed for keepalived'],
		[['keepalived', '-t', '--config-test=/tmp/x'], 'option --config-test=/tmp/x is not allowed for keepalived'],
		[['keepalived', '-t', '-f', 'keepalived.conf'], 'the value of -f keepalived.conf is not an absolute path'],
		[['stat', '--printf', '%n', '/etc/shadow'], 'option --printf is not allowed for stat'],
		[['stat', '-c', '%n %s', '/etc/passwd'], 'the value of -c "%n %s" is not one of %a %u %U %F %n'],
		[['stat', '-c', '%a %u %U %F %n', '/proc/1/environ'], 'operand /proc/1/environ is not an absolute path'],
		[['stat', '-c', '%a %u %U %F %n', '../x'], 'operand ../x is not an absolute path'],
		[['date', '-s', '+5 seconds'], 'option -s is not allowed for date'],
		[['date', '12011200'], 'operand 12011200 is not a +FORMAT'],
		[['sysctl', '-w', 'net.ipv4.ip_forward=1'], 'option -w is not allowed for sysctl'],
		[['sysctl', 'net.ipv4.ip_forward=1'], 'operand net.ipv4.ip_forward=1 is not a sysctl key'],
		[['firewall-cmd', '--add-protocol=vrrp'], 'option --add-protocol=vrrp is not allowed for firewall-cmd (it accepts --list-all-zones, --direct)'],
		[['firewall-cmd', '--reload'], 'option --reload is not allowed for firewall-cmd'],
		[['firewall-cmd', '--direct', '--add-rule', 'ipv4', 'filter', 'INPUT', '0', '-j', 'ACCEPT'], 'option --add-rule is not allowed for firewall-cmd'],
		[['firewall-cmd', '--list-all-zones', '--permanent'], 'option --permanent is not allowed for firewall-cmd'],
		[['firewall-cmd', '--state'], 'option --state is not allowed for firewall-cmd'],
	])('refuses %j', (argv, why) => {
		expect(reason(argv)).toContain(why);
	});

	it('the dump script takes stats, and still nothing but json, data and stats', () => {
		expect(reason(['sh', '-c', KEEPALIVED_DUMP_SCRIPT, 'lvsdeck-probe', 'stats', '/run/keepalived.pid', '/tmp'])).toBe('allowed');
		expect(reason(['sh', '-c', KEEPALIVED_DUMP_SCRIPT, 'lvsdeck-probe', 'clear', '/run/keepalived.pid', '/tmp'])).toContain('is not one of json, data, stats');
		expect(reason(['sh', '-c', KEEPALIVED_DUMP_SCRIPT, 'lvsdeck-probe', 'stats', '/proc/1/stat', '/tmp'])).toContain('argument 2 of lvsdeck-probe /proc/1/stat is not');
	});
});

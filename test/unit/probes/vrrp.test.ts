import {readFileSync} from 'node:fs';
import {describe, it, expect} from 'vitest';
import fc from 'fast-check';
import {
	KEEPALIVED_DUMP_SCRIPT,
	KEEPALIVED_SIGNUM_SCRIPT,
	keepalivedDumpCommand,
	keepalivedSignumCommand,
	keepalivedVersionCommand,
	parseKeepalivedData,
	parseKeepalivedJson,
	parseKeepalivedStats,
	parseKeepalivedVersion,
	parseSignum,
	redactSecrets,
} from '../../../src/probes/vrrp.js';
import {isReadOnlyCommand} from '../../../src/transport/read-only.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/lab/${name}`, import.meta.url), 'utf8');

const PASSWORD = '1111'; // the lab's VRRP password, in clear in the 2.2.7 dumps

describe('keepalived command builders', () => {
	it('builds argv arrays with constant scripts', () => {
		expect(keepalivedVersionCommand()).toEqual(['keepalived', '--version']);
		expect(keepalivedSignumCommand()).toEqual(['sh', '-c', KEEPALIVED_SIGNUM_SCRIPT, 'lvsdeck-signum', 'DATA', 'STATS', 'JSON']);
		expect(keepalivedSignumCommand(['JSON'])).toEqual(['sh', '-c', KEEPALIVED_SIGNUM_SCRIPT, 'lvsdeck-signum', 'JSON']);
		expect(keepalivedDumpCommand('json')).toEqual(['sh', '-c', KEEPALIVED_DUMP_SCRIPT, 'lvsdeck-probe', 'json', '/run/keepalived.pid', '/tmp']);
		expect(keepalivedDumpCommand('data', '/run/ka/x.pid', '/var/tmp')).toEqual(['sh', '-c', KEEPALIVED_DUMP_SCRIPT, 'lvsdeck-probe', 'data', '/run/ka/x.pid', '/var/tmp']);
	});

	it('never interpolates values into the script', () => {
		const evil = "/tmp/x'; rm -rf / #$(reboot)";
		const argv = keepalivedDumpCommand('json', evil, evil);
		expect(argv[2]).toBe(KEEPALIVED_DUMP_SCRIPT);
		expect(KEEPALIVED_DUMP_SCRIPT).not.toContain(evil);
		expect(argv.slice(5)).toEqual([evil, evil]);
	});

	it('the dump script uses the positional parameters, polls with sleep 0.05 and has the documented exit codes', () => {
		for (const p of ['"$1"', '"$2"', 'f="$3/keepalived.json"', 'sleep 0.05', '--signum="$sig"', 'exit 3', 'exit 4', 'rm -f -- "$f"']) expect(KEEPALIVED_DUMP_SCRIPT).toContain(p);
	});

	it('is accepted by the read-only guard', () => {
		expect(isReadOnlyCommand(keepalivedVersionCommand())).toBe(true);
		expect(isReadOnlyCommand(keepalivedSignumCommand())).toBe(true);
		expect(isReadOnlyCommand(keepalivedDumpCommand('data'))).toBe(true);
	});
});

describe('parseKeepalivedVersion / parseSignum', () => {
	it('reads the Debian bookworm build', () => {
		expect(parseKeepalivedVersion(fixture('keepalived-version.txt'))).toEqual({version: '2.2.7', json: true});
	});

	it('detects JSON from either the config options or the configure line', () => {
		expect(parseKeepalivedVersion('Keepalived v2.0.10 (11/12,2018)\nConfig options:  LVS VRRP VRRP_AUTH OLD_CHKSUM_COMPAT FIB_ROUTING\n')).toEqual({version: '2.0.10', json: false});
		expect(parseKeepalivedVersion('Keepalived v2.2.8\nconfigure options: --enable-json --prefix=/usr\n').json).toBe(true);
		expect(parseKeepalivedVersion('Config options:  LVS VRRP JSON').json).toBe(true);
		expect(parseKeepalivedVersion('configure options: --disable-json\nConfig options: JSONX').json).toBe(false);
		expect(parseKeepalivedVersion('')).toEqual({json: false});
	});

	it('reads signal numbers and skips unknown sigfuncs', () => {
		expect(parseSignum(fixture('keepalived-signum.txt'))).toEqual({data: 10, stats: 12, json: 36});
		expect(parseSignum('DATA=10\nSTATS=12\nJSON=Unknown sigfunc JSON\n')).toEqual({data: 10, stats: 12});
		expect(parseSignum('DATA=sh: 1: keepalived: not found')).toEqual({});
	});
});

describe('parseKeepalivedJson', () => {
	it('reads dir1 as MASTER with priority 100', () => {
		const d = parseKeepalivedJson(fixture('keepalived-json-dir1.json'));
		expect(d.problems).toEqual([]);
		expect(d.instances).toEqual([
			{
				name: 'VI_1',
				vrrpVersion: 2,
				state: 'MASTER',
				wantState: 'MASTER',
				interface: 'eth0',
				vrid: 100,
				priority: 100,
				effectivePriority: 100,
				lastTransition: 1795258268.05098,
				advertIntMs: 1000,
				preempt: true,
				preemptDelaySec: 0,
				vips: ['192.168.67.100/24'],
				stats: {advertRcvd: 0, advertSent: 15, becomeMaster: 1, releaseMaster: 0, priZeroRcvd: 0, priZeroSent: 0, credFailure: 0, credTypeMismatch: 0, credTypeInvalid: 0, addrListErr: 0},
			},
		]);
	});

	it('reads dir2 as BACKUP with priority 80 and master priority 100', () => {
		const [i] = parseKeepalivedJson(fixture('keepalived-json-dir2.json')).instances;
		expect(i).toMatchObject({name: 'VI_1', state: 'BACKUP', priority: 80, effectivePriority: 80, masterPriority: 100, vips: ['192.168.67.100/24']});
		expect(i?.stats?.advertRcvd).toBe(24);
		// JSON v1 has no master address; only the text dump has it
		expect(i?.masterRouter).toBeUndefined();
	});

	it('maps every numeric state', () => {
		const one = (state: number) => parseKeepalivedJson(JSON.stringify([{data: {iname: 'X', state}}]));
		expect([0, 1, 2, 3, 97, 98].map((s) => one(s).instances[0]?.state)).toEqual(['INIT', 'BACKUP', 'MASTER', 'FAULT', 'DELETED', 'STOP']);
		const u = one(42);
		expect(u.instances[0]?.state).toBe('UNKNOWN');
		expect(u.problems).toHaveLength(1);
	});

	it('keeps only address/prefix of vips and evips, and accepts a wrapped array', () => {
		const text = JSON.stringify({version: 2, vrrp: [{data: {iname: 'V6', state: 1, vips: ['fd00::100/64 dev eth0 scope global'], evips: ['10.0.0.9 dev eth1 scope global set']}}]});
		expect(parseKeepalivedJson(text).instances[0]?.vips).toEqual(['fd00::100/64', '10.0.0.9']);
	});

	it('fails softly on broken input without quoting it', () => {
		const broken = fixture('keepalived-json-dir1.json').slice(0, 900);
		const d = parseKeepalivedJson(broken);
		expect(d.instances).toEqual([]);
		expect(d.problems).toHaveLength(1);
		expect(JSON.stringify(d)).not.toContain(PASSWORD);
		expect(parseKeepalivedJson('').problems).toHaveLength(1);
		expect(parseKeepalivedJson('{"a":1}').problems).toHaveLength(1);
		expect(parseKeepalivedJson('[1, {"data": {}}]').problems).toHaveLength(2);
	});
});

describe('parseKeepalivedData', () => {
	it('reads dir1 as MASTER', () => {
		const d = parseKeepalivedData(fixture('keepalived-data-dir1.txt'));
		expect(d.problems).toEqual([]);
		expect(d.instances).toEqual([
			{
				name: 'VI_1',
				state: 'MASTER',
				wantState: 'MASTER',
				vrrpVersion: 2,
				lastTransition: 1795258268.05098,
				interface: 'eth0',
				vrid: 100,
				priority: 100,
				effectivePriority: 100,
				advertIntMs: 1000,
				preempt: true,
				vips: ['192.168.67.100/24'],
			},
		]);
	});

	it('reads dir2 as BACKUP with the master router 192.168.67.110', () => {
		const [i] = parseKeepalivedData(fixture('keepalived-data-dir2.txt')).instances;
		expect(i).toMatchObject({state: 'BACKUP', priority: 80, effectivePriority: 80, masterRouter: '192.168.67.110', masterPriority: 100, vrid: 100});
	});

	it('parses by section: the Interfaces section\'s State lines do not touch the instance', () => {
		const text = [
			'------< VRRP Topology >------',
			' VRRP Instance = VI_9',
			'   State = FAULT',
			'------< Interfaces >------',
			' Name = eth0',
			'   State = UP, RUNNING',
			' VRRP Instance = VI_X',
			'   State = MASTER',
		].join('\n');
		const d = parseKeepalivedData(text);
		expect(d.instances).toEqual([{name: 'VI_9', state: 'FAULT', vips: []}]);
	});

	it('reads the 1.3.x "Virtual IP = n" form and VRRPv3 milli-second intervals', () => {
		const text = [
			'------< VRRP Topology >------',
			' VRRP Instance = VI_2',
			'   State = BACKUP',
			'   Master router = fd00::1',
			'   Master priority = 200',
			'   Advert interval = 100 milli-sec',
			'   Preempt = disabled',
			'   Preempt delay = 30 secs',
			'   Virtual IP = 2',
			'     10.1.0.100/24 dev eth0 scope global',
			'     10.1.0.101 dev eth0 scope global',
			'   Virtual Routes (1):',
			'     10.2.0.0/16 via 10.1.0.1',
		].join('\n');
		const [i] = parseKeepalivedData(text).instances;
		expect(i).toMatchObject({state: 'BACKUP', masterRouter: 'fd00::1', masterPriority: 200, advertIntMs: 100, preempt: false, preemptDelaySec: 30, vips: ['10.1.0.100/24', '10.1.0.101']});
	});

	it('reports a dump without a topology section', () => {
		expect(parseKeepalivedData(fixture('keepalived-check-data-dir1.txt')).problems).toEqual(['no "VRRP Topology" section in the data dump']);
	});
});

describe('parseKeepalivedStats', () => {
	it('reads dir1 and dir2 counters', () => {
		expect(parseKeepalivedStats(fixture('keepalived-stats-dir1.txt'))).toEqual({
			instances: {VI_1: {advertRcvd: 0, advertSent: 15, becomeMaster: 1, releaseMaster: 0, priZeroRcvd: 0, priZeroSent: 0, addrListErr: 0, credTypeInvalid: 0, credTypeMismatch: 0, credFailure: 0}},
			problems: [],
		});
		expect(parseKeepalivedStats(fixture('keepalived-stats-dir2.txt')).instances.VI_1).toMatchObject({advertRcvd: 23, advertSent: 0, becomeMaster: 0});
	});

	it('keeps odd instance names as plain keys', () => {
		const s = parseKeepalivedStats('VRRP Instance: __proto__\n  Became master: 4\n');
		expect(Object.keys(s.instances)).toEqual(['__proto__']);
		expect(s.instances['__proto__']?.becomeMaster).toBe(4);
	});
});

describe('VRRP password never leaves the parsers', () => {
	const dumps = [
		['keepalived-data-dir1.txt', parseKeepalivedData],
		['keepalived-data-dir2.txt', parseKeepalivedData],
		['keepalived-json-dir1.json', parseKeepalivedJson],
		['keepalived-json-dir2.json', parseKeepalivedJson],
	] as const;

	it('is not in the parsed fixtures', () => {
		for (const [f, parse] of dumps) {
			expect(fixture(f)).toContain(PASSWORD);
			const out = JSON.stringify(parse(fixture(f)));
			expect(out).not.toContain(PASSWORD);
			expect(out.toLowerCase()).not.toContain('auth');
			expect(out.toLowerCase()).not.toContain('password');
		}
	});

	it('is not in the result for any truncation of the dumps', () => {
		for (const [f, parse] of dumps) {
			const text = fixture(f);
			for (let i = 0; i <= text.length; i++) expect(JSON.stringify(parse(text.slice(0, i)))).not.toContain(PASSWORD);
		}
	});

	it('is not in the result for random mixes of data dump lines', () => {
		const lines = [...fixture('keepalived-data-dir1.txt').split('\n'), ...fixture('keepalived-data-dir2.txt').split('\n')];
		fc.assert(
			fc.property(fc.array(fc.constantFrom(...lines), {maxLength: 80}), (mix) => {
				expect(JSON.stringify(parseKeepalivedData(mix.join('\n')))).not.toContain(PASSWORD);
			}),
			{numRuns: 300},
		);
	});

	it('is not in the result for any password value in the JSON or data dump', () => {
		fc.assert(
			fc.property(fc.stringMatching(/^[A-Za-z0-9!#%&*+,.:;<=>?@^_~-]{6,16}$/), (pw) => {
				const secret = `Zq${pw}`;
				const json = fixture('keepalived-json-dir1.json').replace('"auth_data":"1111"', `"auth_data":${JSON.stringify(secret)}`);
				const data = fixture('keepalived-data-dir1.txt').replace('Password = 1111', `Password = ${secret}`);
				expect(JSON.stringify(parseKeepalivedJson(json))).not.toContain(secret);
				expect(JSON.stringify(parseKeepalivedData(data))).not.toContain(secret);
			}),
			{numRuns: 100},
		);
	});
});

describe('redactSecrets', () => {
	it('masks the data dump password, the JSON auth_data and auth_pass in a config', () => {
		const data = redactSecrets(fixture('keepalived-data-dir1.txt'));
		expect(data).toContain('   Password = ********\n');
		expect(data).not.toContain(PASSWORD);
		const json = redactSecrets(fixture('keepalived-json-dir2.json'));
		expect(json).toContain('"auth_data":"********"');
		expect(json).not.toContain(PASSWORD);
		expect(JSON.parse(json)).toBeInstanceOf(Array);
		expect(redactSecrets('authentication {\n  auth_type PASS\n  auth_pass s3cr3t\n}')).toBe('authentication {\n  auth_type PASS\n  auth_pass ********\n}');
		expect(redactSecrets('auth_pass "two words"  # comment')).toBe('auth_pass ********  # comment');
		expect(redactSecrets('{ auth_type PASS auth_pass 1111 }')).toBe('{ auth_type PASS auth_pass ******** }');
		expect(redactSecrets('log: {\\"auth_data\\":\\"1111\\"}')).toBe('log: {\\"auth_data\\":\\"********\\"}');
		expect(redactSecrets('nothing here')).toBe('nothing here');
	});

	it('masks any password value', () => {
		fc.assert(
			fc.property(fc.stringMatching(/^[A-Za-z0-9!#%&*+,.:;<=>?@^_~-]{6,16}$/), (pw) => {
				const secret = `Zq${pw}`;
				for (const text of [`   Password = ${secret}\n`, `auth_pass ${secret}\n`, `{"auth_data":${JSON.stringify(secret)},"x":1}`, `auth_pass "${secret} ${secret}"`]) {
					expect(redactSecrets(text)).not.toContain(secret);
				}
			}),
			{numRuns: 200},
		);
	});
});

// Dumps captured on the lab: dir1 tracking a vrrp_script that fails (weight -50), dir2 tracking a
// dummy interface that is down (FAULT).
describe('why a priority is lowered or an instance is in FAULT, as keepalived says', () => {
	const lab = (name: string) => readFileSync(new URL(`../../fixtures/lab/${name}`, import.meta.url), 'utf8');

	it('JSON: the tracked script (by command) and interface, with base and effective priority', () => {
		const [track] = parseKeepalivedJson(lab('keepalived-json-dir1-track-script.json')).instances;
		expect(track).toMatchObject({state: 'BACKUP', priority: 100, effectivePriority: 50, trackedScripts: ['/usr/bin/false']});
		const [fault] = parseKeepalivedJson(lab('keepalived-json-dir2-fault.json')).instances;
		expect(fault).toMatchObject({state: 'FAULT', priority: 80, effectivePriority: 80, trackedInterfaces: ['dummy9']});
		expect(fault!.failedScripts).toBeUndefined();
		// keepalived quotes each word of a command: read back as the command line the profile has.
		const words = lab('keepalived-json-dir1-track-script.json').replace("'\\/usr\\/bin\\/false'", "'\\/usr\\/bin\\/test' '-e' '\\/run\\/x'");
		expect(parseKeepalivedJson(words).instances[0]!.trackedScripts).toEqual(['/usr/bin/test -e /run/x']);
	});

	it('text: tracked scripts by name with their BAD status, tracked interfaces that are down', () => {
		const [track] = parseKeepalivedData(lab('keepalived-data-dir1-track-script.txt')).instances;
		expect(track).toMatchObject({state: 'BACKUP', priority: 100, effectivePriority: 50, trackedScripts: ['chk_down'], failedScripts: ['chk_down']});
		const [fault] = parseKeepalivedData(lab('keepalived-data-dir2-fault.txt')).instances;
		expect(fault).toMatchObject({state: 'FAULT', trackedInterfaces: ['dummy9'], downInterfaces: ['dummy9']});
		// Healthy dumps name no failure.
		const [ok] = parseKeepalivedData(lab('keepalived-data-dir1.txt')).instances;
		expect([ok!.failedScripts, ok!.downInterfaces]).toEqual([undefined, undefined]);
	});
});

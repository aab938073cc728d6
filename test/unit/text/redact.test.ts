// The VRRP password is masked in every form keepalived.conf allows, and deploy diffs say per instance
// whether it changed without showing it.
import {createTwoFilesPatch} from 'diff';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {authPasses, redactConfPair, redactKnownSecrets, redactSecrets} from '../../../src/text/redact.js';
import {fileChange} from '../../../src/actions/deploy/plan.js';
import {formatPlan} from '../../../src/actions/deploy/format.js';
import {sha256Hex} from '../../../src/probes/config-hash.js';

const conf = (pass: string, extra = '') => `vrrp_instance VI_1 {\n  state MASTER\n  authentication {\n    auth_type PASS\n    auth_pass ${pass}\n  }\n}\n${extra}`;

describe('redactSecrets on keepalived.conf lines', () => {
	it.each([
		['  auth_pass Zq7xSecr', '  auth_pass ********'],
		['\t\tauth_pass\tZq7xSecr', '\t\tauth_pass\t********'],
		['auth_pass "Zq7 xSecr"', 'auth_pass ********'],
		['    auth_pass Zq7xSecr   # set by ops', '    auth_pass ********   # set by ops'],
		['    auth_pass Zq7xSecr ! old comment style', '    auth_pass ******** ! old comment style'],
		['authentication { auth_type PASS auth_pass Zq7xSecr }', 'authentication { auth_type PASS auth_pass ******** }'],
		['AUTH_PASS Zq7xSecr', 'AUTH_PASS ********'],
	])('%j', (line, masked) => {
		expect(redactSecrets(line)).toBe(masked);
	});

	it('is idempotent', () => {
		const once = redactSecrets(conf('Zq7xSecr'));
		expect(redactSecrets(once)).toBe(once);
	});

	it('redactKnownSecrets also masks a known value quoted anywhere, but not values too short to mean anything', () => {
		expect(redactKnownSecrets("(Line 5) Unknown keyword 'Zq7xSecr'", ['Zq7xSecr'])).toBe("(Line 5) Unknown keyword '********'");
		expect(redactKnownSecrets('10.0.0.1 port 1', ['1'])).toBe('10.0.0.1 port 1');
	});
});

describe('authPasses', () => {
	it('reads each instance password, quoted or not', () => {
		const two = `${conf('abc')}vrrp_instance VI_2 {\n  authentication {\n    auth_pass "d e"   # c\n  }\n}\n`;
		expect([...authPasses(two)]).toEqual([
			['VI_1', 'abc'],
			['VI_2', 'd e'],
		]);
	});
});

describe('deploy diffs', () => {
	it('say (changed) when the password changes, and never show either value', () => {
		const change = fileChange('/etc/keepalived/keepalived.conf', {text: conf('Ol9dPass'), sha256: sha256Hex(conf('Ol9dPass'))}, conf('Zq7xSecr'));
		expect(change.diff).toContain('-    auth_pass ********\n');
		expect(change.diff).toContain('+    auth_pass ******** (changed)\n');
		expect(change.diff).not.toMatch(/Ol9dPass|Zq7xSecr/);
	});

	it('say (unchanged) on a context line when only something else changes', () => {
		const change = fileChange('/k.conf', {text: conf('Zq7xSecr', 'x 1\n'), sha256: sha256Hex(conf('Zq7xSecr', 'x 1\n'))}, conf('Zq7xSecr', 'x 2\n'));
		expect(change.diff).toContain('     auth_pass ******** (unchanged)\n');
		expect(change.diff).toContain('-x 1');
		expect(change.diff).not.toContain('Zq7xSecr');
	});

	it('a new file: every password is (changed)', () => {
		const change = fileChange('/k.conf', null, conf('Zq7xSecr'));
		expect(change.diff).toContain('+    auth_pass ******** (changed)');
		expect(formatPlan({hosts: [{host: 'dir1', role: 'director', file: change}], changed: true})).not.toContain('Zq7xSecr');
	});

	it('never contain any password, whatever the values and the layout (property)', () => {
		const pass = fc.stringMatching(/^[A-Za-z0-9%&*+,.:;<=>?@^_~-]{3,8}$/).map((p) => `Q${p}`);
		const indent = fc.constantFrom('', '  ', '\t', ' \t ');
		const quoted = fc.boolean();
		fc.assert(
			fc.property(pass, pass, indent, quoted, fc.constantFrom('', ' # note', '\t! note'), (a, b, ind, q, tail) => {
				const line = (p: string) => `${ind}auth_pass ${q ? `"${p}"` : p}${tail}`;
				const before = `vrrp_instance V {\n${line(a)}\n}\n`;
				const after = `vrrp_instance V {\n${line(b)}\n}\n`;
				const pair = redactConfPair(before, after);
				const diff = createTwoFilesPatch('a', 'b', pair.current ?? '', pair.desired);
				expect(diff).not.toContain(a);
				expect(diff).not.toContain(b);
				expect(pair.desired).toContain(a === b ? '(unchanged)' : '(changed)');
			}),
			{numRuns: 300},
		);
	});
});

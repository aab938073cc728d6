// known_hosts parsing and host-key verdicts, checked against OpenSSH's own ssh-keygen where it has
// an opinion (fingerprint format, hashed host names).
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
	fingerprintSha256,
	hostFieldMatches,
	hostPortName,
	keyTypeOf,
	knownKeyTypes,
	parseKnownHosts,
	readKnownHostsFiles,
	verifyHostKey,
} from '../../../src/transport/known-hosts.js';
import {generateKey, hashedHostField} from './ssh-test-server.js';

// A fixed ed25519 public key and what `ssh-keygen -l -f` prints for it.
const FIXED_B64 = 'AAAAC3NzaC1lZDI1NTE5AAAAIMHbVuz3yQGv73QpEgBEZ+NaiRIcEO5/6/67T/7brh7e';
const FIXED_LINE = `ssh-ed25519 ${FIXED_B64}`;
const FIXED_BLOB = Buffer.from(FIXED_B64, 'base64');
const FIXED_FP = 'SHA256:C/2KfJsafee4NfjhPEHtGIx06iyT80dPDiqnQT9DbME';
// Another ed25519 key (for "changed").
const OTHER_B64 = 'AAAAC3NzaC1lZDI1NTE5AAAAIHVGrzA/1cQjSoTYwqkB7Toeoq8XCSg3bYUDHuDd2zoK';
const OTHER_BLOB = Buffer.from(OTHER_B64, 'base64');

let dir: string;
beforeAll(() => {
	dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-known-hosts-'));
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

function sshKeygenFingerprint(publicLine: string): string {
	const file = path.join(dir, `key-${Math.random().toString(36).slice(2)}.pub`);
	writeFileSync(file, `${publicLine} test-comment\n`);
	const out = execFileSync('ssh-keygen', ['-l', '-f', file], {encoding: 'utf8'});
	const fp = out.split(/\s+/)[1];
	expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
	return fp!;
}

describe('parseKnownHosts', () => {
	it('skips blank lines and comments, reads markers, hashed hosts and line numbers', () => {
		const text = [
			'# a comment',
			'',
			'   ',
			`lb1,10.0.0.1 ${FIXED_LINE} operator@station`,
			`@revoked * ${FIXED_LINE}`,
			`@cert-authority *.example.com ${FIXED_LINE}`,
			`|1|zGRPasJHTrNOWra0wXw2makRqT0=|6lBIcTIgmPDovnHdwe+0jkhjPEM= ${FIXED_LINE}`,
			`[10.0.0.2]:2222 ${FIXED_LINE}\r`,
			'broken-line-with-two ssh-ed25519',
			'\t# indented comment',
		].join('\n');
		const entries = parseKnownHosts(text, '/x/known_hosts');
		expect(entries).toEqual([
			{file: '/x/known_hosts', line: 4, hosts: 'lb1,10.0.0.1', keyType: 'ssh-ed25519', keyBase64: FIXED_B64},
			{file: '/x/known_hosts', line: 5, marker: 'revoked', hosts: '*', keyType: 'ssh-ed25519', keyBase64: FIXED_B64},
			{file: '/x/known_hosts', line: 6, marker: 'cert-authority', hosts: '*.example.com', keyType: 'ssh-ed25519', keyBase64: FIXED_B64},
			{
				file: '/x/known_hosts',
				line: 7,
				hosts: '|1|zGRPasJHTrNOWra0wXw2makRqT0=|6lBIcTIgmPDovnHdwe+0jkhjPEM=',
				keyType: 'ssh-ed25519',
				keyBase64: FIXED_B64,
			},
			{file: '/x/known_hosts', line: 8, hosts: '[10.0.0.2]:2222', keyType: 'ssh-ed25519', keyBase64: FIXED_B64},
		]);
	});

	it('reads several files and ignores missing ones', () => {
		const a = path.join(dir, 'kh-a');
		const b = path.join(dir, 'kh-b');
		writeFileSync(a, `lb1 ${FIXED_LINE}\n`);
		writeFileSync(b, `# only a comment\nlb2 ssh-ed25519 ${OTHER_B64}\n`);
		const entries = readKnownHostsFiles([path.join(dir, 'missing'), a, b]);
		expect(entries.map((e) => [e.file, e.line, e.hosts])).toEqual([
			[a, 1, 'lb1'],
			[b, 2, 'lb2'],
		]);
	});
});

describe('hostPortName', () => {
	it('writes the bare host for port 22 and [host]:port otherwise', () => {
		expect(hostPortName('10.0.0.1', 22)).toBe('10.0.0.1');
		expect(hostPortName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
		expect(hostPortName('lb1.example.com', 22)).toBe('lb1.example.com');
	});
});

describe('hostFieldMatches', () => {
	it.each([
		['lb1', ['lb1'], true],
		['lb1', ['LB1'], true],
		['lb1', ['lb10'], false],
		['lb1,lb2', ['lb2'], true],
		['lb*', ['lb17'], true],
		['lb*', ['xlb1'], false],
		['*.example.com', ['lb1.example.com'], true],
		['*.example.com', ['example.com'], false],
		['*.example.com', ['lb1.exampleXcom'], false], // the dot is literal
		['lb?', ['lb1'], true],
		['lb?', ['lb12'], false],
		['lb*,!lb3', ['lb3'], false],
		['!lb3,lb*', ['lb3'], false], // a negation wins wherever it is
		['!lb3,lb*', ['lb4'], true],
		['!lb3', ['lb4'], false], // a negation alone never matches
		['[10.0.0.1]:2222', ['[10.0.0.1]:2222'], true],
		['[10.0.0.1]:2222', ['10.0.0.1'], false],
		['[10.0.0.1]:2222', ['[10.0.0.1]:2223'], false],
		['10.0.0.1', ['[10.0.0.1]:2222'], false],
		['[10.0.0.*]:2222', ['[10.0.0.9]:2222'], true],
		['10.0.0.1', ['10.0.0.1', 'lb1'], true],
		['a+b', ['aab'], false], // regex metacharacters are literal
		['(lb1)', ['(lb1)'], true],
	] as const)('%s vs %j → %s', (field, names, expected) => {
		expect(hostFieldMatches(field, names)).toBe(expected);
	});

	it('matches hashed entries written by ssh-keygen -H, for that exact name only', () => {
		const file = path.join(dir, 'kh-hash');
		writeFileSync(file, `[127.0.0.1]:2222 ${FIXED_LINE}\nlb1.example.com ${FIXED_LINE}\n`);
		execFileSync('ssh-keygen', ['-H', '-f', file], {stdio: 'ignore'});
		const entries = parseKnownHosts(readFileSync(file, 'utf8'));
		expect(entries).toHaveLength(2);
		for (const e of entries) expect(e.hosts).toMatch(/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+$/);
		expect(hostFieldMatches(entries[0]!.hosts, ['[127.0.0.1]:2222'])).toBe(true);
		expect(hostFieldMatches(entries[0]!.hosts, ['127.0.0.1'])).toBe(false);
		expect(hostFieldMatches(entries[0]!.hosts, ['[127.0.0.1]:2223'])).toBe(false);
		expect(hostFieldMatches(entries[1]!.hosts, ['lb1', 'lb1.example.com'])).toBe(true);
		expect(hostFieldMatches(entries[1]!.hosts, ['lb1'])).toBe(false);
	});

	it('matches hashed entries from the test helper and rejects malformed hashes', () => {
		expect(hostFieldMatches(hashedHostField('lb1'), ['lb1'])).toBe(true);
		expect(hostFieldMatches(hashedHostField('lb1'), ['lb2'])).toBe(false);
		expect(hostFieldMatches('|2|abc|def', ['lb1'])).toBe(false);
		expect(hostFieldMatches('|1|', ['lb1'])).toBe(false);
	});
});

describe('fingerprints', () => {
	it('formats SHA256 fingerprints exactly as ssh-keygen -l prints them', () => {
		expect(fingerprintSha256(FIXED_BLOB)).toBe(FIXED_FP);
		expect(sshKeygenFingerprint(FIXED_LINE)).toBe(FIXED_FP);
		for (let i = 0; i < 3; i++) {
			const key = generateKey();
			expect(fingerprintSha256(key.blob)).toBe(sshKeygenFingerprint(key.publicLine));
		}
	});

	it('reads the key type from the blob', () => {
		expect(keyTypeOf(FIXED_BLOB)).toBe('ssh-ed25519');
		expect(keyTypeOf(Buffer.alloc(2))).toBe('unknown');
	});
});

describe('verifyHostKey', () => {
	const names = ['[10.0.0.1]:2222', '[lb1]:2222'];
	const entries = (...lines: string[]) => parseKnownHosts(lines.join('\n'), 'kh');

	it('is ok when a known_hosts entry for the host has the key', () => {
		expect(verifyHostKey(FIXED_BLOB, names, entries(`[lb1]:2222 ${FIXED_LINE}`), [])).toEqual({ok: true, via: 'known_hosts', fingerprint: FIXED_FP});
		expect(verifyHostKey(FIXED_BLOB, names, entries(`[10.0.0.*]:2222 ${FIXED_LINE}`), [])).toMatchObject({ok: true});
	});

	it('is ok when the fingerprint is pinned (with or without base64 padding)', () => {
		expect(verifyHostKey(FIXED_BLOB, names, [], [FIXED_FP])).toEqual({ok: true, via: 'fingerprint', fingerprint: FIXED_FP});
		expect(verifyHostKey(FIXED_BLOB, names, [], [`${FIXED_FP}=`])).toMatchObject({ok: true, via: 'fingerprint'});
	});

	it('is unknown when no entry names the host and nothing is pinned', () => {
		const v = verifyHostKey(FIXED_BLOB, names, entries(`lb2 ${FIXED_LINE}`, `[10.0.0.1]:22 ${FIXED_LINE}`), []);
		expect(v).toMatchObject({ok: false, reason: 'unknown', fingerprint: FIXED_FP});
	});

	it('refuses a key of a type known_hosts has no record of, naming both types, even when it is pinned', () => {
		const kh = entries('# c', `[lb1]:2222 ecdsa-sha2-nistp256 AAAAE2VjZHNh`, `[lb1]:2222 ssh-rsa AAAAB3NzaC1yc2E=`);
		for (const pinned of [[], [FIXED_FP]]) {
			const v = verifyHostKey(FIXED_BLOB, names, kh, pinned);
			expect(v).toMatchObject({ok: false, reason: 'type-differs', fingerprint: FIXED_FP});
			if (!v.ok) expect(v.detail).toBe('host key type ssh-ed25519 differs from the known ecdsa-sha2-nistp256, ssh-rsa key(s) (kh:2)');
		}
	});

	it('lists the key types recorded for a host, each once', () => {
		const kh = entries(`[lb1]:2222 ecdsa-sha2-nistp256 AAAA`, `lb2 ssh-rsa BBBB`, `[lb1]:2222,[10.0.0.1]:2222 ecdsa-sha2-nistp256 CCCC`, `@revoked [lb1]:2222 ssh-rsa DDDD`);
		expect(knownKeyTypes(names, kh)).toEqual(['ecdsa-sha2-nistp256']);
		expect(knownKeyTypes(['lb3'], kh)).toEqual([]);
	});

	it('refuses a changed key even when its fingerprint is pinned (known_hosts wins)', () => {
		const v = verifyHostKey(FIXED_BLOB, names, entries(`[lb1]:2222 ssh-ed25519 ${OTHER_B64}`), [FIXED_FP]);
		expect(v).toMatchObject({ok: false, reason: 'changed', fingerprint: FIXED_FP});
	});

	it('accepts the key known_hosts records even when the pins name another key', () => {
		expect(verifyHostKey(FIXED_BLOB, names, entries(`[lb1]:2222 ${FIXED_LINE}`), [fingerprintSha256(OTHER_BLOB)])).toMatchObject({ok: true, via: 'known_hosts'});
	});

	it('is changed when the host has a different key of the same type, and says where', () => {
		const v = verifyHostKey(FIXED_BLOB, names, entries('# c', `[lb1]:2222 ssh-ed25519 ${OTHER_B64}`), []);
		expect(v).toMatchObject({ok: false, reason: 'changed', fingerprint: FIXED_FP});
		if (!v.ok) expect(v.detail).toContain('kh:2');
	});

	it('is changed when pins exist and none matches', () => {
		expect(verifyHostKey(FIXED_BLOB, names, [], [fingerprintSha256(OTHER_BLOB)])).toMatchObject({ok: false, reason: 'changed'});
	});

	it('is revoked when the key is marked @revoked, even if it is also listed and pinned', () => {
		const v = verifyHostKey(FIXED_BLOB, names, entries(`[lb1]:2222 ${FIXED_LINE}`, `@revoked * ${FIXED_LINE}`), [FIXED_FP]);
		expect(v).toMatchObject({ok: false, reason: 'revoked', fingerprint: FIXED_FP});
		if (!v.ok) expect(v.detail).toContain('kh:2');
	});

	it('does not take a negated or @cert-authority entry as a match', () => {
		expect(verifyHostKey(FIXED_BLOB, names, entries(`[*]:2222 ${FIXED_LINE}`), [])).toMatchObject({ok: true});
		expect(verifyHostKey(FIXED_BLOB, names, entries(`![lb1]:2222,[*]:2222 ${FIXED_LINE}`), [])).toMatchObject({ok: false});
		expect(verifyHostKey(FIXED_BLOB, names, entries(`@cert-authority * ${FIXED_LINE}`), [])).toMatchObject({ok: false, reason: 'unknown'});
	});
});

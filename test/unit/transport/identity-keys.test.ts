// Identity files parsed once for every connection of a pool, read again when they change, and given
// as read when ssh2 cannot use them (so ssh2 says why).
import {mkdtempSync, rmSync, utimesSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {IdentityKeys} from '../../../src/transport/identity-keys.js';
import {generateKey} from './ssh-test-server.js';

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-identity-'))));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

const file = (name: string, text: string) => {
	const f = path.join(dir, name);
	writeFileSync(f, text, {mode: 0o600});
	return f;
};

describe('IdentityKeys', () => {
	it('parses a key file once and gives every connection the same key', () => {
		const key = generateKey();
		const f = file('id_a', key.privateKey);
		const keys = new IdentityKeys();
		const first = keys.first([f]);
		expect(first?.parsed?.getPublicSSH().equals(key.blob)).toBe(true);
		expect(keys.first([f])).toBe(first);
	});

	it('reads the file again once it changes (a rotated key)', () => {
		const f = file('id_b', generateKey().privateKey);
		const keys = new IdentityKeys();
		const before = keys.first([f]);
		const next = generateKey();
		writeFileSync(f, next.privateKey);
		// a rewrite within the same clock tick and of the same size still shows in the modification time
		utimesSync(f, new Date(), new Date(Date.now() + 5000));
		const after = keys.first([f]);
		expect(after).not.toBe(before);
		expect(after?.parsed?.getPublicSSH().equals(next.blob)).toBe(true);
	});

	it('takes the first file that can be read, and none when none can', () => {
		const key = generateKey();
		const keys = new IdentityKeys();
		const f = file('id_c', key.privateKey);
		expect(keys.first([path.join(dir, 'missing'), f])?.parsed?.getPublicSSH().equals(key.blob)).toBe(true);
		expect(keys.first([path.join(dir, 'missing')])).toBeUndefined();
		expect(keys.first([])).toBeUndefined();
	});

	it('gives a key ssh2 cannot use as read: encrypted, public only, or not a key', () => {
		const encrypted = ssh2.utils.generateKeyPairSync('ed25519', {passphrase: 'secret', cipher: 'aes256-cbc', rounds: 1}).private;
		const texts = {encrypted, public: generateKey().publicLine, garbage: 'not a key\n'};
		const keys = new IdentityKeys();
		for (const [name, text] of Object.entries(texts)) {
			const identity = keys.first([file(`id_${name}`, text)]);
			expect(identity?.parsed, name).toBeUndefined();
			expect(identity?.raw?.toString(), name).toBe(text);
		}
	});
});

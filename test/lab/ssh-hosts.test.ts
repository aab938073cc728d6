// Each lab host answers over SSH as itself, with its host key checked against the lab's known_hosts;
// a key that does not match is refused, and an unknown key is refused with its fingerprint.
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SshPool} from '../../src/transport/ssh-pool.js';
import {TransportError} from '../../src/transport/types.js';
import {fingerprintSha256} from '../../src/transport/known-hosts.js';
import type {Host} from '../../src/profile/model.js';
import {labProfile} from '../helpers/lab.js';

const {profile} = labProfile();
const pool = new SshPool(profile.hosts);
afterAll(() => pool.close());

describe('lab hosts over SSH', () => {
	it.each(profile.hosts.map((h) => [h.name, h.address] as const))('%s (%s) answers as itself', async (name) => {
		const r = await pool.exec(name, ['hostname']);
		expect(r.code).toBe(0);
		expect(r.stdout.trim()).toBe(name);
		expect(pool.status(name).state).toBe('ready');
	});

	it('checks host keys against the lab known_hosts (strict, not trust-on-first-use)', () => {
		const dir1 = profile.hosts.find((h) => h.name === 'dir1')!;
		expect(dir1.ssh.knownHostsFiles).toEqual([path.resolve(path.dirname(profile.file), '../.lab/known_hosts')]);
		const known = readFileSync(dir1.ssh.knownHostsFiles[0]!, 'utf8');
		for (const h of profile.hosts) expect(known).toContain(`${h.address} ssh-ed25519 `);
	});

	it('refuses a host key that no longer matches, always', async () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-kh-'));
		const dir1 = profile.hosts.find((h) => h.name === 'dir1')!;
		const rs1 = profile.hosts.find((h) => h.name === 'rs1')!;
		// Record rs1's real key under dir1's address: dir1 then presents a key that differs.
		const rs1Line = readFileSync(dir1.ssh.knownHostsFiles[0]!, 'utf8').split('\n').find((l) => l.startsWith(`${rs1.address} `))!;
		const forged = path.join(dir, 'known_hosts');
		writeFileSync(forged, `${rs1Line.replace(rs1.address, dir1.address)}\n`);
		const host: Host = {...dir1, ssh: {...dir1.ssh, knownHostsFiles: [forged]}};
		const changed = new SshPool([host], {trust: {}});
		try {
			const error = await changed.exec('dir1', ['true']).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(TransportError);
			expect((error as TransportError).kind).toBe('hostkey');
			expect((error as TransportError).message).toMatch(/host key REFUSED: the server presented SHA256:\S+ and it differs/);
			expect(changed.status('dir1').state).toBe('hostkey-refused');
		} finally {
			await changed.close();
		}
	});

	it('refuses a changed key even when its real fingerprint is pinned and trusted on the command line', async () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-kh-'));
		const dir1 = profile.hosts.find((h) => h.name === 'dir1')!;
		const rs1 = profile.hosts.find((h) => h.name === 'rs1')!;
		const lines = readFileSync(dir1.ssh.knownHostsFiles[0]!, 'utf8').split('\n');
		const realB64 = lines.find((l) => l.startsWith(`${dir1.address} `))!.split(/\s+/)[2]!;
		const realFp = fingerprintSha256(Buffer.from(realB64, 'base64'));
		const forged = path.join(dir, 'known_hosts');
		writeFileSync(forged, `${lines.find((l) => l.startsWith(`${rs1.address} `))!.replace(rs1.address, dir1.address)}\n`);
		const host: Host = {...dir1, ssh: {...dir1.ssh, knownHostsFiles: [forged], fingerprints: [realFp]}};
		const pool = new SshPool([host], {trust: {dir1: [realFp]}});
		try {
			const error = (await pool.exec('dir1', ['true']).catch((e: unknown) => e)) as TransportError;
			expect(error).toBeInstanceOf(TransportError);
			expect(error.kind).toBe('hostkey');
			expect(error.message).toContain(`host key REFUSED: the server presented ${realFp} and it differs from the ssh-ed25519 key recorded in ${forged}:1`);
		} finally {
			await pool.close();
		}
	});

	it('refuses a key of another type than known_hosts records, and says so', async () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-kh-'));
		const dir1 = profile.hosts.find((h) => h.name === 'dir1')!;
		execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-f', path.join(dir, 'ecdsa')]);
		const ecdsaPublic = readFileSync(path.join(dir, 'ecdsa.pub'), 'utf8').split(/\s+/).slice(0, 2).join(' ');
		const recorded = path.join(dir, 'known_hosts');
		writeFileSync(recorded, `${dir1.address} ${ecdsaPublic}\n`);
		const pool = new SshPool([{...dir1, ssh: {...dir1.ssh, knownHostsFiles: [recorded]}}]);
		try {
			const error = (await pool.exec('dir1', ['true']).catch((e: unknown) => e)) as TransportError;
			expect(error).toBeInstanceOf(TransportError);
			expect(error.kind).toBe('hostkey');
			expect(error.message).toContain(`host key type ssh-ed25519 differs from the known ecdsa-sha2-nistp256 key(s) (${recorded}:1)`);
		} finally {
			await pool.close();
		}
	});

	it('refuses an unknown host key and names its fingerprint and the option that trusts it', async () => {
		const dir1 = profile.hosts.find((h) => h.name === 'dir1')!;
		const host: Host = {...dir1, ssh: {...dir1.ssh, knownHostsFiles: ['/nonexistent/known_hosts']}};
		const unknown = new SshPool([host]);
		try {
			const error = (await unknown.exec('dir1', ['true']).catch((e: unknown) => e)) as TransportError;
			expect(error.kind).toBe('hostkey');
			const fp = /(SHA256:[A-Za-z0-9+/]{43})/.exec(error.message)?.[1];
			expect(fp).toBeDefined();
			expect(error.message).toContain(`--trust-host-key dir1=${fp}`);
			// The explicit option works: trusting exactly that fingerprint connects.
			const trusted = new SshPool([host], {trust: {dir1: [fp!]}});
			const r = await trusted.exec('dir1', ['hostname']);
			await trusted.close();
			expect(r.stdout.trim()).toBe('dir1');
		} finally {
			await unknown.close();
		}
	});
});

// Reading a director's keepalived.conf and everything it includes, as import does over SSH: the
// commands pass the read-only guard, and the files read are exactly the files keepalived would read.
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {compareKeepalivedConf, parseKeepalivedConfFile} from '../../../src/keepalived-conf/index.js';
import {readRemoteKeepalivedConfig} from '../../../src/probes/keepalived-files.js';
import {localFiles} from '../../../src/actions/import/import.js';
import {ReadOnlyTransport} from '../../../src/transport/read-only.js';
import type {ExecResult, Transport} from '../../../src/transport/types.js';

/** Runs each command on this machine, as a host would, and records it. */
class LocalHost implements Transport {
	readonly commands: string[][] = [];
	async exec(_host: string, argv: readonly string[]): Promise<ExecResult> {
		this.commands.push([...argv]);
		const r = spawnSync(argv[0]!, argv.slice(1), {encoding: 'utf8'});
		return {code: r.status, stdout: r.stdout, stderr: r.stderr, timedOut: false, durationMs: 0};
	}
	status(host: string) {
		return {host, state: 'ready' as const, since: 0};
	}
	onStatus() {
		return () => {};
	}
	async close() {}
}

const root = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-remote-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));

function write(rel: string, text: string): void {
	mkdirSync(path.dirname(path.join(root, rel)), {recursive: true});
	writeFileSync(path.join(root, rel), text);
}

write('etc/keepalived/keepalived.conf', ['global_defs {', '  router_id dir1', '  include defs/*.inc', '}', 'include conf.d/*.conf', 'include {a,b}.extra', 'include nothing/*.conf', ''].join('\n'));
write('etc/keepalived/defs/mail.inc', 'smtp_server 127.0.0.1');
write('etc/keepalived/conf.d/10-vi.conf', 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 5\n  # 中文注释\n  virtual_ipaddress {\n    10.0.0.100\n  }\n  include ../track.part\n}\n');
write('etc/keepalived/conf.d/.hidden.conf', 'garbage {\n');
write('etc/keepalived/track.part', '  notify_master "/bin/true master"\n');
write('etc/keepalived/b.extra', 'static_routes {\n  10.1.0.0/16 via 10.0.0.1\n}\n');
write('etc/keepalived/empty.extra', '');
const main = path.join(root, 'etc/keepalived/keepalived.conf');

describe('reading keepalived.conf and its includes from a host', () => {
	it('reads what keepalived reads, through the read-only guard, and the parse is the local one', async () => {
		const host = new LocalHost();
		const remote = await readRemoteKeepalivedConfig(new ReadOnlyTransport(host), 'dir1', main);
		// the main file too comes through the read-only config script (cat is not in read-only mode's list),
		// the same one the drift check uses; it also gives the host name
		expect(host.commands[0]?.at(-1)).toBe(main);
		expect(host.commands.every((c) => c[0] === 'sh' && c[1] === '-c' && c[3] === 'lvsdeck-conf')).toBe(true);
		const local = parseKeepalivedConfFile(main, {files: localFiles, configId: 'dir1'});
		const read = parseKeepalivedConfFile(main, {files: remote.reader, configId: 'dir1'});
		if (!local.ok || !read.ok) throw new Error('does not parse');
		expect(read.files).toEqual(local.files);
		expect(read.files.length).toBe(5);
		expect(compareKeepalivedConf(local.config, read.config)).toEqual([]);
		for (const f of read.files) expect(remote.files[f]).toBe(readFileSync(f, 'utf8'));
		expect(read.config.virtualServers).toEqual([]);
		expect(read.config.vrrpInstances[0]?.notifyMaster?.command).toBe('/bin/true master');
	});

	it('a main file that cannot be read is one error naming the host and path', async () => {
		await expect(readRemoteKeepalivedConfig(new ReadOnlyTransport(new LocalHost()), 'dir1', path.join(root, 'missing.conf'))).rejects.toThrow(/^dir1: cannot read .*missing\.conf: /);
	});
});

// A director for unit tests: deploy's real remote scripts run with the local `sh` in a temporary
// folder (the profile's config_path and backup_dir point there); keepalived's status/reload/start are
// simulated; and a connection can be cut before or after any command runs, after which the host is
// unreachable for a number of commands (or for good).
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {loadProfile} from '../../../../src/profile/load.js';
import type {Profile} from '../../../../src/profile/model.js';
import {TransportError, type ExecOptions, type ExecResult, type HostStatus, type Transport} from '../../../../src/transport/types.js';
import {CLEANUP_SCRIPT} from '../../../../src/actions/deploy/remote-scripts.js';
import {VALIDATE_SCRIPT, VALIDATE_TMP_DIR} from '../../../../src/actions/validate-config.js';

export const SECRET = 'Zq7xSecr';
export const OLD_SECRET = 'Ol9dPass';

export interface Cut {
	/** Which command to cut (the first matching one not cut yet). */
	readonly match: (argv: readonly string[]) => boolean;
	/** before: the command never runs; after: it runs, but its result never arrives. */
	readonly when: 'before' | 'after';
	/** How many commands after the cut fail to connect (Infinity: the host never comes back). */
	readonly outage: number;
}

export class LocalDirector implements Transport {
	readonly root = mkdtempSync(path.join(os.tmpdir(), 'lvsdeck-unit-deploy-'));
	readonly tmp = path.join(this.root, 'tmp');
	readonly log: string[] = [];
	keepalivedActive = true;
	reloads = 0;
	failReload = false;
	private down = 0;
	private readonly cuts: Cut[] = [];

	constructor() {
		mkdirSync(this.tmp);
	}

	/** A profile like the fixture's with its keepalived files in this director's folder. */
	profile(pass = SECRET): Profile {
		const base = path.resolve(import.meta.dirname, '../../../fixtures/profiles/base.yaml');
		const yaml = spawnSync('cat', [base], {encoding: 'utf8'}).stdout.replace('pass: secret', `pass: ${pass}`);
		const file = path.join(this.root, `profile-${pass}.yaml`);
		writeFileSync(file, `${yaml}keepalived:\n  config_path: ${this.root}/etc/keepalived.conf\n  backup_dir: ${this.root}/backup\n`);
		return loadProfile(file);
	}

	cut(cut: Cut): void {
		this.cuts.push(cut);
	}

	async exec(host: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
		if (this.down > 0) {
			this.down--;
			throw new TransportError('unreachable', host, `${host}: connect ECONNREFUSED (retrying in 0.5s)`);
		}
		const i = this.cuts.findIndex((c) => c.match(argv));
		const cut = i >= 0 ? this.cuts.splice(i, 1)[0] : undefined;
		const lost: ExecResult = {code: null, stdout: '', stderr: '', timedOut: false, durationMs: 1};
		if (cut?.when === 'before') {
			this.down = cut.outage;
			return lost;
		}
		const result = this.run(argv, options);
		this.log.push(`${argv[0] === 'sh' ? argv[3] : argv.join(' ')} -> ${result.code}`);
		if (cut?.when === 'after') {
			this.down = cut.outage;
			return lost;
		}
		return result;
	}

	private run(argv: readonly string[], options: ExecOptions): ExecResult {
		const done = (code: number, stdout = '', stderr = ''): ExecResult => ({code, stdout, stderr, timedOut: false, durationMs: 1});
		if (argv[0] === 'sh' && argv[1] === '-c') {
			if (argv[2] === VALIDATE_SCRIPT) return done(0);
			const args = argv[2] === CLEANUP_SCRIPT ? argv.slice(1).map((a) => (a === VALIDATE_TMP_DIR ? this.tmp : a)) : argv.slice(1);
			const r = spawnSync('sh', args, {input: options.stdin ?? '', encoding: 'utf8'});
			return done(r.status ?? 1, r.stdout, r.stderr);
		}
		const command = argv.join(' ');
		if (command.endsWith('is-active keepalived')) return done(this.keepalivedActive ? 0 : 3);
		if (command.endsWith('reload keepalived') || command.endsWith('start keepalived')) {
			if (this.failReload) return done(1, '', 'Job for keepalived.service failed');
			this.reloads++;
			this.keepalivedActive = true;
			return done(0);
		}
		if (command === 'ip -j addr show') return done(0, '[]');
		return done(127, '', `unexpected command ${command}`);
	}

	status(host: string): HostStatus {
		return {host, state: 'ready', since: 0};
	}

	onStatus(): () => void {
		return () => {};
	}

	async close(): Promise<void> {}
}

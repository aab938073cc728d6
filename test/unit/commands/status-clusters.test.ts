// status over several clusters: the argument checks that come before any host is read.
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {describe, expect, it} from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli.ts'), 'status', ...args], {cwd: root, encoding: 'utf8', timeout: 60_000});

describe('status with several profiles', () => {
	it('no profile at all, or --watch with several: one line naming the options, exit 2', () => {
		const none = run();
		expect([none.status, none.stderr.trim().split('\n')]).toEqual([2, ['lvsdeck: --profile or --profiles: at least one profile is needed']]);
		const lab = path.join(root, 'profiles', 'lab.yaml');
		const watch = run('--profile', lab, '--profile', path.join(root, 'profiles', 'lab-nat.yaml'), '--watch');
		expect([watch.status, watch.stderr.trim().split('\n')]).toEqual([2, ['lvsdeck: status --watch follows one cluster; for several use the exporter or one status per cluster']]);
		const empty = run('--profiles', path.join(root, 'test', 'golden'));
		expect([empty.status, empty.stderr.trim()]).toEqual([2, `lvsdeck: --profiles ${path.join(root, 'test', 'golden')}: no profile (*.yaml, *.yml) in this folder`]);
	});
});

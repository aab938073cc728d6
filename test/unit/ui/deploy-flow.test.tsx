// The console's deploy flow when the plan removes keywords: after `y` it asks again with its own key
// (`r`), lists what goes at the top, and `y` or `n` there changes nothing. dir1 is a local director
// running the real scripts; dir2 and rs1 are answered here so nothing touches this machine.
import {readFileSync, mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {ClusterStore} from '../../../src/cluster/store.js';
import {ConsoleApp} from '../../../src/ui/console/App.js';
import {ActionLog} from '../../../src/ui/action-log.js';
import {RateHistory} from '../../../src/ui/history.js';
import {FlowStore} from '../../../src/ui/console/flow.js';
import {READ_FILE_SCRIPT, REALSERVER_SETUP_SCRIPT} from '../../../src/actions/deploy/remote-scripts.js';
import {sha256Hex} from '../../../src/probes/config-hash.js';
import {renderKeepalivedConf} from '../../../src/render/keepalived-conf.js';
import type {Profile} from '../../../src/profile/model.js';
import {TransportError} from '../../../src/transport/types.js';
import {FakeTransport, ok} from '../../helpers/fake-transport.js';
import {LocalDirector} from '../actions/deploy/local-director.js';
import {frameUntil, press} from './ink-helpers.js';
import {deploySession} from '../../../src/actions/deploy/session.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

/** dir1 is the local director; dir2 already holds its rendered config; rs1 reads and sets up nothing. */
class OneLocalDirector extends FakeTransport {
	dir1Down = false;
	constructor(d: LocalDirector, profile: Profile) {
		super((host, argv, options) => {
			if (host === 'dir1') {
				if (this.dir1Down) throw new TransportError('unreachable', host, 'dir1: connect ECONNREFUSED');
				return d.exec(host, argv, options);
			}
			if (host === 'dir2' && argv[2] === READ_FILE_SCRIPT) {
				const text = renderKeepalivedConf(profile, 'dir2');
				return ok(`sha256=${sha256Hex(text)}\n${text}`);
			}
			if (argv[2] === READ_FILE_SCRIPT) return ok('@@lvsdeck missing\n');
			if (argv[2] === REALSERVER_SETUP_SCRIPT) return ok('changed: none\n');
			return ok('');
		});
	}
}

function setup() {
	const d = new LocalDirector();
	const profile = d.profile();
	const conf = profile.keepalived.configPath;
	mkdirSync(path.dirname(conf), {recursive: true});
	writeFileSync(conf, renderKeepalivedConf(profile, 'dir1').replace('  advert_int 1\n', '  advert_int 1\n  notify_master "/usr/local/bin/became-master"\n'));
	const before = readFileSync(conf, 'utf8');
	const transport = new OneLocalDirector(d, profile);
	const flow = new FlowStore();
	const r = render(<ConsoleApp profile={profile} store={new ClusterStore(profile)} history={new RateHistory()} log={new ActionLog()} size={{columns: 110, rows: 40}} flow={flow} actions={{run: () => undefined}} />);
	cleanup = r.unmount;
	const done = flow.deploy(deploySession(profile, transport), new ActionLog());
	return {conf, before, transport, flow, r, done};
}

describe('the console deploy flow with removals', () => {
	it('asks a second time with its own key; y there does not confirm, n cancels and nothing changes', async () => {
		const s = setup();
		await frameUntil(s.r.lastFrame, (f) => f.includes('apply these changes?'), 'the first question', 10_000);
		expect(s.flow.get()!.lines.join('\n')).toContain('would remove: vrrp_instance VI_1 notify_master');
		await press(s.r.stdin, s.r.lastFrame, 'y', (f) => f.includes('r remove them and apply'), 'the second question');
		expect(s.flow.get()!.lines.slice(0, 2)).toEqual(['this deploy REMOVES keywords only the installed config has:', '  dir1: vrrp_instance VI_1 notify_master']);
		// y is not the key of the second question: the n after it still cancels.
		await press(s.r.stdin, s.r.lastFrame, 'y', (f) => f.includes('r remove them and apply'), 'still the second question');
		await press(s.r.stdin, s.r.lastFrame, 'n', (f) => f.includes('Esc closes'), 'the cancel');
		await s.done;
		expect(s.flow.get()!.lines).toContain('cancelled: nothing was changed');
		expect(readFileSync(s.conf, 'utf8')).toBe(s.before);
	});

	it('r allows the removals: the deploy runs (here it stops at dir1, which is unreachable by then)', async () => {
		const s = setup();
		await frameUntil(s.r.lastFrame, (f) => f.includes('apply these changes?'), 'the first question', 10_000);
		await press(s.r.stdin, s.r.lastFrame, 'y', (f) => f.includes('r remove them and apply'), 'the second question');
		s.transport.dir1Down = true;
		await press(s.r.stdin, s.r.lastFrame, 'r', (f) => f.includes('deploy FAILED'), 'the deploy result');
		await s.done;
		const lines = s.flow.get()!.lines.join('\n');
		expect(lines).toContain('dir1: validate fail: validation could not run');
		expect(lines).not.toContain('removals fail');
		expect(readFileSync(s.conf, 'utf8')).toBe(s.before);
	});
});

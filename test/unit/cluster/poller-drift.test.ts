// The poller's drift check through a read-only transport over fake directors: the finding reaches the
// store with what differs, the installed config is read only when its hash changes, and a hand-made
// layout change is no drift.
import {describe, expect, it} from 'vitest';
import {ClusterPoller} from '../../../src/cluster/poller.js';
import {ClusterStore} from '../../../src/cluster/store.js';
import {DIRECTOR_SNAPSHOT_SCRIPT} from '../../../src/probes/director-snapshot.js';
import {CONFIG_READ_SCRIPT} from '../../../src/probes/installed-config.js';
import {sha256Hex} from '../../../src/probes/config-hash.js';
import {renderKeepalivedConf} from '../../../src/render/keepalived-conf.js';
import {readOnlyTransportFor} from '../../../src/transport/read-only-profile.js';
import type {ExecResult} from '../../../src/transport/types.js';
import {relayout} from '../../helpers/relayout.js';
import {FakeTransport, ok} from '../../helpers/fake-transport.js';
import {labProfile} from './fixture-state.js';

const CONF = labProfile.keepalived.configPath;

/** Directors answer the snapshot (config hash, keepalived running) and the config read; other hosts `true`. */
class FakeDirectors extends FakeTransport {
	readonly files = new Map<string, string>(['dir1', 'dir2'].map((d) => [d, renderKeepalivedConf(labProfile, d)]));
	readonly configReads: string[] = [];

	constructor() {
		super((host, argv) => this.answerDirector(host, argv));
	}

	private answerDirector(host: string, argv: readonly string[]): ExecResult {
		const text = this.files.get(host);
		if (argv[2] === DIRECTOR_SNAPSHOT_SCRIPT) {
			const config = argv[4] === '' ? 'skipped' : text === undefined ? 'missing' : sha256Hex(text);
			return ok(`\n@@lvsdeck config\n${config}\n\n@@lvsdeck vrrp-exit\n0\n\n@@lvsdeck end\n`);
		}
		if (argv[2] === CONFIG_READ_SCRIPT) {
			this.configReads.push(host);
			const file = argv.slice(4).includes(CONF) && text !== undefined ? `\n@@lvsdeck-conf file ${CONF}\n${text}` : '';
			return ok(`\n@@lvsdeck-conf host ${host}\n${file}\n@@lvsdeck-conf end\n`);
		}
		return ok('');
	}
}

function setup() {
	const fake = new FakeDirectors();
	const store = new ClusterStore(labProfile);
	const poller = new ClusterPoller(labProfile, readOnlyTransportFor(labProfile, fake), store, {events: false, portCheck: false});
	const dir1 = labProfile.hosts.find((h) => h.name === 'dir1')!;
	/** Polls dir1 until the poll that hashes its config again (every tenth). */
	const pollUntilHashed = async () => {
		for (let i = 0; i < 10; i++) await poller.pollHost(dir1);
	};
	const drift = () => store.getState().findings.filter((f) => f.kind.startsWith('config-'));
	return {fake, store, poller, dir1, pollUntilHashed, drift};
}

describe('the poller compares installed configs in keepalived terms', () => {
	it('the rendered config: no read, no finding', async () => {
		const s = setup();
		await s.poller.pollOnce();
		expect(s.drift()).toEqual([]);
		expect(s.fake.configReads).toEqual([]);
	});

	it('a changed priority is named; the config is read once per hash; putting it back clears the finding', async () => {
		const s = setup();
		s.fake.files.set('dir1', s.fake.files.get('dir1')!.replace('priority 100', 'priority 90'));
		await s.poller.pollOnce();
		expect(s.drift()).toEqual([{kind: 'config-drift', severity: 'warning', subject: 'dir1', message: 'config-drift dir1: vrrp_instance VI_1 priority: installed 90, profile 100'}]);
		expect(s.store.getState().hosts.find((h) => h.name === 'dir1')!.director!.drift).toMatchObject({kind: 'compared', hasIncludes: false});
		await s.pollUntilHashed();
		await s.pollUntilHashed();
		expect(s.fake.configReads).toEqual(['dir1']);
		s.fake.files.set('dir1', renderKeepalivedConf(labProfile, 'dir1'));
		await s.pollUntilHashed();
		expect(s.drift()).toEqual([]);
		expect(s.fake.configReads).toEqual(['dir1']);
	});

	it('re-indented and reordered by hand: read once, no drift', async () => {
		const s = setup();
		s.fake.files.set('dir2', relayout(s.fake.files.get('dir2')!));
		await s.poller.pollOnce();
		expect(s.drift()).toEqual([]);
		expect(s.fake.configReads).toEqual(['dir2']);
	});

	it('a config that does not parse is a config-invalid finding with its place', async () => {
		const s = setup();
		s.fake.files.set('dir1', `${s.fake.files.get('dir1')!}}\n`);
		await s.poller.pollOnce();
		expect(s.drift()).toEqual([expect.objectContaining({kind: 'config-invalid', subject: 'dir1', message: expect.stringMatching(new RegExp(`^dir1: the installed config does not parse: ${CONF}:\\d+:1: `))})]);
	});
});

// A real server's poll is one session: the check script and then the profile's service status command,
// which the read-only guard judges as a command of its own. Through sudo (sudoers names each command
// line) the two stay separate.
import {describe, expect, it} from 'vitest';
import {ClusterPoller} from '../../../src/cluster/poller.js';
import {ClusterStore} from '../../../src/cluster/store.js';
import {realServerPollCommand, splitRealServerPoll} from '../../../src/probes/realserver.js';
import {ReadOnlyTransport, readOnlyVerdict} from '../../../src/transport/read-only.js';
import type {Profile} from '../../../src/profile/model.js';
import {labProfile} from './fixture-state.js';
import {FakeTransport, ok} from '../../helpers/fake-transport.js';

const rs1 = labProfile.hosts.find((h) => h.name === 'rs1')!;

describe('the real-server poll command', () => {
	it('is allowed with a read-only service status, and refused with anything else', () => {
		expect(readOnlyVerdict(realServerPollCommand(['systemctl', 'is-active', 'httpd']))).toEqual({allowed: true});
		const refused = readOnlyVerdict(realServerPollCommand(['systemctl', 'stop', 'httpd']));
		expect(refused.allowed).toBe(false);
		expect(!refused.allowed && refused.reason).toMatch(/^the command lvsdeck-rs-poll runs: systemctl/);
		expect(readOnlyVerdict(realServerPollCommand(['rm', '-rf', '/'])).allowed).toBe(false);
		expect(readOnlyVerdict(realServerPollCommand([])).allowed).toBe(false);
		expect(readOnlyVerdict(['sudo', '-n', '--', ...realServerPollCommand(['sudo', '-n', '--', 'systemctl', 'is-active', 'httpd'])]).allowed).toBe(false);
	});

	it('its output splits into the check and the status command\'s exit status', () => {
		expect(splitRealServerPoll('a=1\nb=2\n\n@@lvsdeck-service 3\n')).toEqual({check: 'a=1\nb=2\n', serviceCode: 3});
		expect(splitRealServerPoll('a=1\n')).toEqual({check: 'a=1\n', serviceCode: undefined});
		expect(splitRealServerPoll('a=1\n\n@@lvsdeck-service 0\nextra\n').serviceCode).toBeUndefined();
	});
});

async function pollRs1(profile: Profile, serviceCode: number) {
	const fake = new FakeTransport((_host, argv) => {
		if (argv[3] === 'lvsdeck-rs-poll') return ok(`flags.lo=0x9\n\n@@lvsdeck-service ${serviceCode}\n`);
		if (argv[0] === 'systemctl') return {...ok(''), code: serviceCode};
		return ok('flags.lo=0x9\n');
	});
	const store = new ClusterStore(profile);
	// Wrapped by hand (no profile check), so only the transport's guard stands in the way.
	const poller = new ClusterPoller(profile, new ReadOnlyTransport(fake), store, {events: false, portCheck: false});
	await poller.pollHost(profile.hosts.find((h) => h.name === 'rs1')!);
	return {calls: fake.calls.map((c) => c.argv[3] ?? c.argv[0]), rs: store.getState().hosts.find((h) => h.name === 'rs1')!.realServer!};
}

describe('the poller reads a real server', () => {
	it('in one session, the service active or not from the status command\'s exit status', async () => {
		const up = await pollRs1(labProfile, 0);
		expect(up.calls).toEqual(['lvsdeck-rs-poll']);
		expect(up.rs.serviceActive).toBe(true);
		expect((await pollRs1(labProfile, 3)).rs.serviceActive).toBe(false);
	});

	it('a status command read-only mode refuses: the check still read, the service unknown', async () => {
		const hostile: Profile = {...labProfile, hosts: labProfile.hosts.map((h) => (h.name === rs1.name ? {...h, service: {...h.service!, status: ['systemctl', 'stop', 'httpd']}} : h))};
		const r = await pollRs1(hostile, 0);
		expect(r.calls).toEqual(['lvsdeck-rs-check']);
		expect(r.rs.serviceActive).toBeUndefined();
		expect(r.rs.vipsOnLo).toBeDefined();
	});

	it('through sudo: the check and the status command separately', async () => {
		const sudo: Profile = {...labProfile, hosts: labProfile.hosts.map((h) => (h.name === rs1.name ? {...h, ssh: {...h.ssh, sudo: true}} : h))};
		const r = await pollRs1(sudo, 0);
		expect([...r.calls].sort()).toEqual(['lvsdeck-rs-check', 'systemctl']);
		expect(r.rs.serviceActive).toBe(true);
	});
});

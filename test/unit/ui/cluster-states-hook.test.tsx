// useClusterStates (the fleet overview, the fleet wall) renders for what the rows show, not for every
// host poll: a poll that moved only a host's times (most updates of a fleet) renders nothing, a
// change of findings renders at once.
import React from 'react';
import {Text} from 'ink';
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {ClusterStore} from '../../../src/cluster/store.js';
import {useClusterStates} from '../../../src/ui/console/hooks.js';
import {healthyHosts, labProfile} from '../cluster/fixture-state.js';
import {load} from './ink-helpers.js';
import {waitFor} from '../../helpers/wait-for.js';

const NOW = 1_000_000;
const unmounts: Array<() => void> = [];
afterEach(() => unmounts.splice(0).forEach((u) => u()));

function Rows({stores, renders}: {stores: readonly ClusterStore[]; renders: {count: number}}) {
	const states = useClusterStates(stores, 0);
	renders.count++;
	return <Text>{states.map((s) => `${s.profileName}:${s.findings.length}`).join(' ')}</Text>;
}

describe('useClusterStates', () => {
	it('renders nothing for polls that moved only times, and at once for a new finding', async () => {
		let now = NOW;
		const stores = ['a', 'b'].map((name) => new ClusterStore({...labProfile, name}, () => now));
		for (const s of stores) load(s, healthyHosts(NOW));
		const renders = {count: 0};
		const app = render(<Rows stores={stores} renders={renders} />);
		unmounts.push(app.unmount);
		const findings = stores[0]!.getState().findings.length;
		await waitFor(async () => app.lastFrame() ?? '', (f) => f.includes(`a:${findings}`), {timeoutMs: 3000, what: 'the first frame'});
		// Let the mount's own renders settle, then count.
		await new Promise((r) => setTimeout(r, 50));
		const settled = renders.count;
		for (let i = 0; i < 20; i++) {
			now += 1000;
			for (const s of stores) s.updateHost('rs1', (h) => ({...h, lastOkAt: now, lastPollAt: now}));
		}
		await new Promise((r) => setTimeout(r, 50));
		expect(renders.count).toBe(settled);
		stores[1]!.updateHost('rs1', (h) => ({...h, realServer: {...h.realServer!, serviceActive: false}}));
		await waitFor(async () => app.lastFrame() ?? '', (f) => new RegExp(`b:${findings + 1}`).test(f), {timeoutMs: 3000, what: 'the new finding'});
		expect(renders.count).toBeGreaterThan(settled);
	});
});

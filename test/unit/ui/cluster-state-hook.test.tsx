// useClusterState renders at most a few frames a second, but what the operator must see at once does
// not wait: a VIP move, a finding, and (keepalived's events) a transition read from its log or FIFO.
import path from 'node:path';
import React from 'react';
import {Text} from 'ink';
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {ClusterStore} from '../../../src/cluster/store.js';
import {loadProfile} from '../../../src/profile/load.js';
import {useClusterState} from '../../../src/ui/console/hooks.js';
import {waitFor} from '../../helpers/wait-for.js';

const profile = loadProfile(path.resolve(import.meta.dirname, '../../../profiles/lab.yaml'), {env: {HOME: '/nonexistent-home'}});
const unmounts: Array<() => void> = [];
afterEach(() => unmounts.splice(0).forEach((u) => u()));

function Transitions({store}: {store: ClusterStore}) {
	// A throttle far longer than the test waits: only an urgent update can reach the frame in time.
	const state = useClusterState(store, 60_000);
	return <Text>{`transitions=${state.transitions?.length ?? 0} last=${state.transitions?.at(-1)?.to ?? '-'}`}</Text>;
}

describe('useClusterState', () => {
	it('a transition read from keepalived renders at once, inside the throttle window', async () => {
		const store = new ClusterStore(profile);
		const app = render(<Transitions store={store} />);
		unmounts.push(app.unmount);
		const now = Date.now();
		// The first update renders (nothing was shown yet) and opens a 60 s throttle window.
		store.recordTransitions([{director: 'dir1', instance: 'VI_1', to: 'MASTER', at: now - 1000, source: 'log', receivedAt: now}]);
		await waitFor(async () => app.lastFrame() ?? '', (f) => f.includes('transitions=1 last=MASTER'), {timeoutMs: 3000, what: 'the first transition'});
		store.recordTransitions([{director: 'dir2', instance: 'VI_1', from: 'BACKUP', to: 'FAULT', at: now, source: 'log', receivedAt: now}]);
		await waitFor(async () => app.lastFrame() ?? '', (f) => f.includes('transitions=2 last=FAULT'), {timeoutMs: 3000, what: 'the second transition, inside the window'});
	});
});

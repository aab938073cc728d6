import {defineConfig} from 'vitest/config';
import {LabSequencer} from './test/lab/sequencer.js';

// Three projects: pure unit tests (no root, no lab), integration tests against the real lab, and the
// lab's other topologies (each file brings up its own).
// The lab project must run inside the lab's station network namespace (scripts/test.sh puts it
// there); its files run one at a time because they share one cluster.
export default defineConfig({
	test: {
		sequence: {sequencer: LabSequencer},
		projects: [
			{
				test: {
					name: 'unit',
					include: ['test/unit/**/*.test.{ts,tsx}'],
					environment: 'node',
					// In-process SSH servers generate keys and do handshakes: give a loaded machine room.
					testTimeout: 20_000,
				},
			},
			{
				test: {
					name: 'lab',
					include: ['test/lab/**/*.test.{ts,tsx}'],
					environment: 'node',
					globalSetup: ['test/lab/global-setup.ts'],
					fileParallelism: false,
					testTimeout: 120_000,
					hookTimeout: 120_000,
				},
			},
			{
				// Each file brings the lab up from its own profile (NAT, TUN, IPv6) and down again: no
				// globalSetup, run outside the station namespace with the lab down, one file at a time.
				test: {
					name: 'topologies',
					include: ['test/topologies/**/*.test.ts'],
					environment: 'node',
					fileParallelism: false,
					testTimeout: 180_000,
					hookTimeout: 150_000,
				},
			},
		],
	},
});

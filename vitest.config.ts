import {defineConfig} from 'vitest/config';
import {LabSequencer} from './test/lab/sequencer.js';

// Two projects: pure unit tests (no root, no lab) and integration tests against the real lab.
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
		],
	},
});

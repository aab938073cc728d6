// Starts the lab before the lab tests (idempotent) and stops it after, unless LVSDECK_KEEP_LAB=1.
import {isInNetns} from '../../src/transport/netns.js';
import {labDown, labUp} from '../../src/lab/lab.js';
import {labProfile} from '../helpers/lab.js';

export async function setup(): Promise<void> {
	const {profile, plan} = labProfile();
	if (!isInNetns(plan.netns)) {
		throw new Error(`lab tests must run inside the lab's station namespace ${plan.netns}: use "npm test" (scripts/test.sh)`);
	}
	const log = (line: string) => process.stderr.write(`lab: ${line}\n`);
	const result = await labUp(plan, profile, log);
	log(result.alreadyUp ? `lab already up (pid ${result.pid})` : `lab up in ${result.bootMs} ms`);
}

export async function teardown(): Promise<void> {
	if (process.env['LVSDECK_KEEP_LAB'] === '1') return;
	const {plan} = labProfile();
	await labDown(plan, (line) => process.stderr.write(`lab: ${line}\n`));
}

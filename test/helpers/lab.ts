// Shared handles for tests against the real lab (they run inside the lab's station namespace).
import path from 'node:path';
import {loadProfile} from '../../src/profile/load.js';
import type {Profile} from '../../src/profile/model.js';
import {planLab, type LabPlan} from '../../src/lab/plan.js';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const LAB_PROFILE = path.join(ROOT, 'profiles', 'lab.yaml');
export const CLI = path.join(ROOT, 'dist', 'cli.js');

export function labProfile(): {profile: Profile; plan: LabPlan} {
	const profile = loadProfile(LAB_PROFILE);
	return {profile, plan: planLab(profile)};
}

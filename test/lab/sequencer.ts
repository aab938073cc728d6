// Lab test files share one cluster; they run one at a time in name order, and the lifecycle file
// (which takes the lab down) runs last.
import {BaseSequencer, type TestSpecification} from 'vitest/node';

export class LabSequencer extends BaseSequencer {
	override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
		const rank = (f: TestSpecification) => (f.moduleId.includes('/test/lab/') ? 1 : 0);
		return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
	}
}

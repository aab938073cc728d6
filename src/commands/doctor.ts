// `lvsdeck doctor --profile FILE [--json]`: the checklist of the usual LVS + keepalived causes, each
// with its evidence and fix, always through a read-only transport. A sink: the session decides, this
// prints (text or one JSON record per check). Exit 0 all fine, 1 warnings, 2 failures.
import {runDoctor} from '../actions/doctor/session.js';
import {formatDoctor} from '../actions/doctor/format.js';
import {printJson, printOut} from '../text/sink.js';
import {withCluster} from './with-cluster.js';

export interface DoctorCommandOptions {
	readonly profile: string;
	readonly json?: boolean;
	readonly trustHostKey?: readonly string[];
}

export function doctorCommand(options: DoctorCommandOptions): Promise<number> {
	return withCluster({...options, readOnly: true}, () => undefined, async ({profile, transport}) => {
		const report = await runDoctor(profile, transport);
		if (options.json) for (const c of report.checks) printJson({id: c.id, status: c.status, subject: c.subject, evidence: c.evidence, fix: c.fix, ...(c.host ? {host: c.host} : {}), ...(c.view ? {view: c.view} : {})});
		else printOut(formatDoctor(report));
		return report.code;
	});
}

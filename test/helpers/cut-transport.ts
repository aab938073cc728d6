// Real connection cuts for lab tests: a transport over the lab's SSH pool that, for a chosen command on
// a chosen host, has the host itself kill every SSH session (and sshd) for a few seconds, either before
// the command runs (it never does) or right after it finished (its exit status never arrives). Other
// commands go through untouched, and the pool reconnects on its own once sshd is back.
import type {SshPool} from '../../src/transport/ssh-pool.js';
import type {ExecOptions, ExecResult, HostStatus, Transport} from '../../src/transport/types.js';

export interface LabCut {
	readonly host: string;
	readonly match: (argv: readonly string[]) => boolean;
	readonly when: 'before' | 'after';
	/** How long sshd stays down, in seconds. */
	readonly outageSec: number;
}

/**
 * "$1" outage seconds, "$2" before|after, then the command. The outage runs detached (setsid) so it
 * survives the sessions it kills; the `sleep` keeps this session from reporting an exit status first.
 */
const CUT_WRAPPER = [
	'secs=$1; when=$2; shift 2',
	'cut() {',
	'  setsid -f sh -c \'sleep 0.2; kill "$(cat /run/sshd.pid)"; pkill -f "^sshd: root@"; sleep "$1"; /usr/sbin/sshd -f /run/lab/sshd_config -E /run/sshd.log\' lvsdeck-outage "$secs" </dev/null >/dev/null 2>&1',
	'  sleep 30',
	'}',
	'if [ "$when" = before ]; then cut; exit 0; fi',
	'"$@"',
	'cut',
].join('\n');

export class CuttingTransport implements Transport {
	private readonly cuts: LabCut[] = [];
	/** The cuts that were made, in order (a test checks that its cut really happened). */
	readonly made: LabCut[] = [];

	constructor(private readonly pool: SshPool) {}

	cut(cut: LabCut): void {
		this.cuts.push(cut);
	}

	exec(host: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
		const i = this.cuts.findIndex((c) => c.host === host && c.match(argv));
		if (i < 0) return this.pool.exec(host, argv, options);
		const [cut] = this.cuts.splice(i, 1);
		this.made.push(cut!);
		return this.pool.exec(host, ['sh', '-c', CUT_WRAPPER, 'lvsdeck-cut', String(cut!.outageSec), cut!.when, ...argv], {...options, timeoutMs: 60_000});
	}

	status(host: string): HostStatus {
		return this.pool.status(host);
	}

	onStatus(listener: (s: HostStatus) => void): () => void {
		return this.pool.onStatus(listener);
	}

	close(): Promise<void> {
		return this.pool.close();
	}
}

// A client's or bastion's heartbeat (HEARTBEAT_STREAM_SCRIPT): the long-lived read that stands for its
// reachability check while the console runs. Nothing to parse: each line is a stream mark.
import type {Argv} from '../profile/model.js';
import {HEARTBEAT_STREAM_SCRIPT} from '../transport/read-only-scripts.js';
import {streamPeriodSeconds} from './stream-frames.js';

/** The heartbeat every `periodMs` (at least 0.2 s, what the read-only guard allows). */
export function heartbeatStreamCommand(periodMs: number): Argv {
	return ['sh', '-c', HEARTBEAT_STREAM_SCRIPT, 'lvsdeck-heartbeat', streamPeriodSeconds(periodMs)];
}

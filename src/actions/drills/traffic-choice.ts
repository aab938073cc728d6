// A drill's traffic choice (mode, payload) checked before anything runs, for the command line and drill
// plans alike: the values themselves, then against the service the drill will watch (a udp mode for a
// TCP service, a payload with http). The CLI shows the message as it is (it names the option); a plan
// names its own field at its file:line:col.
import type {Profile, VirtualServer} from '../../profile/model.js';
import {TrafficTargetError} from '../traffic.js';
import {checkSendText, WATCH_MODES, WatchModeError} from '../watch-mode.js';
import {DrillRefused, drillServiceWatch} from './common.js';
import {isRealServerSpec, type DrillSpec} from './run.js';
import {failoverTarget, realServerTarget} from './targets.js';

export interface TrafficChoiceProblem {
	/** The field at fault, as a plan names it. */
	readonly field: 'mode' | 'send';
	/** One line naming the command-line option (`--mode udp: ...`). */
	readonly message: string;
}

/** The service the drill watches, or undefined when the drill would be refused anyway (it says why). */
function watchedService(profile: Profile, spec: DrillSpec): VirtualServer | undefined {
	try {
		return isRealServerSpec(spec) ? realServerTarget(profile, spec.rs, spec.service).vs : failoverTarget(profile, spec.instance, spec.service).vs;
	} catch (error) {
		if (error instanceof DrillRefused) return undefined;
		throw error;
	}
}

const fieldOf = (message: string): 'mode' | 'send' => (message.startsWith('--send') ? 'send' : 'mode');

/** What is wrong with the spec's traffic choice, if anything. */
export function trafficChoiceProblem(profile: Profile, spec: DrillSpec): TrafficChoiceProblem | undefined {
	const choice = spec.traffic;
	if (choice?.mode === undefined && choice?.send === undefined) return undefined;
	try {
		if (choice.mode !== undefined && !(WATCH_MODES as readonly string[]).includes(choice.mode)) throw new WatchModeError(`--mode ${choice.mode}: expected one of ${WATCH_MODES.join(', ')}`);
		if (choice.send !== undefined) checkSendText(choice.send);
		const vs = watchedService(profile, spec);
		if (vs) drillServiceWatch(vs, choice);
		return undefined;
	} catch (error) {
		if (error instanceof WatchModeError || error instanceof TrafficTargetError) return {field: fieldOf(error.message), message: error.message};
		throw error;
	}
}

/** The problem's message for a plan's field: without the option's name (`udp: ... is a TCP service`). */
export function withoutOption(message: string): string {
	return message.replace(/^--[a-z-]+(?: |: )/, '').replace(/--mode /g, 'mode ');
}

// Guided flows in the console (deploy now; drills later), kept outside React: a small store with the
// flow's phase, the lines to show and what the operator may answer. Views render it; keys call it.
import type {Profile} from '../../profile/model.js';
import type {Transport} from '../../transport/types.js';
import {planDeploy, type DeployPlan} from '../../actions/deploy/plan.js';
import {executeDeploy, type ClusterWatch} from '../../actions/deploy/execute.js';
import {formatPlan} from '../../actions/deploy/format.js';
import {sanitizeLine} from '../sanitize.js';
import type {ActionLog} from '../action-log.js';

export type FlowPhase = 'working' | 'confirm' | 'done';

export interface FlowState {
	readonly title: string;
	readonly phase: FlowPhase;
	readonly lines: readonly string[];
	/** What the footer asks in this phase. */
	readonly prompt: string;
}

export class FlowStore {
	private state: FlowState | undefined;
	private readonly listeners = new Set<() => void>();
	private confirmResolve: ((yes: boolean) => void) | undefined;

	get(): FlowState | undefined {
		return this.state;
	}

	subscribe(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private set(next: FlowState | undefined): void {
		this.state = next;
		for (const l of this.listeners) l();
	}

	private update(change: Partial<FlowState>): void {
		if (this.state) this.set({...this.state, ...change});
	}

	private append(line: string): void {
		if (this.state) this.set({...this.state, lines: [...this.state.lines, sanitizeLine(line)]});
	}

	/** y / n in the confirm phase. */
	answer(yes: boolean): void {
		const resolve = this.confirmResolve;
		this.confirmResolve = undefined;
		resolve?.(yes);
	}

	/** Close a finished flow (a running one cannot be closed: it would leave hosts half done). */
	close(): void {
		if (this.state?.phase === 'done') this.set(undefined);
	}

	isOpen(): boolean {
		return this.state !== undefined;
	}

	/** Deploy: plan with diffs, ask, then each step's progress and the result. */
	async deploy(profile: Profile, transport: Transport, log: ActionLog, watch?: ClusterWatch): Promise<void> {
		if (this.state) return;
		this.set({title: 'Deploy configs', phase: 'working', lines: ['reading every host and rendering the profile…'], prompt: 'planning…'});
		let plan: DeployPlan;
		try {
			plan = await planDeploy(profile, transport);
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			log.append('error', `deploy: planning failed: ${message}`);
			this.update({phase: 'done', lines: [...(this.get()?.lines ?? []), `planning failed: ${sanitizeLine(message)}`], prompt: 'Esc closes'});
			return;
		}
		const planLines = formatPlan(plan, false).split('\n').map(sanitizeLine);
		if (!plan.changed) {
			log.append('info', 'deploy: nothing to deploy, every host matches the profile');
			this.update({phase: 'done', lines: planLines, prompt: 'nothing to deploy · Esc closes'});
			return;
		}
		this.update({phase: 'confirm', lines: planLines, prompt: 'apply these changes? y apply · n cancel · ↑↓ scroll'});
		const yes = await new Promise<boolean>((resolve) => (this.confirmResolve = resolve));
		if (!yes) {
			log.append('info', 'deploy: cancelled at the confirmation; nothing was changed');
			this.update({phase: 'done', lines: [...planLines, '', 'cancelled: nothing was changed'], prompt: 'Esc closes'});
			return;
		}
		log.append('info', `deploy: started (${plan.hosts.map((h) => h.host).join(' -> ')})`);
		this.update({phase: 'working', lines: ['deploying, one host at a time:'], prompt: 'deploying… (cannot be interrupted halfway)'});
		const report = await executeDeploy(profile, transport, plan, {onEvent: (e) => this.append(`${e.host}: ${e.step} ${e.status}: ${e.message}`), ...(watch ? {watch} : {})});
		this.append('');
		for (const h of report.hosts) this.append(`${h.host.padEnd(10)} ${h.outcome.padEnd(12)} ${h.message}`);
		log.append(report.ok ? 'info' : 'error', `deploy: ${report.ok ? 'done' : 'failed'}: ${report.hosts.map((h) => `${h.host} ${h.outcome}`).join(', ')}`);
		this.update({phase: 'done', prompt: `${report.ok ? 'deploy done' : 'deploy FAILED'} · Esc closes`});
	}
}

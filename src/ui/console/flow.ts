// Guided flows in the console (deploy, drills, the watcher), kept outside React: a small store with the
// flow's phase, the lines to show, a live block redrawn while it runs, and what the operator may
// answer. Views render it; keys call it. The flows themselves live in deploy/drill/watch modules.
import {planRemovals, removalSubject, type DeployPlan} from '../../actions/deploy/plan.js';
import {DeployRefused, type DeploySession} from '../../actions/deploy/session.js';
import {formatPlan, formatReport} from '../../actions/deploy/format.js';
import {sanitizeLine} from '../../text/sanitize.js';
import {redactSecrets} from '../../text/redact.js';
import type {ActionLog} from '../action-log.js';
import type {WatchLine} from '../presenters/watch.js';

export type FlowPhase = 'working' | 'confirm' | 'done';

export interface FlowState {
	readonly title: string;
	readonly phase: FlowPhase;
	readonly lines: readonly string[];
	/** What the footer asks in this phase. */
	readonly prompt: string;
	/** The key that answers yes in the confirm phase (default `y`): a second question gets its own key. */
	readonly confirmKey?: string;
	/** Lines drawn above the others while the flow runs (VIP holder, VRRP, traffic), for this width. */
	readonly live?: (width: number) => readonly WatchLine[];
	/** The running flow can be stopped with the abort key (drills restore what they changed). */
	readonly abortable?: boolean;
	/** Changes on every live refresh so views redraw. */
	readonly tick?: number;
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

	private running: Promise<void> | undefined;
	private abortController: AbortController | undefined;
	private liveTimer: NodeJS.Timeout | undefined;

	private set(next: FlowState | undefined): void {
		this.state = next;
		for (const l of this.listeners) l();
	}

	/** Open a flow; false when one is already open. `run` is the flow itself. */
	start(first: FlowState, run: () => Promise<void>): boolean {
		if (this.state) return false;
		this.set(first);
		this.running = run().finally(() => {
			this.stopLive();
			this.abortController = undefined;
			this.running = undefined;
		});
		return true;
	}

	update(change: Partial<FlowState>): void {
		if (this.state) this.set({...this.state, ...change});
	}

	append(...lines: string[]): void {
		if (this.state) this.set({...this.state, lines: [...this.state.lines, ...lines.map((l) => redactSecrets(sanitizeLine(l)))]});
	}

	/** Ask yes/no: the confirm phase with this prompt until the operator answers (`yesKey`, or n / Esc). */
	ask(prompt: string, yesKey = 'y'): Promise<boolean> {
		this.update({phase: 'confirm', prompt, confirmKey: yesKey});
		return new Promise<boolean>((resolve) => (this.confirmResolve = resolve));
	}

	/** Show a live block, redrawn every `everyMs` until the flow stops it or ends. */
	showLive(live: (width: number) => readonly WatchLine[], everyMs = 500): void {
		this.stopLive();
		this.update({live, tick: 0});
		this.liveTimer = setInterval(() => this.update({tick: (this.state?.tick ?? 0) + 1}), everyMs);
	}

	stopLive(): void {
		if (this.liveTimer) clearInterval(this.liveTimer);
		this.liveTimer = undefined;
	}

	/** A signal the abort key fires; the flow becomes abortable. */
	abortSignal(): AbortSignal {
		this.abortController = new AbortController();
		this.update({abortable: true});
		return this.abortController.signal;
	}

	/** The abort key (or Ctrl-C) while a flow runs. */
	abort(): void {
		if (!this.abortController || this.abortController.signal.aborted) return;
		this.abortController.abort();
		this.update({abortable: false, prompt: 'aborting: restoring what was changed…'});
	}

	/** Leaving the console: abort whatever runs and wait until it has cleaned up. */
	async shutdown(): Promise<void> {
		this.abort();
		this.confirmResolve?.(false);
		await this.running;
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
	deploy(session: DeploySession, log: ActionLog): Promise<void> {
		this.start({title: 'Deploy configs', phase: 'working', lines: ['reading every host and rendering the profile…'], prompt: 'planning…'}, () => this.runDeploy(session, log));
		return this.running ?? Promise.resolve();
	}

	private async runDeploy(session: DeploySession, log: ActionLog): Promise<void> {
		let plan: DeployPlan;
		try {
			plan = await session.plan();
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			if (error instanceof DeployRefused) {
				log.append('warn', `deploy: refused: ${message}; nothing was changed`);
				this.update({phase: 'done', lines: [`refused: ${redactSecrets(sanitizeLine(message))}; nothing was changed`], prompt: 'deploy refused · Esc closes'});
				return;
			}
			log.append('error', `deploy: planning failed: ${message}`);
			this.update({phase: 'done', lines: [...(this.get()?.lines ?? []), `planning failed: ${redactSecrets(sanitizeLine(message))}`], prompt: 'Esc closes'});
			return;
		}
		const planLines = formatPlan(plan).split('\n').map(sanitizeLine);
		if (!plan.changed) {
			log.append('info', 'deploy: nothing to deploy, every host matches the profile');
			this.update({phase: 'done', lines: planLines, prompt: 'nothing to deploy · Esc closes'});
			return;
		}
		this.update({lines: planLines});
		const yes = await this.ask('apply these changes? y apply · n cancel · ↑↓ scroll');
		if (!yes) {
			log.append('info', 'deploy: cancelled at the confirmation; nothing was changed');
			this.update({phase: 'done', lines: [...planLines, '', 'cancelled: nothing was changed'], prompt: 'Esc closes'});
			return;
		}
		const removals = planRemovals(plan);
		if (removals.length > 0) {
			// Removing keywords the profile cannot hold takes a second answer, with its own key.
			const removing = removals.map((r) => `${r.host}: ${r.removals.map(removalSubject).join(', ')}`);
			// At the top: the operator may have scrolled the plan, and the scroll stays while the flow asks.
			this.update({lines: ['this deploy REMOVES keywords only the installed config has:', ...removing.map((l) => `  ${redactSecrets(sanitizeLine(l))}`), '', ...planLines]});
			if (!(await this.ask('it removes keywords (listed at the top): r remove them and apply · n cancel · ↑↓ scroll', 'r'))) {
				log.append('info', 'deploy: cancelled at the removals; nothing was changed');
				this.update({phase: 'done', lines: [...(this.get()?.lines ?? []), '', 'cancelled: nothing was changed'], prompt: 'Esc closes'});
				return;
			}
		}
		log.append('info', `deploy: started (${plan.hosts.map((h) => h.host).join(' -> ')})`);
		this.update({phase: 'working', lines: ['deploying, one host at a time:'], prompt: 'deploying… (cannot be interrupted halfway)'});
		// Removals, if any, were just confirmed with their own key.
		const report = await session.execute(plan, (e) => this.append(`${e.host}: ${e.step} ${e.status}: ${e.message}`), true);
		this.append('', ...formatReport(report, 10).split('\n'));
		log.append(report.ok ? 'info' : 'error', `deploy: ${report.ok ? 'done' : 'failed'}: ${report.hosts.map((h) => `${h.host} ${h.outcome}`).join(', ')}`);
		this.update({phase: 'done', prompt: `${report.ok ? 'deploy done' : 'deploy FAILED'} · Esc closes`});
	}
}

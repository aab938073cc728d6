// Deploy on one director: remove stale temporaries, validate, install (only over the file the plan was
// made against), then reload, verify and roll back if needed. Everything after the install runs in one
// recovery path: a step whose result never arrived is followed by a reconnect and a read of what the
// host holds (file sha256, keepalived running), and the deploy goes on, rolls back or stops from there.
// Whatever happens, the host's line says what it holds at the end, or that this is unknown.
import path from 'node:path';
import type {Profile} from '../../profile/model.js';
import type {Transport} from '../../transport/types.js';
import {validateKeepalivedConfig, VALIDATE_TMP_DIR} from '../validate-config.js';
import {fileChange, readRemoteFile, writesFile, type HostPlan} from './plan.js';
import {INSTALL_EXIT, INSTALL_SCRIPT, RESTORE_SCRIPT, temporariesCommand} from './remote-scripts.js';
import {holdingOf, readHostState, runStep, type Holding, type HostState} from './host-state.js';
import {describeHolds, type DeployEvent, type HostHolds, type HostReport} from './report.js';
import type {VerifyResult} from './verify.js';

export interface DirectorContext {
	readonly profile: Profile;
	readonly transport: Transport;
	readonly plan: HostPlan;
	/** Names this run's temporaries and backup. */
	readonly stamp: string;
	readonly emit: (e: Omit<DeployEvent, 'host'>) => void;
	readonly verify: () => Promise<VerifyResult>;
	/** How long to keep trying to reach the host after a step whose result is unknown. */
	readonly reconnectDeadlineMs: number;
	/** Masks passwords in text that came from the host (error output may quote config lines). */
	readonly remote: (text: string) => string;
}

/** A final line for the host, or (to go on) the backup made by the install. */
type Stop = {readonly stop: HostReport};

export async function deployDirector(ctx: DirectorContext): Promise<HostReport> {
	const {host, file} = ctx.plan;
	const removed = await removeStaleTemporaries(ctx);
	const extra = removed.length > 0 ? {removedTemporaries: removed} : {};
	if (!writesFile(ctx.plan)) {
		const layout = file.changed;
		ctx.emit({step: 'backup-install', status: 'skip', message: layout ? `${file.path} differs only in layout: left as it is` : `${file.path} already matches the profile`});
		const cleaned = removed.length > 0 ? `; removed ${removed.length} stale temporar${removed.length === 1 ? 'y' : 'ies'}` : '';
		return {host, outcome: 'unchanged', message: `${layout ? 'no semantic change (layout only)' : 'no change'}${cleaned}`, ...extra};
	}
	const refused = await validate(ctx);
	if (refused) return {...refused, ...extra};
	const installed = await install(ctx);
	if ('stop' in installed) return {...installed.stop, ...extra};
	try {
		return {...(await afterInstall(ctx, installed.backup)), ...extra};
	} catch (error) {
		// Nothing may escape without saying what the host holds.
		return {...(await finalReport(ctx, `unexpected error after the install: ${message(error)}`, installed.backup)), ...extra};
	}
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

function backupPath(ctx: DirectorContext): string {
	return path.posix.join(ctx.profile.keepalived.backupDir, `${path.posix.basename(ctx.plan.file.path)}.${ctx.stamp}`);
}

function holds(ctx: DirectorContext, config: HostHolds['config'], sha256?: string | null, keepalived?: HostHolds['keepalived']): HostHolds {
	const {file} = ctx.plan;
	return {
		path: file.path,
		config,
		...(sha256 !== undefined ? {sha256} : {}),
		newSha256: file.desiredSha256,
		previousSha256: file.currentSha256,
		...(keepalived ? {keepalived} : {}),
	};
}

function holdsFromState(ctx: DirectorContext, state: HostState): HostHolds {
	return holds(ctx, holdingOf(state.sha256, ctx.plan.file), state.sha256, state.keepalivedActive === undefined ? 'unknown' : state.keepalivedActive ? 'active' : 'inactive');
}

function report(ctx: DirectorContext, outcome: HostReport['outcome'], why: string, h: HostHolds, backup?: string): HostReport {
	const keepalived = h.keepalived === 'reloaded' ? ', keepalived reloaded' : h.keepalived === 'active' ? ', keepalived running' : h.keepalived === 'inactive' ? ', keepalived NOT running' : '';
	const line = h.config === 'unknown' ? `${why}; ${describeHolds(h)}` : `${why}: ${describeHolds(h)}${keepalived}`;
	return {host: ctx.plan.host, outcome, message: line, holds: h, ...(backup ? {backup} : {})};
}

function unknownReport(ctx: DirectorContext, why: string, backup?: string): HostReport {
	return report(ctx, 'unknown', why, holds(ctx, 'unknown'), backup);
}

/** Reconnect and read what the host holds; undefined when it cannot be reached before the deadline. */
async function settle(ctx: DirectorContext, why: string, backup?: string): Promise<HostState | undefined> {
	const {file} = ctx.plan;
	ctx.emit({step: 'recover', status: 'start', message: `${why}; reconnecting to read what ${ctx.plan.host} holds`});
	const state = await readHostState(ctx.transport, ctx.plan.host, {
		path: file.path,
		...(backup ? {backup} : {}),
		statusCommand: ctx.profile.keepalived.status,
		deadlineMs: ctx.reconnectDeadlineMs,
		onRetry: (retry) => ctx.emit({step: 'recover', status: 'start', message: `still trying: ${ctx.remote(retry)}`}),
	});
	if (!state) ctx.emit({step: 'recover', status: 'fail', message: `${ctx.plan.host} could not be reached for ${Math.round(ctx.reconnectDeadlineMs / 1000)} s`});
	else ctx.emit({step: 'recover', status: 'ok', message: describeHolds(holdsFromState(ctx, state))});
	return state;
}

/** A closing line from facts: read the host (reconnecting if needed) and say what it holds. */
async function finalReport(ctx: DirectorContext, why: string, backup?: string): Promise<HostReport> {
	const state = await settle(ctx, why, backup);
	if (!state) return unknownReport(ctx, why, backup);
	return report(ctx, 'failed', why, holdsFromState(ctx, state), backup);
}

async function removeStaleTemporaries(ctx: DirectorContext): Promise<string[]> {
	const {file} = ctx.plan;
	const step = await runStep(() => ctx.transport.exec(ctx.plan.host, temporariesCommand('remove', file.path, VALIDATE_TMP_DIR)));
	if (step.kind !== 'ok') {
		ctx.emit({step: 'cleanup', status: 'fail', message: `could not look for stale temporaries: ${ctx.remote(step.why)}`});
		return [];
	}
	const removed = [...step.value.stdout.matchAll(/^removed=(.+)$/gm)].map((m) => m[1]!);
	if (removed.length > 0) ctx.emit({step: 'cleanup', status: 'ok', message: `removed ${removed.length} stale temporar${removed.length === 1 ? 'y' : 'ies'} left by an interrupted run: ${removed.join(', ')}`});
	return removed;
}

/** keepalived -t on the target; a report when refused (nothing changed), undefined to go on. */
async function validate(ctx: DirectorContext): Promise<HostReport | undefined> {
	const {host, file} = ctx.plan;
	const previous = holds(ctx, 'previous', file.currentSha256);
	ctx.emit({step: 'validate', status: 'start', message: `keepalived -t on ${host}`});
	let validation;
	try {
		validation = await validateKeepalivedConfig(ctx.transport, host, file.desired, {name: path.posix.basename(file.path), stamp: ctx.stamp});
	} catch (error) {
		const why = `validation could not run: ${ctx.remote(message(error))}; nothing was changed`;
		ctx.emit({step: 'validate', status: 'fail', message: why});
		return report(ctx, 'failed', why, previous);
	}
	if (!validation.ok) {
		const diagnostics = validation.diagnostics.slice(0, 3).map(ctx.remote);
		const why = `refused: ${validation.reason ?? 'invalid'}${diagnostics.length > 0 ? `: ${diagnostics.join(' | ')}` : ''}`;
		ctx.emit({step: 'validate', status: 'fail', message: why});
		return report(ctx, 'refused', why, previous);
	}
	ctx.emit({step: 'validate', status: 'ok', message: 'keepalived -t passed'});
	return undefined;
}

/** Upload, check and rename into place; the backup made (if any), or the host's final line. */
async function install(ctx: DirectorContext): Promise<{backup: string | undefined} | Stop> {
	const {host, file} = ctx.plan;
	const {profile, transport} = ctx;
	ctx.emit({step: 'backup-install', status: 'start', message: `back up and install ${file.path}`});
	const args = [file.path, profile.keepalived.backupDir, ctx.stamp, file.desiredSha256, file.currentSha256 ?? 'missing'];
	const step = await runStep(() => transport.exec(host, ['sh', '-c', INSTALL_SCRIPT, 'lvsdeck-install', ...args], {stdin: file.desired, timeoutMs: 30_000}));
	if (step.kind === 'ok') {
		const backup = /^backup=(.*)$/m.exec(step.value.stdout)?.[1] || undefined;
		ctx.emit({step: 'backup-install', status: 'ok', message: backup ? `installed; previous file kept as ${backup}` : 'installed (there was no previous file)'});
		return {backup};
	}
	const code = step.kind === 'failed' ? step.result?.code : undefined;
	if (code === INSTALL_EXIT.changedSincePlan) return {stop: await changedSincePlan(ctx, step.kind === 'failed' ? (step.result?.stdout ?? '') : '')};
	if (code !== undefined && code !== null && (INSTALL_EXIT.beforeRename as readonly number[]).includes(code)) {
		const why = `install failed before the rename: ${ctx.remote(step.why)}; nothing was changed`;
		ctx.emit({step: 'backup-install', status: 'fail', message: why});
		return {stop: report(ctx, 'failed', why, holds(ctx, 'previous', file.currentSha256))};
	}
	// The rename may or may not have happened: find out.
	const backup = backupPath(ctx);
	ctx.emit({step: 'backup-install', status: 'fail', message: `the install's result never arrived: ${ctx.remote(step.why)}`});
	const state = await settle(ctx, 'the install did not report back', backup);
	if (!state) return {stop: unknownReport(ctx, 'the install did not report back')};
	const holding = holdingOf(state.sha256, file);
	if (holding === 'new') return {backup: state.backupExists ? backup : undefined};
	const why = holding === 'previous' ? 'the install did not finish; nothing was changed' : 'the install did not report back and the file is not the one planned';
	return {stop: report(ctx, 'failed', why, holdsFromState(ctx, state))};
}

/** Stop before changing anything, and show the diff against what the host holds now. */
async function changedSincePlan(ctx: DirectorContext, stdout: string): Promise<HostReport> {
	const {host, file} = ctx.plan;
	const now = /^current=(.*)$/m.exec(stdout)?.[1] ?? 'unknown';
	const why = `${file.path} changed on ${host} since the plan (sha256 ${now === 'missing' ? '(no file)' : now}, planned against ${file.currentSha256 ?? '(no file)'}); nothing was changed, deploy again to apply the new diff`;
	ctx.emit({step: 'backup-install', status: 'fail', message: why});
	try {
		const fresh = fileChange(file.path, await readRemoteFile(ctx.transport, host, file.path), file.desired);
		const sha = fresh.currentSha256;
		return {host, outcome: 'refused', message: why, holds: {...holds(ctx, 'other', sha)}, ...(fresh.diff ? {diff: fresh.diff} : {})};
	} catch (error) {
		return {host, outcome: 'refused', message: `${why} (the new diff could not be read: ${ctx.remote(message(error))})`, holds: holds(ctx, 'other', now === 'missing' ? null : now === 'unknown' ? undefined : now)};
	}
}

type Reloaded = {readonly kind: 'ok'; readonly started: boolean} | {readonly kind: 'failed'; readonly why: string} | Stop;

/**
 * Reload keepalived (start it when it is not running) with `expect` in place. A reload whose result
 * never arrived is checked and repeated (reloading again is harmless), at most twice.
 */
async function reloadKeepalived(ctx: DirectorContext, expect: Holding, backup: string | undefined): Promise<Reloaded> {
	const {host} = ctx.plan;
	const {keepalived} = ctx.profile;
	let why = '';
	for (let attempt = 1; attempt <= 2; attempt++) {
		const active = await runStep(() => ctx.transport.exec(host, keepalived.status));
		const running = active.kind === 'ok';
		const step = active.kind === 'unknown' ? active : await runStep(() => ctx.transport.exec(host, running ? keepalived.reload : keepalived.start));
		if (step.kind === 'ok') return {kind: 'ok', started: !running};
		if (step.kind === 'failed') return {kind: 'failed', why: ctx.remote(step.why)};
		why = `the reload did not report back: ${ctx.remote(step.why)}`;
		const state = await settle(ctx, why, backup);
		if (!state) return {stop: unknownReport(ctx, why, backup)};
		if (holdingOf(state.sha256, ctx.plan.file) !== expect) return {stop: report(ctx, 'failed', `${why}, and the file is no longer the one just installed`, holdsFromState(ctx, state), backup)};
		ctx.emit({step: 'reload', status: 'start', message: `the file is in place; reloading again`});
	}
	return {stop: await finalReport(ctx, `${why} twice; stopped`, backup)};
}

async function afterInstall(ctx: DirectorContext, backup: string | undefined): Promise<HostReport> {
	const {file} = ctx.plan;
	ctx.emit({step: 'reload', status: 'start', message: ctx.profile.keepalived.reload.join(' ')});
	const reload = await reloadKeepalived(ctx, 'new', backup);
	if ('stop' in reload) return reload.stop;
	if (reload.kind === 'failed') {
		ctx.emit({step: 'reload', status: 'fail', message: reload.why});
		return rollback(ctx, `reload failed: ${reload.why}`, backup);
	}
	ctx.emit({step: 'reload', status: 'ok', message: reload.started ? 'started (keepalived was not running)' : 'reloaded'});

	ctx.emit({step: 'verify', status: 'start', message: 'keepalived running, VRRP states and IPVS table as the profile says, held for a health-check cycle'});
	let verified = await ctx.verify();
	if (verified.problem && !verified.answered) {
		// The host went away during verification: that says nothing about the config. Find out, look again.
		const state = await settle(ctx, `verification lost ${ctx.plan.host}: ${verified.problem}`, backup);
		if (!state) return unknownReport(ctx, `verification lost ${ctx.plan.host}`, backup);
		if (holdingOf(state.sha256, file) !== 'new') return report(ctx, 'failed', 'verification lost the host, and the file is no longer the one just installed', holdsFromState(ctx, state), backup);
		ctx.emit({step: 'verify', status: 'start', message: `${ctx.plan.host} answers again; verifying again`});
		verified = await ctx.verify();
	}
	if (verified.problem) {
		ctx.emit({step: 'verify', status: 'fail', message: ctx.remote(verified.problem)});
		return rollback(ctx, `verification failed: ${ctx.remote(verified.problem)}`, backup);
	}
	ctx.emit({step: 'verify', status: 'ok', message: 'matches the profile'});
	return report(ctx, 'deployed', 'deployed and verified', holds(ctx, 'new', file.desiredSha256, 'reloaded'), backup);
}

/** Put the backup back (checking the file when a step's result never arrived) and reload. */
async function rollback(ctx: DirectorContext, why: string, backup: string | undefined): Promise<HostReport> {
	const {host, file} = ctx.plan;
	ctx.emit({step: 'rollback', status: 'start', message: why});
	if (!backup) {
		ctx.emit({step: 'rollback', status: 'fail', message: 'no previous file to restore'});
		return finalReport(ctx, `${why}; not rolled back: there was no previous file`, backup);
	}
	let restored = false;
	for (let attempt = 1; attempt <= 2 && !restored; attempt++) {
		const step = await runStep(() => ctx.transport.exec(host, ['sh', '-c', RESTORE_SCRIPT, 'lvsdeck-restore', file.path, backup, ctx.stamp]));
		if (step.kind === 'ok') restored = true;
		else if (step.kind === 'failed') {
			ctx.emit({step: 'rollback', status: 'fail', message: `restore failed: ${ctx.remote(step.why)}`});
			return finalReport(ctx, `${why}; ROLLBACK FAILED: restoring ${backup}: ${ctx.remote(step.why)}`, backup);
		} else {
			const lost = `the restore did not report back: ${ctx.remote(step.why)}`;
			const state = await settle(ctx, lost, backup);
			if (!state) return unknownReport(ctx, `${why}; ${lost}`, backup);
			const holding = holdingOf(state.sha256, file);
			if (holding === 'previous') restored = true;
			else if (holding === 'other') return report(ctx, 'failed', `${why}; ${lost}, and the file is neither the previous nor the new one`, holdsFromState(ctx, state), backup);
		}
	}
	if (!restored) return finalReport(ctx, `${why}; ROLLBACK FAILED: the restore never reported back`, backup);
	const reload = await reloadKeepalived(ctx, 'previous', backup);
	if ('stop' in reload) return reload.stop;
	if (reload.kind === 'failed') {
		ctx.emit({step: 'rollback', status: 'fail', message: `restored ${backup} but the reload failed: ${reload.why}`});
		return finalReport(ctx, `${why}; ROLLBACK INCOMPLETE: the previous file is back but keepalived's reload failed: ${reload.why}`, backup);
	}
	ctx.emit({step: 'rollback', status: 'ok', message: `restored ${backup} and reloaded`});
	return report(ctx, 'rolled-back', `${why}; rolled back`, holds(ctx, 'previous', file.currentSha256, 'reloaded'), backup);
}

// The read-only wall screen: each VIP with its holder in block letters, healthy real servers per
// service, and one alarm banner. No action keys exist here; q or Ctrl-C quits.
import {Box, Text, useApp, useInput} from 'ink';
import type {Profile} from '../../profile/model.js';
import type {ClusterStore} from '../../cluster/store.js';
import {clockTime, fit} from '../format.js';
import {sanitizeLine} from '../../text/sanitize.js';
import {TONE_COLOR} from '../console/Table.js';
import {useClusterState, useNow, useTerminalSize, type TerminalSize} from '../console/hooks.js';
import {BIG_HEIGHT, bigText, bigWidth} from './big-text.js';
import {wallModel} from './wall-model.js';

export interface WallAppProps {
	readonly profile: Profile;
	readonly store: ClusterStore;
	readonly size?: TerminalSize;
	readonly now?: number;
}

function Big({text, tone, width}: {text: string; tone: keyof typeof TONE_COLOR; width: number}) {
	return (
		<>
			{bigText(text).map((line, i) => (
				<Text key={i} color={TONE_COLOR[tone]} bold wrap="truncate">
					{fit(line, width)}
				</Text>
			))}
		</>
	);
}

export function WallApp({profile, store, size: fixedSize, now: fixedNow}: WallAppProps) {
	const {exit} = useApp();
	const size = useTerminalSize(fixedSize);
	const now = useNow(1000, fixedNow);
	const state = useClusterState(store);
	// Only quitting: the wall has no action keys at all.
	useInput((input, key) => {
		if (input === 'q' || (key.ctrl && input === 'c')) exit();
	});
	const model = wallModel(state, profile);
	const width = Math.max(20, size.columns);
	let budget = size.rows - 1;
	const lines: React.ReactNode[] = [];
	const push = (node: React.ReactNode, height: number) => {
		if (budget < height) return false;
		lines.push(node);
		budget -= height;
		return true;
	};
	push(
		<Text key="title" bold wrap="truncate">
			{fit(`lvsdeck wall · ${sanitizeLine(profile.name)} · ${clockTime(now)} · read-only${model.staleHosts.length > 0 ? ` · stale: ${model.staleHosts.join(', ')}` : ''}`, width)}
		</Text>,
		1,
	);
	push(
		<Text key="alarm" bold inverse={model.alarm.tone === 'bad' || model.alarm.tone === 'warn'} color={TONE_COLOR[model.alarm.tone]} wrap="truncate">
			{fit(` ${model.alarm.text}`, width)}
		</Text>,
		1,
	);
	for (const v of model.vips) {
		const bigFits = bigWidth(v.holder) <= width && budget >= BIG_HEIGHT + 2;
		push(
			<Text key={`vh${v.vip}`} wrap="truncate" bold>
				{fit(`${v.vip} (${v.instance}) is on`, width)}
			</Text>,
			1,
		);
		if (bigFits) push(<Big key={`vb${v.vip}`} text={v.holder} tone={v.tone} width={width} />, BIG_HEIGHT);
		else push(<Text key={`vs${v.vip}`} bold color={TONE_COLOR[v.tone]}>{fit(v.holder, width)}</Text>, 1);
	}
	for (const s of model.services) {
		const count = `${s.healthy}/${s.total}`;
		const bigFits = bigWidth(count) <= width && budget >= BIG_HEIGHT + 1;
		push(
			<Text key={`sh${s.label}`} wrap="truncate" bold>
				{fit(`${s.label}: healthy real servers`, width)}
			</Text>,
			1,
		);
		if (bigFits) push(<Big key={`sb${s.label}`} text={count} tone={s.tone} width={width} />, BIG_HEIGHT);
		else push(<Text key={`ss${s.label}`} bold color={TONE_COLOR[s.tone]}>{fit(count, width)}</Text>, 1);
	}
	return (
		<Box flexDirection="column" width={width}>
			{lines}
		</Box>
	);
}

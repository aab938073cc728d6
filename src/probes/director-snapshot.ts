// One command that reads everything cheap about a director in a single SSH channel: the IPVS table
// in its three views, the interface addresses and the hash of the installed keepalived.conf.
import {registerReadOnlyScript} from '../transport/read-only.js';
import {parseIpvsList, parseIpvsRate, parseIpvsStats, mergeIpvs, type IpvsTable} from './ipvs.js';
import {parseIpAddrJson, type IfAddress} from './vip.js';

const MARK = '@@lvsdeck';

/** Constant script; the config path arrives as "$1", never interpolated. */
export const DIRECTOR_SNAPSHOT_SCRIPT = registerReadOnlyScript(
	[
		`s() { printf '\\n${MARK} %s\\n' "$1"; }`,
		's ipvs-list; ipvsadm -Ln --exact 2>&1',
		's ipvs-stats; ipvsadm -Ln --stats --exact 2>&1',
		's ipvs-rate; ipvsadm -Ln --rate --exact 2>&1',
		's addr; ip -j addr show 2>&1',
		's config; if [ -r "$1" ]; then sha256sum < "$1" | cut -c1-64; else echo missing; fi',
		's end',
	].join('\n'),
);

export function directorSnapshotCommand(configPath: string): readonly string[] {
	return ['sh', '-c', DIRECTOR_SNAPSHOT_SCRIPT, 'lvsdeck-probe', configPath];
}

export interface DirectorSnapshot {
	readonly ipvs: IpvsTable;
	readonly addresses: readonly IfAddress[];
	/** sha256 of the installed keepalived.conf, or null when the file is missing. */
	readonly configSha256: string | null | undefined;
	readonly problems: readonly string[];
}

export function splitSections(text: string): Map<string, string> {
	const sections = new Map<string, string>();
	let name: string | undefined;
	let body: string[] = [];
	for (const line of text.split('\n')) {
		if (line.startsWith(`${MARK} `)) {
			if (name !== undefined) sections.set(name, body.join('\n'));
			name = line.slice(MARK.length + 1).trim();
			body = [];
		} else if (name !== undefined) {
			body.push(line);
		}
	}
	if (name !== undefined) sections.set(name, body.join('\n'));
	return sections;
}

export function parseDirectorSnapshot(text: string): DirectorSnapshot {
	const sections = splitSections(text);
	const problems: string[] = [];
	if (!sections.has('end')) problems.push('snapshot output is incomplete');
	const list = parseIpvsList(sections.get('ipvs-list') ?? '');
	const ipvs = mergeIpvs(list, parseIpvsStats(sections.get('ipvs-stats') ?? ''), parseIpvsRate(sections.get('ipvs-rate') ?? ''));
	const addr = parseIpAddrJson(sections.get('addr') ?? '');
	const config = (sections.get('config') ?? '').trim();
	const configSha256 = config === 'missing' ? null : /^[0-9a-f]{64}$/.test(config) ? config : undefined;
	return {
		ipvs,
		addresses: addr.addresses,
		configSha256,
		problems: [...problems, ...list.problems, ...addr.problems],
	};
}
